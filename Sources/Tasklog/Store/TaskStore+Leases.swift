import Foundation
import Synchronization
public import TasklogCore

/// Leases on claims: how a session that dies (SIGKILL, a crash, a machine gone) leaves no task
/// stuck `in_progress`.
///
/// A session that acts as an owner (an MCP server process, say) holds a lease on that owner's
/// claims in one task list and renews it while it lives. The lease is a record of the backend
/// (``TasklogCore/Lease``), written in its own small write transaction on a thread of its own
/// (never on Swift's shared pool).
///
/// When a session ends normally it drops its lease and, if no other live session holds a lease
/// for the same owner in the list, releases the owner's claims (``release(owner:in:actor:)``: one
/// event per task, back to pending without an owner). When a session dies, its lease runs out and
/// ``releaseExpiredLeases(actor:now:)``, called by any later session or by hand, releases them.
///
/// Leases are per owner *name*: tasks record only their owner, so two sessions that act under one
/// name share its claims, and those claims are released when the last of them ends or expires.
///
/// ## Topics
/// - ``Lease``, ``ExpiredRelease``
/// - ``acquireUniqueLease(name:in:session:seconds:now:)``, ``renewLease(owner:in:session:seconds:now:)``,
///   ``endLease(owner:in:session:now:)``
/// - ``leases()``, ``releaseExpiredLeases(actor:now:)``
extension TaskStore {
    /// One session's lease on an owner's claims in a task list.
    public typealias Lease = TasklogCore.Lease

    /// What ``releaseExpiredLeases(actor:now:)`` did for one owner whose every lease had run out.
    public struct ExpiredRelease: Sendable, Hashable {
        public var list: String
        public var owner: String
        /// The tasks moved back to pending.
        public var released: [Int]
    }

    // MARK: Writing leases

    /// Sets the lease of `session` on `owner`'s claims in `list` to run out `seconds` after `now`.
    ///
    /// One small write transaction, run on a thread of its own; suspends the caller meanwhile.
    public func renewLease(
        owner: String,
        in list: String,
        session: String,
        seconds: Double,
        now: Timestamp = .now()
    ) async throws {
        let lease = try Self.lease(list: list, owner: owner, session: session, seconds: seconds, now: now)
        try await onOwnThread { [core] in
            try core.write { txn in try txn.putLease(lease) }
        }
    }

    /// Takes the first of `name`, `name#2`, `name#3`, … for which no other session holds a lease
    /// in `list`, leases it to `session` for `seconds`, and returns it.
    ///
    /// One write transaction, so two sessions starting at once never get the same name. A name
    /// whose only leases have run out is still taken until ``releaseExpiredLeases(actor:now:)``
    /// has released its claims and deleted them, so a new session never inherits a dead one's
    /// claims. A session that already holds a lease on one of those names gets it back.
    public func acquireUniqueLease(
        name: String,
        in list: String,
        session: String,
        seconds: Double,
        now: Timestamp = .now()
    ) async throws -> String {
        let first = try Self.lease(list: list, owner: name, session: session, seconds: seconds, now: now)
        return try await onOwnThread { [core] in
            try core.write { txn in
                var number = 1
                while true {
                    var lease = first
                    lease.owner = number == 1 ? name : "\(name)#\(number)"
                    _ = try Self.lease(list: lease.list, owner: lease.owner, session: session, seconds: 0, now: now)
                    let taken = try txn.leases(in: lease.list, owner: lease.owner).contains { $0.session != session }
                    if !taken {
                        try txn.putLease(lease)
                        return lease.owner
                    }
                    number += 1
                }
            }
        }
    }

