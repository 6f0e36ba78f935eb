import Foundation
public import TasklogCore

extension TaskStore {
    /// Events, lists, tasks, snapshots and sizes.
    public func stats() throws -> StoreStats {
        let state = try state()
        let (snapshots, first) = try core.read { txn in
            let snapshots = try txn.snapshotSeqs()
            let first = try EventLog.lastKey(txn) > 0 ? try EventLog.timestamp(at: 1, txn) : nil
            return (snapshots, first)
        }
        let storage = try core.backend.statistics()
        var byStatus: [String: Int] = [:]
        for list in state.lists.values {
            for task in list.tasks { byStatus[task.status.name, default: 0] += 1 }
        }
        return StoreStats(
            events: state.lastSeq,
            lists: state.lists.count,
            tasks: state.taskCount,
            tasksByStatus: byStatus,
            snapshots: snapshots.count,
            newestSnapshotSeq: snapshots.last,
            fileBytes: storage.storedBytes,
            usedBytes: storage.usedBytes,
            mapBytes: storage.capacityBytes,
            firstEventTime: first,
            lastEventTime: state.lastSeq > 0 ? state.lastTimestamp : nil
        )
    }

    /// Calls `body` with the events from seq `start` through `end` (or the last), in order,
    /// reading in batches so that no read transaction stays open long. `body` returns `false` to stop.
    ///
    /// - Parameter progress: called with the events passed to `body` so far and the events in the range.
    public func events(
        from start: UInt64 = 1,
        through end: UInt64? = nil,
        progress: (@Sendable (Int, Int) -> Void)? = nil,
        _ body: (Event) throws -> Bool
    ) throws {
        var next = max(start, 1)
        let batch: UInt64 = 10_000
        var total: Int?
        var done = 0
        while true {
            var batchEvents: [Event] = []
            try core.read { txn in
                if progress != nil, total == nil {
                    let last = min(try EventLog.lastKey(txn), end ?? .max)
                    total = last >= next ? Int(last - next + 1) : 0
                }
                try EventLog.forEachEvent(txn, from: next, through: end ?? .max) { event in
                    batchEvents.append(event)
                    return UInt64(batchEvents.count) < batch
                }
            }
            for event in batchEvents {
                guard try body(event) else { return }
                done += 1
                if let total { progress?(done, max(total, done)) }
            }
            guard UInt64(batchEvents.count) == batch else { return }
            next = batchEvents.last!.seq + 1
        }
    }
}

extension TaskStore {
    /// Decodes and folds the whole log from seq 1, ignoring snapshots: what `verify` compares
    /// against, and the figure the replay benchmark measures.
    public func fullReplay() throws -> TasklogState {
        var replayer = Replayer()
        _ = try core.read { txn in try EventLog.fold(txn, from: 1, into: &replayer) }
        return replayer.finish()
    }
}
