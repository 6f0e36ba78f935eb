import Foundation
import LMDB
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog

/// Numbers at the ends of their types, given to the real binary: each is refused with its
/// documented exit code or means the obvious thing, and never traps.
@Suite("Input at the limits")
struct InputLimitTests {
    /// A store with two tasks (seq 1 and 2).
    static func twoTasks(_ folder: TestFolder) throws {
        _ = try CLITests.ok(["create", "First"], folder)
        _ = try CLITests.ok(["create", "Second"], folder)
    }

    @Test func aHistoryLimitOfInt64MaxShowsEverything() throws {
        try TestFolder.with("limit-max") { folder in
            try Self.twoTasks(folder)
            let all = try CLITests.ok(["history", "--limit", String(Int64.max), "--json"], folder)
            #expect(all.lines.count == 2)
            let one = try CLITests.ok(["history", "1", "--limit", String(Int64.max), "--json"], folder)
            #expect(one.lines.count == 1)
        }
    }

    @Test(arguments: [false, true])
    func aCursorAtTheEndsOfTheSeqsLeavesNothingOrEverything(newestFirst: Bool) throws {
        try TestFolder.with("cursor-max") { folder in
            try Self.twoTasks(folder)
            let order = newestFirst ? ["--newest-first"] : []
            let max = try CLITests.ok(["history", "--cursor", String(UInt64.max), "--json"] + order, folder)
            #expect(max.lines.count == (newestFirst ? 2 : 0), "\(max)")
            let zero = try CLITests.ok(["history", "--cursor", "0", "--json"] + order, folder)
            #expect(zero.lines.count == (newestFirst ? 0 : 2), "\(zero)")
        }
    }

