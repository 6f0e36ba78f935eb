import ArgumentParser
import Tasklog
import TasklogCore

struct Release: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Move every task an owner holds in progress back to pending (an agent that died)."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The owner whose claims to release.")
    var owner: String

    func run() throws {
        try tasklog.run {
            let store = try global.openForTasks(create: false)
            let released = try store.release(owner: owner, in: global.listID, actor: global.actorName)
            if global.json {
                Output.json(["released": .array(released.map { .string(String($0)) })])
            } else if released.isEmpty {
                Output.line("\(owner) holds no task in progress")
            } else {
                Output.line("Released \(Output.ids(released)) back to pending")
            }
        }
    }
}
