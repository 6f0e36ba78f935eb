import Foundation
import LMDB
import TasklogCore
import Testing

@testable import Tasklog
@testable import TasklogLMDB

@Suite("Snapshots and recovery")
struct RecoveryTests {
    /// Writes `count` events to a store snapshotting every `interval`, closes it, and returns the
    /// state it had.
    ///
    /// Task 1 has, as subject and description, two markers set by two separate updates at seq
    /// `markAt` and `markAt + 1`: the bytes "subject · description" then appear together in every
    /// snapshot taken after them, and in no event (each event holds one of them alone).
    static func populate(
        _ folder: TestFolder,
        _ backend: TestBackend = .lmdb,
        count: Int,
        interval: UInt64,
        markAt: Int
    ) throws -> TasklogState {
        let store = try folder.open(backend, options: .testing(snapshotInterval: interval))
        _ = try store.create(NewTask(subject: "Task 1"), actor: "writer")
        var written = 1
        while written < count {
            written += 1
            switch written {
            case markAt: _ = try store.update(1, TaskChanges(subject: markerSubject), actor: "writer")
            case markAt + 1: _ = try store.update(1, TaskChanges(description: markerDescription), actor: "writer")
            case _ where written % 3 == 0:
                let id = Int.random(in: 1...(try store.tasks().count))
                _ = try store.update(id, TaskChanges(metadata: ["touched": .int(Int64(written))]), actor: "writer")
            default: _ = try store.create(NewTask(subject: "Task \(written)"), actor: "writer")
            }
        }
        #expect(try store.lastSeq() == UInt64(count))
        return try store.state()
    }

    static let markerSubject = "SNAPSHOT-MARKER-SUBJECT-7Q"
    static let markerDescription = "SNAPSHOT-MARKER-DESCRIPTION-7Q"

    /// The body of list "default" stored by each snapshot, by seq, as it lies in the file
    /// (compressed), read through a store that is then closed.
    static func storedBodies(_ folder: TestFolder) throws -> [UInt64: [UInt8]] {
        let store = try folder.open(.lmdb, options: .testing())
        return try store.backend.read { txn in
            var bodies: [UInt64: [UInt8]] = [:]
            for seq in try txn.snapshotSeqs() {
                bodies[seq] = try txn.withSnapshotBody(list: "default", seq: seq) { Array($0) }
            }
            return bodies
        }
    }

    /// The newest snapshot's seq, and how many there are, read through a store that is then closed.
    static func snapshotFigures(
        _ folder: TestFolder,
        _ backend: TestBackend = .lmdb
    ) throws -> (
        newest: UInt64?, count: Int
    ) {
        let store = try folder.open(backend, options: .testing())
        let stats = try store.stats()
        return (stats.newestSnapshotSeq, stats.snapshots)
    }

    @Test(
        "Snapshots are written every N events and recovery starts from the newest",
        arguments: [1, 7, 25] as [UInt64],
        TestBackend.allCases
    )
    func snapshotsEveryNEvents(_ interval: UInt64, _ backend: TestBackend) throws {
        try TestFolder.with("snapshots") { folder in
            let count = 60
            let written = try Self.populate(folder, backend, count: count, interval: interval, markAt: 2)
            let newest = UInt64(count) / interval * interval
            let figures = try Self.snapshotFigures(folder, backend)
            #expect(figures.newest == newest)
            // Old snapshots may be thinned (SnapshotRetention), never beyond what was written.
            #expect(figures.count >= 1 && figures.count <= count / Int(interval))

            let capture = LogCapture()
            let store = try folder.open(backend, options: .testing(capture: capture))
            // Opening reads the snapshot's directory only; the lists are loaded when first used.
            let opened = try #require(store.recovery)
            #expect(opened.snapshotSeq == newest)
            #expect(opened.replayedEvents == 0 && opened.listsLoaded == 0)
            let state = try store.state()
            let recovery = try #require(store.recovery)
            #expect(recovery.replayedEvents == count - Int(newest))
            #expect(recovery.listsLoaded == recovery.listsTotal)
            #expect(recovery.skippedSnapshots == 0)
            #expect(capture.messages.isEmpty)
            #expect(state == written)
            #expect(state == (try store.fullReplay()))
            #expect(try store.verify().isHealthy)
        }
    }