    @Test(arguments: ["1e300", "inf", "nan", "0", "-5"])
    func anMCPLeaseOutOfRangeIsAUsageError(seconds: String) throws {
        try TestFolder.with("lease") { folder in
            let result = try CLITests.run(["mcp", "--lease-seconds=\(seconds)"], folder)
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("--lease-seconds must be more than 0 and at most 31536000"), "\(result)")
        }
    }

    @Test(arguments: [["--from", "5", "--through", "2"], ["--through", "99"], ["--delay-ms", String(Int.max)]])
    func workflowStepsOutOfRangeAreAUsageError(arguments: [String]) throws {
        try TestFolder.with("run-steps") { folder in
            let result = try CLI.runRig(
                ["run-steps", "--store", folder.storePath, "--workflow", "w"] + arguments,
                in: folder
            )
            #expect(result.status == 64, "\(result)")
            #expect(result.stderr.contains("must be"), "\(result)")
        }
    }

    @Test(arguments: [1e300, -1e300, Double.infinity, Double.nan])
    func aLeaseOfAnyLengthSaturatesInsteadOfTrapping(seconds: Double) async throws {
        try await TestFolder.with("lease-lib") { folder in
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            try await store.renewLease(owner: "agent", in: "default", session: "s1", seconds: seconds)
            let lease = try #require(try store.leases().first)
            let now = Timestamp.now()
            let expected: Timestamp =
                seconds.isNaN ? now : seconds > 0 ? Timestamp(rawValue: .max) : Timestamp(rawValue: .min)
            #expect(seconds.isNaN ? lease.expires <= now : lease.expires == expected)
        }
    }

    // MARK: Text and numbers

    @Test func anArgumentThatIsNotUTF8IsRefusedByName() throws {
        try TestFolder.with("argv-utf8") { folder in
            // Foundation's Process takes Strings: the shell passes the raw bytes.
            let shell = Process()
            shell.executableURL = URL(fileURLWithPath: "/bin/sh")
            shell.arguments = [
                "-c", #"exec "$0" create "$(printf 'Fix \377\376 bug')" --store "$1" 2>"$2""#,
                CLI.executable.path, folder.storePath, folder.file("stderr"),
            ]
            shell.environment = CLI.environment(folder: folder)
            try shell.run()
            shell.waitUntilExit()
            let stderr = try String(contentsOfFile: folder.file("stderr"), encoding: .utf8)
            #expect(shell.terminationStatus == 65, "\(stderr)")
            #expect(stderr.contains(#"argument 2 (Fix \xFF\xFE bug) is not valid UTF-8"#), "\(stderr)")
            #expect(!FileManager.default.fileExists(atPath: folder.storePath), "nothing was written")
        }
    }

    @Test func controlCharactersReachTheTerminalEscapedAndJSONUnchanged() throws {
        try TestFolder.with("escapes") { folder in
            let subject = "Evil \u{1B}]0;owned\u{07}\u{1B}[2J\r done \u{9B}"
            _ = try CLITests.ok(["create", subject, "--actor", "agent\u{1B}[31m"], folder)
            let shown = #"Evil \u{1B}]0;owned\u{7}\u{1B}[2J\u{D} done \u{9B}"#
            for command in [["list"], ["get", "1"], ["history"]] {
                let output = try CLITests.ok(command, folder).stdout
                #expect(!output.unicodeScalars.contains { $0.value == 0x1B || $0.value == 0x9B || $0.value == 0x0D })
                #expect(output.contains(command == ["history"] ? "agent\\u{1B}[31m" : shown), "\(output)")
            }
            let json = try CLITests.ok(["get", "1", "--json"], folder).object()
            #expect(json["subject"] as? String == subject)
        }
    }

    @Test(arguments: ["18446744073709551616", "-9223372036854775809", "1e-400"])
    func aMetadataNumberThatWouldLoseItsDigitsIsRefused(number: String) throws {
        try TestFolder.with("metadata-number") { folder in
            let result = try CLITests.run(["create", "Count", "--metadata", #"{"n": \#(number)}"#], folder)
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("out of range"), "\(result)")
        }
    }

    @Test func anIdempotencyKeyGivenAgainWithAnotherCommandIsAConflict() throws {
        try TestFolder.with("idempotency") { folder in
            let first = try CLITests.ok(["create", "Write the plan", "--idempotency-key", "k1", "--json"], folder)
            let again = try CLITests.ok(["create", "Write the plan", "--idempotency-key", "k1", "--json"], folder)
            #expect(try again.object()["id"] as? String == (try first.object()["id"] as? String))
            let other = try CLITests.run(["create", "Something else", "--idempotency-key", "k1"], folder)
            #expect(other.status == 67, "\(other)")
            #expect(other.stderr.contains("the idempotency key k1 was used for another command"), "\(other)")
            let update = try CLITests.run(["update", "1", "--status", "completed", "--idempotency-key", "k1"], folder)
            #expect(update.status == 67, "\(update)")
            let stats = try CLITests.ok(["stats", "--json"], folder).object()
            #expect(stats["events"] as? Int == 1)
        }
    }

    @Test(arguments: [UInt64(1) << 63, .max, .max / 3])
    func snapshotRetentionWithAHugeIntervalKeepsTheNewestAndDoesNotTrap(interval: UInt64) {
        let snapshots: [UInt64] = (1...12).reversed().map { $0 * 1000 }
        let dropped = SnapshotRetention.drop(snapshots, interval: interval, dense: 2)
        #expect(!dropped.contains(12_000) && !dropped.contains(11_000))
    }

    @Test func aHistoryPageOfALongLivedTaskEqualsTheSameEventsFoldedFromTheFirst() throws {
        try TestFolder.with("history-seeded") { folder in
            var options = TaskStore.Options.testing(snapshotInterval: 300)
            options.durability = .recentCommitsAtRiskOnSystemCrash
            let store = try TaskStore.open(at: folder.storePath, options: options)
            for subject in ["Long-lived", "Blocker", "Other"] { _ = try store.create(NewTask(subject: subject)) }
            _ = try store.update(1, TaskChanges(addBlockedBy: [2]))
            for n in 1...1_200 {
                let changes =
                    n % 100 == 0
                    ? TaskChanges(owner: "agent-\(n / 100)", metadata: ["round": .int(Int64(n))])
                    : TaskChanges(description: "pass \(n)")
                _ = try store.update(1, changes)
            }
            _ = try store.update(3, TaskChanges(addBlocks: [1]))
            _ = try store.update(2, TaskChanges(status: .deleted))
            _ = try store.update(1, TaskChanges(subject: "Renamed"))
            // All of them folded from the first event, against the newest page alone (which starts
            // from the list's state before it: more than a thousand events of the task precede it).
            let all = try store.history(HistoryQuery(list: "default", taskID: 1, limit: .max)).entries
            let page = try store.history(HistoryQuery(list: "default", taskID: 1, newestFirst: true, limit: 6))
            #expect(page.entries.count == 6)
            #expect(Array(page.entries.reversed()) == Array(all.suffix(6)))
        }
    }

    @Test func aListThatIssuedIdInt64MaxRefusesTheNextCreateInsteadOfTrapping() {
        var list = TaskListState()
        list.highWater = .max  // as a log imported before imports were checked could leave it
        #expect(throws: TasklogError.self) {
            try Decider.decide(.create(NewTask(subject: "One more")), in: list, actor: nil)
        }
    }
}
