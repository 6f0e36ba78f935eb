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
    /// Size of `data.mdb` on disk.
    public var fileBytes: Int
    /// Bytes of the map in use.
    public var usedBytes: Int
    /// The current map size.
    public var mapBytes: Int
    public var firstEventTime: Timestamp?
    public var lastEventTime: Timestamp?
}