    @Test(
        "An import ends with the snapshots of the same events committed one by one: the same seqs and states",
        arguments: [1, 4, 7] as [UInt64],
        TestBackend.allCases
    )
    func importKeepsTheSnapshotsOfOneByOne(_ interval: UInt64, _ backend: TestBackend) throws {
        let options = TaskStore.Options.testing(snapshotInterval: interval)
        let (events, written) = try TestFolder.with("one-by-one") { folder in
            // Several lists, so that some bodies are shared by snapshots the retention drops.
            let original = try folder.open(.inMemory, options: options)
            var random = SeededRandom(seed: 7)
            for _ in 0..<150 { LazyListTests.randomCommand(original, &random) }
            return (try original.allEvents(), try Self.snapshotStates(original))
        }
        #expect(written.count > 2)
        try TestFolder.with("imported") { folder in
            #expect(try folder.open(backend, options: options).importEvents(events) == events.count)
            let copy = try folder.open(backend, options: options)
            #expect(try Self.snapshotStates(copy) == written)
            #expect(try copy.verify().isHealthy)
        }
    }

    /// The state each snapshot of `store` holds, by seq.
    static func snapshotStates(_ store: TaskStore) throws -> [UInt64: TasklogState] {
        try store.core.read { txn in
            var states: [UInt64: TasklogState] = [:]
            for seq in try txn.snapshotSeqs() {
                states[seq] = try txn.withSnapshot(at: seq) { try store.core.snapshotState($0, storedAt: seq, txn) }
            }
            return states
        }
    }

    @Test(arguments: TestBackend.allCases)
    func explicitSnapshotIsUsedOnReopen(_ backend: TestBackend) throws {
        try TestFolder.with("explicit-snapshot") { folder in
            let written: TasklogState
            do {
                let store = try folder.open(backend, options: .testing())
                for index in 1...10 { _ = try store.create(NewTask(subject: "Task \(index)")) }
                #expect(try store.snapshot() == 10)
                _ = try store.update(3, TaskChanges(status: .completed))
                // Nothing new since the newest: no second snapshot.
                #expect(try store.snapshot() == 11)
                #expect(try store.snapshot() == 11)
                #expect(try store.stats().snapshots == 2)
                _ = try store.update(4, TaskChanges(status: .inProgress), actor: "a")
                written = try store.state()
            }
            let store = try folder.open(backend, options: .testing())
            #expect(store.recovery?.snapshotSeq == 11)
            #expect(try store.state() == written)
            #expect(store.recovery?.replayedEvents == 1)
            #expect(try store.state() == (try store.fullReplay()))
        }
    }

