import TasklogCore

extension StoreCore {
    /// Writes a snapshot of the state if the interval has passed (or `force`), keeping the newest
    /// few (``SnapshotRetention``).
    func snapshotIfDue(_ engine: inout LoadedState, _ txn: any StorageWriter, force: Bool) throws {
        let seq = engine.state.lastSeq
        let newest = try txn.lastSnapshotSeq() ?? 0
        guard seq > newest, force || seq - newest >= options.snapshotInterval else { return }
        try writeSnapshot(&engine, txn)
        let newestFirst = Array(try txn.snapshotSeqs().reversed())  // the new one included
        let dropped = SnapshotRetention.drop(
            newestFirst,
            interval: options.snapshotInterval,
            dense: options.snapshotsKept
        )
        try deleteSnapshots(dropped, lists: engine.unloaded.union(engine.state.lists.keys), txn)
    }

    /// Writes a snapshot of the state at its last seq: a directory (``SnapshotCodec``, format 5)
    /// and the body of each list that changed since the base snapshot, stored apart and
    /// compressed.
    ///
    /// A list unchanged since the base snapshot (loaded or not) keeps its body: the directory
    /// refers to the body the base refers to (checked whole first), or, for a base of format 3,
    /// stores a copy of the body it holds. The others are encoded, those not loaded being loaded
    /// first.
    func writeSnapshot(_ engine: inout LoadedState, _ txn: any StorageWriter) throws {
        let seq = engine.state.lastSeq
        var entries: [(String, SnapshotDirectory.Entry)] = []
        let unchanged = engine.unloaded.union(engine.state.lists.keys).subtracting(engine.changedSinceBase)
        if engine.base > 0, !unchanged.isEmpty {
            let base = engine.base
            var copies: [(String, SnapshotBody)] = []
            var shared: [(String, SnapshotDirectory.Entry)] = []
            _ = try txn.withSnapshot(at: base) { bytes in
                guard let directory = try? SnapshotCodec.directory(of: bytes, storedAt: base) else { return }
                for id in unchanged {
                    guard let entry = directory.lists[id] else { continue }
                    if entry.storedAt != nil {
                        shared.append((id, entry))
                    } else if (try? SnapshotCodec.checkBody(entry, in: bytes)) != nil {
                        copies.append((id, SnapshotCodec.body(entry, in: bytes)))
                    }  // else damaged: loaded below, from an older snapshot and the log
                }
            }
            // A body is named again only if it is there and whole: a damaged one is not passed on.
            for (id, entry) in shared {
                let whole = try txn.withSnapshotBody(list: id, seq: entry.storedAt ?? 0) { body in
                    (try? SnapshotCodec.checkBody(entry, in: body)) != nil
                }
                if whole == true { entries.append((id, entry)) }
            }
            for (id, body) in copies { entries.append((id, try store(body, of: id, at: seq, txn))) }
        }
        let kept = Set(entries.map(\.0))
        for id in engine.unloaded.sorted() where !kept.contains(id) { try load(.list(id), &engine, txn) }
        for (id, list) in engine.state.lists where !kept.contains(id) {
            entries.append((id, try store(SnapshotBody(list, compressed: true), of: id, at: seq, txn)))
        }
        let bytes = SnapshotCodec.encodeDirectory(
            lastSeq: seq,
            lastTimestamp: engine.state.lastTimestamp,
            lists: entries
        )
        try bytes.withUnsafeBytes { try txn.putSnapshot(seq, $0) }
        engine.base = seq
        engine.changedSinceBase = []
    }

    /// Stores `body` as list `list`'s body for the snapshot at `seq`, and says where it is.
    private func store(
        _ body: SnapshotBody,
        of list: String,
        at seq: UInt64,
        _ txn: any StorageWriter
    ) throws
        -> SnapshotDirectory.Entry
    {
        try body.bytes.withUnsafeBytes { try txn.putSnapshotBody(list: list, seq: seq, $0) }
        return SnapshotDirectory.Entry(
            range: 0..<body.bytes.count,
            checksum: body.checksum,
            storedAt: seq,
            plainLength: body.plainLength
        )
    }

    /// Deletes the snapshots at `seqs`, and the bodies they referred to that no snapshot left
    /// refers to. A snapshot whose directory does not read no longer says which bodies it
    /// refers to: every body stored under its seq for one of `lists` (every list the store has;
    /// a list is never dropped) goes, unless a snapshot left names it.
    func deleteSnapshots(_ seqs: [UInt64], lists: Set<String>, _ txn: any StorageWriter) throws {
        guard !seqs.isEmpty else { return }
        var held: Set<StoredBody> = []
        for seq in seqs {
            held.formUnion(try storedBodies(of: seq, txn) ?? Set(lists.map { StoredBody(list: $0, seq: seq) }))
            try txn.deleteSnapshot(seq)
        }
        guard !held.isEmpty else { return }
        for seq in try txn.snapshotSeqs() { held.subtract(try storedBodies(of: seq, txn) ?? []) }
        for body in held { try txn.deleteSnapshotBody(list: body.list, seq: body.seq) }
    }

    /// A list's body stored apart, for the snapshot at `seq`.
    struct StoredBody: Hashable {
        let list: String
        let seq: UInt64
    }

    /// The bodies a snapshot's directory refers to, whatever its reducer version (none for a
    /// snapshot of format 3, which holds its bodies, or for none at `seq`); `nil` when it has no
    /// directory that reads (damaged, or of format 1 or 2, which stores no body apart).
    private func storedBodies(of seq: UInt64, _ txn: any StorageReader) throws -> Set<StoredBody>? {
        let bodies = try txn.withSnapshot(at: seq) { bytes -> Set<StoredBody>? in
            guard let directory = try? SnapshotCodec.directory(of: bytes, anyReducerVersion: true) else { return nil }
            return Set(directory.lists.compactMap { id, entry in entry.storedAt.map { StoredBody(list: id, seq: $0) } })
        }
        return bodies ?? []
    }
}
