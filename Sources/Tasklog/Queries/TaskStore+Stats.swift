import Foundation
import LMDB
import TasklogCore

extension TaskStore {
    /// Events, lists, tasks, snapshots and sizes.
    public func stats() throws -> StoreStats {
        let state = try state()
        let log = core.log
        let (snapshots, newest, first) = try StoreCore.storage {
            try log.environment.read { txn in
                let count = try txn.count(in: log.snapshots)
                let newest = try txn.withLast(in: log.snapshots) { key, _ in Key.uint64(from: key) }
                let first = try log.lastKey(txn) > 0 ? try log.timestamp(at: 1, txn) : nil
                return (count, newest, first)
            }
        }
        var byStatus: [String: Int] = [:]
        for list in state.lists.values {
            for task in list.tasks.values { byStatus[task.status.name, default: 0] += 1 }
        }
        return StoreStats(
            events: state.lastSeq,
            lists: state.lists.count,
            tasks: state.taskCount,
            tasksByStatus: byStatus,
            snapshots: snapshots,
            newestSnapshotSeq: newest,
            fileBytes: Self.fileSize(path + "/data.mdb") ?? 0,
            usedBytes: log.environment.usedBytes,
            mapBytes: log.environment.mapSize,
            firstEventTime: first,
            lastEventTime: state.lastSeq > 0 ? state.lastTimestamp : nil
        )
    }

    static func fileSize(_ path: String) -> Int? {
        (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? NSNumber)?.intValue
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
            try StoreCore.storage {
                try core.log.environment.read { txn in
                    if progress != nil, total == nil {
                        let last = min(try core.log.lastKey(txn), end ?? .max)
                        total = last >= next ? Int(last - next + 1) : 0
                    }
                    try core.log.forEachEvent(txn, from: next, through: end ?? .max) { event in
                        batchEvents.append(event)
                        return UInt64(batchEvents.count) < batch
                    }
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
        _ = try StoreCore.storage {
            try core.log.environment.read { txn in try core.log.fold(txn, from: 1, into: &replayer) }
        }
        return replayer.finish()
    }
}
