import Foundation
import LMDB
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogLMDB

/// Lists are loaded lazily: opening reads a snapshot's directory only, a list is decoded when
/// first used, and a snapshot copies the lists no event changed. Whatever the order of opens,
/// reads and writes, every list must equal a full replay of the log.
@Suite("Lazily loaded lists")
struct LazyListTests {
    static let lists = ["default", "build", "design", "review", "ops"]

    /// One random command on a random list; refusals (a claim of a blocked task, say) are fine.
    static func randomCommand(_ store: TaskStore, _ random: inout SeededRandom) {
        let list = lists[random.below(lists.count)]
        let count = (try? store.list(list).highWater) ?? 0
        let id = count == 0 ? 0 : 1 + random.below(count)
        do {
            switch random.below(10) {
            case 0...3 where count == 0:
                _ = try store.create(
                    NewTask(subject: "first of \(list)", metadata: ["n": .int(Int64(count))]),
                    in: list
                )
            case 0...3:
                _ = try store.create(
                    NewTask(subject: "task \(count + 1) of \(list)"),
                    in: list,
                    actor: "agent-\(random.below(3))"
                )
            case 4:
                _ = try store.update(id, TaskChanges(status: .inProgress, owner: "agent-\(random.below(3))"), in: list)
            case 5:
                _ = try store.update(id, TaskChanges(status: .completed), in: list)
            case 6 where id > 1:
                _ = try store.update(id, TaskChanges(addBlockedBy: [1 + random.below(id - 1)]), in: list)
            case 7:
                _ = try store.update(id, TaskChanges(metadata: ["progress": .int(Int64(random.below(100)))]), in: list)
            case 8 where random.below(4) == 0:
                _ = try store.update(id, TaskChanges(status: .deleted), in: list)
            default:
                _ = try store.update(id, TaskChanges(subject: "renamed \(random.below(1000))"), in: list)
            }
        } catch is TasklogError {
            // refused: nothing written
        } catch {
            Issue.record("unexpected error \(error)")
        }
    }

    @Test(
        "Every list, however it was loaded, equals a full replay",
        arguments: [3, 11] as [UInt64],
        TestBackend.allCases
    )
    func listsEqualAFullReplay(_ interval: UInt64, _ backend: TestBackend) throws {
        try TestFolder.with("lazy") { folder in
            var random = SeededRandom(seed: 0x1A2B_0000 + interval)
            var writer = try folder.open(backend, options: .testing(snapshotInterval: interval))
            for round in 0..<12 {
                for _ in 0..<25 { Self.randomCommand(writer, &random) }
                if round % 4 == 3 {
                    writer = try folder.open(backend, options: .testing(snapshotInterval: interval))
                }
                // A reader opened now loads nothing until asked, then one list at a time.
                let reader = try folder.open(backend, options: .testing(snapshotInterval: interval))
                let full = Reducer.replay(try reader.allEvents())
                let recovery = try #require(reader.recovery)
                #expect(recovery.listsLoaded == 0, "nothing is decoded at open: \(recovery)")
                let asked = Self.lists[random.below(Self.lists.count)]
                #expect(try reader.list(asked) == full.list(asked))
                #expect(reader.recovery?.listsLoaded == (full.lists[asked] == nil ? 0 : 1))
                #expect(try reader.listIDs() == full.lists.keys.sorted())
                #expect(try reader.state() == full)
                #expect(try writer.state() == full)
            }
            // Snapshots made while some lists were loaded and unchanged (copied) and others changed.
            #expect(try Self.checkSnapshotsByteForByte(writer) > 3)
        }
    }

