import Foundation
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
            process.executableURL = CLI.executable
            process.arguments =
                ["_run-steps", "--workflow", workflow, "--delay-ms", "150", "--actor", "orchestrator"] + store
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
            let rest = try CLI.run(
                ["_run-steps", "--workflow", workflow, "--from", "6", "--actor", "orchestrator"] + store,
                in: folder
            )
            #expect(rest.status == 0, "\(rest)")
            let shown = try json(try CLI.run(["workflow", "show", workflow, "--json"] + store, in: folder))
            let groups = try #require(shown["parallelGroups"] as? [[String: Any]])
            #expect(groups.count == 1)
            #expect((groups.first?["failed"] as? [String])?.count == 1)
            #expect((groups.first?["completed"] as? [String])?.count == 2)
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
            // Completed: a fresh start.
            #expect(try CLI.run(["workflow", "complete", workflow] + store, in: folder).status == 0)
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
            // The ledger cannot be written outside the project: the command is refused, nothing written.
            #expect(started.status == 65, "\(started)")
            #expect(started.stderr.contains("leads outside the project folder"), "\(started)")
            #expect(!FileManager.default.fileExists(atPath: folder.file("escaped.yml")))
            #expect(!FileManager.default.fileExists(atPath: project + "/.tasklog"), "nothing was written")
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
            let bad = try CLI.run(
                ["list", "--store", folder.storePath, "--config", folder.file("missing.yml")],
                in: folder
            )
            #expect(bad.status == 66)
            try "task_tracking:\n  enabled: sometimes\n".write(
                toFile: folder.file("bad.yml"),
                atomically: true,
                encoding: .utf8
            )
            let malformed = try CLI.run(
                ["list", "--store", folder.storePath, "--config", folder.file("bad.yml")],
                in: folder
            )
            #expect(malformed.status == 65)
            #expect(malformed.stderr.contains("bad.yml line 2: task_tracking.enabled must be true or false"))
        }
    }
}
