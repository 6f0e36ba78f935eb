import Foundation
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog

@Suite("The tasklog command line")
struct CLITests {
    /// Runs `tasklog arguments --store <folder's store>`.
    static func run(
        _ arguments: [String],
        _ folder: TestFolder,
        environment: [String: String] = [:]
    ) throws -> CLI.Result {
        try CLI.run(arguments + ["--store", folder.storePath], in: folder, environment: environment)
    }

    /// Runs a command that must succeed and returns its result.
    static func ok(
        _ arguments: [String],
        _ folder: TestFolder,
        environment: [String: String] = [:],
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CLI.Result {
        let result = try run(arguments, folder, environment: environment)
        #expect(
            result.status == 0,
            "tasklog \(arguments.joined(separator: " ")): \(result)",
            sourceLocation: sourceLocation
        )
        return result
    }

    static func isISO8601(_ value: Any?) -> Bool {
        guard let text = value as? String else { return false }
        return Timestamp(iso8601: text) != nil && text.hasSuffix("Z")
    }

    // MARK: Tasks as JSON

    @Test func createGetUpdateAsJSON() throws {
        try TestFolder.with("cli-json") { folder in
            let created = try Self.ok(
                [
                    "create", "Write the plan", "--description", "What and why", "--active-form", "Writing the plan",
                    "--metadata", #"{"phase": "plan", "step": 1, "extra": {"k": [1, 2]}}"#, "--json",
                ],
                folder
            ).object()
            #expect(created["id"] as? String == "1")
            #expect(created["subject"] as? String == "Write the plan")
            #expect(created["description"] as? String == "What and why")
            #expect(created["activeForm"] as? String == "Writing the plan")
            #expect(created["status"] as? String == "pending")
            #expect(created["owner"] is NSNull)
            #expect(created["blocks"] as? [String] == [])
            #expect(created["blockedBy"] as? [String] == [])
            let metadata = try #require(created["metadata"] as? [String: Any])
            #expect(metadata["phase"] as? String == "plan")
            #expect(metadata["step"] as? Int == 1)
            #expect((metadata["extra"] as? [String: Any])?["k"] as? [Int] == [1, 2])
            #expect(created["version"] as? Int == 1)
            #expect(Self.isISO8601(created["createdAt"]))
            #expect(created["updatedAt"] as? String == created["createdAt"] as? String)

            let bare = try Self.ok(["create", "Build it", "--json"], folder).object()
            #expect(bare["id"] as? String == "2")
            #expect(bare["activeForm"] is NSNull)
            #expect(bare["description"] as? String == "")
            #expect((bare["metadata"] as? [String: Any])?.isEmpty == true)

            let linked = try Self.ok(["update", "2", "--add-blocked-by", "1", "--json"], folder).object()
            #expect(linked["blockedBy"] as? [String] == ["1"])
            #expect(linked["updatedFields"] as? [String] == ["blockedBy"])
            let first = try Self.ok(["get", "1", "--json"], folder).object()
            #expect(first["blocks"] as? [String] == ["2"])
            #expect(first["version"] as? Int == 2)

            let claimed = try Self.ok(
                ["update", "#1", "--status", "in_progress", "--actor", "agent-x", "--json"],
                folder
            )
            .object()
            #expect(claimed["status"] as? String == "in_progress")
            #expect(claimed["owner"] as? String == "agent-x")
            #expect(claimed["version"] as? Int == 3)
            #expect(claimed["updatedFields"] as? [String] == ["status", "owner"])
            let change = try #require(claimed["statusChange"] as? [String: Any])
            #expect(change["from"] as? String == "pending")
            #expect(change["to"] as? String == "in_progress")

            let merged = try Self.ok(
                ["update", "1", "--metadata", #"{"step": null, "phase": "build"}"#, "--actor", "agent-x", "--json"],
                folder
            )
            .object()
            let mergedMetadata = try #require(merged["metadata"] as? [String: Any])
            #expect(Set(mergedMetadata.keys) == ["phase", "extra"])
            #expect(mergedMetadata["phase"] as? String == "build")

            let version = try #require(merged["version"] as? Int)
            let renamed = try Self.ok(
                ["update", "1", "--subject", "Write the plan, v2", "--expect-version", String(version), "--json"],
                folder
            ).object()
            #expect(renamed["subject"] as? String == "Write the plan, v2")
            #expect(renamed["version"] as? Int == version + 1)
            let got = try Self.ok(["get", "1", "--json"], folder).object()
            for key in [
                "id", "subject", "description", "activeForm", "status", "owner", "version", "createdAt", "updatedAt",
            ] {
                #expect("\(got[key] ?? "missing")" == "\(renamed[key] ?? "missing")", "\(key)")
            }
            #expect(Self.isISO8601(got["updatedAt"]))
            #expect((got["updatedAt"] as? String ?? "") >= (got["createdAt"] as? String ?? "~"))

            let list = try Self.ok(["list", "--json"], folder).array()
            #expect(list.map { $0["id"] as? String } == ["1", "2"])
            let inProgress = try Self.ok(["list", "--status", "in_progress", "--json"], folder).array()
            #expect(inProgress.map { $0["id"] as? String } == ["1"])
            let byOwner = try Self.ok(["list", "--owner", "agent-x", "--json"], folder).array()
            #expect(byOwner.map { $0["id"] as? String } == ["1"])
            let byPhase = try Self.ok(["list", "--phase", "build", "--json"], folder).array()
            #expect(byPhase.map { $0["id"] as? String } == ["1"])

            let deleted = try Self.ok(["update", "2", "--status", "deleted", "--json"], folder).object()
            #expect(deleted["id"] as? String == "2")
            #expect(deleted["status"] as? String == "deleted")
            #expect(deleted["updatedFields"] as? [String] == ["deleted"])
            #expect(try Self.ok(["list", "--json"], folder).array().map { $0["id"] as? String } == ["1"])
        }
    }

    @Test func readyReleaseSnapshotStatsAsJSON() throws {
        try TestFolder.with("cli-store-json") { folder in
            for subject in ["One", "Two", "Three"] { _ = try Self.ok(["create", subject], folder) }
            _ = try Self.ok(["update", "2", "--add-blocked-by", "1"], folder)
            _ = try Self.ok(["update", "3", "--status", "in_progress", "--actor", "agent-gone"], folder)
            let ready = try Self.ok(["ready", "--json"], folder).array()
            #expect(ready.map { $0["id"] as? String } == ["1"])

            let released = try Self.ok(["release", "--owner", "agent-gone", "--json"], folder).object()
            #expect(released["released"] as? [String] == ["3"])
            let three = try Self.ok(["get", "3", "--json"], folder).object()
            #expect(three["status"] as? String == "pending")
            #expect(three["owner"] is NSNull)
            #expect(try Self.ok(["ready", "--json"], folder).array().map { $0["id"] as? String } == ["1", "3"])

            let snapshot = try Self.ok(["snapshot", "--json"], folder).object()
            #expect(snapshot["seq"] as? Int == 6)

            let stats = try Self.ok(["stats", "--json"], folder).object()
            #expect(stats["events"] as? Int == 6)
            #expect(stats["tasks"] as? Int == 3)
            #expect(stats["lists"] as? Int == 1)
            #expect(stats["snapshots"] as? Int == 1)
            #expect(stats["newestSnapshotSeq"] as? Int == 6)
            #expect((stats["tasksByStatus"] as? [String: Int]) == ["pending": 3])
            #expect((stats["fileBytes"] as? Int ?? 0) > 0)
            #expect((stats["usedBytes"] as? Int ?? 0) > 0)
            #expect((stats["mapBytes"] as? Int ?? 0) >= (stats["usedBytes"] as? Int ?? 0))
            #expect(Self.isISO8601(stats["firstEventTime"]))
            #expect(Self.isISO8601(stats["lastEventTime"]))

            let verify = try Self.ok(["verify", "--json"], folder).object()
            #expect(verify["healthy"] as? Bool == true)
            #expect(verify["events"] as? Int == 6)
            #expect(verify["snapshots"] as? Int == 1)
            #expect((verify["problems"] as? [Any])?.isEmpty == true)
        }
    }

    @Test func exportThenImportGivesTheSameStore() throws {
        try TestFolder.with("cli-export") { folder in
            _ = try Self.ok(["create", "One", "--metadata", #"{"workflow": "build-task-20260213T1430"}"#], folder)
            _ = try Self.ok(["create", "Two", "--idempotency-key", "two"], folder)
            _ = try Self.ok(["update", "2", "--add-blocked-by", "1", "--actor", "planner"], folder)
            _ = try Self.ok(["create", "Elsewhere", "--list", "other"], folder)
            _ = try Self.ok(["update", "1", "--status", "deleted"], folder)

            let export = try Self.ok(["export"], folder)
            let lines = export.lines
            #expect(lines.count == 5)
            for (index, line) in lines.enumerated() {
                let event = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any])
                #expect(event["seq"] as? Int == index + 1)
                #expect(event["data"] is [String: Any])
                #expect(Self.isISO8601(event["timestamp"]))
            }
            let types = lines.compactMap {
                (try? JSONSerialization.jsonObject(with: Data($0.utf8)) as? [String: Any])?["type"] as? String
            }
            #expect(types == ["task_created", "task_created", "task_updated", "task_created", "task_deleted"])
            #expect(lines[2].contains(#""actor":"planner""#))
            #expect(lines[1].contains(#""idempotencyKey":"two""#))
            let from = try Self.ok(["export", "--from", "4"], folder).lines
            #expect(from == Array(lines[3...]))

            let file = folder.file("export.jsonl")
            try Data(export.stdout.utf8).write(to: URL(fileURLWithPath: file))
            let copy = folder.file("copy")
            let imported = try CLI.run(["import", file, "--store", copy], in: folder)
            #expect(imported.status == 0, "\(imported)")
            #expect(imported.stdout == "Imported 5 events\n")
            // The same log, the same tasks, the same export.
            #expect(try CLI.run(["export", "--store", copy], in: folder).stdout == export.stdout)
            #expect(
                try CLI.run(["list", "--json", "--store", copy], in: folder).stdout
                    == (try Self.ok(["list", "--json"], folder)).stdout
            )
            let original = try TaskStore.open(at: folder.storePath, options: .testing())
            let restored = try TaskStore.open(at: copy, options: .testing())
            #expect(try original.state() == (try restored.state()))
            // The idempotency key came along.
            #expect(try restored.execute(.create(NewTask(subject: "Two")), idempotencyKey: "two").deduplicated)

            // From standard input too, and only into an empty store.
            let piped = try CLI.run(
                ["import", "-", "--store", folder.file("piped"), "--json"],
                in: folder,
                stdin: export.stdout
            )
            #expect(piped.status == 0, "\(piped)")
            #expect(try piped.object()["imported"] as? Int == 5)
            let again = try CLI.run(["import", file, "--store", copy], in: folder)
            #expect(again.status == 67, "\(again)")
            #expect(again.stderr.hasPrefix("tasklog: error: "))
            let garbage = folder.file("garbage.jsonl")
            try Data("{\"seq\": 1}\nnot json\n".utf8).write(to: URL(fileURLWithPath: garbage))
            let bad = try CLI.run(["import", garbage, "--store", folder.file("bad")], in: folder)
            #expect(bad.status == 65, "\(bad)")
            #expect(bad.stderr.contains("line 1"), "\(bad)")
        }
    }

