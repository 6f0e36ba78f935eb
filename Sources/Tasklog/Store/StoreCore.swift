import Synchronization
import TasklogCore

/// How the in-memory state was loaded: at open, and list by list since.
public struct RecoveryInfo: Sendable, Hashable {
    /// The seq of the snapshot the lists start from, or `nil` for none (replay from the first event).
    public var snapshotSeq: UInt64?
    /// Events folded after the snapshot into the lists loaded so far.
    public var replayedEvents: Int
    /// Time spent opening and loading lists, in seconds.
    public var seconds: Double
    /// Snapshots skipped as damaged or of another reducer version.
    public var skippedSnapshots: Int
    /// Lists loaded so far, of those the log holds.
    public var listsLoaded: Int
    public var listsTotal: Int
}

/// The loaded state: a cache of the log in memory, caught up to the log's last seq before every use.
///
/// Lists are loaded lazily: opening reads only a snapshot's directory, and a list is decoded (its
/// body in the newest snapshot, plus its events after it) the first time a command or query
/// needs it. `state` holds the loaded lists and where the log stands.
struct LoadedState {
    var state = TasklogState()
    /// Lists the log holds that are not in `state` yet.
    var unloaded: Set<String> = []
    /// The snapshot written or read last (0: none), and the lists with events after it: a new
    /// snapshot copies the others' bodies from it instead of encoding them again.
    var base: UInt64 = 0
    var changedSinceBase: Set<String> = []
    /// Snapshots found unusable as a whole at open (damaged directory, another reducer version).
    var unusable: Set<UInt64> = []
    var lastLink = ChainLink.zero
    /// Set while the state holds events not (yet) committed; the next use reloads it, unless a
    /// batch is committing (``batch``).
    var dirty = true
    /// Set while the writer's batch commits: the state holds its events, and readers are served
    /// the state before them.
    var batch: BatchUndo?
    var recovery: RecoveryInfo?
}

/// Which lists a reader needs loaded.
enum ListNeed {
    case none
    case list(String)
    case all
}

/// The state and the backend behind a ``TaskStore``: what the writer thread and the readers share.
///
/// Reading is here; writing (on the writer thread only) in `StoreCore+Commands.swift`, snapshots
/// in `StoreCore+Snapshots.swift`, imports and index rebuilds in `StoreCore+Import.swift`.
final class StoreCore: Sendable {
    let backend: any StorageBackend
    let options: TaskStore.Options
    let loaded = Mutex(LoadedState())

    /// Whether the store opened the backend itself (and so closes it), rather than its caller.
    private let ownsBackend: Bool
    private let closed = Atomic(false)

    init(backend: any StorageBackend, ownsBackend: Bool, options: TaskStore.Options) {
        self.backend = backend
        self.ownsBackend = ownsBackend
        self.options = options
    }

    /// Reads after it fail; the backend is closed too if the store opened it.
    func close() {
        guard !closed.exchange(true, ordering: .acquiringAndReleasing) else { return }
        if ownsBackend { backend.close() }
    }

    /// Runs `body` in a read transaction of the backend: the one way queries read the store.
    func read<R>(_ body: (any StorageReader) throws -> R) throws -> R {
        guard !closed.load(ordering: .acquiring) else {
            throw TasklogError(.storage, "the store is closed; open it again")
        }
        return try backend.read(body)
    }

    /// Runs `body` in a write transaction of the backend, for writes besides the writer thread's
    /// batches (leases).
    func write<R>(_ body: (any StorageWriter) throws -> R) throws -> R {
        guard !closed.load(ordering: .acquiring) else {
            throw TasklogError(.storage, "the store is closed; open it again")
        }
        return try backend.write(body)
    }

    // MARK: Reading

