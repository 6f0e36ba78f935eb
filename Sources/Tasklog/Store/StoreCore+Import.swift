import TasklogCore

/// Bulk writes, inside the writer's transaction: an import into an empty store, and the audit
/// indexes written again from the log.
extension StoreCore {
    /// Appends the events of `source` to the empty store, each checked first as the commands
    /// would have checked it, on the state before it (``TaskStore/checkImported(_:in:)``).
    ///
    /// A refusal throws, so that the transaction aborts and nothing is written: an import is all
    /// of its events or none. The events are read as they are written, so that the import holds
    /// one event at a time, not the file.
    func importEvents(
        _ source: ImportSource,
        _ progress: (@Sendable (Int, Int) -> Void)?,
        _ engine: inout LoadedState,
        _ txn: any StorageWriter
    ) throws -> Int {
        guard engine.state.lastSeq == 0 else {
            throw TasklogError(
                .conflict,
                "the store already holds \(engine.state.lastSeq) events; import only into an empty store"
            )
        }
        // With the count known, the store ends with the snapshots (seqs and states) it would keep
        // had the events come one by one, so that time travel into an imported history starts
        // from a near snapshot; only those are written, as pages of a snapshot written and dropped
        // in the same transaction are not reused. Without it, snapshots come as they do for appends.
        var kept = source.count.map {
            SnapshotRetention.survivors(
                ofSnapshotsEvery: options.snapshotInterval,
                through: UInt64($0),
                dense: options.snapshotsKept
            )[...]
        }
        struct KeyInList: Hashable {
            let list: String
            let key: String
        }
        var keyed: Set<KeyInList> = []
        var previous = Timestamp(rawValue: .min)
        var count = 0
        let reader = try source.open()
        while let event = try reader.next() {
            do throws(TasklogError) {
                guard event.seq == UInt64(count + 1) else {
                    throw TasklogError(
                        .invalidInput,
                        "its seq is \(event.seq), not \(count + 1); seqs must run 1, 2, 3, …"
                    )
                }
                guard event.timestamp >= previous else {
                    throw TasklogError(
                        .invalidInput,
                        "it is older than the event before it; timestamps must not decrease"
                    )
                }
                try TaskStore.checkImported(event, in: engine.state)
            } catch {
                throw TasklogError(
                    .invalidInput,
                    "\(reader.origin()) (seq \(event.seq)) is refused: \(error.message); nothing was imported"
                )
            }
            previous = event.timestamp
            try append(event, &engine, txn)
            if kept != nil {
                if kept?.first == event.seq {
                    try writeSnapshot(&engine, txn)
                    kept?.removeFirst()
                }
            } else {
                try snapshotIfDue(&engine, txn, force: false)
            }
            // The store was empty: a key is new unless an earlier event of the import carried it
            // (the first one keeps it), which a set tells without a read per event.
            if let key = event.idempotencyKey, keyed.insert(KeyInList(list: event.list, key: key)).inserted {
                try txn.setIdempotencyRecord(list: event.list, key: key, IdempotencyRecord(seq: event.seq).bytes)
            }
            count += 1
            progress?(count, source.count ?? 0)
        }
        return count
    }

    /// Drops the indexes and writes them again from the log; returns the events indexed.
    func rebuildIndexes(_ txn: any StorageWriter) throws -> UInt64 {
        try txn.removeAllIndexEntries()
        var state = TasklogState()
        try EventLog.forEachEvent(txn, from: 1) { event in
            try EventLog.writeIndex(event, IndexEntries.apply(event, to: &state), txn)
            return true
        }
        try txn.setMeta("index-version", Array(EventLog.indexVersion(on: backend).utf8))
        return state.lastSeq
    }
}