    @Test("A damaged newest snapshot (in the LMDB file) falls back to an older one")
    func damagedNewestSnapshotFallsBackToAnOlderOne() throws {
        try TestFolder.with("damaged-newest") { folder in
            // Snapshots at 10, 20, 30, 40; the markers are set at 33 and 34, so only the snapshot at 40 has them.
            let written = try Self.populate(folder, count: 45, interval: 10, markAt: 33)
            let figures = try Self.snapshotFigures(folder)
            #expect(figures.newest == 40)
            #expect(figures.count == 4)

            let body = try #require(try Self.storedBodies(folder)[40])
            let bytes = try DataFile.read(folder.storePath)
            let offsets = DataFile.offsets(of: body, in: bytes)
            try #require(!offsets.isEmpty, "the snapshot at seq 40 is not where expected")
            for offset in offsets {
                // Overwrite bytes in the middle of the list's body.
                try DataFile.overwrite(folder.storePath, at: offset + body.count / 2, with: Array("DAMAGED".utf8))
            }

            let capture = LogCapture()
            let store = try TaskStore.open(at: folder.storePath, options: .testing(capture: capture))
            // The directory of the snapshot at 40 is intact; the damage is in the body of the
            // list, found when the list is loaded, which then starts from the snapshot at 30.
            #expect(store.recovery?.snapshotSeq == 40)
            let state = try store.state()
            let recovery = try #require(store.recovery)
            #expect(recovery.skippedSnapshots == 1)
            #expect(recovery.replayedEvents == 15)
            #expect(
                capture.messages.contains { $0.contains("snapshot at seq 40") && $0.contains("not usable") },
                "\(capture.messages)"
            )
            #expect(state == written)
            #expect(state == (try store.fullReplay()))
            #expect(try store.get(1)?.subject == Self.markerSubject)
            // verify names the damaged snapshot, and the events are intact.
            let report = try store.verify()
            #expect(report.firstBadSeq == nil)
            #expect(report.problems.contains { $0.message.contains("snapshot at seq 40") }, "\(report.problems)")
            // The store keeps working, and the next snapshot is good.
            _ = try store.create(NewTask(subject: "After the damage"))
            #expect(try store.snapshot() == 46)
            #expect(try store.state() == (try store.fullReplay()))
        }
    }

    @Test("Every snapshot damaged (in the LMDB file) means a full replay")
    func everySnapshotDamagedMeansAFullReplay() throws {
        try TestFolder.with("damaged-all") { folder in
            // The markers are set at 2 and 3, so every snapshot (10, 20, 30, 40) has them.
            let written = try Self.populate(folder, count: 45, interval: 10, markAt: 2)
            let bodies = try Self.storedBodies(folder)
            #expect(bodies.count == 4)
            let bytes = try DataFile.read(folder.storePath)
            for body in bodies.values {
                let offsets = DataFile.offsets(of: body, in: bytes)
                try #require(!offsets.isEmpty, "a body of \(body.count) bytes is not in the file")
                for offset in offsets {
                    try DataFile.overwrite(folder.storePath, at: offset + body.count / 2, with: [0xFF, 0x00, 0xFF])
                }
            }

            let capture = LogCapture()
            let store = try TaskStore.open(at: folder.storePath, options: .testing(capture: capture))
            #expect(try store.state() == written)
            let recovery = try #require(store.recovery)
            #expect(recovery.skippedSnapshots == 4)
            #expect(recovery.replayedEvents == 45)
            #expect(
                capture.messages.contains { $0.contains("replaying its events from the first") },
                "\(capture.messages)"
            )
            #expect(capture.messages.filter { $0.contains("not usable") }.count == 4)
            #expect(try store.state() == (try store.fullReplay()))
        }
    }

    @Test("A snapshot of another reducer version (written into the LMDB file) is ignored")
    func snapshotOfAnotherReducerVersionIsIgnored() throws {
        try TestFolder.with("reducer-version") { folder in
            let written = try Self.populate(folder, count: 25, interval: 10, markAt: 2)
            do {
                // Re-tag the newest snapshot (20) with another reducer version, with a valid checksum.
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                let log = (store.backend as! LMDBBackend)
                try log.environment.write { txn in
                    var bytes = try #require(
                        try txn.withValue(in: log.layout.snapshots, key: UInt64(20)) {
                            $0.withUnsafeBytes { Array($0) }
                        }
                    )
                    bytes[1] ^= 0x40  // the reducer version follows the format byte
                    let checksum = bytes.withUnsafeBytes {
                        XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[..<(bytes.count - 8)]))
                    }
                    withUnsafeBytes(of: checksum.littleEndian) { bytes.replaceSubrange((bytes.count - 8)..., with: $0) }
                    try txn.put(in: log.layout.snapshots, key: Key.uint64(20), value: bytes)
                }
            }
            let capture = LogCapture()
            let store = try TaskStore.open(at: folder.storePath, options: .testing(capture: capture))
            #expect(store.recovery?.snapshotSeq == 10)
            _ = try store.state()
            let recovery = try #require(store.recovery)
            #expect(recovery.skippedSnapshots == 1)
            #expect(recovery.replayedEvents == 15)
            #expect(
                capture.messages.contains { $0.contains("snapshot at seq 20") && $0.contains("reducer version") },
                "\(capture.messages)"
            )
            #expect(try store.state() == written)
        }
    }
}