    /// Runs `body` on the state caught up to the last committed event of any process, with the
    /// lists it `needs` loaded.
    func withState<R>(_ needs: ListNeed = .none, _ body: (borrowing LoadedState) throws -> R) throws -> R {
        // The transaction first, then the state's lock: the order the writer keeps too.
        try read { txn in
            try loaded.withLock { engine in
                if let batch = engine.batch {
                    // A batch is committing: its events are not served. The state before it is.
                    var committed = batch.committed(engine)
                    try load(needs, &committed, txn)
                    return try body(committed)
                }
                try catchUp(&engine, txn)
                try load(needs, &engine, txn)
                return try body(engine)
            }
        }
    }

    /// Brings `engine` up to the log's last seq: the events since, or a reload if it is dirty.
    /// Events of lists not loaded are left in the log, for when the list is loaded.
    func catchUp(_ engine: inout LoadedState, _ txn: any StorageReader) throws {
        let last = try EventLog.lastSeq(txn)
        if engine.dirty || last < engine.state.lastSeq {
            try recover(&engine, txn, last: last)
            return
        }
        guard last > engine.state.lastSeq else { return }
        // All or nothing: a catch-up cut off half-way (a lost connection, which the backend may
        // answer by running the transaction again) leaves the state to be reloaded at its next
        // use, never one whose events and chain link disagree.
        engine.dirty = true
        try EventLog.forEachEvent(txn, from: engine.state.lastSeq + 1) { event in
            if engine.unloaded.contains(event.list) {
                engine.state.lastSeq = event.seq
                engine.state.lastTimestamp = event.timestamp
                engine.changedSinceBase.insert(event.list)
            } else {
                Reducer.apply(event, to: &engine.state)
                engine.changedSinceBase.insert(event.list)
            }
            return true
        }
        engine.lastLink = try EventLog.lastLink(txn)
        engine.dirty = false
    }

    /// Opens the state lazily: the newest usable snapshot's directory names the lists, the events
    /// after it name the lists begun since, and no list is decoded yet. An old snapshot (format 1
    /// or 2, without a directory) is decoded whole.
    func recover(_ engine: inout LoadedState, _ txn: any StorageReader, last: UInt64) throws {
        let clock = ContinuousClock()
        let started = clock.now
        var fresh = LoadedState()
        var skipped = 0
        let newest = try newestSnapshot(atOrBefore: last, txn) { seq, bytes -> OpenedSnapshot in
            bytes.first.map { $0 >= 3 } == true
                ? .directory(try SnapshotCodec.directory(of: bytes, storedAt: seq))
                : .whole(try SnapshotCodec.decode(bytes, storedAt: seq))
        } refused: { seq, error in
            skipped += 1
            fresh.unusable.insert(seq)
            options.log("the snapshot at seq \(seq) is not usable (\(error)); trying an older one")
        }
        switch newest?.value {
        case .directory(let directory)?:
            fresh.unloaded = Set(directory.lists.keys)
            fresh.state.lastSeq = directory.lastSeq
            fresh.state.lastTimestamp = directory.lastTimestamp
        case .whole(let state)?:
            fresh.state = state
        case nil:
            break
        }
        fresh.base = newest?.seq ?? 0
        let snapshotSeq = newest?.seq
        if snapshotSeq == nil && skipped > 0 { options.log("no usable snapshot: replaying the whole log") }
        var replayed = 0
        if fresh.state.lists.isEmpty {
            // The tail: which lists it touches (they are loaded with their events when needed).
            // A String and a hash only for a list not met yet (a scan of the names met, while few).
            var seen: [[UInt8]] = []
            try EventLog.forEachEnvelope(txn, from: fresh.state.lastSeq + 1) { seq, timestamp, list in
                if seen.count > 64 || !seen.contains(where: { Replayer.same($0, list) }) {
                    if seen.count <= 64 { seen.append(Array(list)) }
                    let id = String(decoding: list, as: UTF8.self)
                    fresh.unloaded.insert(id)
                    fresh.changedSinceBase.insert(id)
                }
                fresh.state.lastSeq = seq
                fresh.state.lastTimestamp = timestamp
            }
        } else {
            // An old snapshot was decoded whole: its tail is folded in now.
            var replayer = Replayer(fresh.state)
            fresh.state = TasklogState()
            replayed = try EventLog.fold(txn, from: replayer.seq + 1, into: &replayer)
            fresh.state = replayer.finish()
        }
        fresh.lastLink = try EventLog.lastLink(txn)
        fresh.dirty = false
        let elapsed = clock.now - started
        fresh.recovery = RecoveryInfo(
            snapshotSeq: snapshotSeq,
            replayedEvents: replayed,
            seconds: elapsed.seconds,
            skippedSnapshots: skipped,
            listsLoaded: fresh.state.lists.count,
            listsTotal: fresh.state.lists.count + fresh.unloaded.count
        )
        // Lists the old state had loaded are loaded again, so that a reload keeps its cost where it was.
        let wanted = engine.state.lists.keys.filter { fresh.unloaded.contains($0) }
        engine = fresh
        for list in wanted { try load(.list(list), &engine, txn) }
    }