    /// Two handles on one store: the one that did not write catches up on the lists it has
    /// loaded, and leaves the others' events in the log until they are asked for.
    @Test(arguments: TestBackend.allCases)
    func aReaderCatchesUpOnItsLoadedListsOnly(_ backend: TestBackend) throws {
        try TestFolder.with("lazy-catch-up") { folder in
            let writer = try folder.open(backend, options: .testing(snapshotInterval: 5))
            for list in Self.lists { _ = try writer.create(NewTask(subject: "seed"), in: list) }
            _ = try writer.snapshot()
            let reader = try folder.open(backend, options: .testing(snapshotInterval: 5))
            #expect(try reader.get(1, in: "build")?.subject == "seed")
            var random = SeededRandom(seed: 7)
            for _ in 0..<120 { Self.randomCommand(writer, &random) }
            let full = Reducer.replay(try writer.allEvents())
            #expect(try reader.list("build") == full.list("build"))
            #expect(reader.recovery?.listsLoaded == 1)
            for list in Self.lists { #expect(try reader.list(list) == full.list(list), "\(list)") }
            // And the reader writes on top of what it caught up with.
            _ = try reader.create(NewTask(subject: "from the reader"), in: "ops")
            #expect(try writer.list("ops") == reader.list("ops"))
        }
    }

    /// A snapshot copies the bodies of lists that were not loaded and not changed; the copy must
    /// be exactly the snapshot a full replay would give.
    @Test(arguments: TestBackend.allCases)
    func snapshotsEqualASnapshotOfTheFullStateByteForByte(_ backend: TestBackend) throws {
        try TestFolder.with("lazy-snapshots") { folder in
            var random = SeededRandom(seed: 99)
            do {
                let store = try folder.open(backend, options: .testing(snapshotInterval: 1_000))
                for _ in 0..<150 { Self.randomCommand(store, &random) }
                _ = try store.snapshot()
            }
            // Reopened: every list unloaded. Writing to one list makes a snapshot that copies the others.
            for round in 0..<3 {
                let store = try folder.open(backend, options: .testing(snapshotInterval: 4))
                for index in 0..<9 { _ = try store.create(NewTask(subject: "round \(round) #\(index)"), in: "ops") }
                #expect((store.recovery?.listsLoaded ?? 0) < Self.lists.count)
            }
            let store = try folder.open(backend, options: .testing())
            #expect(try Self.checkSnapshotsByteForByte(store) > 3)
        }
    }

    /// Expects every stored snapshot to hold, for each list, the encoding of a full replay up to
    /// its seq, byte for byte (its body stored apart, maybe shared with older snapshots); returns
    /// how many there are.
    static func checkSnapshotsByteForByte(_ store: TaskStore) throws -> Int {
        let events = try store.allEvents()
        var snapshots: [(UInt64, SnapshotDirectory, [String: [UInt8]])] = []
        try store.backend.read { txn in
            for seq in try txn.snapshotSeqs() {
                let directory = try #require(
                    try txn.withSnapshot(at: seq) { try SnapshotCodec.directory(of: $0, storedAt: seq) }
                )
                var bodies: [String: [UInt8]] = [:]
                for (id, entry) in directory.lists {
                    let storedAt = try #require(entry.storedAt, "format 5")
                    bodies[id] = try txn.withSnapshotBody(list: id, seq: storedAt) { Array($0) }
                }
                snapshots.append((seq, directory, bodies))
            }
        }
        for (seq, directory, bodies) in snapshots {
            let expected = Reducer.replay(events.prefix(Int(seq)))
            #expect(directory.lastSeq == seq && directory.lastTimestamp == expected.lastTimestamp)
            #expect(
                bodies == expected.lists.mapValues { SnapshotBody($0, compressed: true).bytes },
                "snapshot at \(seq)"
            )
        }
        return snapshots.count
    }

    /// A damaged list body in the newest snapshot: that list comes from an older snapshot (or the
    /// log), the others still from the newest, and all of them are right.
    @Test("A damaged list body (in the LMDB file) falls back to an older snapshot")
    func aDamagedListBodyFallsBackToAnOlderSnapshot() throws {
        try TestFolder.with("lazy-damage") { folder in
            var random = SeededRandom(seed: 5)
            let full: TasklogState
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing(snapshotInterval: 40))
                for _ in 0..<200 { Self.randomCommand(store, &random) }
                full = Reducer.replay(try store.allEvents())
            }
            // Flip a byte inside the body of "design" in the newest snapshot, in place.
            let capture = LogCapture()
            let store = try TaskStore.open(at: folder.storePath, options: .testing(capture: capture))
            let backend = store.backend as! LMDBBackend
            try backend.environment.write { txn in
                let newest = try #require(
                    try txn.withLast(in: backend.layout.snapshots) { key, _ in Key.uint64(from: key) }
                )
                let entry = try #require(
                    try txn.withValue(in: backend.layout.snapshots, key: Key.uint64(newest)) {
                        try $0.withUnsafeBytes { try SnapshotCodec.directory(of: $0) }.lists["design"]
                    } ?? nil
                )
                #expect(entry.storedAt == newest, "design changed since the snapshot before")
                let key = LMDBLayout.snapshotBodyKey(list: "design", seq: newest)
                var bytes = try #require(
                    try txn.withValue(in: backend.layout.snapshotBodies, key: key) { $0.withUnsafeBytes { Array($0) } }
                )
                bytes[bytes.count / 2] ^= 0x20
                try txn.put(in: backend.layout.snapshotBodies, key: key, value: bytes)
            }
            let reopened = try TaskStore.open(at: folder.storePath, options: .testing(capture: capture))
            for list in Self.lists { #expect(try reopened.list(list) == full.list(list), "\(list)") }
            #expect(capture.messages.contains { $0.contains("not usable for list design") }, "\(capture.messages)")
        }
    }

    /// `get --at` folds one task's events (with the tasks they link standing in while they
    /// existed); it must equal the task in the whole list as of the same point, links, deletions
    /// and versions included.
    @Test(arguments: TestBackend.allCases)
    func aTaskAsOfAPointEqualsItsListAsOfThatPoint(_ backend: TestBackend) throws {
        try TestFolder.with("task-at") { folder in
            var random = SeededRandom(seed: 0xA7)
            let store = try folder.open(backend, options: .testing(snapshotInterval: 50))
            for _ in 0..<400 { Self.randomCommand(store, &random) }
            let last = try store.lastSeq()
            var compared = 0
            for seq in stride(from: UInt64(1), through: last, by: 9) {
                let list = Self.lists[random.below(Self.lists.count)]
                let whole = try store.list(list, at: .seq(seq))
                for id in 1...(whole.highWater + 1) {
                    #expect(
                        try store.get(id, in: list, at: .seq(seq)) == whole.tasks[id],
                        "task \(id) of \(list) at \(seq)"
                    )
                    compared += 1
                }
            }
            #expect(compared > 200)
        }
    }
}
