import LMDB
import Synchronization
import TasklogCore

/// How the in-memory state was last loaded from the store.
public struct RecoveryInfo: Sendable, Hashable {
    /// The seq of the snapshot it started from, or `nil` for a full replay.
    public var snapshotSeq: UInt64?
    /// Events replayed after the snapshot.
    public var replayedEvents: Int
    /// Time spent loading the snapshot and replaying, in seconds.
    public var seconds: Double
    /// Snapshots skipped as damaged or of another reducer version.
    public var skippedSnapshots: Int
}

/// The in-memory state: a cache of the log, caught up to the log's last seq before every use.
struct Engine {
    var state = TasklogState()
    var lastLink = ChainLink.zero
    /// Set while the state holds events not (yet) committed; the next use reloads it.
    var dirty = true
    var recovery: RecoveryInfo?
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

    /// Runs `body` on the state caught up to the last committed event of any process.
    func withState<R>(_ body: (borrowing Engine) throws -> R) throws -> R {
        try engine.withLock { engine in
            try Self.storage {
                try log.environment.read { txn in try catchUp(&engine, txn) }
            }
            return try body(engine)
        }
    }

    /// Brings `engine` up to the log's last seq: the events since, or a reload if it is dirty.
    func catchUp(_ engine: inout Engine, _ txn: borrowing some ReadableTransaction & ~Copyable) throws {
        let last = try log.lastSeq(txn)
        if engine.dirty || last < engine.state.lastSeq {
            try recover(&engine, txn, last: last)
            return
        }
        guard last > engine.state.lastSeq else { return }
        try log.forEachEvent(txn, from: engine.state.lastSeq + 1) { event in
            Reducer.apply(event, to: &engine.state)
            return true
        }
        engine.lastLink = try log.lastLink(txn)
    }

    /// Loads the newest usable snapshot and replays the events after it.
    func recover(_ engine: inout Engine, _ txn: borrowing some ReadableTransaction & ~Copyable, last: UInt64) throws {
        let clock = ContinuousClock()
        let started = clock.now
        var state = TasklogState()
        var snapshotSeq: UInt64?
        var skipped = 0
        try txn.forEach(in: log.snapshots, reverse: true) { key, value in
            let seq = Key.uint64(from: key)
            do {
                let decoded = try value.withUnsafeBytes { try SnapshotCodec.decode($0) }
                guard decoded.lastSeq == seq, seq <= last else {
                    throw CodecError("it says seq \(decoded.lastSeq) but the log ends at \(last)", at: 0)
                }
                state = decoded
                snapshotSeq = seq
                return false
            } catch {
                skipped += 1
                options.log("the snapshot at seq \(seq) is not usable (\(error)); trying an older one")
                return true
            }
        }
        if snapshotSeq == nil && skipped > 0 { options.log("no usable snapshot: replaying the whole log") }
        var replayed = 0
        try log.forEachEvent(txn, from: state.lastSeq + 1) { event in
            Reducer.apply(event, to: &state)
            replayed += 1
            return true
        }
        engine.state = state
        engine.lastLink = try log.lastLink(txn)
        engine.dirty = false
        let elapsed = clock.now - started
        engine.recovery = RecoveryInfo(
            snapshotSeq: snapshotSeq, replayedEvents: replayed,
            seconds: Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18,
            skippedSnapshots: skipped
        )
    }

    // MARK: Writing (on the writer thread only)