    /// Loads the lists a reader or command `needs`.
    func load(_ needs: ListNeed, _ engine: inout LoadedState, _ txn: any StorageReader) throws {
        switch needs {
        case .none: return
        case .list(let id):
            guard engine.unloaded.contains(id) else { return }
            let clock = ContinuousClock()
            let started = clock.now
            let (list, replayed, skipped) = try listState(id, at: engine.state.lastSeq, skipping: engine.unusable, txn)
            engine.state.lists[id] = list
            engine.unloaded.remove(id)
            // A body found unusable is not shared with the next snapshot: that one encodes the list afresh.
            if skipped > 0 { engine.changedSinceBase.insert(id) }
            engine.recovery?.replayedEvents += replayed
            engine.recovery?.skippedSnapshots += skipped
            engine.recovery?.seconds += (clock.now - started).seconds
            engine.recovery?.listsLoaded += 1
        case .all:
            for id in engine.unloaded.sorted() { try load(.list(id), &engine, txn) }
        }
    }

    /// List `id` as of seq `target`: the body that the first snapshot after it shows unchanged
    /// since (``unchangedList(_:at:from:_:)``), or else its body in the newest usable snapshot
    /// at or before it, plus its events after that snapshot; how many events were folded, and how
    /// many snapshots were passed over as unusable (damaged, or of another reducer version).
    /// Snapshots in `skipping` are known to be unusable and passed over without a word.
    ///
    /// With `throughIndexes`, the events after that snapshot may be found through the task and
    /// workflow indexes rather than by walking the log (``seqsFromIndex(of:after:through:startingFrom:_:)``):
    /// for time travel and history, which trust the indexes as history always has (`tasklog
    /// verify` checks them against the log). The live state, what checks the indexes, and a
    /// fork (which writes new events from what it reads) read the log alone.
    func listState(
        _ id: String,
        at target: UInt64,
        skipping unusable: Set<UInt64> = [],
        throughIndexes: Bool = false,
        _ txn: any StorageReader
    ) throws
        -> (TaskListState, replayed: Int, skipped: Int)
    {
        let seqs = try txn.snapshotSeqs()
        if let next = seqs.first(where: { $0 > target && !unusable.contains($0) }),
            let unchanged = try unchangedList(id, at: target, from: next, txn)
        {
            return (unchanged, 0, 0)
        }
        var list = TaskListState()
        var from: UInt64 = 0
        var skipped = 0
        if target > 0 {
            let newest = try newestSnapshot(atOrBefore: target, among: seqs, skipping: unusable, txn) { seq, bytes in
                try snapshotList(id, bytes, storedAt: seq, txn)
            } refused: { seq, error in
                skipped += 1
                options.log("the snapshot at seq \(seq) is not usable for list \(id) (\(error)); trying an older one")
            }
            if let newest {
                list = newest.value
                from = newest.seq
            } else if skipped + unusable.count > 0 {
                options.log("no usable snapshot for list \(id): replaying its events from the first")
            }
        }
        guard from < target else { return (list, 0, skipped) }
        let indexed =
            throughIndexes ? try seqsFromIndex(of: id, after: from, through: target, startingFrom: list, txn) : nil
        var seed = TasklogState()
        seed.lists[id] = consume list
        var replayer = Replayer(seed)
        let replayed: Int
        if let indexed, let first = indexed.first, let last = indexed.last, last - first < 4 * UInt64(indexed.count) {
            // The list's events lie close together: one walk of the log from the first is
            // cheaper than a seek for each. It finds as many as the indexes named, or they and
            // the log disagree.
            replayed = try EventLog.fold(txn, from: first, through: last, list: id, into: &replayer)
            guard replayed == indexed.count else {
                throw TasklogError(
                    .corrupt,
                    "the indexes of list \(id) name \(indexed.count) events from seq \(first) through \(last), but the log holds \(replayed): the indexes and the log disagree; run `tasklog verify`"
                )
            }
        } else if let indexed {
            try EventLog.fold(txn, at: indexed, list: id, into: &replayer)
            replayed = indexed.count
        } else {
            replayed = try EventLog.fold(txn, from: from + 1, through: target, list: id, into: &replayer)
        }
        return (replayer.finish().list(id), replayed, skipped)
    }

