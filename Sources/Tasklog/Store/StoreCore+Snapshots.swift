import TasklogCore

extension StoreCore {
    /// Writes a snapshot of the state if the interval has passed (or `force`), keeping the newest few.
    ///
    /// A list unchanged since the base snapshot (loaded or not) is copied from it as it is; the
    /// others are encoded, those not loaded being loaded first.
    func snapshotIfDue(_ engine: inout LoadedState, _ txn: any StorageWriter, force: Bool) throws {
        let seq = engine.state.lastSeq
        let newest = try txn.lastSnapshotSeq() ?? 0
        guard seq > newest, force || seq - newest >= options.snapshotInterval else { return }
        var copied: [(String, SnapshotBody)] = []
        let unchanged = engine.unloaded.union(engine.state.lists.keys).subtracting(engine.changedSinceBase)
        if engine.base > 0, !unchanged.isEmpty {
            let base = engine.base
            _ = try txn.withSnapshot(at: base) { bytes in
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
        let copiedIDs = Set(copied.map(\.0))
        for id in engine.unloaded.sorted() where !copiedIDs.contains(id) { try load(.list(id), &engine, txn) }
        let bodies =
            copied
            + engine.state.lists.compactMap { id, list in copiedIDs.contains(id) ? nil : (id, SnapshotBody(list)) }
        let bytes = SnapshotCodec.encode(lastSeq: seq, lastTimestamp: engine.state.lastTimestamp, bodies: bodies)
        try bytes.withUnsafeBytes { try txn.putSnapshot(seq, $0) }
        engine.base = seq
        engine.changedSinceBase = []
        let newestFirst = Array(try txn.snapshotSeqs().reversed())  // the new one included
        for seq in SnapshotRetention.drop(newestFirst, interval: options.snapshotInterval, dense: options.snapshotsKept)
        {
            try txn.deleteSnapshot(seq)
        }
    }
}
