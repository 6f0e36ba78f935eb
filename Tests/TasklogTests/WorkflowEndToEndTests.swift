import Foundation
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogCore

/// The skill's build-task workflow, end to end through the real binary: nine steps, milestones
/// 1, 4, 5, 7, 9, three reviewers of which one fails, the orchestrator killed after step 5, resume.
@Suite(.serialized) struct WorkflowEndToEndTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// Validates ledger files with the repository's real validator (Python jsonschema on PyYAML).
    func validate(_ paths: [String]) throws {
        let process = Process()
        let python = ProcessInfo.processInfo.environment["TASKLOG_PYTHON"] ?? "/usr/bin/env"
        process.executableURL = URL(fileURLWithPath: python)
        let script = Self.repository.appendingPathComponent("tools/validate-ledger").path
        process.arguments = (python.hasSuffix("env") ? ["python3", script] : [script]) + paths
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        process.waitUntilExit()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        #expect(process.terminationStatus == 0, "the ledger does not match the schema: \(message)")
    }

    func json(_ result: CLI.Result) throws -> [String: Any] {
        #expect(result.status == 0, "\(result)")
        return try result.object()
    }

    @Test func buildTaskRunKilledMidwayResumesAndTheLedgerStaysValid() throws {
        try TestFolder.with("workflow-e2e") { folder in
            let ledgerPath = folder.file(".agents/workflow-ledger.yml")
            try "task_tracking:\n  enabled: true\n  ledger: true\n".write(
                toFile: folder.file(".tasklog.yml"),
                atomically: true,
                encoding: .utf8
            )
            let store = ["--store", folder.storePath]
            let started = try json(try CLI.run(["workflow", "start", "build-task", "--json"] + store, in: folder))
            let workflow = try #require(started["id"] as? String)
            #expect(workflow.hasPrefix("build-task-"))

            // The orchestrator runs the steps; we watch the ledger it writes and kill it after step 5.
            let process = Process()
            process.executableURL = BuiltExecutable.rigs
            process.arguments =
                ["run-steps", "--workflow", workflow, "--delay-ms", "150", "--actor", "orchestrator"] + store
            process.currentDirectoryURL = folder.url
            process.environment = CLI.environment(folder: folder)
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            var versions: [String] = []
            var printed = ""
            let deadline = Date().addingTimeInterval(60)
            let reader = output.fileHandleForReading
            reader.readabilityHandler = nil
            while !printed.contains("step 5 done") && Date() < deadline {
                if let text = try? String(contentsOfFile: ledgerPath, encoding: .utf8), versions.last != text {
                    versions.append(text)
                }
                var pending = pollfd(fd: reader.fileDescriptor, events: Int16(POLLIN), revents: 0)
                if poll(&pending, 1, 20) > 0 { printed += String(decoding: reader.availableData, as: UTF8.self) }
            }
            kill(process.processIdentifier, SIGKILL)
            process.waitUntilExit()
            #expect(process.terminationReason == .uncaughtSignal)
            if let text = try? String(contentsOfFile: ledgerPath, encoding: .utf8), versions.last != text {
                versions.append(text)
            }

            // The file the killed run left: valid, in progress at step 5 (or 5 plus part of 6).
            try validate([ledgerPath])
            let left = try LedgerDocument.parse(
                try String(contentsOfFile: ledgerPath, encoding: .utf8),
                file: ledgerPath
            )
            #expect(left.status == .inProgress && left.completedSteps == [1, 4, 5])

            // Resume, from the log and from the file: skip 1…5, run 6…9.
            for arguments in [["resume", workflow], ["resume", "--ledger", ledgerPath]] {
                let plan = try json(try CLI.run(arguments + store + ["--json"], in: folder))
                #expect(plan["decision"] as? String == "resume")
                #expect(plan["skip"] as? [Int] == [1, 2, 3, 4, 5])
                #expect(plan["run"] as? [Int] == [6, 7, 8, 9])
            }
            let rest = try CLI.runRig(
                ["run-steps", "--workflow", workflow, "--from", "6", "--actor", "orchestrator"] + store,
                in: folder
            )
            #expect(rest.status == 0, "\(rest)")
            let shown = try json(try CLI.run(["workflow", "show", workflow, "--json"] + store, in: folder))
            let groups = try #require(shown["parallelGroups"] as? [[String: Any]])
            #expect(groups.count == 1)
            // The skill's aggregation: FAILED is every member not completed, so none here; the
            // results of the completed members are aggregated, the one that reported a failure too.
            #expect((groups.first?["failed"] as? [String])?.isEmpty == true)
            #expect((groups.first?["completed"] as? [String])?.count == 3)
            let results = try #require(groups.first?["results"] as? [String: String])
            #expect(results.values.sorted() == ["failed", "passed", "passed"])
            let checkpoints = try #require(shown["checkpoints"] as? [[String: Any]])
            #expect(checkpoints.compactMap { $0["step"] as? Int } == [1, 4, 5, 7, 9])
            #expect(try CLI.run(["workflow", "complete", workflow] + store, in: folder).status == 0)
            if let text = try? String(contentsOfFile: ledgerPath, encoding: .utf8), versions.last != text {
                versions.append(text)
            }
            try validate([ledgerPath])
            let done = try json(try CLI.run(["resume", workflow, "--json"] + store, in: folder))
            #expect(done["decision"] as? String == "fresh_start")

            // Every ledger of the run's history is valid, and every file written back then equals the
            // ledger rebuilt at that point.
            let history = try CLI.run(
                ["history", "--workflow", workflow, "--json", "--limit", "1000"] + store,
                in: folder
            )
            let seqs = history.stdout.split(separator: "\n").compactMap { line -> Int? in
                guard let object = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                    let type = object["type"] as? String, type.hasPrefix("workflow_") || type == "checkpoint_recorded"
                else { return nil }
                return object["seq"] as? Int
            }
            #expect(seqs.count >= 7, "start, 5 checkpoints, completion")
            var rebuilt: [String] = []
            for seq in seqs {
                let result = try CLI.run(["ledger", workflow, "--at", String(seq)] + store, in: folder)
                #expect(result.status == 0)
                rebuilt.append(result.stdout)
                let file = folder.file("ledger-at-\(seq).yml")
                try result.stdout.write(toFile: file, atomically: true, encoding: .utf8)
                try validate([file])
            }
            #expect(versions.count >= 3)
            for version in versions {
                #expect(
                    rebuilt.contains(version),
                    "a ledger the run wrote is not the projection at any point:\n\(version)"
                )
            }
            let verify = try CLI.run(["verify"] + store, in: folder)
            #expect(verify.status == 0 && !verify.stdout.contains("drift"), "\(verify)")
        }
    }

    @Test func everyRowOfTheDecisionTable() throws {
        try TestFolder.with("decision-table") { folder in
            let store = ["--store", folder.storePath]
            let ledger = folder.file("ledger.yml")
            func plan(_ arguments: [String]) throws -> [String: Any] {
                try json(try CLI.run(arguments + store + ["--json"], in: folder))
            }
            // No ledger file: a fresh start.
            #expect(try plan(["resume", "--ledger", ledger])["decision"] as? String == "fresh_start")
            // A ledger that does not parse: a warning and a fresh start.
            try "version: [1\nstatus: {".write(toFile: ledger, atomically: true, encoding: .utf8)
            let unreadable = try CLI.run(["resume", "--ledger", ledger, "--json"] + store, in: folder)
            #expect(unreadable.status == 0)
            #expect(try unreadable.object()["decision"] as? String == "fresh_start")
            #expect(unreadable.stderr.contains("warning"))

            let workflow = try #require(
                try json(try CLI.run(["workflow", "start", "blueprint", "--json"] + store, in: folder))["id"] as? String
            )
            for (step, name) in [(1, "Discovery"), (4, "Architecture")] {
                #expect(
                    try CLI.run(
                        ["workflow", "checkpoint", workflow, "--step", String(step), "--name", name] + store,
                        in: folder
                    )
                    .status == 0
                )
            }
            // In progress: resume after the last checkpoint.
            #expect(try CLI.run(["ledger", workflow, "--write", ledger] + store, in: folder).status == 0)
            try validate([ledger])
            var inProgress = try plan(["resume", "--ledger", ledger])
            #expect(inProgress["decision"] as? String == "resume" && inProgress["run"] as? [Int] == [5, 6, 7, 8, 9])
            inProgress = try plan(["resume", workflow])
            #expect(inProgress["skip"] as? [Int] == [1, 2, 3, 4])
            // Failed: resume from the failed step.
            #expect(
                try CLI.run(
                    ["workflow", "fail", workflow, "--step", "6", "--reason", "plan rejected"] + store,
                    in: folder
                ).status == 0
            )
            #expect(try CLI.run(["ledger", workflow, "--write", ledger] + store, in: folder).status == 0)
            try validate([ledger])
            let failed = try plan(["resume", "--ledger", ledger])
            #expect(failed["decision"] as? String == "resume" && failed["resumeFrom"] as? Int == 6)
            #expect(failed["skip"] as? [Int] == [1, 2, 3, 4, 5])
            // A failed run is not cleaned up as if it had succeeded...
            let refused = try CLI.run(["workflow", "complete", workflow] + store, in: folder)
            #expect(refused.status == 67 && refused.stderr.contains("--force"), "\(refused)")
            #expect(try plan(["resume", workflow])["resumeFrom"] as? Int == 6)
            // ...unless forced. Completed: a fresh start.
            #expect(try CLI.run(["workflow", "complete", workflow, "--force"] + store, in: folder).status == 0)
            #expect(try CLI.run(["ledger", workflow, "--write", ledger] + store, in: folder).status == 0)
            try validate([ledger])
            #expect(try plan(["resume", "--ledger", ledger])["decision"] as? String == "fresh_start")
        }
    }

    @Test func aLedgerPathOutsideTheProjectIsRefusedUnlessAbsolute() throws {
        try TestFolder.with("ledger-path") { folder in
            let project = folder.file("project")
            try FileManager.default.createDirectory(atPath: project, withIntermediateDirectories: true)
            try "task_tracking:\n  ledger: true\n  ledger_path: ../escaped.yml\n".write(
                toFile: project + "/.tasklog.yml",
                atomically: true,
                encoding: .utf8
            )
            let store = ["--store", project + "/.tasklog"]
            let started = try CLI.run(["workflow", "start", "build-task", "--json"] + store, in: folder)
            // The ledger cannot be written outside the project: no ledger, a warning, and the
            // workflow goes on (tracking never blocks the work).
            #expect(started.status == 0, "\(started)")
            #expect(started.stderr.contains("leads outside the project folder"), "\(started)")
            let escaped = try #require(try started.object()["id"] as? String)
            #expect(
                try CLI.run(["workflow", "checkpoint", escaped, "--step", "1", "--name", "Setup"] + store, in: folder)
                    .status == 0
            )
            #expect(!FileManager.default.fileExists(atPath: folder.file("escaped.yml")))
            // An explicit absolute path is taken as meant.
            try "task_tracking:\n  ledger: true\n  ledger_path: \(folder.file("elsewhere/ledger.yml"))\n".write(
                toFile: project + "/.tasklog.yml",
                atomically: true,
                encoding: .utf8
            )
            let workflow = try #require(
                try json(try CLI.run(["workflow", "start", "build-task", "--json"] + store, in: folder))["id"]
                    as? String
            )
            #expect(
                try CLI.run(["workflow", "checkpoint", workflow, "--step", "1", "--name", "Setup"] + store, in: folder)
                    .status == 0
            )
            try validate([folder.file("elsewhere/ledger.yml")])

            // A folder on the way that is a link out of the project carries nothing out either.
            let victim = folder.file("victim")
            try FileManager.default.createDirectory(atPath: victim, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(atPath: project + "/.agents", withDestinationPath: victim)
            try "task_tracking:\n  ledger: true\n".write(
                toFile: project + "/.tasklog.yml",
                atomically: true,
                encoding: .utf8
            )
            let linked = try CLI.run(["workflow", "start", "build-task"] + store, in: folder)
            #expect(linked.status == 0 && linked.stderr.contains("symbolic link"), "\(linked)")
            #expect(
                try FileManager.default.contentsOfDirectory(atPath: victim).isEmpty,
                "nothing written through the link"
            )
        }
    }

    @Test func trackingDisabledMakesTaskCommandsNoOps() throws {
        try TestFolder.with("tracking-off") { folder in
            try "task_tracking:\n  enabled: false\n".write(
                toFile: folder.file(".tasklog.yml"),
                atomically: true,
                encoding: .utf8
            )
            let create = try CLI.run(["create", "Anything", "--json", "--store", folder.storePath], in: folder)
            #expect(create.status == 0)
            #expect(try create.object()["tracking"] as? String == "disabled")
            #expect(!FileManager.default.fileExists(atPath: folder.storePath), "nothing was written")
        }
    }

    /// The skill: "Task tracking failures MUST NEVER block workflow execution." A configuration
    /// that is missing or does not parse is left out with one warning; `config check` fails on it.
    @Test func aBrokenConfigurationWarnsAndNeverBlocksTheWork() throws {
        try TestFolder.with("config-broken") { folder in
            let store = ["--store", folder.storePath]
            let missing = try CLI.run(["create", "Go on", "--config", folder.file("missing.yml")] + store, in: folder)
            #expect(missing.status == 0 && missing.stderr.contains("missing.yml does not exist"), "\(missing)")
            try "task_tracking:\n  enabled: sometimes\n  ledgr: true\n".write(
                toFile: folder.file(".tasklog.yml"),
                atomically: true,
                encoding: .utf8
            )
            for arguments in [["list"], ["create", "Still going"], ["workflow", "start", "build-task"]] {
                let result = try CLI.run(arguments + store, in: folder)
                #expect(result.status == 0, "\(result)")
                let warnings = result.stderr.split(separator: "\n").filter { $0.contains("warning:") }
                #expect(warnings.count == 1, "\(result)")
                #expect(result.stderr.contains(".tasklog.yml line 2: task_tracking.enabled must be true or false"))
            }
            let variable = try CLI.run(["list"] + store, in: folder, environment: ["TASKLOG_LEDGER": "maybe"])
            #expect(variable.status == 0 && variable.stderr.contains("TASKLOG_LEDGER=maybe"), "\(variable)")
            let check = try CLI.run(["config", "check"] + store, in: folder)
            #expect(
                check.status == 65 && check.stderr.contains("task_tracking.enabled must be true or false"),
                "\(check)"
            )
            try "task_tracking:\n  enabled: true\n".write(
                toFile: folder.file(".tasklog.yml"),
                atomically: true,
                encoding: .utf8
            )
            #expect(try CLI.run(["config", "check"] + store, in: folder).status == 0)
            let badFile = try CLI.run(["config", "check", "--config", folder.file("missing.yml")] + store, in: folder)
            #expect(badFile.status == 66)
        }
    }

    /// The skill keeps the list id "externally (env var, file, or ledger)": a new shell without
    /// `CLAUDE_CODE_TASK_LIST_ID` still finds the run, by its id or by the ledger that names it.
    @Test func aRunIsFoundAgainWithoutItsTaskListID() throws {
        try TestFolder.with("list-found") { folder in
            try "task_tracking:\n  ledger: true\n".write(
                toFile: folder.file(".tasklog.yml"),
                atomically: true,
                encoding: .utf8
            )
            let store = ["--store", folder.storePath]
            let inList = ["CLAUDE_CODE_TASK_LIST_ID": "sprint-7"]
            let started = try CLI.run(
                ["workflow", "start", "build-task", "--json"] + store,
                in: folder,
                environment: inList
            )
            let workflow = try #require(try json(started)["id"] as? String)
            let created = try CLI.run(
                ["create", "Step 1: Workspace setup", "--metadata", "{\"workflow\": \"\(workflow)\", \"step\": 1}"]
                    + store,
                in: folder,
                environment: inList
            )
            #expect(created.status == 0)
            #expect(
                try CLI.run(["update", "1", "--status", "completed"] + store, in: folder, environment: inList).status
                    == 0
            )

            // A new shell: no list id in the environment.
            let plan = try json(try CLI.run(["resume", workflow, "--json"] + store, in: folder))
            #expect(plan["decision"] as? String == "resume")
            #expect(plan["taskListId"] as? String == "sprint-7")
            #expect(plan["skip"] as? [Int] == [1] && plan["resumeFrom"] as? Int == 2)
            let fromLedger = try json(try CLI.run(["resume", "--json"] + store, in: folder))
            #expect(fromLedger["workflowId"] as? String == workflow && fromLedger["resumeFrom"] as? Int == 2)
            let ledger = try String(contentsOfFile: folder.file(".agents/workflow-ledger.yml"), encoding: .utf8)
            #expect(ledger.contains("task_list_id: \"sprint-7\""))
            for arguments in [
                ["workflow", "show", workflow], ["ledger", workflow], ["replay", "--workflow", workflow],
            ] {
                let result = try CLI.run(arguments + store, in: folder)
                #expect(result.status == 0, "\(result)")
                #expect(result.stderr.contains("in task list sprint-7"), "\(result)")
            }
            let unknown = try CLI.run(["workflow", "show", "build-task-19990101T0000"] + store, in: folder)
            #expect(unknown.status == 66)
        }
    }

    /// "If conflict: Tasks win. Ledger is advisory only." A hand-edited ledger that says more is
    /// done than the tasks do is named in a warning, and the tasks decide.
    @Test func aHandEditedLedgerLosesToTheTasks() throws {
        try TestFolder.with("tasks-win") { folder in
            try "task_tracking:\n  ledger: true\n".write(
                toFile: folder.file(".tasklog.yml"),
                atomically: true,
                encoding: .utf8
            )
            let store = ["--store", folder.storePath]
            let workflow = try #require(
                try json(try CLI.run(["workflow", "start", "build-task", "--json"] + store, in: folder))["id"]
                    as? String
            )
            for step in [1, 4] {
                let metadata = "{\"workflow\": \"\(workflow)\", \"step\": \(step)}"
                #expect(
                    try CLI.run(["create", "Step \(step)", "--metadata", metadata] + store, in: folder).status == 0
                )
            }
            #expect(try CLI.run(["update", "1", "--status", "completed"] + store, in: folder).status == 0)
            let path = folder.file(".agents/workflow-ledger.yml")
            var text = try String(contentsOfFile: path, encoding: .utf8)
            text = text.replacingOccurrences(of: "current_step: 1", with: "current_step: 4")
            text +=
                "  - step: 4\n    name: \"Build\"\n    status: \"completed\"\n    completed_at: \"2026-02-13T14:35:00Z\"\n    data: {}\n"
            try text.write(toFile: path, atomically: true, encoding: .utf8)
            for arguments in [["resume"], ["resume", workflow], ["resume", "--ledger", path]] {
                let result = try CLI.run(arguments + store + ["--json"], in: folder)
                let plan = try json(result)
                #expect(plan["resumeFrom"] as? Int == 2, "\(arguments): \(plan)")
                #expect(result.stderr.contains("differs from the log"), "\(arguments): \(result)")
            }
        }
    }

    /// Every workflow type's ledger, written as its run goes, validates against the skill's schema:
    /// no step 0, no null time, checkpoints in the order they happened.
    @Test func theLedgersOfAllFourWorkflowTypesFollowTheSchema() throws {
        try TestFolder.with("four-types") { folder in
            try "task_tracking:\n  ledger: true\n  ledger_path: .agents/{workflow_id}.yml\n".write(
                toFile: folder.file(".tasklog.yml"),
                atomically: true,
                encoding: .utf8
            )
            let store = ["--store", folder.storePath]
            var written: [String] = []
            var next = 1
            func start(_ type: String) throws -> String {
                let id = try #require(
                    try json(try CLI.run(["workflow", "start", type, "--json"] + store, in: folder))["id"] as? String
                )
                let path = folder.file(".agents/\(id).yml")
                #expect(FileManager.default.fileExists(atPath: path), "written at start: \(path)")
                written.append(path)
                return id
            }
            func task(_ workflow: String, _ extra: String = "") throws -> Int {
                let metadata = "{\"workflow\": \"\(workflow)\"\(extra)}"
                #expect(
                    try CLI.run(["create", "Task \(next)", "--metadata", metadata] + store, in: folder).status == 0
                )
                next += 1
                return next - 1
            }
            func complete(_ id: Int) throws {
                #expect(try CLI.run(["update", String(id), "--status", "completed"] + store, in: folder).status == 0)
                try validate(written)
            }
            let build = try start("build-task")
            for step in 1...9 { try complete(try task(build, ", \"step\": \(step)")) }
            let blueprint = try start("blueprint")
            for step in [1, 4, 6, 9] { try complete(try task(blueprint, ", \"step\": \(step)")) }
            let runBlueprint = try start("run-blueprint")
            let creation = try task(runBlueprint, ", \"step\": 2")
            let first = try task(runBlueprint)
            let second = try task(runBlueprint)
            for id in [creation, second, first] { try complete(id) }
            let gate = try start("quality-gate")
            let reviewers = try (1...3).map { _ in try task(gate, ", \"parallel_group\": \"reviewers\"") }
            for id in reviewers.reversed() { try complete(id) }
            for workflow in [build, blueprint, runBlueprint, gate] {
                #expect(try CLI.run(["workflow", "complete", workflow] + store, in: folder).status == 0)
            }
            try validate(written)
            let gateLedger = try LedgerDocument.parse(
                try String(contentsOfFile: folder.file(".agents/\(gate).yml"), encoding: .utf8),
                file: gate
            )
            #expect(gateLedger.completedSteps == [3, 2, 1, 4], "each reviewer, as completed, then the verdict")
            let runLedger = try String(contentsOfFile: folder.file(".agents/\(runBlueprint).yml"), encoding: .utf8)
            #expect(try LedgerDocument.parse(runLedger, file: "r").completedSteps == [2, 4, 3])
            let bad = try CLI.run(
                ["workflow", "checkpoint", build, "--step", "2", "--name", "x", "--data", "[1]"] + store,
                in: folder
            )
            #expect(bad.status != 0 && bad.stderr.contains("--data must be a JSON object"), "\(bad)")
            // One file per run: resume without a run cannot know which file; it says so.
            let unnamed = try CLI.run(["resume"] + store, in: folder)
            #expect(unnamed.status == 65 && unnamed.stderr.contains("name the run"), "\(unnamed)")
        }
    }

    /// A run that went wrong at step 6 is re-run from step 5's state, the way Temporal resets a
    /// workflow; both runs' histories hold the fork.
    @Test func aRunIsForkedFromAPointAndReRun() throws {
        try TestFolder.with("fork") { folder in
            let store = ["--store", folder.storePath]
            #expect(try CLI.run(["create", "Before the run"] + store, in: folder).status == 0)
            let workflow = try #require(
                try json(try CLI.run(["workflow", "start", "build-task", "--json"] + store, in: folder))["id"]
                    as? String
            )
            for step in 1...6 {
                let metadata = "{\"workflow\": \"\(workflow)\", \"step\": \(step)}"
                #expect(
                    try CLI.run(["create", "Step \(step)", "--metadata", metadata] + store, in: folder).status == 0
                )
            }
            for id in 2...6 {
                #expect(try CLI.run(["update", String(id), "--status", "completed"] + store, in: folder).status == 0)
            }
            let point = try #require(try json(try CLI.run(["stats", "--json"] + store, in: folder))["events"] as? Int)
            #expect(
                try CLI.run(["update", "7", "--status", "in_progress", "--owner", "a"] + store, in: folder).status == 0
            )
            #expect(
                try CLI.run(["workflow", "fail", workflow, "--step", "6", "--reason", "bad"] + store, in: folder).status
                    == 0
            )

            let forked = try json(
                try CLI.run(["workflow", "fork", workflow, "--at", String(point), "--json"] + store, in: folder)
            )
            let fork = try #require(forked["id"] as? String)
            let tasks = try #require(forked["tasks"] as? [[String: Any]])
            #expect(tasks.compactMap { $0["id"] as? String } == ["8", "9", "10", "11", "12", "13"])
            #expect(tasks.compactMap { $0["status"] as? String }.filter { $0 == "completed" }.count == 5)
            let plan = try json(try CLI.run(["resume", fork, "--json"] + store, in: folder))
            #expect(plan["resumeFrom"] as? Int == 6 && plan["skip"] as? [Int] == [1, 2, 3, 4, 5])
            // The original run is as it was: failed at step 6.
            let original = try json(try CLI.run(["workflow", "show", workflow, "--json"] + store, in: folder))
            #expect(original["status"] as? String == "failed")
            for run in [workflow, fork] {
                let history = try CLI.run(
                    ["history", "--workflow", run, "--type", "workflow_forked", "--json"] + store,
                    in: folder
                )
                #expect(history.stdout.contains("\"from\":\"\(workflow)\""), "\(run): \(history)")
            }
            let early = try CLI.run(["workflow", "fork", workflow, "--at", "1"] + store, in: folder)
            #expect(early.status == 66 && early.stderr.contains("did not exist yet"), "\(early)")
            #expect(try CLI.run(["verify"] + store, in: folder).status == 0)
        }
    }
}
