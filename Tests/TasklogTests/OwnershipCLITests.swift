import Foundation
import TasklogTestSupport
import Testing

/// Who may change a task, with the real binary: a task in progress is its holder's (exit 67 for
/// anyone else, naming the holder), the holder hands it over, `--expect-version` takes it over,
/// and a claim taken with `--lease` is released once the lease runs out unless renewed.
@Suite("Ownership on the command line")
struct OwnershipCLITests {
    static func run(_ arguments: [String], _ folder: TestFolder) throws -> CLI.Result {
        try CLITests.run(arguments, folder)
    }

    static func ok(
        _ arguments: [String],
        _ folder: TestFolder,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws -> CLI.Result {
        try CLITests.ok(arguments, folder, sourceLocation: sourceLocation)
    }

    /// Runs `body` on a store with task #1 claimed by agent-a, with `claim` added to the claim's arguments.
    static func withTaskHeldByAgentA(_ claim: [String] = [], _ body: (TestFolder) throws -> Void) throws {
        try TestFolder.with("ownership") { folder in
            _ = try ok(["create", "Write the parser"], folder)
            _ = try ok(["update", "1", "--status", "in_progress", "--actor", "agent-a"] + claim, folder)
            try body(folder)
        }
    }

    @Test func onlyTheHolderChangesItsTask() throws {
        try Self.withTaskHeldByAgentA { folder in
            for change in [
                ["--status", "completed"], ["--status", "pending"], ["--status", "deleted"], ["--subject", "Renamed"],
                ["--owner", ""],
            ] {
                let refused = try Self.run(["update", "1", "--actor", "agent-b"] + change, folder)
                #expect(refused.status == 67, "\(change): \(refused)")
                #expect(refused.stderr.contains("held by agent-a"), "\(refused)")
                #expect(refused.stderr.contains("--expect-version"), "\(refused)")
            }
            let task = try Self.ok(["get", "1", "--json"], folder).object()
            #expect(task["owner"] as? String == "agent-a")
            // A takeover names the version read.
            let version = try #require(task["version"] as? Int)
            let taken = try Self.ok(
                [
                    "update", "1", "--status", "in_progress", "--actor", "agent-b", "--expect-version", "\(version)",
                    "--json",
                ],
                folder
            )
            #expect(try taken.object()["owner"] as? String == "agent-b")
        }
    }

    @Test func theHolderHandsOverAndReopeningClearsTheOwner() throws {
        try Self.withTaskHeldByAgentA { folder in
            let handed = try Self.ok(["update", "1", "--owner", "agent-b", "--actor", "agent-a", "--json"], folder)
            #expect(try handed.object()["owner"] as? String == "agent-b")
            _ = try Self.ok(["update", "1", "--status", "completed", "--actor", "agent-b"], folder)
            let reopened = try Self.ok(["update", "1", "--status", "pending", "--actor", "agent-b", "--json"], folder)
            #expect(try reopened.object()["owner"] as? String == nil)
            #expect(try Self.ok(["ready", "--json"], folder).array().map { $0["id"] as? String } == ["1"])
        }
    }

    @Test func aLeasedClaimIsReleasedOnceItsLeaseRunsOut() throws {
        try Self.withTaskHeldByAgentA(["--lease", "1"]) { folder in
            let heartbeat = try Self.ok(["heartbeat", "--actor", "agent-a"], folder)
            #expect(heartbeat.stdout.hasPrefix("Renewed the lease of agent-a on list default until "))
            #expect(try Self.run(["update", "1", "--status", "completed", "--actor", "agent-b"], folder).status == 67)
            Thread.sleep(forTimeInterval: 1.3)
            let claimed = try Self.ok(
                ["update", "1", "--status", "in_progress", "--actor", "agent-b", "--json"],
                folder
            )
            #expect(try claimed.object()["owner"] as? String == "agent-b")
            // agent-a's lease is gone with its claim.
            let noLease = try Self.run(["heartbeat", "--actor", "agent-a"], folder)
            #expect(noLease.status == 66, "\(noLease)")
            #expect(noLease.stderr.contains("--lease SECONDS"))
        }
    }

    @Test func theHoldersNextUpdateRenewsItsLease() throws {
        try Self.withTaskHeldByAgentA(["--lease", "2"]) { folder in
            Thread.sleep(forTimeInterval: 1.2)
            _ = try Self.ok(["update", "1", "--description", "Halfway", "--actor", "agent-a"], folder)
            Thread.sleep(forTimeInterval: 1.2)
            let refused = try Self.run(["update", "1", "--status", "completed", "--actor", "agent-b"], folder)
            #expect(refused.status == 67, "the lease was renewed 1.2 s ago: \(refused)")
        }
    }

    @Test func aLeaseIsForAClaim() throws {
        try Self.withTaskHeldByAgentA { folder in
            let result = try Self.run(
                ["update", "1", "--subject", "Renamed", "--lease", "60", "--actor", "agent-a"],
                folder
            )
            #expect(result.status == 65, "\(result)")
            let zero = try Self.run(
                ["update", "1", "--status", "in_progress", "--lease", "0", "--actor", "agent-a"],
                folder
            )
            #expect(zero.status == 65, "\(zero)")
        }
    }

    @Test func aBusyAgentIsRefusedAnExclusiveClaim() throws {
        try Self.withTaskHeldByAgentA { folder in
            _ = try Self.ok(["create", "Write the lexer"], folder)
            let refused = try Self.run(
                ["update", "2", "--status", "in_progress", "--exclusive", "--actor", "agent-a"],
                folder
            )
            #expect(refused.status == 67, "\(refused)")
            #expect(refused.stderr.contains("agent-a is busy: it holds #1 (Write the parser) in progress"))
            // The configuration makes every claim exclusive.
            let config = folder.file("tasklog.yml")
            try "task_tracking:\n  one_task_per_agent: true\n".write(toFile: config, atomically: true, encoding: .utf8)
            let configured = try Self.run(
                ["update", "2", "--status", "in_progress", "--actor", "agent-a", "--config", config],
                folder
            )
            #expect(configured.status == 67, "\(configured)")
            _ = try Self.ok(["update", "2", "--status", "in_progress", "--actor", "agent-a"], folder)
        }
    }
}
