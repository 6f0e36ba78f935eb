import Foundation
import LMDB
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogLMDB

/// A snapshot stores the bodies of the lists that changed since the one before and shares the
/// others, so that the snapshots of a store grow with what changed, not with the state.
@Suite("Snapshots share unchanged lists")
struct SnapshotSharingTests {
    /// Every body an LMDB store holds, as `list@seq`.
    static func storedBodies(_ store: TaskStore) throws -> Set<String> {
        let lmdb = store.backend as! LMDBBackend
        return try lmdb.environment.read { txn in
            var stored: Set<String> = []
            try txn.forEach(in: lmdb.layout.snapshotBodies, from: nil, reverse: false) { key, _ in
                let bytes = key.withUnsafeBytes { Array($0) }
                let list = String(decoding: bytes.prefix(bytes.count - 9), as: UTF8.self)
                let seq = bytes.suffix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
                stored.insert("\(list)@\(seq)")
                return true
            }
            return stored
        }
    }

    /// Each snapshot's directory, by seq.
    static func directories(_ store: TaskStore) throws -> [UInt64: SnapshotDirectory] {
        try store.backend.read { txn in
            var directories: [UInt64: SnapshotDirectory] = [:]
            for seq in try txn.snapshotSeqs() {
                directories[seq] = try txn.withSnapshot(at: seq) { try SnapshotCodec.directory(of: $0, storedAt: seq) }
            }
            return directories
        }
    }

    @Test(arguments: TestBackend.allCases)
    func aSnapshotStoresOnlyTheListsThatChanged(_ backend: TestBackend) throws {
        try TestFolder.with("sharing") { folder in
            let store = try folder.open(backend, options: .testing())
            for list in ["alpha", "beta", "gamma"] {
                for index in 1...5 { _ = try store.create(NewTask(subject: "\(list) \(index)"), in: list) }
            }
            let first = try store.snapshot()
            _ = try store.update(2, TaskChanges(status: .inProgress), in: "beta", actor: "agent")
            let second = try store.snapshot()
            let directories = try Self.directories(store)
            let older = try #require(directories[first])
            let newer = try #require(directories[second])
            #expect(older.lists.values.allSatisfy { $0.storedAt == first })
            #expect(newer.lists["alpha"] == older.lists["alpha"])
            #expect(newer.lists["gamma"] == older.lists["gamma"])
            #expect(newer.lists["beta"]?.storedAt == second)

            // A store opened from the newer snapshot reads the shared bodies, and shares them on.
            let reopened = try folder.open(backend, options: .testing())
            #expect(try reopened.state() == Reducer.replay(try reopened.allEvents()))
            _ = try reopened.create(NewTask(subject: "gamma 6"), in: "gamma")
            let third = try reopened.snapshot()
            let newest = try #require(try Self.directories(reopened)[third])
            #expect(newest.lists["alpha"]?.storedAt == first)
            #expect(newest.lists["beta"]?.storedAt == second)
            #expect(newest.lists["gamma"]?.storedAt == third)
            #expect(try reopened.verify().isHealthy)
        }
    }