    /// The seqs of list `id`'s events after `from` through `target`, in order, from the task and
    /// workflow indexes, when the log between holds far more events than the list has keys in
    /// them (estimated from `list`, the list at `from`): the index walk then costs the list's
    /// entries, where the log walk would cost every list's events. `nil`: walk the log.
    private func seqsFromIndex(
        of id: String,
        after from: UInt64,
        through target: UInt64,
        startingFrom list: borrowing TaskListState,
        _ txn: any StorageReader
    ) throws -> [UInt64]? {
        let keys = UInt64(min(list.highWater, 1 << 40) + list.workflows.count + 16)
        let (limit, overflow) = keys.multipliedReportingOverflow(by: options.logEventsPerIndexKey)
        // Stepping over an index entry costs less than half what stepping over an event does
        // (no checksum): past twice the events, walk the log.
        let budget =
            options.logEventsPerIndexKey == 0
            ? .max : Int(clamping: (target - from).multipliedReportingOverflow(by: 2).partialValue)
        guard !overflow, target - from > limit,
            let seqs = try txn.listSeqs(id, from: from + 1, through: target, budget: budget)
        else { return nil }
        return Set(seqs).sorted()
    }

    /// List `id` as of seq `target`, read from `next`, the first usable snapshot after `target`,
    /// alone when that snapshot shows the list unchanged since: it names a body stored at or
    /// before `target` (a snapshot names the body of the one before only for a list no event
    /// changed in between, so that body holds the list from the seq it was stored at to this
    /// snapshot), or no body at all (the list had no event yet). `nil` when the list changed in
    /// between, or when the snapshot or the body is not usable: the caller then folds forward from
    /// a snapshot at or before `target`, which reports what it passes over.
    ///
    /// So a list as of a point costs what reading it now costs, whatever the distance to the
    /// snapshot before the point, unless the list changed between the point and the next snapshot.
    func unchangedList(
        _ id: String,
        at target: UInt64,
        from next: UInt64,
        _ txn: any StorageReader
    ) throws -> TaskListState? {
        let directory = try txn.withSnapshot(at: next) { bytes -> SnapshotDirectory? in
            SnapshotCodec.keepsBodiesApart(bytes) ? try? SnapshotCodec.directory(of: bytes, storedAt: next) : nil
        }
        guard let directory = directory ?? nil else { return nil }
        guard let entry = directory.lists[id] else { return TaskListState() }
        guard let storedAt = entry.storedAt, storedAt <= target else { return nil }
        return try? storedList(id, entry, txn)
    }

    /// What a snapshot read at open gives: the directory of a snapshot of format 3 to 5, or the
    /// whole state of an older one (decoded whole).
    enum OpenedSnapshot {
        case directory(SnapshotDirectory)
        case whole(TasklogState)
    }

