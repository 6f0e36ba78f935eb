import Foundation
import TasklogCore
import Testing

@testable import TasklogMCP

#if canImport(Glibc)
import Glibc
#endif

/// `TaskHistory` on a task with a long history: one page costs its page, not the whole timeline
/// folded again for every thousand events.
@Suite struct TaskHistoryTests {
    /// The CPU time process `pid` has used (user and system), from /proc.
    static func cpuTime(of pid: Int32) throws -> Duration {
        let stat = try String(contentsOfFile: "/proc/\(pid)/stat", encoding: .utf8)
        let fields = try #require(stat.split(separator: ")").last).split(separator: " ")
        // After the command's name: state is field 3, utime 14 and stime 15 (clock ticks).
        let ticks = try #require(Int(fields[11])) + (try #require(Int(fields[12])))
        return .milliseconds(ticks * 1000 / sysconf(Int32(_SC_CLK_TCK)))
    }

    @Test func aPageOfALongHistoryCostsItsPage() async throws {
        try await Scratch.with("long-history") { scratch in
            // One task renamed 20,000 times, imported (one transaction) rather than written one by one.
            let count = 20_001
            var lines = [
                #"{"actor":"a","data":{"id":"1","subject":"T1","description":"","metadata":{}},"list":"default","seq":1,"timestamp":"2026-02-13T14:35:00Z","type":"task_created"}"#
            ]
            for seq in 2...count {
                lines.append(
                    #"{"actor":"a","data":{"id":"1","subject":"T\#(seq)"},"list":"default","seq":\#(seq),"timestamp":"2026-02-13T14:35:00Z","type":"task_updated"}"#
                )
            }
            let file = scratch.path + "/events.jsonl"
            try lines.joined(separator: "\n").write(toFile: file, atomically: true, encoding: .utf8)
            let (status, _, errors) = try Binary.run(["import", file, "--store", scratch.store])
            try #require(status == 0, "\(errors)")

            // Generous timeouts: what is measured is the server's CPU time, not the wall clock of a busy machine.
            let server = try MCPProcess(["--store", scratch.store])
            let hello: JSONValue = [
                "protocolVersion": "2025-06-18", "capabilities": [:],
                "clientInfo": ["name": "swift-test", "version": "1"],
            ]
            _ = try await server.request("initialize", hello, timeout: .seconds(120))
            try server.send(["jsonrpc": "2.0", "method": "notifications/initialized"])
            _ = try await server.request("tools/call", ["name": "TaskList", "arguments": [:]], timeout: .seconds(120))
            let before = try Self.cpuTime(of: server.process.processIdentifier)
            let response = try await server.request(
                "tools/call",
                ["name": "TaskHistory", "arguments": ["taskId": "1", "limit": 3]],
                timeout: .seconds(120)
            )
            let spent = try Self.cpuTime(of: server.process.processIdentifier) - before
            // Folding the whole timeline once per thousand events took seconds (7.8 s at 30k events).
            #expect(spent < .milliseconds(1500), "one page of TaskHistory took \(spent) of CPU")
            let history = ToolCall(result: try #require(response["result"]))
            #expect(history.structured["total"] == .int(Int64(count)))
            let events = try #require(history.structured["events"]?.arrayValue)
            #expect(events.compactMap { $0["seq"]?.intValue } == [19_999, 20_000, 20_001])
            #expect(events.last?["changes"]?["subject"] == ["from": "T20000", "to": "T20001"])
            #expect(history.text.hasPrefix("Task #1: 20001 events\n(19998 earlier not shown)\nseq 19999 "))
            #expect(try await server.finish(timeout: .seconds(120)) == 0)
        }
    }

    /// Only the fields that hold task ids read as `#2, #3`; a list in the metadata reads as JSON.
    @Test func onlyBlockersReadAsTaskIDs() {
        let entry = TaskHistory.Entry(
            seq: 3,
            time: Timestamp(rawValue: 0),
            actor: "agent-a",
            type: "task_updated",
            changes: [
                .init(field: "blockedBy", from: [], to: ["2", "3"]),
                .init(field: "metadata.tags", from: .null, to: ["urgent", "db"]),
            ]
        )
        #expect(
            entry.line.hasSuffix(#"blockedBy: [] → #2, #3; metadata.tags: none → ["urgent","db"]"#),
            "\(entry.line)"
        )
    }

}