    /// verify decodes a shared body once, while its list is unchanged; a snapshot that names the
    /// body of an older state of a list that changed since is still found out.
    @Test(arguments: TestBackend.allCases)
    func verifyFindsASnapshotNamingAStaleBody(_ backend: TestBackend) throws {
        try TestFolder.with("sharing-stale") { folder in
            let store = try folder.open(backend, options: .testing())
            for list in ["alpha", "beta"] { _ = try store.create(NewTask(subject: "\(list) 1"), in: list) }
            let first = try store.snapshot()
            _ = try store.create(NewTask(subject: "beta 2"), in: "beta")
            _ = try store.create(NewTask(subject: "alpha 2"), in: "alpha")
            _ = try store.snapshot()
            _ = try store.create(NewTask(subject: "alpha 3"), in: "alpha")
            let third = try store.snapshot()
            #expect(try store.verify().isHealthy)

            // The third snapshot names beta's body of the first: valid bytes, an older state.
            let directories = try Self.directories(store)
            var lists = try #require(directories[third]).lists
            lists["beta"] = try #require(directories[first]?.lists["beta"])
            let stale = SnapshotCodec.encodeDirectory(
                lastSeq: third,
                lastTimestamp: try #require(directories[third]).lastTimestamp,
                lists: Array(lists)
            )
            try store.backend.write { txn in try stale.withUnsafeBytes { try txn.putSnapshot(third, $0) } }
            let report = try folder.open(backend, options: .testing()).verify()
            #expect(
                report.problems.map(\.message) == ["the snapshot at seq \(third) differs from a full replay of the log"]
            )
        }
    }

    /// A body found damaged is not named again by the next snapshot, even for a list the writer
    /// never loaded: that list is encoded afresh, from an older snapshot or its events.
    @Test func aDamagedBodyIsNotSharedOn() throws {
        try TestFolder.with("sharing-damaged") { folder in
            let first: UInt64
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                for list in ["alpha", "beta"] { _ = try store.create(NewTask(subject: "\(list) 1"), in: list) }
                first = try store.snapshot()
                let lmdb = store.backend as! LMDBBackend
                try lmdb.environment.write { txn in
                    let key = LMDBLayout.snapshotBodyKey(list: "alpha", seq: first)
                    var bytes = try #require(
                        try txn.withValue(in: lmdb.layout.snapshotBodies, key: key) { $0.withUnsafeBytes { Array($0) } }
                    )
                    bytes[bytes.count / 2] ^= 0x08
                    try txn.put(in: lmdb.layout.snapshotBodies, key: key, value: bytes)
                }
            }
            let capture = LogCapture()
            let store = try TaskStore.open(at: folder.storePath, options: .testing(capture: capture))
            _ = try store.create(NewTask(subject: "beta 2"), in: "beta")
            let second = try store.snapshot()
            let directory = try #require(try Self.directories(store)[second])
            #expect(directory.lists["alpha"]?.storedAt == second)
            #expect(try store.list("alpha") == Reducer.replay(try store.allEvents()).list("alpha"))
        }
    }

    /// Retention drops old snapshots as new ones come; a body goes with the last snapshot that
    /// refers to it, never before.
    @Test(arguments: TestBackend.allCases)
    func droppedSnapshotsTakeTheirUnsharedBodiesAlong(_ backend: TestBackend) throws {
        try TestFolder.with("sharing-retention") { folder in
            var options = TaskStore.Options.testing(snapshotInterval: 3)
            options.snapshotsKept = 2
            let store = try folder.open(backend, options: options)
            var random = SeededRandom(seed: 18)
            for index in 0..<300 {
                let list = ["a", "b", "c", "d"][Int(random.next() % 4)]
                _ = try store.create(NewTask(subject: "task \(index)"), in: list)
            }
            let directories = try Self.directories(store)
            #expect(directories.count < 100 / 2)  // thinned
            let referenced = Set(
                directories.values.flatMap { directory in
                    directory.lists.map { id, entry in "\(id)@\(entry.storedAt ?? 0)" }
                }
            )
            // Every body a snapshot refers to is there (verify reads each), and no other is.
            #expect(try store.verify().isHealthy)
            if backend == .lmdb { #expect(try Self.storedBodies(store) == referenced) }
            // Time travel still starts from a snapshot of shared bodies.
            let reopened = try folder.open(backend, options: options)
            for seq in stride(from: 1, through: 300, by: 37) {
                let expected = Reducer.replay(try reopened.allEvents().prefix(seq))
                #expect(try reopened.state(at: .seq(UInt64(seq))) == expected)
            }
        }
    }

    /// A snapshot whose directory is damaged no longer says which bodies it stored; when
    /// retention drops it, the bodies stored under its seq go too, unless a snapshot kept names
    /// them.
    @Test func aDroppedSnapshotWithADamagedDirectoryTakesItsBodiesAlong() throws {
        try TestFolder.with("sharing-damaged-directory") { folder in
            var options = TaskStore.Options.testing(snapshotInterval: 3)
            options.snapshotsKept = 2
            let damaged: UInt64
            do {
                let store = try TaskStore.open(at: folder.storePath, options: options)
                for index in 0..<12 {
                    _ = try store.create(NewTask(subject: "task \(index)"), in: ["a", "b"][index % 2])
                }
                damaged = try #require(try store.backend.read { try $0.snapshotSeqs() }.first)
                #expect(try Self.storedBodies(store).contains("a@\(damaged)"))
                let garbage = [UInt8](repeating: 0xA5, count: 40)
                try store.backend.write { txn in try garbage.withUnsafeBytes { try txn.putSnapshot(damaged, $0) } }
            }
            let store = try TaskStore.open(at: folder.storePath, options: options)
            for index in 0..<120 { _ = try store.create(NewTask(subject: "more \(index)"), in: ["a", "b"][index % 2]) }
            let seqs = try store.backend.read { try $0.snapshotSeqs() }
            #expect(!seqs.contains(damaged), "retention dropped it")
            let referenced = Set(
                try Self.directories(store).values.flatMap { directory in
                    directory.lists.map { id, entry in "\(id)@\(entry.storedAt ?? 0)" }
                }
            )
            #expect(try Self.storedBodies(store) == referenced)
            #expect(try store.verify().isHealthy)
        }
    }

    /// A list that gains is stored compressed (format 5). A store whose snapshot is of format 4
    /// (every body as it is) opens from it, and its next snapshot shares the plain bodies of the
    /// lists that did not change and compresses the others.
    @Test(arguments: TestBackend.allCases)
    func bodiesAreCompressedAndPlainOnesOfFormat4AreSharedOn(_ backend: TestBackend) throws {
        try TestFolder.with("sharing-compressed") { folder in
            let options = TaskStore.Options.testing(snapshotInterval: 1_000)
            let first: UInt64
            do {
                let store = try folder.open(backend, options: options)
                for list in ["alpha", "beta"] {
                    for index in 1...40 {
                        let task = NewTask(
                            subject: "\(list): review step \(index % 5) of the parser",
                            description: "Run the parser's tests and read the diff of step \(index % 5) again",
                            metadata: ["workflow": .string("review-\(index % 3)")]
                        )
                        _ = try store.create(task, in: list)
                    }
                }
                first = try store.snapshot()
                let directory = try #require(try Self.directories(store)[first])
                for entry in directory.lists.values {
                    let plainLength = try #require(entry.plainLength)
                    #expect(entry.range.count * 3 < plainLength, "stored at under a third of its size")
                }
                // What an older Tasklog wrote: the same snapshot, of format 4, its bodies plain.
                let state = Reducer.replay(try store.allEvents())
                try store.backend.write { txn in
                    var entries: [(String, SnapshotDirectory.Entry)] = []
                    for (id, list) in state.lists {
                        let body = SnapshotBody(list)
                        try body.bytes.withUnsafeBytes { try txn.putSnapshotBody(list: id, seq: first, $0) }
                        entries.append(
                            (id, .init(range: 0..<body.bytes.count, checksum: body.checksum, storedAt: first))
                        )
                    }
                    let old = SnapshotCodec.encodeDirectory(
                        lastSeq: first,
                        lastTimestamp: state.lastTimestamp,
                        lists: entries,
                        format: 4
                    )
                    try old.withUnsafeBytes { try txn.putSnapshot(first, $0) }
                }
            }
            let store = try folder.open(backend, options: options)
            #expect(store.recovery?.snapshotSeq == first)
            #expect(try store.backend.read { txn in try txn.withSnapshot(at: first) { $0.first } } == 4)
            #expect(try store.state() == Reducer.replay(try store.allEvents()))
            #expect(try store.verify().isHealthy)
            _ = try store.update(1, TaskChanges(status: .inProgress), in: "beta", actor: "agent")
            let second = try store.snapshot()
            let directories = try Self.directories(store)
            #expect(try store.backend.read { txn in try txn.withSnapshot(at: second) { $0.first } } == 5)
            #expect(directories[second]?.lists["alpha"] == directories[first]?.lists["alpha"])
            #expect(directories[second]?.lists["alpha"]?.plainLength == nil)
            #expect(directories[second]?.lists["beta"]?.storedAt == second)
            #expect(directories[second]?.lists["beta"]?.plainLength != nil)
            #expect(try store.verify().isHealthy)
            let reopened = try folder.open(backend, options: options)
            #expect(try reopened.state() == Reducer.replay(try reopened.allEvents()))
            let expected = Reducer.replay(try reopened.allEvents().prefix(Int(first)))
            #expect(try reopened.state(at: .seq(first)) == expected)
        }
    }

    /// A store whose snapshots are of format 3 (the bodies inside) opens from them; its next
    /// snapshot is of format 4 and stores a copy of each unchanged body.
    @Test func aStoreWithSnapshotsOfFormat3IsUpgradedAsItGoes() throws {
        try TestFolder.with("sharing-upgrade") { folder in
            let options = TaskStore.Options.testing(snapshotInterval: 1_000)
            let old: UInt64
            do {
                let store = try TaskStore.open(at: folder.storePath, options: options)
                for list in ["alpha", "beta"] {
                    for index in 1...4 { _ = try store.create(NewTask(subject: "\(list) \(index)"), in: list) }
                }
                // What an older Tasklog wrote: one value holding every list's body.
                old = try store.lastSeq()
                let state = Reducer.replay(try store.allEvents())
                let lmdb = store.backend as! LMDBBackend
                try lmdb.environment.write { txn in
                    try txn.removeAll(in: lmdb.layout.snapshots)
                    try txn.removeAll(in: lmdb.layout.snapshotBodies)
                    try txn.put(in: lmdb.layout.snapshots, key: Key.uint64(old), value: SnapshotCodec.encode(state))
                }
            }
            let store = try TaskStore.open(at: folder.storePath, options: options)
            #expect(store.recovery?.snapshotSeq == old)
            #expect(try store.verify().isHealthy)
            _ = try store.update(1, TaskChanges(status: .inProgress), in: "beta", actor: "agent")
            let new = try store.snapshot()
            let directories = try Self.directories(store)
            #expect(directories.keys.sorted() == [old, new])
            #expect(try store.backend.read { txn in try txn.withSnapshot(at: old) { $0.first } } == 3)
            #expect(directories[new]?.lists.values.allSatisfy { $0.storedAt == new } == true)
            #expect(try store.verify().isHealthy)
            let reopened = try TaskStore.open(at: folder.storePath, options: options)
            #expect(try reopened.state() == Reducer.replay(try reopened.allEvents()))
        }
    }
}
