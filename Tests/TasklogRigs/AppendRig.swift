import ArgumentParser
import Tasklog
import TasklogWorkloads

/// A writer for crash and concurrency tests: appends one event per durable commit and prints
/// `seq id` of each as soon as it is acknowledged.
struct AppendRig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "append",
        abstract: "Append events one by one, printing each acknowledged seq."
    )

    @OptionGroup var options: RigOptions

    @Option(help: "How many commands to run.")
    var count: Int = 1000

    @Option(help: "Write a snapshot every this many events.")
    var snapshotInterval: UInt64 = 10_000

    @Option(help: "Every this many commands, update an earlier task instead of creating one (0: never).")
    var updateEvery: Int = 3

    func run() throws {
        try reportingErrors {
            var storeOptions = TaskStore.Options()
            storeOptions.snapshotInterval = snapshotInterval
            let store = try options.open(options: storeOptions)
            try AppendWriter.run(
                store,
                count: count,
                updateEvery: updateEvery,
                list: options.list,
                actor: options.actor
            ) { seq, taskID in
                say("\(seq) \(taskID)\n")
            }
        }
    }
}
