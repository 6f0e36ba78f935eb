public import TasklogCore

/// What changed in a task list between two points.
public struct ListDiff: Sendable, Hashable {
    /// One task present at both points, with the fields that differ.
    public struct Change: Sendable, Hashable {
        public var id: Int
        public var before: TaskRecord
        public var after: TaskRecord
        public var fields: [FieldChange]
    }

    public var fromSeq: UInt64
    public var toSeq: UInt64
    /// Tasks at the second point that were not at the first.
    public var added: [TaskRecord]
    /// Tasks at the first point that are gone at the second (deleted).
    public var removed: [TaskRecord]
    public var changed: [Change]
}

extension TaskStore {
    /// The seq that `point` stands for: a seq itself (refused past the end of the log), or the
    /// last event at or before a time (0 before the first event). Time → seq is a binary search:
    /// timestamps never decrease along the log.
    public func seq(at point: Point) throws -> UInt64 {
        try core.read { txn in try seq(at: point, txn) }
    }

    func seq(at point: Point, _ txn: any StorageReader) throws -> UInt64 {
        let last = try EventLog.lastSeq(txn)
        switch point {
        case .seq(let seq):
            guard seq <= last else {
                throw TasklogError(.notFound, "seq \(seq) is past the end of the log, which ends at \(last)")
            }
            return seq
        case .time(let time):
            return try seq(atOrBefore: time, last: last, txn)
        }
    }

    /// The seq `point` stands for (the last one when `nil`), and the time of that event (`nil` for
    /// seq 0, before the first event).
    public func position(at point: Point?) throws -> (seq: UInt64, time: Timestamp?) {
        try core.read { txn in
            let seq = try point.map { try self.seq(at: $0, txn) } ?? EventLog.lastSeq(txn)
            guard seq > 0 else { return (0, nil) }
            return (seq, try EventLog.timestamp(at: seq, txn))
        }
    }

    /// The last seq whose timestamp is ≤ `time`, or 0.
    func seq(atOrBefore time: Timestamp, last: UInt64, _ txn: any StorageReader) throws -> UInt64 {
        var low: UInt64 = 0
        var high = last
        while low < high {
            let mid = low + (high - low + 1) / 2
            let stamp = try EventLog.timestamp(at: mid, txn)
            if stamp <= time { low = mid } else { high = mid - 1 }
        }
        return low
    }

    /// The first seq of the range a `since` point opens: the seq itself, or the first event at or after a time.
    func firstSeq(since point: Point, _ txn: any StorageReader) throws -> UInt64 {
        switch point {
        case .seq(let seq): return seq
        case .time(let time):
            let last = try EventLog.lastSeq(txn)
            return try seq(atOrBefore: Timestamp(rawValue: time.rawValue - 1), last: last, txn) + 1
        }
    }

    /// The whole state as of `point`: the newest snapshot at or before it, plus the events up to it.
    public func state(at point: Point) throws -> TasklogState {
        let current = try state()
        return try core.read { txn in
            let target = try seq(at: point, txn)
            if target == current.lastSeq { return current }
            // The newest usable snapshot at or before the point (damaged ones, or of another
            // reducer version, are passed over), then the events up to it.
            var state =
                try core.newestSnapshot(atOrBefore: target, txn) { seq, bytes in
                    try core.snapshotState(bytes, storedAt: seq, txn)
                }?.value ?? TasklogState()
            if state.lastSeq < target {
                try EventLog.forEachEvent(txn, from: state.lastSeq + 1, through: target) { event in
                    Reducer.apply(event, to: &state)
                    return true
                }
            }
            return state
        }
    }

    /// List `id` as of `point`: its body in the newest snapshot at or before the point, plus its
    /// events up to the point; the other lists are not read.
    public func list(_ id: String, at point: Point) throws -> TaskListState {
        let id = try TaskListID.sanitized(id)
        return try core.read { txn in
            try core.listState(id, at: try seq(at: point, txn), throughIndexes: true, txn).0
        }
    }

    /// The tasks of `list` as of `point`.
    public func tasks(in list: String = "default", at point: Point) throws -> [TaskRecord] {
        try self.list(list, at: point).sortedTasks
    }

    /// Task `id` of `list` as of `point`, or `nil` if it did not exist then.
    ///
    /// Folded from the task's own events alone (its index holds every event that changed it), so
    /// its cost does not grow with the log: a ``PartialFold`` in which each other task those events
    /// name stands in while it existed (from its creation to its deletion, read from its own
    /// index), since a link takes effect only when both tasks exist. The fold goes on to the last
    /// event, where it must agree with the task in the state (its list is loaded for that, once):
    /// the index is checked before it is trusted.
    public func get(_ id: Int, in list: String = "default", at point: Point) throws -> TaskRecord? {
        let list = try TaskListID.sanitized(list)
        return try core.read { txn in
            let target = try seq(at: point, txn)
            let last = try EventLog.lastSeq(txn)
            let events = try taskEvents(id, in: list, through: last, txn)
            var lifetimes: [Int: PartialFold.Lifetime] = [:]
            for event in events {
                for other in event.payload.taskIDs where other != id && lifetimes[other] == nil {
                    lifetimes[other] = PartialFold.Lifetime(
                        of: other,
                        along: try taskEvents(other, in: list, through: last, txn)
                    )
                }
            }
            var fold = PartialFold(standIns: .lifetimes(lifetimes))
            var atTarget: TaskRecord?
            for event in events {
                fold.apply(event)
                if event.seq <= target { atTarget = fold.list.tasks[id] }
            }
            try checkIndex(of: id, in: list, folded: fold.list.tasks[id], txn)
            return atTarget
        }
    }

    /// The events of task `id` up to seq `end`, from its index.
    private func taskEvents(
        _ id: Int,
        in list: String,
        through end: UInt64,
        _ txn: any StorageReader
    ) throws
        -> [Event]
    {
        let seqs = try txn.indexSeqs(.task(list: list, id: id), from: 1, through: end, newestFirst: false, limit: .max)
        return try seqs.map { seq in try indexedEvent(at: seq, task: id, in: list, txn) }
    }

    /// What changed in `list` from one point to another, task by task and field by field.
    public func diff(from: Point, to: Point, in list: String = "default") throws -> ListDiff {
        let list = try TaskListID.sanitized(list)
        let (fromSeq, toSeq) = try seqs(of: from, to)
        let before = try self.list(list, at: .seq(fromSeq)).tasks
        let after = try self.list(list, at: .seq(toSeq)).tasks
        var diff = ListDiff(fromSeq: fromSeq, toSeq: toSeq, added: [], removed: [], changed: [])
        for id in Set(before.ids).union(after.ids).sorted() {
            switch (before[id], after[id]) {
            case (nil, let added?): diff.added.append(added)
            case (let removed?, nil): diff.removed.append(removed)
            case (let old?, let new?) where old != new:
                diff.changed.append(.init(id: id, before: old, after: new, fields: FieldChange.between(old, new)))
            default: break
            }
        }
        return diff
    }

    private func seqs(of first: Point, _ second: Point) throws -> (UInt64, UInt64) {
        try core.read { txn in (try seq(at: first, txn), try seq(at: second, txn)) }
    }
}
