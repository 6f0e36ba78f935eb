import Foundation
import TasklogCore
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
}
