import LMDB
import TasklogCore

/// The LMDB side of a store: which databases hold what, and the few operations on them.
///
/// It stores encoded events and snapshots; it knows the envelope (seq, link), never task semantics.
///
/// | database | key | value |
/// | --- | --- | --- |
/// | `events` | seq, 8 bytes big-endian | an encoded event (``EventCodec``) |
/// | `snapshots` | seq, 8 bytes big-endian | an encoded state (``SnapshotCodec``) |
/// | `meta` | a name | `format`, `store-id`, `head` (last seq and link) |
/// | `idempotency` | list, NUL, key | seq of the first event the command wrote |
struct EventLog: Sendable {
    static let databaseNames = ["events", "snapshots", "meta", "idempotency", "leases"] + EventIndex.databaseNames
    static let storeFormat = "1"

    let environment: Environment
    let events: Database
    let snapshots: Database
    let meta: Database
    let idempotency: Database
    let indexTask: Database
    let indexWorkflow: Database
    let indexActor: Database
    let indexType: Database

    init(environment: Environment) {
        self.environment = environment
        events = environment.database("events")
        snapshots = environment.database("snapshots")
        meta = environment.database("meta")
        idempotency = environment.database("idempotency")
        indexTask = environment.database("index_task")
        indexWorkflow = environment.database("index_workflow")
        indexActor = environment.database("index_actor")
        indexType = environment.database("index_type")
    }

    /// The seq of the last event, 0 for an empty log, checked against the head record: a log
    /// that ends before the last commit lost its tail, and is not served.
    func lastSeq(_ txn: borrowing some ReadableTransaction & ~Copyable) throws -> UInt64 {
        let last = try lastKey(txn)
        try checkHead(endsAt: last, txn)
        return last
    }

    /// The seq of the last event stored, 0 for an empty log, whatever the head record says.
    func lastKey(_ txn: borrowing some ReadableTransaction & ~Copyable) throws -> UInt64 {
        try txn.withLast(in: events) { key, _ in
            guard key.byteCount == 8 else {
                throw TasklogError(
                    .corrupt,
                    "the log's last key is \(key.byteCount) bytes, not 8; run `tasklog verify`"
                )
            }
            return Key.uint64(from: key)
        } ?? 0
    }

    /// Throws if the head record (written with every commit) names a seq past `last`, the last
    /// event stored: the data file lost committed events. A store older than the head record has none.
    func checkHead(endsAt last: UInt64, _ txn: borrowing some ReadableTransaction & ~Copyable) throws {
        guard let head = try metaValue(txn, "head").flatMap(Self.decodeHead), head.seq > last else { return }
        throw TasklogError(
            .corrupt,
            "the log ends at seq \(last) but \(head.seq) events were committed: events \(last + 1)…\(head.seq) are missing; run `tasklog verify` and see the README on salvage"
        )
    }

    /// The event stored at `seq`; a missing or damaged one throws, for a seq the caller knows is
    /// in the log (at most the last seq, or named by an index).
    func event(at seq: UInt64, _ txn: borrowing some ReadableTransaction & ~Copyable) throws -> Event {
        try stored(seq, txn) { bytes throws(CodecError) in try EventCodec.decode(bytes) }
    }

    /// The timestamp of the event at `seq`, read from its envelope (checksum checked).
    func timestamp(at seq: UInt64, _ txn: borrowing some ReadableTransaction & ~Copyable) throws -> Timestamp {
        try stored(seq, txn) { bytes throws(CodecError) in try EventCodec.timestamp(bytes) }
    }

    /// What `read` makes of the bytes stored at `seq`: the one place an event is read by its seq,
    /// so that a missing or damaged one is reported the same way by every reader.
    private func stored<R>(
        _ seq: UInt64,
        _ txn: borrowing some ReadableTransaction & ~Copyable,
        _ read: (UnsafeRawBufferPointer) throws(CodecError) -> R
    ) throws -> R {
        let value = try txn.withValue(in: events, key: seq) { value in
            try value.withUnsafeBytes { bytes throws(TasklogError) in
                do throws(CodecError) { return try read(bytes) } catch { throw damaged(seq, error) }
            }
        }
        guard let value else {
            throw TasklogError(
                .corrupt,
                "event \(seq) is missing from the log; run `tasklog verify` and see the README on salvage"
            )
        }
        return value
    }

    /// The link stored in the last event, `.zero` for an empty log.
    func lastLink(_ txn: borrowing some ReadableTransaction & ~Copyable) throws -> ChainLink {
        try txn.withLast(in: events) { key, value in
            let seq = Key.uint64(from: key)
            return try value.withUnsafeBytes { bytes throws(TasklogError) in
                do throws(CodecError) { return try EventCodec.storedLink(bytes) } catch { throw damaged(seq, error) }
            }
        } ?? .zero
    }

    /// Decodes every event with seq ≥ `start`, in order, checking that seqs are dense.
    /// Events past `end` are not read (nor decoded), so a bound short of a damaged event reads cleanly.
    func forEachEvent(
        _ txn: borrowing some ReadableTransaction & ~Copyable,
        from start: UInt64,
        through end: UInt64 = .max,
        _ body: (Event) throws -> Bool
    ) throws {
        try forEachValue(txn, from: start, through: end) { seq, bytes in
            let event: Event
            do throws(CodecError) { event = try EventCodec.decode(bytes) } catch { throw damaged(seq, error) }
            try Self.check(event.seq, storedUnder: seq)
            return try body(event)
        }
    }

