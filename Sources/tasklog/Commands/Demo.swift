import ArgumentParser
import Foundation
import Tasklog
import TasklogCore
import TasklogWorkloads

/// A real scenario on a fresh store in a temporary folder, for a first look.
struct Demo: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Run a short real scenario on a temporary store and print what happened."
    )

    @Option(help: "How long the writer process runs before it is killed, in milliseconds.")
    var killAfter: Int = 1500

    @Flag(help: "Keep the temporary store instead of removing it.")
    var keep = false

    /// The demo's own child processes, which it kills with SIGKILL: never typed by a user.
    enum Child: String, ExpressibleByArgument {
        /// Appends events one durable commit at a time, printing `seq id` of each.
        case writer
        /// Runs the build-task workflow's steps, printing `step N done` after each.
        case orchestrator
    }

    @Option(help: .private)
    var child: Child?

    @Option(help: .private)
    var childStore: String?

    @Option(help: .private)
    var childWorkflow: String?

    func run() throws {
        if let child { return try runChild(child) }
        try tasklog.run {
            let folder = FileManager.default.temporaryDirectory
                .appendingPathComponent("tasklog-demo-\(ProcessInfo.processInfo.processIdentifier)")
            let path = folder.appendingPathComponent("store").path
            defer { if !keep { try? FileManager.default.removeItem(at: folder) } }
            try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            let ledgerPath = folder.appendingPathComponent(".agents/workflow-ledger.yml").path
            try "task_tracking:\n  enabled: true\n  ledger: true\n".write(
                to: folder.appendingPathComponent(".tasklog.yml"),
                atomically: true,
                encoding: .utf8
            )
            say("1. A fresh store at \(path)")
            var options = TaskStore.Options()
            options.log = { _ in }
            options.ledgerPath = ledgerPath
            var store: TaskStore? = try TaskStore.open(at: path, options: options)

            say("\n2. Three tasks; the migration waits for the schema, the review for the migration")
            let schema = try store!.create(
                NewTask(subject: "Design the schema", activeForm: "Designing the schema"),
                actor: "lead"
            )
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
            say(
                "   the writer acknowledged \(acknowledged.count) events (last seq \(acknowledged.last ?? 0)) before it died"
            )

            say("\n6. Recovery: open the store again")
            store = try TaskStore.open(at: path, options: options)
            _ = try store!.list("default")  // lists load lazily: this one now
            let recovery = store!.recovery!
            let last = try store!.lastSeq()
            let from = recovery.snapshotSeq.map { "the snapshot at seq \($0)" } ?? "an empty state"
            say(
                "   opened from \(from); loading list default replayed \(recovery.replayedEvents) events; \(String(format: "%.2f", recovery.seconds * 1000)) ms in all"
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
            say(
                "   \(state.taskCount) tasks; #\(migration.id) is still \(state.list("default").tasks[migration.id]!.status.name) by agent-b"
            )
            if !missing.isEmpty || !report.isHealthy {
                throw TasklogError(.corrupt, "the demo lost acknowledged events; please report this")
            }

            try runWorkflow(store: store!, path: path, ledgerPath: ledgerPath)
            say("\nThe store \(keep ? "is kept at \(folder.path)" : "was removed"). Next: `tasklog --help`.")
        }
    }

    private func say(_ text: String) { Output.line(text) }

    /// The skill's build-task workflow: milestones, a parallel group of reviewers, an orchestrator
    /// killed mid-way, the ledger it left, and the resume.
    private func runWorkflow(store: TaskStore, path: String, ledgerPath: String) throws {
        let workflow = try store.startWorkflow(type: "build-task", actor: "orchestrator")
        say("\n7. A build-task workflow, \(workflow): nine steps, milestones 1, 4, 5, 7, 9, three reviewers at step 7")
        say("   an orchestrator process runs the steps; it is killed with SIGKILL after step 5")
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = [
            "demo", "--child", "orchestrator", "--child-store", path, "--child-workflow", workflow,
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        var output = ""
        while !output.contains("step 5 done") {
            let chunk = pipe.fileHandleForReading.availableData
            if chunk.isEmpty { break }
            output += String(decoding: chunk, as: UTF8.self)
        }
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        let done = output.split(separator: "\n").count
        say("   the orchestrator reported \(done) steps done before it died")
        say("\n   the ledger it left (\(ledgerPath)):")
        let before = (try? String(contentsOfFile: ledgerPath, encoding: .utf8)) ?? "(none)"
        for line in before.split(separator: "\n") { say("   | \(line)") }

        let plan = LedgerFile.resumePlan(at: ledgerPath)
        say("\n8. Resume: \(plan.reason)")
        say(
            "   skip \(plan.skip.map(String.init).joined(separator: ", ")); run \(plan.run.map(String.init).joined(separator: ", "))"
        )
        guard let from = plan.run.first, let last = plan.run.last else { return }
        try BuildTaskRun.run(
            store,
            workflow: workflow,
            steps: from...last,
            list: "default",
            actor: "orchestrator",
            failingReviewer: "security"
        ) { _ in }
        if let group = try store.workflow(workflow)?.groups.first {
            // The skill's aggregation: every reviewer completed, so their results are aggregated.
            let results = (group.results ?? [:]).sorted { $0.key < $1.key }
                .map { "#\($0.key) \($0.value.stringValue ?? $0.value.serialized())" }
            say(
                "   reviewers: \(group.completed.count) of \(group.members.count) completed; results: \(results.joined(separator: ", "))"
            )
        }
        try store.completeWorkflow(workflow, actor: "orchestrator")
        say("\n   the ledger after the run completed:")
        let after = (try? String(contentsOfFile: ledgerPath, encoding: .utf8)) ?? "(none)"
        for line in after.split(separator: "\n") { say("   | \(line)") }
        let drift = try store.ledgerDrift(at: ledgerPath)
        say("   the file equals the log's projection: \(drift == nil ? "yes" : "no, \(drift!)")")
    }

    private func show(_ store: TaskStore) throws {
        let list = try store.state().list("default")
        for task in list.sortedTasks {
            let blockers = list.openBlockers(of: task)
            let waiting = blockers.isEmpty ? "" : " (waits for \(Output.ids(blockers)))"
            say("   #\(task.id) [\(task.status.name)] \(task.subject)\(task.owner.map { " — \($0)" } ?? "")\(waiting)")
        }
    }

    /// Starts the demo's writer on the store, reads its acknowledgements, and SIGKILLs it.
    private func runAndKillWriter(store path: String) throws -> [UInt64] {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/proc/self/exe").resolvingSymlinksInPath()
        process.arguments = ["demo", "--child", "writer", "--child-store", path]
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

    /// Runs one of the demo's child processes on `--child-store`, each line written straight to
    /// stdout (no buffer that the SIGKILL could lose).
    private func runChild(_ child: Child) throws {
        guard let path = childStore else { throw ValidationError("--child needs --child-store") }
        let store = try StoreOptions.parse(["--store", path])
        let say: (String) -> Void = { text in
            var line = text + "\n"
            line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        }
        try tasklog.run {
            switch child {
            case .writer:
                var options = TaskStore.Options()
                options.snapshotInterval = 500
                try AppendWriter.run(
                    try store.open(options: options),
                    count: 1_000_000,
                    updateEvery: 3,
                    list: "default",
                    actor: "writer"
                ) { seq, taskID in say("\(seq) \(taskID)") }
            case .orchestrator:
                guard let workflow = childWorkflow else {
                    throw ValidationError("--child orchestrator needs --child-workflow")
                }
                try BuildTaskRun.run(
                    try store.openForTasks(),
                    workflow: workflow,
                    steps: 1...9,
                    list: "default",
                    actor: "orchestrator",
                    failingReviewer: "security"
                ) { step in
                    say("step \(step) done")
                    usleep(400_000)
                }
            }
        }
    }
}
