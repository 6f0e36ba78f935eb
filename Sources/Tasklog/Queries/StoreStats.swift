public import TasklogCore

/// Figures about a store, for `tasklog stats`.
public struct StoreStats: Sendable, Hashable {
    public var events: UInt64
    public var lists: Int
    /// Live tasks in all lists.
    public var tasks: Int
    /// Live tasks by status name.
    public var tasksByStatus: [String: Int]
    public var snapshots: Int
    public var newestSnapshotSeq: UInt64?
    /// Bytes the store takes (on LMDB: the size of `data.mdb`), from ``TasklogCore/StorageStatistics``.
    public var fileBytes: Int
    /// Bytes of it in use (on LMDB: the pages of the map in use).
    public var usedBytes: Int
    /// Bytes it may grow to before it is resized (on LMDB: the current map size).
    public var mapBytes: Int
    public var firstEventTime: Timestamp?
    public var lastEventTime: Timestamp?
}
