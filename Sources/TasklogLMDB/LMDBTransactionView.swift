import LMDB
import TasklogCore

/// A transaction of ``LMDBBackend`` seen through the storage protocols: a view of an LMDB
/// transaction that lives only inside the closure of `Environment.read` or `write` that made it.
///
/// The view holds a pointer to the borrowed transaction, never the transaction itself, so the
/// LMDB wrapper's ownership rules stand: the transaction is aborted or committed by its closure.
///
/// Two plain structs, ``LMDBReadView`` and ``LMDBWriteView``, share the reading code through this
/// protocol rather than being one struct generic over the transaction: the metadata of a generic
/// struct is built at run time the first time it is used, with a lookup of its transaction's
/// conformance (a scan of every conformance the process holds), and that cost fell on the first
/// open of every process. Each struct passes the four reads of `ReadableTransaction` the reading
/// code uses to its own transaction.
protocol LMDBTransactionView: StorageReader {
    var layout: LMDBLayout { get }

    func withValue<R>(in database: Database, key: UnsafeRawBufferPointer, _ body: (RawSpan) throws -> R) throws -> R?
    func withLast<R>(in database: Database, _ body: (_ key: RawSpan, _ value: RawSpan) throws -> R) throws -> R?
    func forEach(
        in database: Database,
        from start: [UInt8]?,
        reverse: Bool,
        _ body: (_ key: RawSpan, _ value: RawSpan) throws -> Bool
    ) throws
    func count(in database: Database) throws -> Int
    func forEachDuplicate(
        in database: Database,
        key: UnsafeRawBufferPointer,
        from start: UnsafeRawBufferPointer,
        reverse: Bool,
        _ body: (RawSpan) throws -> Bool
    ) throws
    func contains(in database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws -> Bool
}

/// A read-only transaction's view.
struct LMDBReadView: LMDBTransactionView {
    let transaction: UnsafePointer<ReadTransaction>
    let layout: LMDBLayout

    func withValue<R>(in database: Database, key: UnsafeRawBufferPointer, _ body: (RawSpan) throws -> R) throws -> R? {
        try transaction.pointee.withValue(in: database, key: key, body)
    }

    func withLast<R>(in database: Database, _ body: (RawSpan, RawSpan) throws -> R) throws -> R? {
        try transaction.pointee.withLast(in: database, body)
    }

    func forEach(
        in database: Database,
        from start: [UInt8]?,
        reverse: Bool,
        _ body: (RawSpan, RawSpan) throws -> Bool
    )
        throws
    {
        try transaction.pointee.forEach(in: database, from: start, reverse: reverse, body)
    }

    func count(in database: Database) throws -> Int {
        try transaction.pointee.count(in: database)
    }

    func forEachDuplicate(
        in database: Database,
        key: UnsafeRawBufferPointer,
        from start: UnsafeRawBufferPointer,
        reverse: Bool,
        _ body: (RawSpan) throws -> Bool
    ) throws {
        try transaction.pointee.forEachDuplicate(in: database, key: key, from: start, reverse: reverse, body)
    }

    func contains(in database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws -> Bool {
        try transaction.pointee.contains(in: database, key: key, value: value)
    }
}

/// A write transaction's view: it reads like the others, and writes.
struct LMDBWriteView: LMDBTransactionView, StorageWriter {
    let transaction: UnsafePointer<WriteTransaction>
    let layout: LMDBLayout

    func withValue<R>(in database: Database, key: UnsafeRawBufferPointer, _ body: (RawSpan) throws -> R) throws -> R? {
        try transaction.pointee.withValue(in: database, key: key, body)
    }

    func withLast<R>(in database: Database, _ body: (RawSpan, RawSpan) throws -> R) throws -> R? {
        try transaction.pointee.withLast(in: database, body)
    }

    func forEach(
        in database: Database,
        from start: [UInt8]?,
        reverse: Bool,
        _ body: (RawSpan, RawSpan) throws -> Bool
    )
        throws
    {
        try transaction.pointee.forEach(in: database, from: start, reverse: reverse, body)
    }

    func count(in database: Database) throws -> Int {
        try transaction.pointee.count(in: database)
    }

