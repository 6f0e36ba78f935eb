import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

/// A writer for crash and concurrency tests and the demo: appends one event per durable commit
/// and prints `seq id` of each as soon as it is acknowledged.
struct AppendLoop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_append",
        abstract: "Append events one by one, printing each acknowledged seq.",
        shouldDisplay: false
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "How many commands to run.")
    var count: Int = 1000

    @Option(help: "Write a snapshot every this many events.")
    var snapshotInterval: UInt64 = 10_000

    @Option(help: "Every this many commands, update an earlier task instead of creating one (0: never).")
    var updateEvery: Int = 3

    func run() throws {
        try tasklog.run {
            var options = TaskStore.Options()
            options.snapshotInterval = snapshotInterval
            let store = try global.open(options: options)
            var created: [Int] = []
            for index in 1...max(1, count) {
                let outcome: CommandOutcome
                if updateEvery > 0, index % updateEvery == 0, let id = created.randomElement() {
                    outcome = try store.update(
                        id,
                        TaskChanges(metadata: ["touched": .int(Int64(index))]),
                        in: global.listID,
                        actor: global.actorName
                    )
                } else {
                    outcome = try store.execute(
                        .create(
                            NewTask(subject: "Task \(index) of \(global.actorName)", description: "appended by _append")
                        ),
                        in: global.listID,
                        actor: global.actorName
                    )
                    if let id = outcome.taskID { created.append(id) }
                }
                if let seq = outcome.seqs.last {
                    // One line per acknowledged event, written straight to the pipe.
                    var line = "\(seq) \(outcome.taskID ?? 0)\n"
                    line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                }
            }
        }
    }
}
