import Synchronization
import TasklogCore

/// Writing, on the writer thread only: a batch of jobs in one write transaction.
extension StoreCore {
    /// Commits `jobs` in one write transaction and completes each.
    func process(_ jobs: [Job]) {
        var results: [Result<Job.Result, any Error>] = []
        var ledger: (path: String, run: String, text: String)?
        do {
            // The state's lock is held while the batch is applied, not while it commits: readers
            // meanwhile get the state before the batch (`LoadedState.batch`), and never wait for
            // the disk.
            results = try backend.write { txn in
                try loaded.withLock { engine in
                    if engine.batch != nil {
                        // An attempt the backend aborted (to grow its map, say): its events are gone.
                        engine.batch = nil
                        engine.dirty = true
                    }
                    try catchUp(&engine, txn)
                    engine.batch = BatchUndo(before: engine)
                    let headBefore = engine.state.lastSeq
                    let now = max(options.clock(), engine.state.lastTimestamp)
                    var results: [Result<Job.Result, any Error>] = []
                    results.reserveCapacity(jobs.count)
                    for job in jobs {
                        results.append(try perform(job.kind, &engine, txn, now: now))
                    }
                    if engine.state.lastSeq != headBefore {
                        try txn.setMeta("head", EventLog.encodeHead(seq: engine.state.lastSeq, link: engine.lastLink))
                        try snapshotIfDue(&engine, txn, force: false)
                    } else {
                        engine.batch = nil
                    }
                    return results
                }
            }
            loaded.withLock { engine in
                engine.batch = nil
                engine.dirty = false
                if let path = options.ledgerPath {
                    ledger = Self.ledgerToWrite(results, engine.state, path: path, policy: options.milestones)
                }
            }
        } catch {
            loaded.withLock { engine in
                engine.batch = nil
                engine.dirty = true
            }
            results = jobs.map { _ in .failure(error) }
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
        _ engine: inout LoadedState,
        _ txn: any StorageWriter,
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
        case .importEvents(let source, let progress):
            // A refusal throws: the events before it are in the transaction, which must abort.
            return .success(.imported(try importEvents(source, progress, &engine, txn)))
        }
    }

    private func execute(
        _ command: TaskCommand,
        list: String,
        actor: String?,
        key: String?,
        _ engine: inout LoadedState,
        _ txn: any StorageWriter,
        now: Timestamp
    ) throws -> CommandOutcome {
        try load(.list(list), &engine, txn)
        if let key, let outcome = try deduplicated(command, list: list, key: key, engine, txn) { return outcome }
        // Decide on the list, then let go of it before appending: a copy of the list kept alive
        // across the append would make the reducer copy every task of the list (copy on write).
        let decision = try Decider.decision(
            command,
            in: engine.state.list(list),
            actor: actor,
            policy: options.milestones,
            now: now
        )
        var seqs: [UInt64] = []
        for payload in decision.payloads {
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
            try txn.setIdempotencyRecord(
                list: list,
                key: key,
                IdempotencyRecord(seq: first, fingerprint: command.fingerprint).bytes
            )
        }
        return outcome(of: decision, after: engine.state.list(list), seqs: seqs)
    }

    func append(_ event: Event, _ engine: inout LoadedState, _ txn: any StorageWriter) throws {
        let (bytes, link) = EventCodec.encode(event, after: engine.lastLink)
        try bytes.withUnsafeBytes { try txn.appendEvent(event.seq, $0) }
        engine.dirty = true
        engine.changedSinceBase.insert(event.list)
        engine.batch?.record(before: event, in: engine.state)
        let entries = IndexEntries.apply(event, to: &engine.state)
        engine.lastLink = link
        try EventLog.writeIndex(event, entries, txn)
    }

    /// What the command did, as decided, with the task and the checkpoints as they are after
    /// its events.
    private func outcome(of decision: Decision, after: TaskListState, seqs: [UInt64]) -> CommandOutcome {
        CommandOutcome(
            task: decision.taskID.flatMap { after.tasks[$0] },
            taskID: decision.taskID,
            updatedFields: decision.updatedFields,
            statusChange: decision.statusChange,
            seqs: seqs,
            releasedTaskIDs: decision.releasedTaskIDs,
            deduplicated: false,
            workflowID: decision.workflowID,
            checkpoints: decision.checkpoints.compactMap { recorded in
                after.workflows[recorded.workflow]?.checkpoints.first {
                    $0.step == recorded.step && $0.name == recorded.name
                }
            }
        )
    }

    /// The outcome of an earlier command with the same idempotency key, if there was one.
    private func deduplicated(
        _ command: TaskCommand,
        list: String,
        key: String,
        _ engine: borrowing LoadedState,
        _ txn: any StorageWriter
    ) throws -> CommandOutcome? {
        guard let record = try txn.idempotencyRecord(list: list, key: key).flatMap(IdempotencyRecord.init(bytes:))
        else { return nil }
        let (seq, fingerprint) = (record.seq, record.fingerprint)
        if let fingerprint, fingerprint != command.fingerprint {
            throw TasklogError(
                .conflict,
                "the idempotency key \(key) was used for another command (seq \(seq)); give each new command a key of its own"
            )
        }
        let id = try EventLog.event(at: seq, txn).payload.taskIDs.first
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
}
