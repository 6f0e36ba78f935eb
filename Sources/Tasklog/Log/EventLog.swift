import TasklogCore

/// The log as the engine reads it from any backend: events by seq, checked.
///
/// A backend stores encoded events and hands back their bytes; every check of what they mean is
/// here, the same on every backend: an event says the seq it is stored under, seqs are dense, the
/// log ends where the head record (written with every commit) says, and a damaged event is named
/// by its seq. It knows the envelope (seq, link), never task semantics.
enum EventLog {
    static let storeFormat = "1"
    /// Bumped when what is indexed changes; a store with another version rebuilds its indexes
    /// when it is opened (``indexVersion(on:)`` adds how the backend lays them out).
    static let indexVersion = "1"

    /// The index version a store on `backend` has once its indexes are current: what is indexed,
    /// and the backend's ``StorageBackend/indexLayout``.
    static func indexVersion(on backend: any StorageBackend) -> String {
        backend.indexLayout.isEmpty ? indexVersion : "\(indexVersion)+\(backend.indexLayout)"
    }

    /// The seq of the last event, 0 for an empty log, checked against the head record: a log
    /// that ends before the last commit lost its tail, and is not served.
    static func lastSeq(_ txn: any StorageReader) throws -> UInt64 {
        let last = try lastKey(txn)
        try checkHead(endsAt: last, txn)
        return last
    }

    /// The seq of the last event stored, 0 for an empty log, whatever the head record says.
    static func lastKey(_ txn: any StorageReader) throws -> UInt64 {
        try txn.withLastEvent { seq, _ in seq } ?? 0
    }

    /// Throws if the head record (written with every commit) names a seq past `last`, the last
    /// event stored: the store lost committed events. A store older than the head record has none.
    static func checkHead(endsAt last: UInt64, _ txn: any StorageReader) throws {
        guard let head = try txn.meta("head").flatMap(Self.decodeHead), head.seq > last else { return }
        throw TasklogError(
            .corrupt,
            "the log ends at seq \(last) but \(head.seq) events were committed: events \(last + 1)…\(head.seq) are missing; run `tasklog verify` and see the README on salvage"
        )
    }

    /// The event stored at `seq`; a missing or damaged one throws, for a seq the caller knows is
    /// in the log (at most the last seq, or named by an index).
    static func event(at seq: UInt64, _ txn: any StorageReader) throws -> Event {
        try stored(seq, txn) { bytes throws(CodecError) in try EventCodec.decode(bytes) }
    }

    /// The timestamp of the event at `seq`, read from its envelope (checksum checked).
    static func timestamp(at seq: UInt64, _ txn: any StorageReader) throws -> Timestamp {
        try stored(seq, txn) { bytes throws(CodecError) in try EventCodec.timestamp(bytes) }
    }

