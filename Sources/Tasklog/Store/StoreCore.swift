import LMDB
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

/// The in-memory state: a cache of the log, caught up to the log's last seq before every use.
///
/// Lists are loaded lazily: opening reads only a snapshot's directory, and a list is decoded (its
/// body in the newest snapshot, plus its events after it) the first time a command or query
/// needs it. `state` holds the loaded lists and where the log stands.
struct Engine {
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
    /// Set while the state holds events not (yet) committed; the next use reloads it.
    var dirty = true
    var recovery: RecoveryInfo?
}

/// Which lists a reader needs loaded.
enum ListNeed {
    case none
    case list(String)
    case all
}

/// The state and the log behind a ``TaskStore``: what the writer thread and the readers share.
final class StoreCore: Sendable {
    let log: EventLog
    let options: TaskStore.Options
    let engine = Mutex(Engine())

    init(log: EventLog, options: TaskStore.Options) {
        self.log = log
        self.options = options
    }

    // MARK: Reading

    /// Runs `body` on the state caught up to the last committed event of any process, with the
    /// lists it `needs` loaded.
    func withState<R>(_ needs: ListNeed = .none, _ body: (borrowing Engine) throws -> R) throws -> R {
        try engine.withLock { engine in
            try Self.storage {
                try log.environment.read { txn in
                    try catchUp(&engine, txn)
                    try load(needs, &engine, txn)
                }
            }
            return try body(engine)
        }
    }