    /// Commits `jobs` in one write transaction and completes each.
    func process(_ jobs: [Job]) {
        var results: [Result<Job.Result, any Error>] = []
        var ledger: (path: String, text: String)?
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
                            try log.setMeta(txn, "head", EventLog.encodeHead(seq: engine.state.lastSeq, link: engine.lastLink))
                            try snapshotIfDue(engine, txn, force: false)
                        }
                        return results
                    }
                }
                engine.dirty = false
                if let path = options.ledgerPath { ledger = Self.ledgerToWrite(results, engine.state).map { (path, $0) } }
            } catch {
                engine.dirty = true
                results = jobs.map { _ in .failure(error) }
            }
        }
        if let ledger {
            // After the commit, outside the lock; a failed write warns and never fails the command.
            do {
                try LedgerFile.write(ledger.text, to: ledger.path)
            } catch {
                options.log("the ledger could not be written to \(ledger.path) (\(error)); the log has the checkpoint")
            }
        }
        for (job, result) in zip(jobs, results) { job.complete(result) }
    }

    /// The ledger of the last workflow whose state a committed command changed, rendered.
    private static func ledgerToWrite(_ results: [Result<Job.Result, any Error>], _ state: TasklogState) -> String? {
        for result in results.reversed() {
            guard case .success(.outcome(let outcome)) = result, let id = outcome.workflowID else { continue }
            for list in state.lists.values {
                if let view = WorkflowView(id: id, in: list), list.workflows[id] != nil { return Ledger.render(view) }
            }
        }
        return nil
    }

    /// One job inside the write transaction. A refusal is the job's result; storage errors
    /// propagate so that the whole transaction aborts (and, for a full map, runs again).
    private func perform(_ kind: Job.Kind, _ engine: inout Engine, _ txn: borrowing WriteTransaction, now: Timestamp)
        throws -> Result<Job.Result, any Error>
    {
        switch kind {
        case .command(let command, let list, let actor, let key):
            do {
                return .success(.outcome(try execute(command, list: list, actor: actor, key: key, &engine, txn, now: now)))
            } catch let refusal as TasklogError {
                return .failure(refusal)
            }
        case .snapshot:
            try snapshotIfDue(engine, txn, force: true)
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
        _ command: TaskCommand, list: String, actor: String?, key: String?, _ engine: inout Engine,
        _ txn: borrowing WriteTransaction, now: Timestamp
    ) throws -> CommandOutcome {
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
                seq: engine.state.lastSeq + 1, timestamp: now, list: list, actor: actor,
                idempotencyKey: key, payload: payload
            )
            try append(event, &engine, txn)
            seqs.append(event.seq)
        }
        if let key, let first = seqs.first {
            try txn.put(in: log.idempotency, key: EventLog.idempotencyKey(list: list, key: key), value: Key.uint64(first))
        }
        return outcome(of: command, payloads: payloads, statusBefore: statusBefore, after: engine.state.list(list), seqs: seqs)
    }

    private func append(_ event: Event, _ engine: inout Engine, _ txn: borrowing WriteTransaction) throws {
        let (bytes, link) = EventCodec.encode(event, after: engine.lastLink)
        try bytes.withUnsafeBytes { try txn.append(in: log.events, key: event.seq, value: $0) }
        engine.dirty = true
        let entries = EventIndex.apply(event, to: &engine.state)
        engine.lastLink = link
        try EventIndex.write(event, entries, to: log, txn)
    }

    private func outcome(
        of command: TaskCommand, payloads: [EventPayload], statusBefore: TaskStatus?, after: TaskListState,
        seqs: [UInt64]
    ) -> CommandOutcome {
        var outcome = CommandOutcome(
            task: nil, taskID: nil, updatedFields: [], statusChange: nil, seqs: seqs, releasedTaskIDs: [],
            deduplicated: false
        )
        for payload in payloads {
            if case .checkpointRecorded(let workflow, let step, let name, _) = payload,
                let checkpoint = after.workflows[workflow]?.checkpoints.first(where: { $0.step == step && $0.name == name })
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
        case .startWorkflow, .checkpoint, .completeWorkflow, .failWorkflow:
            break
        }
        return outcome
    }

    /// The outcome of an earlier command with the same idempotency key, if there was one.
    private func deduplicated(
        _ command: TaskCommand, list: String, key: String, _ engine: borrowing Engine, _ txn: borrowing WriteTransaction
    ) throws -> CommandOutcome? {
        let dbKey = EventLog.idempotencyKey(list: list, key: key)
        guard let seq = try txn.withValue(in: log.idempotency, key: dbKey, { Key.uint64(from: $0) }) else { return nil }
        let event = try txn.withValue(in: log.events, key: seq) { value in
            try value.withUnsafeBytes { bytes throws(TasklogError) in
                do throws(CodecError) { return try EventCodec.decode(bytes) } catch { throw log.damaged(seq, error) }
            }
        }
        let id = event?.payload.taskIDs.first
        return CommandOutcome(
            task: id.flatMap { engine.state.list(list).tasks[$0] }, taskID: id, updatedFields: [], statusChange: nil,
            seqs: [seq], releasedTaskIDs: [], deduplicated: true
        )
    }

    private func importEvents(
        _ events: [Event], _ progress: (@Sendable (Int, Int) -> Void)?, _ engine: inout Engine,
        _ txn: borrowing WriteTransaction
    ) throws -> Int {
        guard engine.state.lastSeq == 0 else {
            throw TasklogError(
                .conflict, "the store already holds \(engine.state.lastSeq) events; import only into an empty store"
            )
        }
        var previous = Timestamp(rawValue: .min)
        for (index, event) in events.enumerated() {
            guard event.seq == UInt64(index + 1) else {
                throw TasklogError(.invalidInput, "event \(index + 1) of the import has seq \(event.seq); seqs must run 1, 2, 3, …")
            }
            guard event.timestamp >= previous else {
                throw TasklogError(.invalidInput, "event \(event.seq) of the import is older than the one before it; timestamps must not decrease")
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
                try snapshotIfDue(engine, txn, force: false)
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
    private func snapshotIfDue(_ engine: borrowing Engine, _ txn: borrowing WriteTransaction, force: Bool) throws {
        let seq = engine.state.lastSeq
        let newest = try txn.withLast(in: log.snapshots) { key, _ in Key.uint64(from: key) } ?? 0
        guard seq > newest, force || seq - newest >= options.snapshotInterval else { return }
        let bytes = SnapshotCodec.encode(engine.state)
        try bytes.withUnsafeBytes { try txn.append(in: log.snapshots, key: seq, value: $0) }
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
        switch error.code {
        case .noSpace:
            self.init(.storage, "the disk is full; nothing was written, and nothing acknowledged was lost: free space and retry")
        case .accessDenied:
            self.init(.storage, "permission denied on the store (\(error.call)); check the owner and mode of its directory")
        case .readersFull:
            self.init(.storage, "too many processes are reading the store at once; retry when some have finished")
        case .noSuchFile:
            self.init(.notFound, "the store directory does not exist; check --store or TASKLOG_STORE")
        case _ where error.meansDamage:
            self.init(.corrupt, "the store's data file is damaged (\(error.message)); run `tasklog verify` and see the README on salvage")
        default:
            self.init(.storage, "the storage failed: \(error); retry, and run `tasklog verify` if it persists")
        }
    }
}