    // MARK: Human output

    @Test func humanOutputIsExact() throws {
        try TestFolder.with("cli-human") { folder in
            // No store yet: listing is not an error.
            let empty = try Self.ok(["list"], folder)
            #expect(empty.stdout == "No tasks found\n")
            #expect(empty.stderr == "")
            #expect(try Self.ok(["ready"], folder).stdout == "No tasks found\n")
            #expect(!FileManager.default.fileExists(atPath: folder.storePath), "a read created the store")

            let created = try Self.ok(
                ["create", "Plan", "--description", "Think first", "--active-form", "Planning"],
                folder
            )
            let lines = created.lines
            #expect(lines.count == 4, "\(created)")
            #expect(lines.first == "#1 Plan  [pending]")
            #expect(lines.dropFirst().first == "  description: Think first")
            #expect(lines.dropFirst(2).first == "  active form: Planning")
            #expect(lines.last?.hasPrefix("  version 1, created ") == true)

            _ = try Self.ok(["create", "Build"], folder)
            let updated = try Self.ok(["update", "2", "--add-blocked-by", "1"], folder)
            #expect(updated.lines.first == "Updated task #2 blockedBy")
            #expect(updated.lines.dropFirst().first == "#2 Build  [pending]")
            #expect(updated.lines.contains("  blocked by: #1"))
            let unchanged = try Self.ok(["update", "2", "--subject", "Build"], folder)
            #expect(unchanged.lines.first == "Task #2 unchanged")

            let list = try Self.ok(["list"], folder)
            #expect(
                list.stdout == """
                    ID  STATUS   OWNER  BLOCKED BY  SUBJECT
                    #1  pending  -      -           Plan
                    #2  pending  -      #1          Build

                    """
            )
            _ = try Self.ok(["update", "1", "--status", "in_progress", "--actor", "agent-1"], folder)
            #expect(
                try Self.ok(["list"], folder).stdout == """
                    ID  STATUS       OWNER    BLOCKED BY  SUBJECT
                    #1  in_progress  agent-1  -           Plan
                    #2  pending      -        #1          Build

                    """
            )
            #expect(try Self.ok(["ready"], folder).stdout == "No tasks found\n")
            #expect(try Self.ok(["list", "--status", "completed"], folder).stdout == "No tasks found\n")
            #expect(try Self.ok(["release", "--owner", "agent-1"], folder).stdout == "Released #1 back to pending\n")
            #expect(
                try Self.ok(["release", "--owner", "agent-1"], folder).stdout == "agent-1 holds no task in progress\n"
            )
            #expect(try Self.ok(["snapshot"], folder).stdout == "Snapshot at seq 5\n")
            #expect(
                try Self.ok(["verify"], folder).stdout
                    == "ok: 5 events, checksums and hash chain intact; 1 snapshots and the state equal a full replay\n"
            )
            let stats = try Self.ok(["stats"], folder).lines
            #expect(stats.first == "store      \(folder.storePath)")
            #expect(stats.contains("events     5"))
            #expect(stats.contains("tasks      2 (2 pending, 0 in_progress, 0 completed)"))
            #expect(stats.contains("snapshots  1, newest at seq 5"))
        }
    }

    // MARK: Global options and their environment variables

    @Test func storeFromOptionEnvironmentOrDefault() throws {
        try TestFolder.with("cli-store") { folder in
            let fromEnv = folder.file("from-env")
            let fromOption = folder.file("from-option")
            let env = try CLI.run(["create", "Env"], in: folder, environment: ["TASKLOG_STORE": fromEnv])
            #expect(env.status == 0, "\(env)")
            #expect(FileManager.default.fileExists(atPath: fromEnv + "/data.mdb"))
            // The option wins over the variable.
            let option = try CLI.run(
                ["create", "Option", "--store", fromOption],
                in: folder,
                environment: ["TASKLOG_STORE": fromEnv]
            )
            #expect(option.status == 0, "\(option)")
            // Neither: .tasklog in the current folder.
            let plain = try CLI.run(["create", "Default"], in: folder)
            #expect(plain.status == 0, "\(plain)")
            #expect(FileManager.default.fileExists(atPath: folder.file(".tasklog") + "/data.mdb"))
            // An empty variable means the default.
            let blank = try CLI.run(["create", "Default 2"], in: folder, environment: ["TASKLOG_STORE": ""])
            #expect(blank.status == 0, "\(blank)")

            func subjects(_ store: String) throws -> [String] {
                let result = try CLI.run(["list", "--json", "--store", store], in: folder)
                return try result.array().compactMap { $0["subject"] as? String }
            }
            #expect(try subjects(fromEnv) == ["Env"])
            #expect(try subjects(fromOption) == ["Option"])
            #expect(try subjects(folder.file(".tasklog")) == ["Default", "Default 2"])
            let viaEnv = try CLI.run(["list", "--json"], in: folder, environment: ["TASKLOG_STORE": fromOption])
            #expect(try viaEnv.array().compactMap { $0["subject"] as? String } == ["Option"])
        }
    }

    @Test func listFromOptionOrEnvironmentIsSanitized() throws {
        try TestFolder.with("cli-list") { folder in
            let env = try Self.run(
                ["create", "Team task", "--json"],
                folder,
                environment: ["CLAUDE_CODE_TASK_LIST_ID": "team a/b.c"]
            )
            #expect(env.status == 0, "\(env)")
            #expect(try env.object()["id"] as? String == "1")
            // Another list has its own ids.
            let option = try Self.ok(["create", "Solo", "--list", "solo!", "--json"], folder).object()
            #expect(option["id"] as? String == "1")
            #expect(try Self.ok(["list"], folder).stdout == "No tasks found\n")

            func subjects(_ arguments: [String], _ environment: [String: String] = [:]) throws -> [String] {
                try Self.ok(["list", "--json"] + arguments, folder, environment: environment).array()
                    .compactMap { $0["subject"] as? String }
            }
            #expect(try subjects(["--list", "team-a-b-c"]) == ["Team task"])
            #expect(try subjects([], ["CLAUDE_CODE_TASK_LIST_ID": "team-a-b-c"]) == ["Team task"])
            #expect(try subjects(["--list", "solo-"]) == ["Solo"])
            // The option wins over the variable.
            #expect(try subjects(["--list", "solo!"], ["CLAUDE_CODE_TASK_LIST_ID": "team a/b.c"]) == ["Solo"])
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            #expect(try store.state().lists.keys.sorted() == ["solo-", "team-a-b-c"])
        }
    }

    @Test func actorFromOptionOrEnvironment() throws {
        try TestFolder.with("cli-actor") { folder in
            for subject in ["A", "B", "C"] { _ = try Self.ok(["create", subject], folder) }
            let byEnv = try Self.ok(
                ["update", "1", "--status", "in_progress", "--json"],
                folder,
                environment: ["TASKLOG_ACTOR": "agent-env"]
            )
            .object()
            #expect(byEnv["owner"] as? String == "agent-env")
            let byOption = try Self.ok(
                ["update", "2", "--status", "in_progress", "--actor", "agent-opt", "--json"],
                folder,
                environment: ["TASKLOG_ACTOR": "agent-env"]
            ).object()
            #expect(byOption["owner"] as? String == "agent-opt")
            let byDefault = try Self.ok(["update", "3", "--status", "in_progress", "--json"], folder).object()
            #expect(byDefault["owner"] as? String == "cli")
            // An explicit --owner wins over the actor.
            _ = try Self.ok(["create", "D"], folder)
            let owned = try Self.ok(
                ["update", "4", "--status", "in_progress", "--owner", "someone", "--actor", "x", "--json"],
                folder
            )
            .object()
            #expect(owned["owner"] as? String == "someone")

            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            let actors = try store.allEvents().map(\.actor)
            #expect(actors == ["cli", "cli", "cli", "agent-env", "agent-opt", "cli", "cli", "x"])
        }
    }

    // MARK: Errors and exit codes

    struct Failure: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var status: Int32
        var mentions: String?

        var testDescription: String { "\(name) → \(status)" }
    }

    static let failures: [Failure] = [
        Failure(
            name: "bad --metadata JSON",
            arguments: ["create", "X", "--metadata", "{bad"],
            status: 65,
            mentions: "--metadata"
        ),
        Failure(
            name: "--metadata not an object",
            arguments: ["create", "X", "--metadata", "[1]"],
            status: 65,
            mentions: "--metadata"
        ),
        Failure(
            name: "typed metadata",
            arguments: ["create", "X", "--metadata", #"{"step": -1}"#],
            status: 65,
            mentions: "step"
        ),
        Failure(name: "unknown status", arguments: ["update", "1", "--status", "done"], status: 65, mentions: "done"),
        Failure(
            name: "unknown list status",
            arguments: ["list", "--status", "deleted"],
            status: 65,
            mentions: "deleted"
        ),
        Failure(name: "not a task id", arguments: ["get", "abc"], status: 65, mentions: "abc"),
        Failure(name: "empty subject", arguments: ["create", " "], status: 65, mentions: "subject"),
        Failure(name: "get of a missing id", arguments: ["get", "99"], status: 66, mentions: "#99"),
        Failure(
            name: "update of a missing id",
            arguments: ["update", "99", "--subject", "x"],
            status: 66,
            mentions: "#99"
        ),
        Failure(
            name: "claimed by another",
            arguments: ["update", "3", "--status", "in_progress", "--actor", "agent-b"],
            status: 67,
            mentions: "agent-a"
        ),
        Failure(
            name: "stale version",
            arguments: ["update", "1", "--subject", "Y", "--expect-version", "7"],
            status: 67,
            mentions: "version"
        ),
        Failure(
            name: "blocked claim",
            arguments: ["update", "2", "--status", "in_progress"],
            status: 68,
            mentions: "#1"
        ),
        Failure(
            name: "cycle",
            arguments: ["update", "1", "--add-blocked-by", "2"],
            status: 69,
            mentions: "#2 → #1 → #2"
        ),
        // The library says what is wrong; the CLI adds the flag that changes it.
        Failure(
            name: "a list id too long",
            arguments: ["list", "--list", String(repeating: "l", count: 300)],
            status: 65,
            mentions: "characters (--list NAME)"
        ),
        Failure(
            name: "a configuration file that is not there",
            arguments: ["config", "check", "--config", "/nonexistent/tasklog.yml"],
            status: 66,
            mentions: "does not exist (check --config and TASKLOG_CONFIG)"
        ),
        Failure(name: "missing argument", arguments: ["create"], status: 64, mentions: nil),
        Failure(name: "missing id", arguments: ["update"], status: 64, mentions: nil),
        Failure(name: "unknown option", arguments: ["list", "--colour"], status: 64, mentions: nil),
        Failure(name: "unknown command", arguments: ["frobnicate"], status: 64, mentions: nil),
    ]

    @Test("Each refusal has its documented exit code and one error line", arguments: failures)
    func exitCodes(_ failure: Failure) throws {
        try TestFolder.with("cli-exit") { folder in
            for subject in ["One", "Two", "Three"] { _ = try Self.ok(["create", subject], folder) }
            _ = try Self.ok(["update", "2", "--add-blocked-by", "1"], folder)
            _ = try Self.ok(["update", "3", "--status", "in_progress", "--actor", "agent-a"], folder)
            let before = try Self.ok(["export"], folder).stdout

            let result = try Self.run(failure.arguments, folder)
            #expect(result.status == failure.status, "\(result)")
            #expect(result.stdout == "", "\(result)")
            // Usage errors too: one line, like every other error.
            #expect(result.stderr.hasPrefix("tasklog: error: "), "\(result)")
            #expect(result.stderr.hasSuffix("\n"))
            #expect(result.stderr.split(separator: "\n", omittingEmptySubsequences: false).count == 2, "\(result)")
            if let mentions = failure.mentions {
                #expect(result.stderr.contains(mentions), "\(result)")
            }
            // A refusal writes nothing.
            #expect(try Self.ok(["export"], folder).stdout == before)
        }
    }

    @Test func readingAStoreThatDoesNotExist() throws {
        try TestFolder.with("cli-missing") { folder in
            let get = try Self.run(["get", "1"], folder)
            #expect(get.status == 66, "\(get)")
            #expect(get.stderr.hasPrefix("tasklog: error: "))
            let update = try Self.run(["update", "1", "--subject", "x"], folder)
            #expect(update.status == 66, "\(update)")
            #expect(!FileManager.default.fileExists(atPath: folder.storePath))
            // A file where the store should be is invalid input.
            try Data("not a store".utf8).write(to: URL(fileURLWithPath: folder.storePath))
            let onFile = try Self.run(["create", "x"], folder)
            #expect(onFile.status == 65, "\(onFile)")
        }
    }

    @Test func helpAndVersion() throws {
        try TestFolder.with("cli-help") { folder in
            let help = try CLI.run(["--help"], in: folder)
            #expect(help.status == 0)
            // Help text wraps to the terminal: compare with whitespace collapsed.
            let text = help.stdout.split(whereSeparator: \.isWhitespace).joined(separator: " ")
            #expect(
                text.contains(
                    "Exit codes: 0 ok, 64 usage, 65 invalid input, 66 not found, 67 conflict, 68 blocked, 69 cycle"
                )
            )
            // The test rigs are in tasklog-rigs: the user's CLI has none of them, not even hidden.
            let hidden = try CLI.run(["--help-hidden"], in: folder)
            #expect(hidden.status == 0 && hidden.stdout.contains("demo"), "\(hidden)")
            for rig in ["_append", "_claim", "_run-steps"] {
                #expect(!hidden.stdout.contains(rig), "\(hidden)")
                #expect(try CLI.run([rig], in: folder).status == 64)
            }
            let version = try CLI.run(["--version"], in: folder)
            #expect(version.status == 0)
            #expect(version.stdout.wholeMatch(of: /\d+\.\d+\.\d+\n/) != nil, "\(version)")
        }
    }

    // MARK: The demo

    @Test(.timeLimit(.minutes(1)))
    func demoRunsAndLosesNothing() throws {
        try TestFolder.with("cli-demo") { folder in
            let demo = try CLI.run(["demo"], in: folder)
            #expect(demo.status == 0, "\(demo)")
            #expect(demo.stdout.contains("acknowledged events missing: 0"), "\(demo)")
            #expect(demo.stdout.contains("refused (blocked)"))
            #expect(demo.stdout.contains("refused (conflict)"))
            #expect(demo.stdout.contains("verify: "))
            // The demo cleans up its temporary store (it lives under our TMPDIR).
            let leftovers = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
                $0.hasPrefix("tasklog-demo")
            }
            #expect(leftovers.isEmpty)
        }
    }
}
