import Foundation
import TasklogCore
import TasklogTestSupport
import Testing

/// `tasklog mcp` on a PostgreSQL store, as agents on two hosts would run it: two servers, two
/// processes with their own connections, one task list.
@Suite("MCP on a PostgreSQL store")
struct MCPPostgresTests {
    @Test func twoServersOnOneStoreShareTheListAndOneClaimWins() async throws {
        let url = try TestPostgres.freshStoreURL()
        let first = try await MCPProcess.started(["--store", url], client: "agent-a")
        let second = try await MCPProcess.started(["--store", url], client: "agent-b")

        let created = try await first.call("TaskCreate", ["subject": "Shared", "description": "on two hosts"])
        #expect(!created.isError, "\(created.result)")
        let listed = try await second.call("TaskList")
        #expect(listed.text.contains("#1 [pending] Shared"), "\(listed.text)")

        let claim = try await second.call("TaskUpdate", ["taskId": "1", "status": "in_progress", "owner": "agent-b"])
        #expect(!claim.isError, "\(claim.result)")
        let refused = try await first.call("TaskUpdate", ["taskId": "1", "status": "in_progress", "owner": "agent-a"])
        #expect(refused.isError, "the other host's claim stands: \(refused.result)")
        let got = try await first.call("TaskGet", ["taskId": "1"])
        #expect(got.structured["task"]?["owner"] == "agent-b", "\(got.result)")

        #expect(try await first.finish() == 0)
        #expect(try await second.finish() == 0)
    }
}
