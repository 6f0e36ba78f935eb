import LMDB
import Synchronization
import TasklogCore

extension TaskStore {
    /// Checks the whole store: every event's checksum, the dense seqs, the hash chain and the
    /// head record; every snapshot against a full replay; and the in-memory state against it too.
    ///
    /// The first damaged, missing or altered event is named by its seq; nothing after it is
    /// trusted, so the scan stops there.
    public func verify() throws -> VerifyReport {
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
                        report.problems.append(.init(seq: nil, message: "the snapshot at seq \(seq) is not usable: \(error)"))
                    }
                }

                var replay = TasklogState()
                var link = ChainLink.zero
                var expected: UInt64 = 1
                try txn.forEach(in: log.events) { key, value in
                    let seq = Key.uint64(from: key)
                    if let problem = Self.check(value, seq: seq, expected: expected, link: &link, into: &replay) {
                        report.problems.append(problem)
                        return false
                    }
                    if case .success(let snapshot)? = snapshots[seq], snapshot != replay {
                        report.problems.append(
                            .init(seq: nil, message: "the snapshot at seq \(seq) differs from a full replay of the log")
                        )
                    }
                    report.events += 1
                    expected += 1
                    return true
                }
                guard report.isHealthy else { return }
                if let head = try log.metaValue(txn, "head").flatMap(EventLog.decodeHead) {
                    if head.seq > replay.lastSeq {
                        report.problems.append(
                            .init(
                                seq: replay.lastSeq + 1,
                                message: "events \(replay.lastSeq + 1)…\(head.seq) were committed but are missing: the data file lost them"
                            )
                        )
                    } else if head.seq == replay.lastSeq && head.link != link {
                        report.problems.append(.init(seq: head.seq, message: "the hash chain does not end at the recorded head: the log was rewritten"))
                    }
                }
                for seq in snapshots.keys where seq > replay.lastSeq {
                    report.problems.append(.init(seq: nil, message: "the snapshot at seq \(seq) is past the end of the log"))
                }
                guard report.isHealthy else { return }
                let incremental = try core.engine.withLock { engine in
                    try core.catchUp(&engine, txn)
                    return engine.state
                }
                if incremental != replay {
                    report.problems.append(.init(seq: nil, message: "the in-memory state differs from a full replay of the log"))
                }
            }
        }
        return report
    }

    private static func check(
        _ value: RawSpan, seq: UInt64, expected: UInt64, link: inout ChainLink, into state: inout TasklogState
    ) -> VerifyReport.Problem? {
        guard seq == expected else {
            return .init(seq: expected, message: "missing: the log jumps from \(expected - 1) to \(seq)")
        }
        return value.withUnsafeBytes { bytes -> VerifyReport.Problem? in
            do throws(CodecError) {
                let event = try EventCodec.decode(bytes)
                guard event.seq == seq else {
                    return .init(seq: seq, message: "the event stored here says it is seq \(event.seq)")
                }
                let computed = try EventCodec.computedLink(bytes, after: link)
                guard computed == (try EventCodec.storedLink(bytes)) else {
                    return .init(seq: seq, message: "the hash chain breaks here: the event was altered after it was written")
                }
                link = computed
                Reducer.apply(event, to: &state)
                return nil
            } catch {
                return .init(seq: seq, message: "damaged: \(error)")
            }
        }
    }

    private func checkFileSize(_ report: inout VerifyReport) throws {
        let used = core.log.environment.usedBytes
        guard let size = Self.fileSize(path + "/data.mdb") else { return }
        if size < used {
            report.problems.append(
                .init(seq: nil, message: "data.mdb is \(size) bytes but its pages reach \(used): the file was truncated")
            )
            throw TasklogError(.corrupt, "data.mdb in \(path) was truncated (\(size) of \(used) bytes); restore it from a backup or salvage with `tasklog export`")
        }
    }
}