    /// Drops the lease of `session`; returns whether another session still holds a live lease for
    /// `owner` in `list` (then the owner's claims are theirs too, and stay).
    public func endLease(
        owner: String,
        in list: String,
        session: String,
        now: Timestamp = .now()
    ) async throws
        -> Bool
    {
        let lease = try Self.lease(list: list, owner: owner, session: session, seconds: 0, now: now)
        return try await onOwnThread { [core] in
            try core.write { txn in
                try txn.deleteLease(list: lease.list, owner: owner, session: session)
                return try txn.leases(in: lease.list, owner: owner).contains { !$0.isExpired(at: now) }
            }
        }
    }

    // MARK: Reading and expiring

    /// Every lease in the store, in key order (list, owner, session).
    public func leases() throws -> [Lease] {
        try core.read { txn in try txn.leases(in: nil, owner: nil) }
    }

    /// Releases the claims of every owner whose leases in a list have all run out, then deletes
    /// those leases; returns what it released, owner by owner.
    ///
    /// An owner with at least one live lease in the list keeps its claims (another session of the
    /// same name is alive); its expired leases are only deleted. Safe to run from many processes
    /// at once: a release of tasks already released writes nothing.
    public func releaseExpiredLeases(actor: String? = nil, now: Timestamp = .now()) async throws -> [ExpiredRelease] {
        let all = try leases()
        var releases: [ExpiredRelease] = []
        for ((list, owner), group) in Self.groupedByOwner(all) {
            let expired = group.filter { $0.isExpired(at: now) }
            guard !expired.isEmpty else { continue }
            if expired.count == group.count {
                let outcome = try await execute(.release(owner: owner), in: list, actor: actor)
                releases.append(ExpiredRelease(list: list, owner: owner, released: outcome.releasedTaskIDs))
            }
            try await deleteLeases(expired, ifExpiredAt: now)
        }
        return releases
    }

    /// Like ``releaseExpiredLeases(actor:now:)``, blocking the calling thread (call it from a
    /// thread of your own, as the command line does).
    public func releaseExpiredLeasesBlocking(actor: String? = nil, now: Timestamp = .now()) throws -> [ExpiredRelease] {
        try blocking { [self] in try await releaseExpiredLeases(actor: actor, now: now) }
    }

    /// Deletes `leases` unless one was renewed meanwhile (then it is live again and stays).
    private func deleteLeases(_ leases: [Lease], ifExpiredAt now: Timestamp) async throws {
        try await onOwnThread { [core] in
            try core.write { txn in
                for lease in leases {
                    let stored = try txn.leases(in: lease.list, owner: lease.owner).first {
                        $0.session == lease.session
                    }
                    if stored?.isExpired(at: now) == true {
                        try txn.deleteLease(list: lease.list, owner: lease.owner, session: lease.session)
                    }
                }
            }
        }
    }

    static func groupedByOwner(_ leases: [Lease]) -> [((String, String), [Lease])] {
        var order: [String] = []
        var groups: [String: [Lease]] = [:]
        for lease in leases {
            let id = lease.list + "\u{0}" + lease.owner
            if groups[id] == nil { order.append(id) }
            groups[id, default: []].append(lease)
        }
        return order.map { id in
            let group = groups[id]!
            return ((group[0].list, group[0].owner), group)
        }
    }

    // MARK: Checking

    /// The lease of `session` on `owner` in `list` from `now` for `seconds`, once the names are
    /// checked against their limits (the list sanitised).
    static func lease(list: String, owner: String, session: String, seconds: Double, now: Timestamp) throws -> Lease {
        let list = try TaskListID.sanitized(list)
        guard !owner.isEmpty, owner.utf8.count <= Limits.owner, !owner.utf8.contains(0) else {
            throw TasklogError(.invalidInput, "a lease owner must be 1 to \(Limits.owner) bytes, without NUL")
        }
        guard !session.isEmpty, session.utf8.count <= 128, !session.utf8.contains(0) else {
            throw TasklogError(.invalidInput, "a lease session id must be 1 to 128 bytes, without NUL")
        }
        return Lease(
            list: list,
            owner: owner,
            session: session,
            expires: now.adding(seconds: seconds),
            pid: getpid(),
            seconds: seconds
        )
    }
}
