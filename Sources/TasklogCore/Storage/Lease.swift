/// One session's lease on an owner's claims in a task list: how a session that dies leaves no
/// task stuck `in_progress` (see `TaskStore`'s leases).
public struct Lease: Sendable, Hashable {
    /// The task list.
    public var list: String
    /// The owner whose claims the lease covers.
    public var owner: String
    /// The session holding it (unique per session, e.g. a UUID).
    public var session: String
    /// When it runs out unless renewed.
    public var expires: Timestamp
    /// The process that last renewed it (for diagnostics).
    public var pid: Int32
    /// How long it lasts from each renewal, in seconds (`nil` in leases written before it was recorded).
    public var seconds: Double?

    public init(list: String, owner: String, session: String, expires: Timestamp, pid: Int32, seconds: Double?) {
        self.list = list
        self.owner = owner
        self.session = session
        self.expires = expires
        self.pid = pid
        self.seconds = seconds
    }

    /// Whether the lease has run out at `now`.
    public func isExpired(at now: Timestamp) -> Bool { expires <= now }
}
