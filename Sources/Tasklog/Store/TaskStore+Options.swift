public import TasklogCore

#if canImport(Glibc)
import Glibc
#endif

extension TaskStore {
    /// How a store is opened.
    public struct Options: Sendable {
        /// Write a snapshot after this many events since the last one (10,000 by default).
        public var snapshotInterval: UInt64 = 10_000
        /// Keep every one of the newest this-many snapshots; older ones are thinned with age
        /// (see ``SnapshotRetention``), so that time travel to any depth replays a bounded tail.
        public var snapshotsKept: Int = 8
        /// A list as of a point is folded from the events the task and workflow indexes name for
        /// it, rather than from a walk of the log after the snapshot before the point, when the
        /// log there holds more than this many events for each key the list has in those indexes
        /// (16 by default), and the backend answers without stepping over more than twice those
        /// events (a list that grew long after the point is not worth it). 0: always through the
        /// indexes where the backend can walk a list's keys, whatever that costs; `.max`: never.
        public var logEventsPerIndexKey: UInt64 = 16
        /// How durable a commit is; ``TasklogCore/Durability/full`` loses nothing acknowledged.
        /// (LMDB stores, opened with ``TaskStore/open(at:options:)``.)
        public var durability: Durability = .full
        /// The initial map size of an LMDB store; it grows by itself.
        public var initialMapSize: Int = 64 << 20
        /// Create the LMDB store directory if it does not exist.
        public var createIfMissing = true
        /// Load the state (snapshot and tail) while opening. Off for tools that only read the log,
        /// like `export` and `verify`, so that they work on a damaged store; the state then loads
        /// on first use.
        public var loadStateAtOpen = true
        /// The clock that stamps events; timestamps never decrease along the log even if it does.
        public var clock: @Sendable () -> Timestamp = { Timestamp.now() }
        /// Where notices go (a skipped snapshot, stale readers cleared); standard error by default.
        public var log: @Sendable (String) -> Void = { message in
            var line = "tasklog: \(message)\n"
            line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
        /// The most commands committed together in one write transaction (group commit).
        public var maxBatch = 1024
        /// Which task completions of a workflow record a checkpoint.
        public var milestones = MilestonePolicy.standard
        /// Where to write the YAML ledger after every checkpoint (atomically), or `nil` for nowhere.
        public var ledgerPath: String?

        public init() {}
    }
}
