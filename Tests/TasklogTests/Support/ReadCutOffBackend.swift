import Foundation
import Synchronization
import Tasklog
import TasklogCore

/// A backend whose next read is cut off once, at a chosen call of `withLastEvent`, and then run
/// again from the start, as the PostgreSQL backend runs a read again on a new connection when
/// the server drops the old one half-way.
final class ReadCutOffBackend: StorageBackend, @unchecked Sendable {
    let inner: any StorageBackend
    /// The `withLastEvent` call (1 for the first) at which the next read is cut off; 0 for none.
    private let cutAt = Atomic(0)

    init(_ inner: any StorageBackend) { self.inner = inner }

    /// Cuts the next read off at its `call`-th `withLastEvent`.
    func cutNextRead(atLastEventCall call: Int) { cutAt.store(call, ordering: .relaxed) }

    struct ConnectionCutOff: Error {}

    var location: String { inner.location }

    func read<R>(_ body: (any StorageReader) throws -> R) throws -> R {
        let cut = cutAt.exchange(0, ordering: .relaxed)
        if cut > 0 {
            do {
                return try inner.read { reader in try body(CutOffReader(reader, cutAt: cut)) }
            } catch is ConnectionCutOff {
                // Run again, whole, as after a reconnect.
            }
        }
        return try inner.read(body)
    }

    func write<R>(_ body: (any StorageWriter) throws -> R) throws -> R { try inner.write(body) }
    func watchChanges() -> (any ChangeWatch)? { inner.watchChanges() }
    func statistics() throws -> StorageStatistics { try inner.statistics() }
    func storageProblems() -> [String] { inner.storageProblems() }
    func close() { inner.close() }
}

/// A reader that throws ``ReadCutOffBackend/ConnectionCutOff`` at its `cutAt`-th `withLastEvent`.
private final class CutOffReader: StorageReader {
    let inner: any StorageReader
    let cutAt: Int
    var lastEventCalls = 0

    init(_ inner: any StorageReader, cutAt: Int) {
        self.inner = inner
        self.cutAt = cutAt
    }

    func withLastEvent<R>(_ body: (UInt64, UnsafeRawBufferPointer) throws -> R) throws -> R? {
        lastEventCalls += 1
        if lastEventCalls == cutAt { throw ReadCutOffBackend.ConnectionCutOff() }
        return try inner.withLastEvent(body)
    }

    func withEvent<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try inner.withEvent(at: seq, body)
    }

    func forEachEvent(from start: UInt64, _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        try inner.forEachEvent(from: start, body)
    }

    func snapshotSeqs() throws -> [UInt64] { try inner.snapshotSeqs() }
    func lastSnapshotSeq() throws -> UInt64? { try inner.lastSnapshotSeq() }

    func withSnapshot<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try inner.withSnapshot(at: seq, body)
    }

    func withSnapshotBody<R>(list: String, seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try inner.withSnapshotBody(list: list, seq: seq, body)
    }

    func meta(_ name: String) throws -> [UInt8]? { try inner.meta(name) }

    func idempotencyRecord(list: String, key: String) throws -> [UInt8]? {
        try inner.idempotencyRecord(list: list, key: key)
    }

    func indexSeqs(
        _ key: IndexKey,
        from low: UInt64,
        through high: UInt64,
        newestFirst: Bool,
        limit: Int
    ) throws
        -> [UInt64]
    {
        try inner.indexSeqs(key, from: low, through: high, newestFirst: newestFirst, limit: limit)
    }

    func containsIndexEntry(_ key: IndexKey, seq: UInt64) throws -> Bool {
        try inner.containsIndexEntry(key, seq: seq)
    }

    func indexEntryCount(_ kind: IndexKey.Kind) throws -> Int { try inner.indexEntryCount(kind) }

    func leases(in list: String?, owner: String?) throws -> [Lease] { try inner.leases(in: list, owner: owner) }
}
