package import Tasklog
import TasklogCore

/// A writer for crash and concurrency tests and the demo: appends one event per durable commit
/// and reports each as soon as it is acknowledged.
package enum AppendWriter {
    /// Runs `count` commands as `actor` in `list`: creates, and every `updateEvery`-th command
    /// (0: never) an update of a random earlier task. Calls `acknowledged(seq, taskID)` after each commit.
    package static func run(
        _ store: TaskStore,
        count: Int,
        updateEvery: Int,
        list: String,
        actor: String,
        acknowledged: (UInt64, Int) -> Void
    ) throws {
        var created: [Int] = []
        for index in 1...max(1, count) {
            let outcome: CommandOutcome
            if updateEvery > 0, index % updateEvery == 0, let id = created.randomElement() {
                outcome = try store.update(
                    id,
                    TaskChanges(metadata: ["touched": .int(Int64(index))]),
                    in: list,
                    actor: actor
                )
            } else {
                outcome = try store.execute(
                    .create(
                        NewTask(subject: "Task \(index) of \(actor)", description: "appended by the append writer")
                    ),
                    in: list,
                    actor: actor
                )
                if let id = outcome.taskID { created.append(id) }
            }
            if let seq = outcome.seqs.last { acknowledged(seq, outcome.taskID ?? 0) }
        }
    }
}
