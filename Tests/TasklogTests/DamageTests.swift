import Foundation
import LMDB
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogLMDB

/// Damage is never served as truth, and a damaged store never crashes a process: each read meets
/// the damage on its way and says so (exit 76), through the real binary.
@Suite("Damage (LMDB files): never served, never a crash")
struct DamageTests {
    /// Creates tasks 1…`count` in list `default` (event n creates task n), a snapshot every 50 events.
    static func populate(_ path: String, count: Int = 120) throws {
        let store = try TaskStore.open(at: path, options: .testing(snapshotInterval: 50))
        for number in 1...count { _ = try store.create(NewTask(subject: "Task \(number)"), actor: "writer") }
    }

    /// Deletes the keys `keys` from database `name` of the store, with LMDB itself: the damage an
    /// `mdb_dump`, an edit and an `mdb_load` would leave.
    static func remove(_ keys: [[UInt8]], from name: String, in path: String) throws {
        let store = try TaskStore.open(at: path, options: .testing())
        let environment = (store.backend as! LMDBBackend).environment
        try environment.write { txn in
            for key in keys {
                let deleted = try txn.delete(in: environment.database(name), key: key)
                #expect(deleted, "key \(key)")
            }
        }
    }

    static func removeEvents(_ seqs: ClosedRange<UInt64>, in path: String) throws {
        try remove(seqs.map { Key.uint64($0) }, from: "events", in: path)
    }

    static func run(_ arguments: [String], _ folder: TestFolder) throws -> CLI.Result {
        try CLI.run(arguments + ["--store", folder.storePath], in: folder)
    }

    /// Runs `arguments` and expects exit 76 with an error that names the damage.
    static func refused(_ arguments: [String], _ folder: TestFolder, mentioning words: String) throws {
        let result = try run(arguments, folder)
        #expect(result.status == 76, "tasklog \(arguments): \(result)")
        #expect(result.stderr.contains(words), "tasklog \(arguments): \(result)")
    }

    @Test("A gap in the log under a snapshot past it fails every read that walks through it")
    func gapUnderASnapshotIsNeverServed() throws {
        try TestFolder.with("damage-gap") { folder in
            try Self.populate(folder.storePath)
            try Self.removeEvents(60...70, in: folder.storePath)
            // The snapshot at 50 is the newest before 65: the walk from it ends at the bound, 65,
            // and must still see that 60 is missing.
            try Self.refused(["list", "--at", "65"], folder, mentioning: "gap")
            try Self.refused(["list", "--at", "80"], folder, mentioning: "gap")
            try Self.refused(["export", "--through", "65"], folder, mentioning: "gap")
            try Self.refused(["history", "--all-lists"], folder, mentioning: "event 60 is missing")
            try Self.refused(["diff", "1", "65"], folder, mentioning: "gap")
            try Self.refused(["verify"], folder, mentioning: "damaged")
            let verify = try Self.run(["verify"], folder)
            #expect(
                verify.stdout.contains("the snapshot at seq 100 lies past the damage: not checked against the log"),
                "\(verify)"
            )
            // The intact prefix is still served: the salvage path.
            let prefix = try Self.run(["export", "--through", "59"], folder)
            #expect(prefix.status == 0, "\(prefix)")
            #expect(prefix.lines.count == 59)
            let early = try Self.run(["list", "--at", "59", "--json"], folder)
            #expect(early.status == 0, "\(early)")
            #expect(try early.array().count == 59)
        }
    }

    @Test("A log that lost its tail is refused, and no id is given twice")
    func lostTailIsRefused() throws {
        try TestFolder.with("damage-tail") { folder in
            try Self.populate(folder.storePath)
            try Self.removeEvents(111...120, in: folder.storePath)
            try Self.refused(["list"], folder, mentioning: "events 111…120 are missing")
            try Self.refused(["create", "After the loss"], folder, mentioning: "events 111…120 are missing")
            try Self.refused(["export"], folder, mentioning: "events 111…120 are missing")
            try Self.refused(["export", "--through", "115"], folder, mentioning: "events 111…120 are missing")
            try Self.refused(["verify"], folder, mentioning: "damaged")
            let prefix = try Self.run(["export", "--through", "110"], folder)
            #expect(prefix.status == 0, "\(prefix)")
            #expect(prefix.lines.count == 110)
        }
    }

    @Test("A lost entry of a task's index fails `get --at` and `history` of that task")
    func lostTaskIndexEntryIsNeverServed() throws {
        try TestFolder.with("damage-index") { folder in
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                for number in 1...10 { _ = try store.create(NewTask(subject: "Task \(number)")) }
                _ = try store.update(5, TaskChanges(subject: "Renamed"))  // seq 11
                _ = try store.update(5, TaskChanges(status: .inProgress, owner: "a"))  // seq 12
                _ = try store.update(6, TaskChanges(subject: "Six"))  // seq 13
            }
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                let lmdb = store.backend as! LMDBBackend
                try lmdb.environment.write { txn in
                    let removed = try txn.delete(
                        in: lmdb.layout.index(.task),
                        key: LMDBLayout.indexKey(.task(list: "default", id: 5)),
                        value: Key.uint64(11)
                    )
                    #expect(removed)
                }
            }
            try Self.refused(["get", "5", "--at", "12"], folder, mentioning: "index of task 5")
            try Self.refused(["get", "5", "--at", "11"], folder, mentioning: "index of task 5")
            try Self.refused(["history", "5"], folder, mentioning: "index of task 5")
            // Other tasks' indexes are whole, and still answer.
            let six = try Self.run(["get", "6", "--at", "13", "--json"], folder)
            #expect(six.status == 0, "\(six)")
            #expect(try six.object()["subject"] as? String == "Six")
            let history = try Self.run(["history", "6", "--json"], folder)
            #expect(history.status == 0, "\(history)")
        }
    }

    @Test("An index entry that names an event of another task is refused")
    func misdirectedTaskIndexEntryIsRefused() throws {
        try TestFolder.with("damage-index-wrong") { folder in
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                for number in 1...4 { _ = try store.create(NewTask(subject: "Task \(number)")) }
            }
            // Task 2's index gains seq 3, the creation of task 3.
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            let log = (store.backend as! LMDBBackend)
            try log.environment.write { txn in
                try txn.put(
                    in: log.layout.index(.task),
                    key: LMDBLayout.indexKey(.task(list: "default", id: 2)),
                    value: Key.uint64(3)
                )
            }
            #expect(throws: TasklogError.self) { try store.get(2, at: .seq(4)) }
            #expect(throws: TasklogError.self) { try store.history(HistoryQuery(list: "default", taskID: 2)) }
        }
    }
}
