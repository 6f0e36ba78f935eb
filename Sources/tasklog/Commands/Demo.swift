import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

/// A real scenario on a fresh store in a temporary folder, for a first look.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a short real scenario on a temporary store and print what happened."
    )

    @Option(help: "How long the writer process runs before it is killed, in milliseconds.")
    var killAfter: Int = 1500

    @Flag(help: "Keep the temporary store instead of removing it.")
    var keep = false

    func run() throws {
        try tasklog.run {
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("tasklog-demo-\(ProcessInfo.processInfo.processIdentifier)")
            let path = folder.path
            defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
            say("1. A fresh store at \(path)")
            var options = TaskStore.Options()
            options.log = { _ in }
            var store: TaskStore? = try TaskStore.open(at: path, options: options)

            say("\n2. Three tasks; the migration waits for the schema, the review for the migration")
            let schema = try store!.create(NewTask(subject: "Design the schema", activeForm: "Designing the schema"), actor: "lead")
            let migration = try store!.create(NewTask(subject: "Write the migration"), actor: "lead")
            let review = try store!.create(NewTask(subject: "Review the change"), actor: "lead")
            _ = try store!.update(migration.id, TaskChanges(addBlockedBy: [schema.id]), actor: "lead")
            _ = try store!.update(review.id, TaskChanges(addBlockedBy: [migration.id]), actor: "lead")
            try show(store!)

            say("\n3. agent-b tries to claim the migration before the schema is done")
            do {
                _ = try store!.update(migration.id, TaskChanges(status: .inProgress), actor: "agent-b")
            } catch let refusal as TasklogError {
                say("   refused (\(refusal.code)): \(refusal.message)")
            }

            say("\n4. agent-a claims the schema; agent-b tries to take it too")
            _ = try store!.update(schema.id, TaskChanges(status: .inProgress), actor: "agent-a")
            do {
                _ = try store!.update(schema.id, TaskChanges(status: .inProgress), actor: "agent-b")
            } catch let refusal as TasklogError {
                say("   refused (\(refusal.code)): \(refusal.message)")
            }
            _ = try store!.update(schema.id, TaskChanges(status: .completed), actor: "agent-a")
            _ = try store!.update(migration.id, TaskChanges(status: .inProgress), actor: "agent-b")
            say("   agent-a completed the schema; agent-b now holds the migration")
            try show(store!)
            store = nil  // close it: the recovery below is a real cold open

            say("\n5. A writer process appends events one durable commit at a time; it is killed with SIGKILL")
            let acknowledged = try runAndKillWriter(store: path)
            say("   the writer acknowledged \(acknowledged.count) events (last seq \(acknowledged.last ?? 0)) before it died")

            say("\n6. Recovery: open the store again")
            store = try TaskStore.open(at: path, options: options)
            let recovery = store!.recovery!
            let last = try store!.lastSeq()
            let from = recovery.snapshotSeq.map { "the snapshot at seq \($0)" } ?? "an empty state"
            say(
                "   loaded \(from) and replayed \(recovery.replayedEvents) events in \(String(format: "%.2f", recovery.seconds * 1000)) ms"
            )
            let missing = acknowledged.filter { $0 > last }
            say("   log ends at seq \(last); acknowledged events missing: \(missing.count)")
            let report = try store!.verify()
            say(
                report.isHealthy
                    ? "   verify: \(report.events) events, checksums and hash chain intact, state equals a full replay"
                    : "   verify found problems: \(report.problems)"
            )
            let state = try store!.state()
            say("   \(state.taskCount) tasks; #\(migration.id) is still \(state.list("default").tasks[migration.id]!.status.name) by agent-b")
            say("\nThe store \(keep ? "is kept at \(path)" : "was removed"). Next: `tasklog --help`.")
            if !missing.isEmpty || !report.isHealthy {
                throw TasklogError(.corrupt, "the demo lost acknowledged events; please report this")
            }
        }
    }

    private func say(_ text: String) { Output.line(text) }

    private func show(_ store: TaskStore) throws {
        let list = try store.state().list("default")
        for task in list.sortedTasks {
            let blockers = list.openBlockers(of: task)
            let waiting = blockers.isEmpty ? "" : " (waits for \(Output.ids(blockers)))"
            say("   #\(task.id) [\(task.status.name)] \(task.subject)\(task.owner.map { " — \($0)" } ?? "")\(waiting)")
        }
    }

    /// Starts `tasklog _append` on the store, reads its acknowledgements, and SIGKILLs it.
    private func runAndKillWriter(store path: String) throws -> [UInt64] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "_append", "--store", path, "--actor", "writer", "--count", "1000000", "--snapshot-interval", "500",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        Thread.sleep(forTimeInterval: Double(killAfter) / 1000)
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        return String(decoding: output, as: UTF8.self).split(separator: "\n").compactMap {
            $0.split(separator: " ").first.flatMap { UInt64($0) }
        }
    }
}
