import Foundation
import LMDB
import Synchronization
import TasklogCore

/// Leases on claims: how a session that dies (SIGKILL, a crash, a machine gone) leaves no task
/// stuck `in_progress`.
///
/// A session that acts as an owner (an MCP server process, say) holds a lease on that owner's
/// claims in one task list and renews it while it lives. The lease is an entry of the LMDB
/// database `leases`, written in its own small write transaction on a thread of its own (never on
/// Swift's shared pool):
///
/// | key | value |
/// | --- | --- |
/// | list, NUL, owner, NUL, session | expiry (µs since the epoch, 8 bytes big-endian), pid (4 bytes big-endian), length (µs, 8 bytes big-endian; absent in older leases) |
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
/// - ``executeInOneTransaction(_:in:actor:)`` (for imports; it lives here for now, see its comment)
extension TaskStore {
    /// One session's lease on an owner's claims in a task list.
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

        /// Whether the lease has run out at `now`.
        public func isExpired(at now: Timestamp) -> Bool { expires <= now }
    }

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
        let key = try Self.leaseKey(list: list, owner: owner, session: session)
        let value = Self.leaseValue(expires: now.adding(seconds: seconds), seconds: seconds)
        let leases = leaseDatabase
        try await onOwnThread { [core] in
            try StoreCore.storage {
                try core.log.environment.write { txn in try txn.put(in: leases, key: key, value: value) }
            }
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
        _ = try Self.leaseKey(list: list, owner: name, session: session)
        let value = Self.leaseValue(expires: now.adding(seconds: seconds), seconds: seconds)
        let leases = leaseDatabase
        return try await onOwnThread { [core] in
            try StoreCore.storage {
                try core.log.environment.write { txn in
                    var number = 1
                    while true {
                        let candidate = number == 1 ? name : "\(name)#\(number)"
                        let prefix = try Self.leasePrefix(list: list, owner: candidate)
                        var taken = false
                        try txn.forEach(in: leases, from: prefix) { key, value in
                            let bytes = key.withUnsafeBytes { Array($0) }
                            guard bytes.starts(with: prefix) else { return false }
                            if let lease = Self.decodeLease(key: bytes, value: value.withUnsafeBytes { Array($0) }),
                                lease.session != session
                            {
                                taken = true
                                return false
                            }
                            return true
                        }
                        if !taken {
                            try txn.put(in: leases, key: prefix + Array(session.utf8), value: value)
                            return candidate
                        }
                        number += 1
                    }
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
        let key = try Self.leaseKey(list: list, owner: owner, session: session)
        let prefix = try Self.leasePrefix(list: list, owner: owner)
        let leases = leaseDatabase
        return try await onOwnThread { [core] in
            try StoreCore.storage {
                try core.log.environment.write { txn in
                    try txn.delete(in: leases, key: key)
                    var othersLive = false
                    try txn.forEach(in: leases, from: prefix) { key, value in
                        let bytes = key.withUnsafeBytes { Array($0) }
                        guard bytes.starts(with: prefix) else { return false }
                        if let lease = Self.decodeLease(key: bytes, value: value.withUnsafeBytes { Array($0) }),
                            !lease.isExpired(at: now)
                        {
                            othersLive = true
                            return false
                        }
                        return true
                    }
                    return othersLive
                }
            }
        }
    }

    // MARK: Reading and expiring

    /// Every lease in the store, in key order (list, owner, session).
    public func leases() throws -> [Lease] {
        let database = leaseDatabase
        return try StoreCore.storage {
            try core.log.environment.read { txn in
                var leases: [Lease] = []
                try txn.forEach(in: database) { key, value in
                    let bytes = key.withUnsafeBytes { Array($0) }
                    if let lease = Self.decodeLease(key: bytes, value: value.withUnsafeBytes { Array($0) }) {
                        leases.append(lease)
                    }
                    return true
                }
                return leases
            }
        }
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
        let database = leaseDatabase
        let keys = try leases.map { try Self.leaseKey(list: $0.list, owner: $0.owner, session: $0.session) }
        try await onOwnThread { [core] in
            try StoreCore.storage {
                try core.log.environment.write { txn in
                    for key in keys {
                        let stillExpired = try txn.withValue(in: database, key: key) { value in
                            Self.decodeLease(key: key, value: value.withUnsafeBytes { Array($0) })?.isExpired(at: now)
                        }
                        if stillExpired == true { try txn.delete(in: database, key: key) }
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

    // MARK: Many commands, one transaction

    // MARK: Encoding

    var leaseDatabase: Database { core.log.environment.database("leases") }

    static func leasePrefix(list: String, owner: String) throws -> [UInt8] {
        let list = try TaskListID.sanitized(list)
        guard !owner.isEmpty, owner.utf8.count <= Limits.owner, !owner.utf8.contains(0) else {
            throw TasklogError(.invalidInput, "a lease owner must be 1 to \(Limits.owner) bytes, without NUL")
        }
        return Array(list.utf8) + [0] + Array(owner.utf8) + [0]
    }

    static func leaseKey(list: String, owner: String, session: String) throws -> [UInt8] {
        guard !session.isEmpty, session.utf8.count <= 128, !session.utf8.contains(0) else {
            throw TasklogError(.invalidInput, "a lease session id must be 1 to 128 bytes, without NUL")
        }
        return try leasePrefix(list: list, owner: owner) + Array(session.utf8)
    }

    static func leaseValue(expires: Timestamp, seconds: Double) -> [UInt8] {
        Key.uint64(UInt64(bitPattern: expires.rawValue))
            + withUnsafeBytes(of: UInt32(bitPattern: getpid()).bigEndian) { Array($0) }
            + Key.uint64(UInt64(bitPattern: microseconds(seconds)))
    }

    /// A lease's length in microseconds, saturated: a lease of any length is stored, none traps.
    private static func microseconds(_ seconds: Double) -> Int64 {
        let micros = (seconds * 1_000_000).rounded()
        guard !micros.isNaN else { return 0 }
        if micros >= Double(Int64.max) { return .max }
        return micros <= 0 ? 0 : Int64(micros)
    }

    static func decodeLease(key: [UInt8], value: [UInt8]) -> Lease? {
        let parts = key.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, value.count >= 8 else { return nil }
        let expires = value.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let pid = value.count >= 12 ? value[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
        let length = value.count >= 20 ? value[12..<20].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : nil
        return Lease(
            list: String(decoding: parts[0], as: UTF8.self),
            owner: String(decoding: parts[1], as: UTF8.self),
            session: String(decoding: parts[2], as: UTF8.self),
            expires: Timestamp(rawValue: Int64(bitPattern: expires)),
            pid: Int32(bitPattern: pid),
            seconds: length.map { Double(Int64(bitPattern: $0)) / 1_000_000 }
        )
    }
}

extension Timestamp {
    /// This time plus `seconds` (rounded to the microsecond), saturated at the ends of the
    /// timestamp's range: a lease of 1e300 seconds never runs out rather than trapping; NaN adds nothing.
    func adding(seconds: Double) -> Timestamp {
        let micros = (seconds * 1_000_000).rounded()
        guard !micros.isNaN else { return self }
        guard let delta = Int64(exactly: micros) else {
            return Timestamp(rawValue: micros < 0 ? .min : .max)
        }
        let (sum, overflow) = rawValue.addingReportingOverflow(delta)
        return Timestamp(rawValue: overflow ? (delta < 0 ? .min : .max) : sum)
    }
}

/// Runs `body` on a thread of its own (write transactions wait on a lock shared between processes,
/// so they never run on Swift's shared pool) and suspends the caller until it returns.
func onOwnThread<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "tasklog-own-thread"
        thread.start()
    }
}