    func forEachDuplicate(
        in database: Database,
        key: UnsafeRawBufferPointer,
        from start: UnsafeRawBufferPointer,
        reverse: Bool,
        _ body: (RawSpan) throws -> Bool
    ) throws {
        try transaction.pointee.forEachDuplicate(in: database, key: key, from: start, reverse: reverse, body)
    }

    func contains(in database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws -> Bool {
        try transaction.pointee.contains(in: database, key: key, value: value)
    }

    func appendEvent(_ seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        try transaction.pointee.append(in: layout.events, key: seq, value: bytes)
    }

    func addIndexEntry(_ key: IndexKey, seq: UInt64) throws {
        try transaction.pointee.put(in: layout.index(key.kind), key: LMDBLayout.indexKey(key), value: Key.uint64(seq))
    }

    func removeAllIndexEntries() throws {
        for kind in IndexKey.Kind.allCases { try transaction.pointee.removeAll(in: layout.index(kind)) }
        for name in LMDBLayout.formerIndexNames { try transaction.pointee.deleteDatabase(named: name) }
    }

    func setIdempotencyRecord(list: String, key: String, _ value: [UInt8]) throws {
        try transaction.pointee.put(
            in: layout.idempotency,
            key: LMDBLayout.idempotencyKey(list: list, key: key),
            value: value
        )
    }

    func setMeta(_ name: String, _ value: [UInt8]) throws {
        try transaction.pointee.put(in: layout.meta, key: Array(name.utf8), value: value)
    }

    func putSnapshot(_ seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        try Key.uint64(seq).withUnsafeBytes { key in
            try transaction.pointee.put(in: layout.snapshots, key: key, value: bytes)
        }
    }

    func deleteSnapshot(_ seq: UInt64) throws {
        _ = try transaction.pointee.delete(in: layout.snapshots, key: Key.uint64(seq))
    }

    func putSnapshotBody(list: String, seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        try LMDBLayout.snapshotBodyKey(list: list, seq: seq).withUnsafeBytes { key in
            try transaction.pointee.put(in: layout.snapshotBodies, key: key, value: bytes)
        }
    }

    func deleteSnapshotBody(list: String, seq: UInt64) throws {
        _ = try transaction.pointee.delete(
            in: layout.snapshotBodies,
            key: LMDBLayout.snapshotBodyKey(list: list, seq: seq)
        )
    }

    func putLease(_ lease: Lease) throws {
        try transaction.pointee.put(
            in: layout.leases,
            key: LMDBLayout.leaseKey((lease.list, lease.owner, lease.session)),
            value: LMDBLayout.leaseValue(lease)
        )
    }

    @discardableResult
    func deleteLease(list: String, owner: String, session: String) throws -> Bool {
        try transaction.pointee.delete(in: layout.leases, key: LMDBLayout.leaseKey((list, owner, session)))
    }
}

extension LMDBTransactionView {
    func withLastEvent<R>(_ body: (UInt64, UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try withLast(in: layout.events) { key, value in
            try value.withUnsafeBytes { try body(try Self.seq(key), $0) }
        }
    }

    func withEvent<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try withValue(in: layout.events, key: seq) { value in try value.withUnsafeBytes(body) }
    }

    func forEachEvent(from start: UInt64, _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        try forEach(in: layout.events, from: Key.uint64(start), reverse: false) { key, value in
            let seq = try Self.seq(key)
            return try value.withUnsafeBytes { try body(seq, $0) }
        }
    }

    func snapshotSeqs() throws -> [UInt64] {
        var seqs: [UInt64] = []
        try forEach(in: layout.snapshots, from: nil, reverse: false) { key, _ in
            seqs.append(try Self.seq(key))
            return true
        }
        return seqs
    }

    func lastSnapshotSeq() throws -> UInt64? {
        try withLast(in: layout.snapshots) { key, _ in try Self.seq(key) }
    }

    func withSnapshot<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try withValue(in: layout.snapshots, key: seq) { value in try value.withUnsafeBytes(body) }
    }

