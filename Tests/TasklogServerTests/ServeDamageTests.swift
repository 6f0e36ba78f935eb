import Foundation
import LMDB
import Testing

@testable import Tasklog
@testable import TasklogCore
@testable import TasklogLMDB

/// A damaged log is never served by `serve`: a past state that walks through a gap is a 500 with
/// the code `corrupt`, not the state before the gap.
@Suite struct ServeDamageTests {
    @Test func aPastStateAcrossAGapIsAServerError() async throws {
        try await ServeFixture.with("damage") { fixture in
            do {
                var options = TaskStore.Options()
                options.snapshotInterval = 50
                let store = try TaskStore.open(at: fixture.store, options: options)
                for number in 1...120 { _ = try await store.create(NewTask(subject: "Task \(number)")) }
                let environment = (store.backend as! LMDBBackend).environment
                try environment.write { txn in
                    for seq in UInt64(60)...70 {
                        _ = try txn.delete(in: (store.backend as! LMDBBackend).layout.events, key: Key.uint64(seq))
                    }
                }
            }
            let server = try ServeProcess(fixture)
            defer { server.stop() }
            let across = try await HTTP.get(server.url, "/api/lists/default/tasks?at=65")
            #expect(across.status == 500, "\(across.status) \(across.text)")
            #expect(try across.object()["code"] as? String == "corrupt", "\(across.text)")
            try fixture.validate(across.body, against: "error")
            let before = try await HTTP.get(server.url, "/api/lists/default/tasks?at=59")
            #expect(before.status == 200, "\(before.status) \(before.text)")
        }
    }
}
