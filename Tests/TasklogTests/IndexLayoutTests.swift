import Foundation
import LMDB
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogLMDB

/// The audit indexes of an LMDB store keep each key's seqs as sorted 8-byte duplicates; a store
/// written with the indexes of version 1 (one entry per event, key and seq together) has them
/// written again, all at once, when it is first opened.
@Suite("Index layout")
struct IndexLayoutTests {
    @Test func aStoreWithIndexesOfVersion1IsReindexedWhenOpened() throws {
        try TestFolder.with("index-upgrade") { folder in
            var expected: [[UInt64]] = []
            weak var environment: Environment?
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                for number in 1...6 { _ = try store.create(NewTask(subject: "Task \(number)"), actor: "planner") }
                _ = try store.update(2, TaskChanges(status: .inProgress, owner: "a"), actor: "a")
                _ = try store.update(2, TaskChanges(status: .completed), actor: "a")
                expected = try Self.queries(store)
                // As version 1 left it: the old databases, the new ones empty, the version "1".
                let lmdb = store.backend as! LMDBBackend
                try lmdb.environment.write { txn in
                    for kind in IndexKey.Kind.allCases { try txn.removeAll(in: lmdb.layout.index(kind)) }
                    try txn.put(in: lmdb.layout.meta, key: Array("index-version".utf8), value: Array("1".utf8))
                }
                environment = lmdb.environment
            }
            // The store's threads may hold it a moment longer; the next open must find it closed.
            let deadline = ContinuousClock.now + .seconds(10)
            while environment != nil, ContinuousClock.now < deadline { usleep(1_000) }
            try Self.addFormerIndex(folder.storePath)
            let capture = LogCapture()
            let store = try TaskStore.open(at: folder.storePath, options: .testing(capture: capture))
            #expect(capture.messages.contains { $0.contains("building the audit indexes") })
            #expect(try Self.queries(store) == expected)
            #expect(try store.verify().isHealthy)
            let lmdb = store.backend as! LMDBBackend
            let (former, version) = try lmdb.environment.read { txn in
                (
                    try LMDBLayout.formerIndexNames.filter { try txn.containsDatabase(named: $0) },
                    try txn.withValue(in: lmdb.layout.meta, key: Array("index-version".utf8)) {
                        $0.withUnsafeBytes { Array($0) }
                    }
                )
            }
            #expect(former.isEmpty)
            #expect(version == Array("1+sorted-seqs".utf8))
        }
    }

    /// Reads through every index: a task's history, an actor's and a type's events.
    static func queries(_ store: TaskStore) throws -> [[UInt64]] {
        try store.backend.read { txn in
            [
                try txn.indexSeqs(
                    .task(list: "default", id: 2),
                    from: 1,
                    through: .max,
                    newestFirst: false,
                    limit: 100
                ),
                try txn.indexSeqs(.task(list: "default", id: 2), from: 1, through: 7, newestFirst: true, limit: 100),
                try txn.indexSeqs(.actor("planner"), from: 2, through: 5, newestFirst: false, limit: 100),
                try txn.indexSeqs(.actor("a"), from: 1, through: .max, newestFirst: true, limit: 1),
                try txn.indexSeqs(.type("task_created"), from: 4, through: .max, newestFirst: false, limit: 2),
                try txn.indexSeqs(.type("task_updated"), from: 1, through: 6, newestFirst: true, limit: 100),
                try txn.indexSeqs(.actor("nobody"), from: 1, through: .max, newestFirst: false, limit: 100),
            ]
        }
    }

    /// A database of the former layout, with an entry, as version 1 had them.
    static func addFormerIndex(_ path: String) throws {
        var options = Environment.Options()
        options.databases = ["index_task"]
        let environment = try Environment.open(path: path, options: options)
        try environment.write { txn in
            let key = Array("default".utf8) + [0] + Key.uint64(2) + Key.uint64(7)
            try txn.put(in: environment.database("index_task"), key: key, value: [])
        }
    }
}