    func withSnapshotBody<R>(list: String, seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        try LMDBLayout.snapshotBodyKey(list: list, seq: seq).withUnsafeBytes { key in
            try withValue(in: layout.snapshotBodies, key: key) { value in try value.withUnsafeBytes(body) }
        }
    }

    func meta(_ name: String) throws -> [UInt8]? {
        try withValue(in: layout.meta, key: Array(name.utf8)) { value in
            value.withUnsafeBytes { Array($0) }
        }
    }

    func idempotencyRecord(list: String, key: String) throws -> [UInt8]? {
        try withValue(in: layout.idempotency, key: LMDBLayout.idempotencyKey(list: list, key: key)) { value in
            value.withUnsafeBytes { Array($0) }
        }
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
        var seqs: [UInt64] = []
        guard low <= high, limit > 0 else { return seqs }
        let start = Key.uint64(newestFirst ? high : low)
        try LMDBLayout.indexKey(key).withUnsafeBytes { indexKey in
            try start.withUnsafeBytes { start in
                try forEachDuplicate(in: layout.index(key.kind), key: indexKey, from: start, reverse: newestFirst) {
                    value in
                    let seq = try Self.seq(value)
                    guard seq >= low && seq <= high else { return false }
                    seqs.append(seq)
                    return seqs.count < limit
                }
            }
        }
        return seqs
    }

    func listSeqs(_ list: String, from low: UInt64, through high: UInt64, budget: Int) throws -> [UInt64]? {
        guard low <= high else { return [] }
        let prefix = LMDBLayout.listPrefix(list)
        var seqs: [UInt64] = []
        var stepped = 0
        // Every entry of the list's keys: the keys of a list lie together, and its entries cost
        // 8 bytes each on the page, so walking them is cheaper than a seek per key, up to the
        // budget.
        for kind in [IndexKey.Kind.task, .workflow] {
            try forEach(in: layout.index(kind), from: prefix, reverse: false) { key, value in
                guard key.withUnsafeBytes({ $0.starts(with: prefix) }) else { return false }
                stepped += 1
                guard stepped <= budget else { return false }
                let seq = try Self.seq(value)
                if seq >= low && seq <= high { seqs.append(seq) }
                return true
            }
            if stepped > budget { return nil }
        }
        return seqs
    }

    func containsIndexEntry(_ key: IndexKey, seq: UInt64) throws -> Bool {
        try LMDBLayout.indexKey(key).withUnsafeBytes { indexKey in
            try Key.uint64(seq).withUnsafeBytes { value in
                try contains(in: layout.index(key.kind), key: indexKey, value: value)
            }
        }
    }

    func indexEntryCount(_ kind: IndexKey.Kind) throws -> Int {
        try count(in: layout.index(kind))
    }

    func leases(in list: String?, owner: String?) throws -> [Lease] {
        let prefix = LMDBLayout.leasePrefix(list: list, owner: owner)
        var leases: [Lease] = []
        try forEach(in: layout.leases, from: prefix.isEmpty ? nil : prefix, reverse: false) { key, value in
            let bytes = key.withUnsafeBytes { Array($0) }
            guard bytes.starts(with: prefix) else { return false }
            if let lease = LMDBLayout.decodeLease(key: bytes, value: value.withUnsafeBytes { Array($0) }) {
                leases.append(lease)
            }
            return true
        }
        return leases
    }

    /// The value stored under the big-endian `key`, passed to `body`.
    private func withValue<R>(in database: Database, key: UInt64, _ body: (RawSpan) throws -> R) throws -> R? {
        try withUnsafeBytes(of: key.bigEndian) { try withValue(in: database, key: $0, body) }
    }

    private func withValue<R>(in database: Database, key: [UInt8], _ body: (RawSpan) throws -> R) throws -> R? {
        try key.withUnsafeBytes { try withValue(in: database, key: $0, body) }
    }

    /// The seq a key of `events` or `snapshots` stands for; a key of another length is damage.
    private static func seq(_ key: RawSpan) throws -> UInt64 {
        guard key.byteCount == 8 else {
            throw TasklogError(
                .corrupt,
                "the store holds a seq key of \(key.byteCount) bytes, not 8; run `tasklog verify`"
            )
        }
        return Key.uint64(from: key)
    }
}
