import LMDB
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
        let log = core.log
        try checkFileSize(&report)
        try StoreCore.storage {
            try log.environment.read { txn in
                var snapshots: [UInt64: Result<TasklogState, CodecError>] = [:]
                try txn.forEach(in: log.snapshots) { key, value in
                    let seq = Key.uint64(from: key)
                    snapshots[seq] = value.withUnsafeBytes { bytes in
                        Result { () throws(CodecError) in try SnapshotCodec.decode(bytes) }
                    }
                    return true
                }
                report.snapshots = snapshots.count
                for (seq, result) in snapshots.sorted(by: { $0.key < $1.key }) {
                    if case .failure(let error) = result {
                        report.problems.append(
                            .init(seq: nil, message: "the snapshot at seq \(seq) is not usable: \(error)")
                        )
                    }
                }

                var replay = TasklogState()
                var link = ChainLink.zero
                var expected: UInt64 = 1
                var indexed = IndexCheck()
                let total = progress == nil ? 0 : Int(try log.lastKey(txn))
                try txn.forEach(in: log.events) { key, value in
                    let seq = Key.uint64(from: key)
                    let checked = Self.check(value, seq: seq, expected: expected, link: &link, into: &replay)
                    let event: Event
                    switch checked {
                    case .failure(let problem):
                        report.problems.append(problem)
                        return false
                    case .success(let (decoded, entries)):
                        event = decoded
                        try indexed.check(event, entries, log, txn)
                    }
                    if case .success(let snapshot)? = snapshots[seq], snapshot != replay {
                        report.problems.append(
                            .init(seq: nil, message: "the snapshot at seq \(seq) differs from a full replay of the log")
                        )
                    }
                    report.events += 1
                    expected += 1
                    progress?(Int(report.events), max(total, Int(report.events)))
                    return true
                }
                guard report.isHealthy else { return }
                if let missing = indexed.firstMissing {
                    report.problems.append(
                        .init(
                            seq: nil,
                            message: "the audit index lacks the entry of seq \(missing); run `tasklog reindex`"
                        )
                    )
                }
                for (name, count) in indexed.counts {
                    let stored = try txn.count(in: log.environment.database(name))
                    if stored != count {
                        report.problems.append(
                            .init(
                                seq: nil,
                                message:
                                    "the index \(name) holds \(stored) entries, not \(count); run `tasklog reindex`"
                            )
                        )
                    }
                }
                if let head = try log.metaValue(txn, "head").flatMap(EventLog.decodeHead) {
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
                for seq in snapshots.keys where seq > replay.lastSeq {
                    report.problems.append(
                        .init(seq: nil, message: "the snapshot at seq \(seq) is past the end of the log")
                    )
                }
                guard report.isHealthy else { return }
                let incremental = try core.engine.withLock { engine in
                    try core.catchUp(&engine, txn)
                    try core.load(.all, &engine, txn)
                    return engine.state
                }
                if incremental != replay {
                    report.problems.append(
                        .init(seq: nil, message: "the in-memory state differs from a full replay of the log")
                    )
                }
            }
        }
        return report
    }

    private static func check(
        _ value: RawSpan,
        seq: UInt64,
        expected: UInt64,
        link: inout ChainLink,
        into state: inout TasklogState
    ) -> Result<(Event, EventIndex.Entries), VerifyReport.Problem> {
        guard seq == expected else {
            return .failure(.init(seq: expected, message: "missing: the log jumps from \(expected - 1) to \(seq)"))
        }
        return value.withUnsafeBytes { bytes -> Result<(Event, EventIndex.Entries), VerifyReport.Problem> in
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
                return .success((event, EventIndex.apply(event, to: &state)))
            } catch {
                return .failure(.init(seq: seq, message: "damaged: \(error)"))
            }
        }
    }

    /// Expected index entries, counted and looked up as the log is walked.
    private struct IndexCheck {
        var counts: [String: Int] = Dictionary(uniqueKeysWithValues: EventIndex.databaseNames.map { ($0, 0) })
        var firstMissing: UInt64?

        mutating func check(
            _ event: Event,
            _ entries: EventIndex.Entries,
            _ log: EventLog,
            _ txn: borrowing ReadTransaction
        ) throws {
            let seq = Key.uint64(event.seq)
            var keys: [(Database, String, [UInt8])] = entries.tasks.map {
                (log.indexTask, "index_task", EventIndex.taskPrefix(list: event.list, id: $0) + seq)
            }
            keys += entries.workflows.map {
                (log.indexWorkflow, "index_workflow", EventIndex.workflowPrefix(list: event.list, workflow: $0) + seq)
            }
            if let actor = event.actor {
                keys.append((log.indexActor, "index_actor", EventIndex.actorPrefix(actor) + seq))
            }
            keys.append((log.indexType, "index_type", EventIndex.typePrefix(event.payload.typeName) + seq))
            for (database, name, key) in keys {
                counts[name, default: 0] += 1
                if firstMissing == nil, try txn.withValue(in: database, key: key, { _ in true }) == nil {
                    firstMissing = event.seq
                }
            }
        }
    }

    private func checkFileSize(_ report: inout VerifyReport) throws {
        let used = core.log.environment.usedBytes
        guard let size = Self.fileSize(path + "/data.mdb") else { return }
        if size < used {
            report.problems.append(
                .init(
                    seq: nil,
                    message: "data.mdb is \(size) bytes but its pages reach \(used): the file was truncated"
                )
            )
            throw TasklogError(
                .corrupt,
                "data.mdb in \(path) was truncated (\(size) of \(used) bytes); restore it from a backup or salvage with `tasklog export`"
            )
        }
    }
}
