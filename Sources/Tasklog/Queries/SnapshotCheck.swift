import TasklogCore

/// The snapshots checked against a replay of the log, as the walk of ``TaskStore/verify(progress:)``
/// reaches each one's seq: one snapshot is read at a time, and let go.
///
/// A list whose directory entry is the one already found equal to the replay at an earlier
/// snapshot, and that no event changed since, is equal again: its body is not decoded twice. So
/// the cost follows what changed between snapshots, as their size does.
struct SnapshotCheck {
    private var pending: ArraySlice<UInt64>
    /// Per list, the entry found equal to the replay at the last snapshot checked, while no event
    /// has changed the list since.
    private var equal: [String: SnapshotDirectory.Entry] = [:]

    init(_ seqs: [UInt64]) {
        pending = seqs[...]
    }

    /// The snapshots past the last event walked.
    var unreached: ArraySlice<UInt64> { pending }

    /// Takes in `event`, just folded into `replay`, and checks the snapshot at its seq, if any.
    mutating func passed(
        _ event: Event,
        replay: TasklogState,
        _ core: StoreCore,
        _ txn: any StorageReader,
        _ report: inout VerifyReport
    ) throws {
        equal[event.list] = nil
        while let next = pending.first, next <= event.seq {
            pending.removeFirst()
            guard next == event.seq else { continue }
            if let problem = try check(at: next, replay, core, txn) {
                report.problems.append(.init(seq: nil, message: problem))
            }
        }
    }

    /// What is wrong with the snapshot at `seq`, or `nil`.
    private mutating func check(
        at seq: UInt64,
        _ replay: TasklogState,
        _ core: StoreCore,
        _ txn: any StorageReader
    ) throws -> String? {
        let differs = "the snapshot at seq \(seq) differs from a full replay of the log"
        var problem: String?
        _ = try txn.withSnapshot(at: seq) { bytes in
            do {
                guard SnapshotCodec.keepsBodiesApart(bytes) else {
                    // Older formats hold every body: decoded whole.
                    equal = [:]
                    if try core.snapshotState(bytes, storedAt: seq, txn) != replay { problem = differs }
                    return
                }
                let directory = try SnapshotCodec.directory(of: bytes, storedAt: seq)
                guard directory.lastTimestamp == replay.lastTimestamp,
                    directory.lists.count == replay.lists.count
                else {
                    problem = differs
                    return
                }
                for (id, entry) in directory.lists where equal[id] != entry {
                    equal[id] = nil
                    guard let replayed = replay.lists[id], try core.storedList(id, entry, txn) == replayed else {
                        problem = differs
                        return
                    }
                    equal[id] = entry
                }
            } catch let error as CodecError {
                problem = "the snapshot at seq \(seq) is not usable: \(error)"
            }
        }
        return problem
    }
}
