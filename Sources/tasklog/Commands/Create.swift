import ArgumentParser
import Tasklog
import TasklogCore

struct Create: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Create a pending task and print it.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "A short imperative title, like \"Run the tests\".")
    var subject: String

    @Option(help: "What and why.")
    var description: String = ""

    @Option(help: "The present-continuous form shown while it runs, like \"Running the tests\".")
    var activeForm: String?

    @Option(help: "A JSON object of metadata.")
    var metadata: String?

    @Option(help: "Who owns the task from the start.")
    var owner: String?

    @Option(help: "A key that makes a retried create take effect once.")
    var idempotencyKey: String?

    func run() throws {
        try tasklog.run {
            let new = NewTask(
                subject: subject,
                description: description,
                activeForm: activeForm,
                owner: owner,
                metadata: try parseMetadata(metadata) ?? [:]
            )
            let store = try global.openForTasks()
            let task = try store.create(new, in: global.listID, actor: global.actorName, idempotencyKey: idempotencyKey)
            if global.json { Output.json(task.json) } else { Output.task(task) }
        }
    }
}