    /// What `read` makes of the bytes stored at `seq`: the one place an event is read by its seq,
    /// so that a missing or damaged one is reported the same way by every reader.
    private static func stored<R>(
        _ seq: UInt64,
        _ txn: any StorageReader,
        _ read: (UnsafeRawBufferPointer) throws(CodecError) -> R
    ) throws -> R {
        let value = try txn.withEvent(at: seq) { bytes throws(TasklogError) in
            do throws(CodecError) { return try read(bytes) } catch { throw damaged(seq, error) }
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
    static func lastLink(_ txn: any StorageReader) throws -> ChainLink {
        try txn.withLastEvent { seq, bytes throws(TasklogError) in
            do throws(CodecError) { return try EventCodec.storedLink(bytes) } catch { throw damaged(seq, error) }
        } ?? .zero
    }

    /// Decodes every event with seq ≥ `start`, in order, checking that seqs are dense.
    /// Events past `end` are not read (nor decoded), so a bound short of a damaged event reads cleanly.
    static func forEachEvent(
        _ txn: any StorageReader,
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
    static func fold(
        _ txn: any StorageReader,
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

    /// Folds the events at `seqs`, in the order given, into `replayer` straight from their bytes:
    /// the events of list `list` the indexes named. An event that is missing or damaged throws,
    /// and so does one of another list: the indexes and the log then disagree.
    static func fold(_ txn: any StorageReader, at seqs: [UInt64], list: String, into replayer: inout Replayer) throws {
        let wanted = Array(list.utf8)
        for seq in seqs {
            let ofList = try stored(seq, txn) { bytes throws(CodecError) -> Bool in
                let envelope = try EventCodec.envelope(bytes)
                guard Replayer.same(wanted, UnsafeRawBufferPointer(rebasing: bytes[envelope.list])) else {
                    return false
                }
                let stored = try replayer.apply(encoded: bytes)
                guard stored == seq else { throw CodecError("it says it is seq \(stored)", at: 0) }
                return true
            }
            guard ofList else {
                throw TasklogError(
                    .corrupt,
                    "the indexes of list \(list) name the event at seq \(seq), which is of another list: the indexes and the log disagree; run `tasklog verify`"
                )
            }
        }
    }

    /// The envelope of every event with seq ≥ `start`: seq, timestamp and the list's name as
    /// bytes, checksum checked.
    static func forEachEnvelope(
        _ txn: any StorageReader,
        from start: UInt64,
        _ body: (UInt64, Timestamp, UnsafeRawBufferPointer) throws -> Void
    ) throws {
        try forEachValue(txn, from: start, through: .max) { seq, bytes in
            let envelope = try envelope(seq, bytes)
            try body(seq, envelope.timestamp, UnsafeRawBufferPointer(rebasing: bytes[envelope.list]))
            return true
        }
    }

    private static func envelope(
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
    private static func forEachValue(
        _ txn: any StorageReader,
        from start: UInt64,
        through end: UInt64,
        _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool
    ) throws {
        var expected = start
        var stopped = false
        try txn.forEachEvent(from: start) { seq, bytes in
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
            stopped = try !body(seq, bytes)
            return !stopped
        }
        if !stopped && expected <= end { try checkHead(endsAt: expected &- 1, txn) }
    }

    static func damaged(_ seq: UInt64, _ error: CodecError) -> TasklogError {
        TasklogError(
            .corrupt,
            "the event at seq \(seq) is damaged (\(error)); run `tasklog verify`, and see the README on salvaging the intact prefix",
            underlying: error
        )
    }

    // MARK: Meta

    /// Writes `format`, `store-id` and `index-version` on a new store; refuses a store of an
    /// unknown format. Returns the index version the store has. A store that has them is only
    /// read: opening takes no writer's lock (on PostgreSQL, no lock that every host's writers share).
    static func prepare(_ backend: any StorageBackend, storeID: () -> String) throws -> String {
        if let version = try backend.read({ txn in try indexVersion(ofPrepared: txn) }) { return version }
        return try backend.write { txn in
            if let version = try indexVersion(ofPrepared: txn) { return version }
            try txn.setMeta("format", Array(Self.storeFormat.utf8))
            try txn.setMeta("store-id", Array(storeID().utf8))
            let version = indexVersion(on: backend)
            try txn.setMeta("index-version", Array(version.utf8))
            return version
        }
    }

    /// The index version of a store that has its format record (refusing an unknown format), or
    /// `nil` for a store not prepared yet.
    private static func indexVersion(ofPrepared txn: any StorageReader) throws -> String? {
        guard let format = try txn.meta("format") else { return nil }
        let text = String(decoding: format, as: UTF8.self)
        guard text == Self.storeFormat else {
            throw TasklogError(
                .corrupt,
                "the store has format \(text), which this version of Tasklog does not know; upgrade Tasklog"
            )
        }
        return try txn.meta("index-version").map { String(decoding: $0, as: UTF8.self) } ?? ""
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

    // MARK: Indexes

    /// Writes the index entries of `event`, whose effects `entries` describes.
    static func writeIndex(_ event: Event, _ entries: IndexEntries, _ txn: any StorageWriter) throws {
        for key in entries.keys(of: event) { try txn.addIndexEntry(key, seq: event.seq) }
    }

    /// Every seq under `key` in `low…high`, in seq order.
    static func seqs(
        _ txn: any StorageReader,
        _ key: IndexKey,
        from low: UInt64 = 1,
        through high: UInt64 = .max
    )
        throws -> [UInt64]
    {
        try txn.indexSeqs(key, from: low, through: high, newestFirst: false, limit: .max)
    }
}
