import TasklogCore

/// Bulk writes, inside the writer's transaction: an import into an empty store, and the audit
/// indexes written again from the log.
extension StoreCore {
    func importEvents(
        _ events: [Event],
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
        // Validated whole before the first append, so that a refusal writes nothing. The store
        // ends with the snapshots (seqs and states) it would keep had the events come one by one, so that time
        // travel into an imported history starts from a near snapshot; only those are written, as
        // pages of a snapshot written and dropped in the same transaction are not reused.
        var kept = SnapshotRetention.survivors(
            ofSnapshotsEvery: options.snapshotInterval,
            through: UInt64(events.count),
            dense: options.snapshotsKept
        )[...]
        struct KeyInList: Hashable {
            let list: String
            let key: String
        }
        var keyed: Set<KeyInList> = []
        for event in events {
            try append(event, &engine, txn)
            if kept.first == event.seq {
                try writeSnapshot(&engine, txn)
                kept.removeFirst()
            }
            // The store was empty: a key is new unless an earlier event of the import carried it
            // (the first one keeps it), which a set tells without a read per event.
            if let key = event.idempotencyKey, keyed.insert(KeyInList(list: event.list, key: key)).inserted {
                try txn.setIdempotencyRecord(list: event.list, key: key, IdempotencyRecord(seq: event.seq).bytes)
            }
            progress?(Int(event.seq), events.count)
        }
        return events.count
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
