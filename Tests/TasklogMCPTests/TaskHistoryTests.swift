import Foundation
import TasklogCore
import Testing

/// `TaskHistory` on a task with a long history: one page costs its page, not the whole timeline
/// folded again for every thousand events.
@Suite struct TaskHistoryTests {
    @Test func aPageOfALongHistoryIsQuickAndRight() async throws {
        try await Scratch.with("long-history") { scratch in
            // One task renamed 30,000 times, imported (one transaction) rather than written one by one.
            let count = 30_001
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

            let server = try await MCPProcess.started(["--store", scratch.store])
            let clock = ContinuousClock()
            let start = clock.now
            let history = try await server.call("TaskHistory", ["taskId": "1", "limit": 3])
            let elapsed = clock.now - start
            // Folding the whole timeline once per thousand events took 7.8 s here.
            #expect(elapsed < .seconds(3), "one page of TaskHistory took \(elapsed)")
            #expect(history.structured["total"] == .int(Int64(count)))
            let events = try #require(history.structured["events"]?.arrayValue)
            #expect(events.compactMap { $0["seq"]?.intValue } == [29_999, 30_000, 30_001])
            #expect(events.last?["changes"]?["subject"] == ["from": "T30000", "to": "T30001"])
            #expect(history.text.hasPrefix("Task #1: 30001 events\n(29998 earlier not shown)\nseq 29999 "))
            #expect(try await server.finish() == 0)
        }
    }
}