    /// The newest snapshot at or before seq `target` that `read` accepts, and what it read. Those
    /// it refuses with a ``CodecError`` (damaged, of another reducer version, not saying the seq
    /// they are stored under, a list body missing) are passed to `refused` and passed over; those
    /// in `skipping` are passed over silently. Other errors (of the storage) are thrown. `seqs`
    /// are the snapshots' seqs when the caller has them already.
    ///
    /// A refusal is kept in a variable rather than returned as a `Result`: the backend's generic
    /// `withSnapshot` would need the metadata of `Result<R, CodecError>`, which the Swift runtime
    /// builds the first time with a scan of every conformance the process holds (for
    /// `CodecError: Error`), on the first open of every process.
    func newestSnapshot<R>(
        atOrBefore target: UInt64,
        among seqs: [UInt64]? = nil,
        skipping: Set<UInt64> = [],
        _ txn: any StorageReader,
        read: (UInt64, UnsafeRawBufferPointer) throws -> R,
        refused: (UInt64, CodecError) -> Void = { _, _ in }
    ) throws -> (seq: UInt64, value: R)? {
        for seq in try (seqs ?? txn.snapshotSeqs()).reversed() where seq <= target && !skipping.contains(seq) {
            var refusal: CodecError?
            let stored = try txn.withSnapshot(at: seq) { bytes -> R? in
                do {
                    return try read(seq, bytes)
                } catch let error as CodecError {
                    refusal = error
                    return nil
                }
            }
            if case .some(.some(let value)) = stored { return (seq, value) }
            if let refusal { refused(seq, refusal) }
        }
        return nil
    }

    // MARK: Snapshot contents

    /// The whole state the snapshot `bytes` (stored under `seq`) holds: decoded from its bytes
    /// (formats 1 to 3), or list by list from its stored bodies (formats 4 and 5).
    func snapshotState(
        _ bytes: UnsafeRawBufferPointer,
        storedAt seq: UInt64,
        _ txn: any StorageReader
    ) throws
        -> TasklogState
    {
        guard SnapshotCodec.keepsBodiesApart(bytes) else { return try SnapshotCodec.decode(bytes, storedAt: seq) }
        let directory = try SnapshotCodec.directory(of: bytes, storedAt: seq)
        var state = TasklogState()
        state.lastSeq = directory.lastSeq
        state.lastTimestamp = directory.lastTimestamp
        for (id, entry) in directory.lists { state.lists[id] = try storedList(id, entry, txn) }
        return state
    }

    /// List `id` as the snapshot `bytes` (stored under `seq`) holds it; empty if it has none.
    func snapshotList(
        _ id: String,
        _ bytes: UnsafeRawBufferPointer,
        storedAt seq: UInt64,
        _ txn: any StorageReader
    )
        throws -> TaskListState
    {
        guard bytes.first.map({ $0 >= 3 }) == true else {
            return try SnapshotCodec.decode(bytes, storedAt: seq).list(id)
        }
        let directory = try SnapshotCodec.directory(of: bytes, storedAt: seq)
        guard let entry = directory.lists[id] else { return TaskListState() }
        guard entry.storedAt != nil else { return try SnapshotCodec.decodeList(entry, in: bytes) }
        return try storedList(id, entry, txn)
    }

    /// List `id` from the body a directory `entry` names (formats 4 and 5), checked against the entry.
    func storedList(
        _ id: String,
        _ entry: SnapshotDirectory.Entry,
        _ txn: any StorageReader
    ) throws
        -> TaskListState
    {
        let storedAt = entry.storedAt ?? 0
        let list = try txn.withSnapshotBody(list: id, seq: storedAt) { body in
            try SnapshotCodec.decodeList(entry, in: body)
        }
        guard let list else {
            throw CodecError("the body of list \(id) stored at seq \(storedAt) is missing", at: 0)
        }
        return list
    }
}
