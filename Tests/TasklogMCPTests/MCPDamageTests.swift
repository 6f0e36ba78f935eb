import Foundation
import LMDB
import Testing

@testable import Tasklog
@testable import TasklogCore
@testable import TasklogLMDB

/// A damaged log is never served over MCP: a past state that walks through a gap is a tool error
/// with the code `corrupt`, not the state before the gap.
@Suite(.timeLimit(.minutes(3))) struct MCPDamageTests {
    @Test func aPastStateAcrossAGapIsAToolError() async throws {
        try await Scratch.with("damage") { scratch in
            do {
                var options = TaskStore.Options()
                options.snapshotInterval = 50
                let store = try TaskStore.open(at: scratch.store, options: options)
                for number in 1...120 { _ = try await store.create(NewTask(subject: "Task \(number)")) }
                let log = (store.backend as! LMDBBackend)
                try log.environment.write { txn in
                    for seq in UInt64(60)...70 { _ = try txn.delete(in: log.layout.events, key: Key.uint64(seq)) }
                }
            }
            let server = try await MCPProcess.started(["--store", scratch.store])
            let across = try await server.call("TaskStateAt", ["at": "65"])
            #expect(across.isError, "\(across.text)")
            #expect(across.structured["code"] == "corrupt", "\(across.text)")
            let before = try await server.call("TaskStateAt", ["at": "59"])
            #expect(!before.isError, "\(before.text)")
            #expect(try await server.finish() == 0)
        }
    }
}