    /// Brings `engine` up to the log's last seq: the events since, or a reload if it is dirty.
    /// Events of lists not loaded are left in the log, for when the list is loaded.
    func catchUp(_ engine: inout Engine, _ txn: borrowing some ReadableTransaction & ~Copyable) throws {
        let last = try log.lastSeq(txn)
        if engine.dirty || last < engine.state.lastSeq {
            try recover(&engine, txn, last: last)
            return
        }
        guard last > engine.state.lastSeq else { return }
        try log.forEachEvent(txn, from: engine.state.lastSeq + 1) { event in
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
        engine.lastLink = try log.lastLink(txn)
    }

    /// Opens the state lazily: the newest usable snapshot's directory names the lists, the events
    /// after it name the lists begun since, and no list is decoded yet. An old snapshot (format 1
    /// or 2, without a directory) is decoded whole.
    func recover(_ engine: inout Engine, _ txn: borrowing some ReadableTransaction & ~Copyable, last: UInt64) throws {
        let clock = ContinuousClock()
        let started = clock.now
        var fresh = Engine()
        var skipped = 0
        let newest = try newestSnapshot(atOrBefore: last, txn) { seq, bytes throws(CodecError) -> OpenedSnapshot in
            bytes.first == 3
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
            try log.forEachEnvelope(txn, from: fresh.state.lastSeq + 1) { seq, timestamp, list in
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
            replayed = try log.fold(txn, from: replayer.seq + 1, into: &replayer)
            fresh.state = replayer.finish()
        }
        fresh.lastLink = try log.lastLink(txn)
        fresh.dirty = false
        let elapsed = clock.now - started
        fresh.recovery = RecoveryInfo(
            snapshotSeq: snapshotSeq,
            replayedEvents: replayed,
            seconds: Self.seconds(elapsed),
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
    func load(_ needs: ListNeed, _ engine: inout Engine, _ txn: borrowing some ReadableTransaction & ~Copyable) throws {
        switch needs {
        case .none: return
        case .list(let id):
            guard engine.unloaded.contains(id) else { return }
            let clock = ContinuousClock()
            let started = clock.now
            let (list, replayed, skipped) = try listState(id, at: engine.state.lastSeq, skipping: engine.unusable, txn)
            engine.state.lists[id] = list
            engine.unloaded.remove(id)
            engine.recovery?.replayedEvents += replayed
            engine.recovery?.skippedSnapshots += skipped
            engine.recovery?.seconds += Self.seconds(clock.now - started)
            engine.recovery?.listsLoaded += 1
        case .all:
            for id in engine.unloaded.sorted() { try load(.list(id), &engine, txn) }
        }
    }

    /// List `id` as of seq `target`: its body in the newest usable snapshot at or before it, plus
    /// its events after that snapshot; how many events were folded, and how many snapshots were
    /// passed over as unusable (damaged, or of another reducer version). Snapshots in `skipping`
    /// are known to be unusable and passed over without a word.
    func listState(
        _ id: String,
        at target: UInt64,
        skipping unusable: Set<UInt64> = [],
        _ txn: borrowing some ReadableTransaction & ~Copyable
    ) throws
        -> (TaskListState, replayed: Int, skipped: Int)
    {
        var list = TaskListState()
        var from: UInt64 = 0
        var skipped = 0
        if target > 0 {
            let newest = try newestSnapshot(atOrBefore: target, skipping: unusable, txn) {
                seq,
                bytes throws(CodecError) -> TaskListState in
                guard bytes.first == 3 else { return try SnapshotCodec.decode(bytes, storedAt: seq).list(id) }
                let directory = try SnapshotCodec.directory(of: bytes, storedAt: seq)
                guard let entry = directory.lists[id] else { return TaskListState() }
                return try SnapshotCodec.decodeList(entry, in: bytes)
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
        var seed = TasklogState()
        seed.lists[id] = consume list
        var replayer = Replayer(seed)
        let replayed = try log.fold(txn, from: from + 1, through: target, list: id, into: &replayer)
        return (replayer.finish().list(id), replayed, skipped)
    }

    /// What a snapshot read at open gives: the directory of a format-3 snapshot, or the whole
    /// state of an older one (decoded whole).
    enum OpenedSnapshot {
        case directory(SnapshotDirectory)
        case whole(TasklogState)
    }

    /// The newest snapshot at or before seq `target` that `read` accepts, and what it read. Those
    /// it refuses (damaged, of another reducer version, not saying the seq they are stored under)
    /// are passed to `refused` and passed over; those in `skipping` are passed over silently.
    func newestSnapshot<R>(
        atOrBefore target: UInt64,
        skipping: Set<UInt64> = [],
        _ txn: borrowing some ReadableTransaction & ~Copyable,
        read: (UInt64, UnsafeRawBufferPointer) throws(CodecError) -> R,
        refused: (UInt64, CodecError) -> Void = { _, _ in }
    ) throws -> (seq: UInt64, value: R)? {
        var found: (seq: UInt64, value: R)?
        try txn.forEach(in: log.snapshots, from: Key.uint64(target), reverse: true) { key, value in
            let seq = Key.uint64(from: key)
            guard !skipping.contains(seq) else { return true }
            let result = value.withUnsafeBytes { bytes in Result { () throws(CodecError) in try read(seq, bytes) } }
            switch result {
            case .success(let value):
                found = (seq, value)
                return false
            case .failure(let error):
                refused(seq, error)
                return true
            }
        }
        return found
    }

    static func seconds(_ duration: Duration) -> Double {
        Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
    }

    // MARK: Writing (on the writer thread only)

    /// Commits `jobs` in one write transaction and completes each.
    func process(_ jobs: [Job]) {
        var results: [Result<Job.Result, any Error>] = []
        var ledger: (path: String, run: String, text: String)?
        engine.withLock { engine in
            do {
                results = try Self.storage {
                    try log.environment.write { txn in
                        try catchUp(&engine, txn)
                        let headBefore = engine.state.lastSeq
                        let now = max(options.clock(), engine.state.lastTimestamp)
                        var results: [Result<Job.Result, any Error>] = []
                        results.reserveCapacity(jobs.count)
                        for job in jobs {
                            results.append(try perform(job.kind, &engine, txn, now: now))
                        }
                        if engine.state.lastSeq != headBefore {
                            try log.setMeta(
                                txn,
                                "head",
                                EventLog.encodeHead(seq: engine.state.lastSeq, link: engine.lastLink)
                            )
                            try snapshotIfDue(&engine, txn, force: false)
                        }
                        return results
                    }
                }
                engine.dirty = false
                if let path = options.ledgerPath {
                    ledger = Self.ledgerToWrite(results, engine.state, path: path, policy: options.milestones)
                }
            } catch {
                engine.dirty = true
                results = jobs.map { _ in .failure(error) }
            }
        }
        if let ledger {
            // After the commit, outside the lock; a failed write warns and never fails the command.
            do {
                if let other = LedgerFile.activeRun(at: ledger.path, replacedBy: ledger.run) {
                    options.log(
                        "the ledger \(ledger.path) held run \(other), which is still in progress, and now holds another; put {workflow_id} in ledger_path to give each run its own file"
                    )
                }
                try LedgerFile.write(ledger.text, to: ledger.path)
            } catch {
                options.log("the ledger could not be written to \(ledger.path) (\(error)); the log has the checkpoint")
            }
        }
        for (job, result) in zip(jobs, results) { job.complete(result) }
    }

    /// The ledger of the last workflow whose state a committed command changed, rendered, and the
    /// file it goes to: `path` with `{workflow_id}` replaced by the run's id (one file per run).
    private static func ledgerToWrite(
        _ results: [Result<Job.Result, any Error>],
        _ state: TasklogState,
        path: String,
        policy: MilestonePolicy
    ) -> (path: String, run: String, text: String)? {
        for result in results.reversed() {
            guard case .success(.outcome(let outcome)) = result, let id = outcome.workflowID else { continue }
            for (listID, list) in state.lists {
                if list.workflows[id] != nil, let view = WorkflowView(id: id, in: list, policy: policy) {
                    return (LedgerFile.path(path, forRun: id), id, Ledger.render(view, taskList: listID))
                }
            }
        }
        return nil
    }

    /// One job inside the write transaction. A refusal is the job's result; storage errors
    /// propagate so that the whole transaction aborts (and, for a full map, runs again).
    private func perform(
        _ kind: Job.Kind,
        _ engine: inout Engine,
        _ txn: borrowing WriteTransaction,
        now: Timestamp
    )
        throws -> Result<Job.Result, any Error>
    {
        switch kind {
        case .command(let command, let list, let actor, let key):
            do {
                return .success(
                    .outcome(try execute(command, list: list, actor: actor, key: key, &engine, txn, now: now))
                )
            } catch let refusal as TasklogError {
                return .failure(refusal)
            }
        case .snapshot:
            try snapshotIfDue(&engine, txn, force: true)
            return .success(.snapshot(engine.state.lastSeq))
        case .rebuildIndexes:
            return .success(.rebuilt(try rebuildIndexes(txn)))
        case .importEvents(let events, let progress):
            do {
                return .success(.imported(try importEvents(events, progress, &engine, txn)))
            } catch let refusal as TasklogError {
                return .failure(refusal)
            }
        }
    }

    private func execute(
        _ command: TaskCommand,
        list: String,
        actor: String?,
        key: String?,
        _ engine: inout Engine,
        _ txn: borrowing WriteTransaction,
        now: Timestamp
    ) throws -> CommandOutcome {
        try load(.list(list), &engine, txn)
        if let key, let outcome = try deduplicated(command, list: list, key: key, engine, txn) { return outcome }
        // Decide on the list, then let go of it before appending: a copy of the list kept alive
        // across the append would make the reducer copy every task of the list (copy on write).
        let payloads: [EventPayload]
        var statusBefore: TaskStatus?
        do {
            let listState = engine.state.list(list)
            payloads = try Decider.decide(command, in: listState, actor: actor, policy: options.milestones, now: now)
            if case .update(let id, _) = command { statusBefore = listState.tasks[id]?.status }
        }
        var seqs: [UInt64] = []
        for payload in payloads {
            let event = Event(
                seq: engine.state.lastSeq + 1,
                timestamp: now,
                list: list,
                actor: actor,
                idempotencyKey: key,
                payload: payload
            )
            try append(event, &engine, txn)
            seqs.append(event.seq)
        }
        if let key, let first = seqs.first {
            try txn.put(
                in: log.idempotency,
                key: EventLog.idempotencyKey(list: list, key: key),
                value: Key.uint64(first) + Key.uint64(command.fingerprint)
            )
        }
        return outcome(
            of: command,
            payloads: payloads,
            statusBefore: statusBefore,
            after: engine.state.list(list),
            seqs: seqs
        )
    }

    private func append(_ event: Event, _ engine: inout Engine, _ txn: borrowing WriteTransaction) throws {
        let (bytes, link) = EventCodec.encode(event, after: engine.lastLink)
        try bytes.withUnsafeBytes { try txn.append(in: log.events, key: event.seq, value: $0) }
        engine.dirty = true
        engine.changedSinceBase.insert(event.list)
        let entries = EventIndex.apply(event, to: &engine.state)
        engine.lastLink = link
        try EventIndex.write(event, entries, to: log, txn)
    }

    private func outcome(
        of command: TaskCommand,
        payloads: [EventPayload],
        statusBefore: TaskStatus?,
        after: TaskListState,
        seqs: [UInt64]
    ) -> CommandOutcome {
        var outcome = CommandOutcome(
            task: nil,
            taskID: nil,
            updatedFields: [],
            statusChange: nil,
            seqs: seqs,
            releasedTaskIDs: [],
            deduplicated: false
        )
        for payload in payloads {
            if case .checkpointRecorded(let workflow, let step, let name, _) = payload,
                let checkpoint = after.workflows[workflow]?.checkpoints.first(where: {
                    $0.step == step && $0.name == name
                })
            {
                outcome.checkpoints.append(checkpoint)
                outcome.workflowID = workflow
            }
            if let workflow = payload.workflowID { outcome.workflowID = workflow }
        }
        switch command {
        case .create:
            if case .taskCreated(let created)? = payloads.first {
                outcome.taskID = created.id
                outcome.task = after.tasks[created.id]
            }
        case .update(let id, _):
            outcome.taskID = id
            outcome.task = after.tasks[id]
            switch payloads.first {
            case .taskUpdated(let updated)?: outcome.updatedFields = updated.fieldNames
            case .taskDeleted?: outcome.updatedFields = ["deleted"]
            default: break
            }
            if let old = statusBefore {
                let new = after.tasks[id]?.status ?? .deleted
                if old != new { outcome.statusChange = .init(from: old, to: new) }
            }
        case .release:
            outcome.releasedTaskIDs = payloads.compactMap {
                if case .taskUpdated(let updated) = $0 { updated.id } else { nil }
            }
        case .addDependency(let blocker, _), .removeDependency(let blocker, _):
            outcome.taskID = blocker
            outcome.task = after.tasks[blocker]
            outcome.updatedFields = payloads.isEmpty ? [] : ["blocks"]
        case .startWorkflow, .checkpoint, .completeWorkflow, .failWorkflow, .forkWorkflow:
            break
        }
        return outcome
    }

    /// The outcome of an earlier command with the same idempotency key, if there was one.
    private func deduplicated(
        _ command: TaskCommand,
        list: String,
        key: String,
        _ engine: borrowing Engine,
        _ txn: borrowing WriteTransaction
    ) throws -> CommandOutcome? {
        let dbKey = EventLog.idempotencyKey(list: list, key: key)
        // The seq, then (since keys carry one) the fingerprint of the command that used the key.
        let stored = try txn.withValue(in: log.idempotency, key: dbKey) { value -> (UInt64, UInt64?) in
            let fingerprint =
                value.byteCount >= 16
                ? UInt64(bigEndian: value.unsafeLoadUnaligned(fromByteOffset: 8, as: UInt64.self)) : nil
            return (Key.uint64(from: value), fingerprint)
        }
        guard let (seq, fingerprint) = stored else { return nil }
        if let fingerprint, fingerprint != command.fingerprint {
            throw TasklogError(
                .conflict,
                "the idempotency key \(key) was used for another command (seq \(seq)); give each new command a key of its own"
            )
        }
        let id = try log.event(at: seq, txn).payload.taskIDs.first
        return CommandOutcome(
            task: id.flatMap { engine.state.list(list).tasks[$0] },
            taskID: id,
            updatedFields: [],
            statusChange: nil,
            seqs: [seq],
            releasedTaskIDs: [],
            deduplicated: true
        )
    }

    private func importEvents(
        _ events: [Event],
        _ progress: (@Sendable (Int, Int) -> Void)?,
        _ engine: inout Engine,
        _ txn: borrowing WriteTransaction
    ) throws -> Int {
        guard engine.state.lastSeq == 0 else {
            throw TasklogError(
                .conflict,
                "the store already holds \(engine.state.lastSeq) events; import only into an empty store"
            )
        }
        var previous = Timestamp(rawValue: .min)
        for (index, event) in events.enumerated() {
            guard event.seq == UInt64(index + 1) else {
                throw TasklogError(
                    .invalidInput,
                    "event \(index + 1) of the import has seq \(event.seq); seqs must run 1, 2, 3, …"
                )
            }
            guard event.timestamp >= previous else {
                throw TasklogError(
                    .invalidInput,
                    "event \(event.seq) of the import is older than the one before it; timestamps must not decrease"
                )
            }
            previous = event.timestamp
        }
        // Validated whole before the first append, so that a refusal writes nothing. Snapshots are
        // written along the way as if the events had come one by one, so time travel into an
        // imported history starts from a near snapshot.
        var snapshotted = try txn.withLast(in: log.snapshots) { key, _ in Key.uint64(from: key) } ?? 0
        for event in events {
            try append(event, &engine, txn)
            if event.seq - snapshotted >= options.snapshotInterval {
                try snapshotIfDue(&engine, txn, force: false)
                snapshotted = event.seq
            }
            if let key = event.idempotencyKey {
                let dbKey = EventLog.idempotencyKey(list: event.list, key: key)
                if try txn.withValue(in: log.idempotency, key: dbKey, { _ in true }) == nil {
                    try txn.put(in: log.idempotency, key: dbKey, value: Key.uint64(event.seq))
                }
            }
            progress?(Int(event.seq), events.count)
        }
        return events.count
    }

    /// Drops the indexes and writes them again from the log; returns the events indexed.
    private func rebuildIndexes(_ txn: borrowing WriteTransaction) throws -> UInt64 {
        for name in EventIndex.databaseNames { try txn.removeAll(in: log.environment.database(name)) }
        var state = TasklogState()
        try log.forEachEvent(txn, from: 1) { event in
            try EventIndex.write(event, EventIndex.apply(event, to: &state), to: log, txn)
            return true
        }
        try log.setMeta(txn, "index-version", Array(EventIndex.version.utf8))
        return state.lastSeq
    }

    /// Writes a snapshot of the state if the interval has passed (or `force`), keeping the newest few.
    ///
    /// A list unchanged since the base snapshot (loaded or not) is copied from it as it is; the
    /// others are encoded, those not loaded being loaded first.
    private func snapshotIfDue(_ engine: inout Engine, _ txn: borrowing WriteTransaction, force: Bool) throws {
        let seq = engine.state.lastSeq
        let newest = try txn.withLast(in: log.snapshots) { key, _ in Key.uint64(from: key) } ?? 0
        guard seq > newest, force || seq - newest >= options.snapshotInterval else { return }
        var copied: [(String, SnapshotBody)] = []
        let unchanged = engine.unloaded.union(engine.state.lists.keys).subtracting(engine.changedSinceBase)
        if engine.base > 0, !unchanged.isEmpty {
            let base = engine.base
            _ = try txn.withValue(in: log.snapshots, key: Key.uint64(base)) { value in
                value.withUnsafeBytes { bytes in
                    guard bytes.first == 3, let directory = try? SnapshotCodec.directory(of: bytes, storedAt: base)
                    else { return }
                    for id in unchanged {
                        guard let entry = directory.lists[id],
                            XXH64.hash(UnsafeRawBufferPointer(rebasing: bytes[entry.range])) == entry.checksum
                        else { continue }  // damaged: loaded below, from an older snapshot and the log
                        copied.append((id, SnapshotCodec.body(entry, in: bytes)))
                    }
                }
            }
        }
        let copiedIDs = Set(copied.map(\.0))
        for id in engine.unloaded.sorted() where !copiedIDs.contains(id) { try load(.list(id), &engine, txn) }
        let bodies =
            copied
            + engine.state.lists.compactMap { id, list in copiedIDs.contains(id) ? nil : (id, SnapshotBody(list)) }
        let bytes = SnapshotCodec.encode(lastSeq: seq, lastTimestamp: engine.state.lastTimestamp, bodies: bodies)
        try bytes.withUnsafeBytes { try txn.append(in: log.snapshots, key: seq, value: $0) }
        engine.base = seq
        engine.changedSinceBase = []
        var seqs: [UInt64] = []
        try txn.forEach(in: log.snapshots, reverse: true) { key, _ in
            seqs.append(Key.uint64(from: key))
            return true
        }
        for seq in SnapshotRetention.drop(seqs, interval: options.snapshotInterval, dense: options.snapshotsKept) {
            try txn.delete(in: log.snapshots, key: Key.uint64(seq))
        }
    }

    // MARK: Errors

    /// Runs `body`, turning LMDB's errors into ``TasklogError``s that say what to do.
    static func storage<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as LMDBError {
            throw TasklogError(error)
        }
    }
}

extension TasklogError {
    /// The engine's reading of an LMDB error.
    init(_ error: LMDBError) {
        if let detail = error.detail {
            // A check of the files before LMDB opened them: its sentence says what to do.
            self.init(error.meansDamage ? .corrupt : .storage, detail)
            return
        }
        switch error.code {
        case .noSpace:
            self.init(
                .storage,
                "the disk is full; nothing was written, and nothing acknowledged was lost: free space and retry"
            )
        case .accessDenied:
            self.init(
                .storage,
                "permission denied on the store (\(error.call)); check the owner and mode of its directory"
            )
        case .readersFull:
            self.init(.storage, "too many processes are reading the store at once; retry when some have finished")
        case .noSuchFile:
            self.init(.notFound, "the store directory does not exist; check --store or TASKLOG_STORE")
        case _ where error.meansDamage:
            self.init(
                .corrupt,
                "the store's data file is damaged (\(error.message)); run `tasklog verify` and see the README on salvage"
            )
        default:
            self.init(.storage, "the storage failed: \(error); retry, and run `tasklog verify` if it persists")
        }
    }
}
