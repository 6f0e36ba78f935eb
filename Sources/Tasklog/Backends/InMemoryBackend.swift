import Foundation
public import TasklogCore

/// A store kept in memory: the backend for tests, the embedders' own and ours.
///
/// It keeps every promise of ``TasklogCore/StorageBackend`` within one process: a read sees one
/// committed state (a copy of it, taken when the read begins, so readers never wait for a writer);
/// writes are serialised and become visible all at once when they commit; a failed write leaves
/// nothing. It is not durable (nothing survives the process), and it is simple rather than fast:
/// a write copies each collection it changes, so a write costs time in the size of the store.
///
/// ```swift
/// let store = try TaskStore.open(backend: InMemoryBackend())
/// let task = try store.create(NewTask(subject: "Write the test"))
/// ```
///
/// Several `TaskStore`s may open one `InMemoryBackend` at once, like processes sharing an LMDB
/// directory: each catches up to the others' commits.
public final class InMemoryBackend: StorageBackend, @unchecked Sendable {
    /// What the store holds; copied on write.
    struct Contents {
        var events: [[UInt8]] = []
        var snapshots: [UInt64: [UInt8]] = [:]
        var snapshotBodies: [SnapshotBodyKey: [UInt8]] = [:]
        var meta: [String: [UInt8]] = [:]
        var idempotency: [String: [UInt8]] = [:]
        var indexes: [IndexKey: [UInt64]] = [:]
        var indexCounts: [IndexKey.Kind: Int] = [:]
        var leases: [LeaseKey: Lease] = [:]

        var bytes: Int {
            events.reduce(0) { $0 + $1.count } + snapshots.values.reduce(0) { $0 + $1.count }
                + snapshotBodies.values.reduce(0) { $0 + $1.count }
        }
    }

    struct SnapshotBodyKey: Hashable {
        var list: String
        var seq: UInt64
    }

    struct LeaseKey: Hashable, Comparable {
        var list: String
        var owner: String
        var session: String

        static func < (lhs: LeaseKey, rhs: LeaseKey) -> Bool {
            (lhs.list, lhs.owner, lhs.session) < (rhs.list, rhs.owner, rhs.session)
        }
    }

    public let location: String
    /// Guards `published`, `commits` and `closed`; signalled at every commit.
    private let condition = NSCondition()
    /// Held through a whole write: one writer at a time.
    private let writeLock = NSLock()
    private var published = Contents()
    private var commits: UInt64 = 0
    private var closed = false

    /// A new, empty store; `name` is what messages call it.
    public init(name: String = "in-memory store") {
        location = name
    }

    public func read<R>(_ body: (any StorageReader) throws -> R) throws -> R {
        try body(InMemoryReader(contents: try committed()))
    }

    public func write<R>(_ body: (any StorageWriter) throws -> R) throws -> R {
        writeLock.lock()
        defer { writeLock.unlock() }
        let writer = InMemoryWriter(contents: try committed())
        let result = try body(writer)
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { throw Self.closedError }
        published = writer.contents
        commits += 1
        condition.broadcast()
        return result
    }

    public func watchChanges() -> (any ChangeWatch)? {
        CommitWatch(backend: self)
    }

    public func statistics() throws -> StorageStatistics {
        let bytes = try committed().bytes
        return StorageStatistics(storedBytes: bytes, usedBytes: bytes, capacityBytes: bytes)
    }

    public func storageProblems() -> [String] { [] }

    public func close() {
        condition.lock()
        closed = true
        condition.broadcast()
        condition.unlock()
    }

    private func committed() throws -> Contents {
        condition.lock()
        defer { condition.unlock() }
        guard !closed else { throw Self.closedError }
        return published
    }

    private static var closedError: TasklogError {
        TasklogError(.storage, "the in-memory store was closed; its contents are gone")
    }

    /// A follower's wait: the commit count, signalled at each commit.
    private final class CommitWatch: ChangeWatch, @unchecked Sendable {
        let backend: InMemoryBackend

        init(backend: InMemoryBackend) { self.backend = backend }

        func changes() -> UInt64 {
            backend.condition.lock()
            defer { backend.condition.unlock() }
            return backend.commits
        }

        func wait(after seen: UInt64, seconds: Double, until stopped: () -> Bool) {
            let deadline = Date(timeIntervalSinceNow: seconds)
            backend.condition.lock()
            defer { backend.condition.unlock() }
            while backend.commits == seen && !backend.closed && !stopped() {
                guard backend.condition.wait(until: deadline) else { return }
            }
        }

        func wake() {
            backend.condition.lock()
            backend.condition.broadcast()
            backend.condition.unlock()
        }

        func cancel() {}
    }
}

/// A read of an ``InMemoryBackend``: the contents committed when it began.
private struct InMemoryReader: StorageReader {
    let contents: InMemoryBackend.Contents
}

/// A write of an ``InMemoryBackend``: a working copy, published when the write commits.
private final class InMemoryWriter: StorageWriter {
    var contents: InMemoryBackend.Contents

    init(contents: InMemoryBackend.Contents) { self.contents = contents }

    func appendEvent(_ seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        guard seq == UInt64(contents.events.count) + 1 else {
            throw InMemoryBackendError.notNext(seq, after: UInt64(contents.events.count))
        }
        contents.events.append(Array(bytes))
    }

