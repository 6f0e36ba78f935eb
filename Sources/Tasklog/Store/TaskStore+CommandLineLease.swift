import Foundation
public import TasklogCore

/// Leases taken by the command line: `tasklog update N --status in_progress --lease SECONDS`
/// leases the holder's claims, `tasklog heartbeat` and the holder's next update renew the lease,
/// and once it runs out the claims are released like a dead MCP session's.
///
/// A command line's processes come and go, so its lease is one per owner and list, under the
/// session ``commandLineSession``; it records its length, which a renewal keeps.
extension TaskStore {
    /// The session under which the command line leases an owner's claims.
    public static let commandLineSession = "cli"

    /// Leases `owner`'s claims in `list` to the command line for `seconds` from `now`, blocking
    /// the calling thread; returns the lease.
    @discardableResult
    public func leaseForCommandLine(
        owner: String,
        in list: String,
        seconds: Double,
        now: Timestamp = .now()
    ) throws -> Lease {
        try Self.checkLeaseLength(seconds)
        try blocking { [self] in
            try await renewLease(owner: owner, in: list, session: Self.commandLineSession, seconds: seconds, now: now)
        }
        return Lease(
            list: try TaskListID.sanitized(list),
            owner: owner,
            session: Self.commandLineSession,
            expires: now.adding(seconds: seconds),
            pid: getpid(),
            seconds: seconds
        )
    }

    /// Renews the command line's lease on `owner`'s claims in `list` for the length it was taken
    /// for, blocking the calling thread; returns it, or `nil` if the command line holds none.
    @discardableResult
    public func renewCommandLineLease(owner: String, in list: String, now: Timestamp = .now()) throws -> Lease? {
        let list = try TaskListID.sanitized(list)
        guard
            let lease = try leases().first(where: {
                $0.list == list && $0.owner == owner && $0.session == Self.commandLineSession
            })
        else { return nil }
        return try leaseForCommandLine(owner: owner, in: list, seconds: lease.seconds ?? 300, now: now)
    }

    /// Refuses a lease length that is not a positive number of seconds up to a year.
    public static func checkLeaseLength(_ seconds: Double) throws(TasklogError) {
        guard seconds.isFinite, seconds > 0, seconds <= 366 * 86_400 else {
            throw TasklogError(
                .invalidInput,
                "a lease lasts a positive number of seconds, at most a year (31622400), not \(seconds); give one like 300"
            )
        }
    }
}
