import Synchronization
import TasklogCore

extension TaskStore {
    /// Checks the whole store: every event's checksum, the dense seqs, the hash chain and the
    /// head record; every snapshot against a full replay; and the in-memory state against it too.
    ///
    /// The first damaged, missing or altered event is named by its seq; nothing after it is
    /// trusted, so the scan stops there.
    ///
    /// - Parameter progress: called with the events checked so far and the events in the log.
    public func verify(progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> VerifyReport {
        var report = VerifyReport()
        try checkStorage(&report)
        let replayed: TasklogState? = try core.read { txn in
            let snapshots = try txn.snapshotSeqs()
            report.snapshots = snapshots.count
            var snapshotCheck = SnapshotCheck(snapshots)
            var replay = TasklogState()
            var link = ChainLink.zero
            var expected: UInt64 = 1
            var indexed = IndexCheck()
            let total = progress == nil ? 0 : Int(try EventLog.lastKey(txn))
            try txn.forEachEvent(from: 1) { seq, value in
                let checked = Self.check(value, seq: seq, expected: expected, link: &link, into: &replay)
                let event: Event
                switch checked {
                case .failure(let problem):
                    report.problems.append(problem)
                    return false
                case .success(let (decoded, entries)):
                    event = decoded
                    try indexed.check(event, entries, txn)
                }
                try snapshotCheck.passed(event, replay: replay, core, txn, &report)
                report.events += 1
                expected += 1
                progress?(Int(report.events), max(total, Int(report.events)))
                return true
            }
            // The snapshots past the last event walked: past the damage, or past the end of the log.
            let past = snapshotCheck.unreached.filter { $0 > replay.lastSeq }
            guard report.isHealthy else {
                // The walk stopped at the damage: the snapshots past it were not checked.
                if !past.isEmpty {
                    let seqs = past.map(String.init).joined(separator: ", ")
                    let which = past.count == 1 ? "snapshot at seq \(seqs) lies" : "snapshots at seqs \(seqs) lie"
                    report.problems.append(
                        .init(seq: nil, message: "the \(which) past the damage: not checked against the log")
                    )
                }
                return nil
            }
            if let missing = indexed.firstMissing {
                report.problems.append(
                    .init(
                        seq: nil,
                        message: "the audit index lacks the entry of seq \(missing); run `tasklog reindex`"
                    )
                )
            }
            for kind in IndexKey.Kind.allCases {
                let stored = try txn.indexEntryCount(kind)
                let count = indexed.counts[kind, default: 0]
                if stored != count {
                    report.problems.append(
                        .init(
                            seq: nil,
                            message:
                                "the \(kind.rawValue) index holds \(stored) entries, not \(count); run `tasklog reindex`"
                        )
                    )
                }
            }
            if let head = try txn.meta("head").flatMap(EventLog.decodeHead) {
                if head.seq > replay.lastSeq {
                    report.problems.append(
                        .init(
                            seq: replay.lastSeq + 1,
                            message:
                                "events \(replay.lastSeq + 1)…\(head.seq) were committed but are missing: the data file lost them"
                        )
                    )
                } else if head.seq == replay.lastSeq && head.link != link {
                    report.problems.append(
                        .init(
                            seq: head.seq,
                            message: "the hash chain does not end at the recorded head: the log was rewritten"
                        )
                    )
                }
            }
            for seq in past {
                report.problems.append(
                    .init(seq: nil, message: "the snapshot at seq \(seq) is past the end of the log")
                )
            }
            return report.isHealthy ? replay : nil
        }
        if var replay = replayed {
            try compareLoadedState(with: &replay, &report)
        }
        return report
    }

    /// Compares the state in memory with `replay`, a full replay of the log, which is first
    /// carried forward over the events committed since it was made: each loaded list as it is,
    /// and each list not loaded as loading it would give (its body in the newest snapshot and its
    /// events), one at a time and not kept.
    ///
    /// The state is taken outside the walk's read transaction, so that the lock order of the rule
    /// in Concurrency.md holds (the state's mutex, then a transaction): a writer that must grow
    /// the map while `verify` runs is never waited for by a reader it waits for.
    private func compareLoadedState(with replay: inout TasklogState, _ report: inout VerifyReport) throws {
        let (loaded, unloaded) = try core.withState { ($0.state, $0.unloaded) }
        if loaded.lastSeq > replay.lastSeq {
            try core.read { txn in
                try EventLog.forEachEvent(txn, from: replay.lastSeq + 1, through: loaded.lastSeq) { event in
                    Reducer.apply(event, to: &replay)
                    return true
                }
            }
        }
        var equal =
            loaded.lastSeq == replay.lastSeq && loaded.lastTimestamp == replay.lastTimestamp
            && loaded.lists.count + unloaded.count == replay.lists.count
            && loaded.lists.allSatisfy { id, list in replay.lists[id] == list }
        for id in unloaded.sorted() where equal {
            let list = try core.read { txn in try core.listState(id, at: loaded.lastSeq, txn).0 }
            equal = replay.lists[id] == list
        }
        if !equal {
            report.problems.append(
                .init(seq: nil, message: "the in-memory state differs from a full replay of the log")
            )
        }
    }

    private static func check(
        _ bytes: UnsafeRawBufferPointer,
        seq: UInt64,
        expected: UInt64,
        link: inout ChainLink,
        into state: inout TasklogState
    ) -> Result<(Event, IndexEntries), VerifyReport.Problem> {
        guard seq == expected else {
            return .failure(.init(seq: expected, message: "missing: the log jumps from \(expected - 1) to \(seq)"))
        }
        do throws(CodecError) {
            let event = try EventCodec.decode(bytes)
            guard event.seq == seq else {
                return .failure(.init(seq: seq, message: "the event stored here says it is seq \(event.seq)"))
            }
            let computed = try EventCodec.computedLink(bytes, after: link)
            guard computed == (try EventCodec.storedLink(bytes)) else {
                return .failure(
                    .init(
                        seq: seq,
                        message: "the hash chain breaks here: the event was altered after it was written"
                    )
                )
            }
            link = computed
            return .success((event, IndexEntries.apply(event, to: &state)))
        } catch {
            return .failure(.init(seq: seq, message: "damaged: \(error)"))
        }
    }

    /// Expected index entries, counted and looked up as the log is walked.
    private struct IndexCheck {
        var counts: [IndexKey.Kind: Int] = [:]
        var firstMissing: UInt64?

        mutating func check(_ event: Event, _ entries: IndexEntries, _ txn: any StorageReader) throws {
            for key in entries.keys(of: event) {
                counts[key.kind, default: 0] += 1
                if firstMissing == nil, try !txn.containsIndexEntry(key, seq: event.seq) {
                    firstMissing = event.seq
                }
            }
        }
    }

    /// Damage in the storage itself (a truncated data file): reported, and thrown, since nothing
    /// read from such a store can be trusted.
    private func checkStorage(_ report: inout VerifyReport) throws {
        guard let problem = core.backend.storageProblems().first else { return }
        report.problems.append(.init(seq: nil, message: problem))
        throw TasklogError(.corrupt, "\(problem); restore it from a backup or salvage with `tasklog export`")
    }
}