    func addIndexEntry(_ key: IndexKey, seq: UInt64) throws {
        contents.indexes[key, default: []].append(seq)
        contents.indexCounts[key.kind, default: 0] += 1
    }

    func removeAllIndexEntries() throws {
        contents.indexes = [:]
        contents.indexCounts = [:]
    }

    func setIdempotencyRecord(list: String, key: String, _ value: [UInt8]) throws {
        contents.idempotency[InMemoryBackend.idempotencyKey(list, key)] = value
    }

    func setMeta(_ name: String, _ value: [UInt8]) throws { contents.meta[name] = value }

    func putSnapshot(_ seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws { contents.snapshots[seq] = Array(bytes) }

    func deleteSnapshot(_ seq: UInt64) throws { contents.snapshots[seq] = nil }

    func putSnapshotBody(list: String, seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        contents.snapshotBodies[.init(list: list, seq: seq)] = Array(bytes)
    }

    func deleteSnapshotBody(list: String, seq: UInt64) throws {
        contents.snapshotBodies[.init(list: list, seq: seq)] = nil
    }

    func putLease(_ lease: Lease) throws {
        contents.leases[.init(list: lease.list, owner: lease.owner, session: lease.session)] = lease
    }

    @discardableResult
    func deleteLease(list: String, owner: String, session: String) throws -> Bool {
        contents.leases.removeValue(forKey: .init(list: list, owner: owner, session: session)) != nil
    }
}

/// A write the in-memory backend refuses: a bug of the engine, never of a user's input.
enum InMemoryBackendError: Error, CustomStringConvertible {
    case notNext(UInt64, after: UInt64)

    var description: String {
        switch self {
        case .notNext(let seq, let last): "event \(seq) appended after \(last): seqs must be dense"
        }
    }
}

extension InMemoryBackend {
    static func idempotencyKey(_ list: String, _ key: String) -> String { list + "\u{0}" + key }
}

/// Both the reader and the writer read their contents the same way.
private protocol InMemoryContentsReader: StorageReader {
    var contents: InMemoryBackend.Contents { get }
}

extension InMemoryReader: InMemoryContentsReader {}
extension InMemoryWriter: InMemoryContentsReader {}

extension InMemoryContentsReader {
    func withLastEvent<R>(_ body: (UInt64, UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard let last = contents.events.last else { return nil }
        return try last.withUnsafeBytes { try body(UInt64(contents.events.count), $0) }
    }

    func withEvent<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard seq >= 1, seq <= UInt64(contents.events.count) else { return nil }
        return try contents.events[Int(seq - 1)].withUnsafeBytes(body)
    }

    func forEachEvent(from start: UInt64, _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        var seq = max(start, 1)
        while seq <= UInt64(contents.events.count) {
            guard try contents.events[Int(seq - 1)].withUnsafeBytes({ try body(seq, $0) }) else { return }
            seq += 1
        }
    }

    func snapshotSeqs() throws -> [UInt64] { contents.snapshots.keys.sorted() }

    func lastSnapshotSeq() throws -> UInt64? { contents.snapshots.keys.max() }

    func withSnapshot<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try contents.snapshots[seq].map { try $0.withUnsafeBytes(body) }
    }

    func withSnapshotBody<R>(list: String, seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try contents.snapshotBodies[.init(list: list, seq: seq)].map { try $0.withUnsafeBytes(body) }
    }

    func meta(_ name: String) throws -> [UInt8]? { contents.meta[name] }

    func idempotencyRecord(list: String, key: String) throws -> [UInt8]? {
        contents.idempotency[InMemoryBackend.idempotencyKey(list, key)]
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
        guard low <= high, limit > 0, let all = contents.indexes[key] else { return [] }
        let start = Self.firstIndex(in: all) { $0 >= low }
        let end = Self.firstIndex(in: all) { $0 > high }
        guard start < end else { return [] }
        let range = all[start..<end]
        return newestFirst ? Array(range.reversed().prefix(limit)) : Array(range.prefix(limit))
    }

    func listSeqs(_ list: String, from low: UInt64, through high: UInt64, budget: Int) throws -> [UInt64]? {
        var seqs: [UInt64] = []
        var stepped = 0
        for (key, all) in contents.indexes {
            switch key {
            case .task(list, _), .workflow(list, _):
                stepped += all.count
                guard stepped <= budget else { return nil }
                seqs += all.filter { $0 >= low && $0 <= high }
            default: continue
            }
        }
        return seqs
    }

    func containsIndexEntry(_ key: IndexKey, seq: UInt64) throws -> Bool {
        guard let all = contents.indexes[key] else { return false }
        let index = Self.firstIndex(in: all) { $0 >= seq }
        return index < all.count && all[index] == seq
    }

    func indexEntryCount(_ kind: IndexKey.Kind) throws -> Int { contents.indexCounts[kind, default: 0] }

    func leases(in list: String?, owner: String?) throws -> [Lease] {
        contents.leases.keys.sorted()
            .filter { key in (list == nil || key.list == list) && (owner == nil || key.owner == owner) }
            .compactMap { contents.leases[$0] }
    }

    /// The first index of the sorted `seqs` where `isPast` holds (binary search).
    private static func firstIndex(in seqs: [UInt64], where isPast: (UInt64) -> Bool) -> Int {
        var low = 0
        var high = seqs.count
        while low < high {
            let mid = (low + high) / 2
            if isPast(seqs[mid]) { high = mid } else { low = mid + 1 }
        }
        return low
    }
}
