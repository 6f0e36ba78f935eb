import Foundation
import Testing

@testable import Tasklog
@testable import TasklogCore
@testable import TasklogServer

/// The API's answers as values, in process: the timeline's spans (deleted tasks included), and
/// past states served from the cache equal to the store's own time travel.
@Suite struct ServerAPITests {
    func withStore(_ body: (TaskStore) throws -> Void) throws {
        let path = FileManager.default.temporaryDirectory.appendingPathComponent("tasklog-api-\(UUID().uuidString)")
            .path
        defer { try? FileManager.default.removeItem(atPath: path) }
        try body(try TaskStore.open(at: path))
    }

    @Test func theTimelineFoldsEachTaskIntoSpansByStatus() throws {
        try withStore { store in
            _ = try store.create(NewTask(subject: "Plan"))  // 1
            _ = try store.create(NewTask(subject: "Scrap"))  // 2
            _ = try store.update(1, TaskChanges(status: .inProgress, owner: "a"))  // 3
            _ = try store.update(2, TaskChanges(status: .inProgress, owner: "b"))  // 4
            _ = try store.update(2, TaskChanges(status: .deleted), actor: "b")  // 5
            _ = try store.update(1, TaskChanges(subject: "Plan it", status: .completed), actor: "a")  // 6
            let api = ServerAPI(store: store)
            let rows = try #require(try api.timeline(list: "default", at: nil, workflow: nil)["tasks"]?.arrayValue)
            #expect(rows.count == 2)
            #expect(
                rows[0]["subject"] == "Plan it" && rows[0]["status"] == "completed" && rows[0]["deletedAt"] == .null
            )
            let spans = try #require(rows[0]["spans"]?.arrayValue)
            #expect(spans.map { $0["status"] } == ["pending", "in_progress", "completed"])
            #expect(spans.map { $0["fromSeq"] } == [1, 3, 6])
            #expect(spans.map { $0["toSeq"] } == [3, 6, .null])
            #expect(rows[1]["status"] == "deleted" && rows[1]["deletedAt"] == 5)
            #expect(try #require(rows[1]["spans"]?.arrayValue).map { $0["toSeq"] } == [4, 5])

            // Up to a point: the history then, and spans still open then.
            let then = try #require(try api.timeline(list: "default", at: "3", workflow: nil)["tasks"]?.arrayValue)
            #expect(then.count == 2)
            #expect(try #require(then[0]["spans"]?.arrayValue).map { $0["toSeq"] } == [3, .null])
            #expect(try #require(then[1]["spans"]?.arrayValue).map { $0["toSeq"] } == [.null])
        }
    }

    @Test func pastStatesFromTheCacheEqualTimeTravel() throws {
        try withStore { store in
            for index in 1...12 { _ = try store.create(NewTask(subject: "Task \(index)")) }
            _ = try store.snapshot()
            for id in 1...6 { _ = try store.update(id, TaskChanges(status: .completed)) }
            let api = ServerAPI(store: store)
            for seq in [0, 1, 7, 12, 13, 17, 18] as [UInt64] {
                let expected = try store.state(at: .seq(seq))
                #expect(try api.state(at: .seq(seq)) == expected)
                #expect(try api.state(at: .seq(seq)) == expected, "twice: from the cache")
                #expect(try api.state(at: String(seq)) == expected)
            }
            #expect(throws: TasklogError.self) { try api.state(at: .seq(19)) }
        }
    }
}