    /// Folds the events with seq in `start…end` into `replayer` straight from their bytes (only
    /// those of list `list`, when given); returns how many were folded.
    @discardableResult
    func fold(
        _ txn: borrowing some ReadableTransaction & ~Copyable,
        from start: UInt64,
        through end: UInt64 = .max,
        list: String? = nil,
        into replayer: inout Replayer
    ) throws -> Int {
        var folded = 0
        let wanted = Array((list ?? "").utf8)
        try forEachValue(txn, from: start, through: end) { seq, bytes in
            if list != nil {
                let stored = UnsafeRawBufferPointer(rebasing: bytes[try envelope(seq, bytes).list])
                guard Replayer.same(wanted, stored) else { return true }
            }
            let stored: UInt64
            do throws(CodecError) { stored = try replayer.apply(encoded: bytes) } catch { throw damaged(seq, error) }
            try Self.check(stored, storedUnder: seq)
            folded += 1
            return true
        }
        return folded
    }

    /// The envelope of every event with seq ≥ `start`: seq, timestamp and the list's name as
    /// bytes, checksum checked.
    func forEachEnvelope(
        _ txn: borrowing some ReadableTransaction & ~Copyable,
        from start: UInt64,
        _ body: (UInt64, Timestamp, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try forEachValue(txn, from: start, through: .max) { seq, bytes in
            let envelope = try envelope(seq, bytes)
            try body(seq, envelope.timestamp, UnsafeRawBufferPointer(rebasing: bytes[envelope.list]))
            return true
        }
    }

    private func envelope(
        _ seq: UInt64,
        _ bytes: UnsafeRawBufferPointer
    ) throws -> (seq: UInt64, timestamp: Timestamp, list: Range<Int>) {
        let envelope: (seq: UInt64, timestamp: Timestamp, list: Range<Int>)
        do throws(CodecError) { envelope = try EventCodec.envelope(bytes) } catch { throw damaged(seq, error) }
        try Self.check(envelope.seq, storedUnder: seq)
        return envelope
    }

    /// Throws unless an event stored under `key` says it is that seq.
    private static func check(_ seq: UInt64, storedUnder key: UInt64) throws {
        guard seq != key else { return }
        throw TasklogError(.corrupt, "the event stored under seq \(key) says it is \(seq); run `tasklog verify`")
    }

    /// The stored bytes of every event with seq in `start…end`, in order, checking that seqs are
    /// dense up to the bound (the key after it too, so that a gap just past a walk's last event
    /// is not taken for the end of the range); `body` returns `false` to stop. A walk that reaches
    /// the last event stored before its bound checks it against the head record.
    private func forEachValue(
        _ txn: borrowing some ReadableTransaction & ~Copyable,
        from start: UInt64,
        through end: UInt64,
        _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var expected = start
        var stopped = false
        try txn.forEach(in: events, from: Key.uint64(start)) { key, value in
            guard key.byteCount == 8 else {
                throw TasklogError(
                    .corrupt,
                    "the log holds a key of \(key.byteCount) bytes after seq \(expected - 1); run `tasklog verify`"
                )
            }
            let seq = Key.uint64(from: key)
            guard seq == expected || expected > end else {
                throw TasklogError(
                    .corrupt,
                    "the log has a gap: event \(expected) is missing before \(seq); run `tasklog verify` and see the README on salvage"
                )
            }
            guard seq <= end else {
                stopped = true
                return false
            }
            expected += 1
            stopped = try !value.withUnsafeBytes { try body(seq, $0) }
            return !stopped
        }
        if !stopped && expected <= end { try checkHead(endsAt: expected &- 1, txn) }
    }

    func damaged(_ seq: UInt64, _ error: CodecError) -> TasklogError {
        TasklogError(
            .corrupt,
            "the event at seq \(seq) is damaged (\(error)); run `tasklog verify`, and see the README on salvaging the intact prefix"
        )
    }

    // MARK: Meta

    func metaValue(_ txn: borrowing some ReadableTransaction & ~Copyable, _ name: String) throws -> [UInt8]? {
        try txn.withValue(in: meta, key: Array(name.utf8)) { value in value.withUnsafeBytes { Array($0) } }
    }

    func setMeta(_ txn: borrowing WriteTransaction, _ name: String, _ value: [UInt8]) throws {
        try txn.put(in: meta, key: Array(name.utf8), value: value)
    }

    /// Writes `format` and `store-id` on a new store; refuses a store of an unknown format.
    func prepare(storeID: () -> String) throws {
        try environment.write { txn in
            if let format = try metaValue(txn, "format") {
                let text = String(decoding: format, as: UTF8.self)
                guard text == Self.storeFormat else {
                    throw TasklogError(
                        .corrupt,
                        "the store has format \(text), which this version of Tasklog does not know; upgrade Tasklog"
                    )
                }
            } else {
                try setMeta(txn, "format", Array(Self.storeFormat.utf8))
                try setMeta(txn, "store-id", Array(storeID().utf8))
                try setMeta(txn, "index-version", Array(EventIndex.version.utf8))
            }
        }
    }

    /// The head record: the last seq and its link, as written with every commit.
    static func encodeHead(seq: UInt64, link: ChainLink) -> [UInt8] {
        var writer = ByteWriter(capacity: 24)
        writer.fixed64(seq)
        writer.link(link)
        return writer.bytes
    }

    static func decodeHead(_ bytes: [UInt8]) -> (seq: UInt64, link: ChainLink)? {
        bytes.withUnsafeBytes { raw in
            guard raw.count == 24 else { return nil }
            var reader = ByteReader(raw)
            guard let seq = try? reader.fixed64(), let link = try? reader.link() else { return nil }
            return (seq, link)
        }
    }

    // MARK: Idempotency

    static func idempotencyKey(list: String, key: String) -> [UInt8] {
        Array(list.utf8) + [0] + Array(key.utf8)
    }
}
