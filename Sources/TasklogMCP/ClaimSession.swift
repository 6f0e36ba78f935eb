import Foundation
import Tasklog
import TasklogCore

/// One MCP session's identity and its lease on its claims.
///
/// The session acts as one actor, recorded in every event it writes: the name given with
/// `--actor` or `TASKLOG_ACTOR` exactly, else the client's name from `initialize` made unique
/// among the live sessions of the list (`claude-code`, then `claude-code#2`, …), so that two
/// agents running the same client never share claims by accident.
///
/// It holds a lease on that actor's claims in the list
/// (``Tasklog/TaskStore/renewLease(owner:in:session:seconds:now:)``), renewed by every tool
/// call and, unless turned off, by a heartbeat while the process lives.
/// When the session ends, its claims go back to pending unless another live session of the same
/// actor holds a lease too; when the process dies, the lease runs out and a later session (or
/// `tasklog release-expired`) releases them. Every tool call also releases the claims of
/// sessions whose leases ran out.
actor ClaimSession {
    /// How the session leases its claims.
    struct Configuration: Sendable {
        /// The actor named with `--actor` or `TASKLOG_ACTOR`, taken as given.
        var explicitActor: String?
        /// How long a lease lasts without renewal.
        var leaseSeconds: Double
        /// Renew the lease every third of its length while the process lives.
        var heartbeat: Bool
        /// Where notices go (standard error in the server).
        var log: @Sendable (String) -> Void
    }

    enum State {
        /// No identity yet (before `initialize`).
        case starting
        /// Serving as `actor`.
        case serving(actor: String)
        /// Ended: claims released, lease dropped.
        case ended
    }

    let store: TaskStore
    let list: String
    let configuration: Configuration
    /// Unique per session; the lease key.
    let id = UUID().uuidString.lowercased()

    private(set) var state = State.starting
    /// The tasks this session claimed and still holds, as far as its own calls tell
    /// (see ``guardingClaims(_:arguments:actor:call:)``).
    var claimedTasks: Set<Int> = []
    private var lastRenewal: ContinuousClock.Instant?
    private var heartbeat: Task<Void, Never>?
    private var inFlight = 0

    init(store: TaskStore, list: String, configuration: Configuration) {
        self.store = store
        self.list = list
        self.configuration = configuration
    }

    /// The actor this session writes as, once known.
    var actor: String? {
        if case .serving(let actor) = state { actor } else { nil }
    }

    // MARK: Lifecycle

    /// Takes the session's identity from the client's name (unless an actor was given).
    func clientConnected(name: String) async {
        _ = await identity(clientName: name)
    }

    /// Starts a tool call: the actor to write as, with the lease renewed and expired leases
    /// swept; `nil` once the session has ended. Pair with ``callFinished()``.
    func beginCall() async -> String? {
        if case .ended = state { return nil }
        inFlight += 1
        let actor = await identity(clientName: nil)
        await renewIfDue()
        await sweep()
        return actor
    }

    func callFinished() {
        inFlight -= 1
    }

    /// Ends the session: waits for calls in flight, drops the lease and releases the actor's
    /// claims unless another live session of the same actor holds a lease.
    func end() async {
        guard case .serving(let actor) = state else {
            state = .ended
            return
        }
        state = .ended
        heartbeat?.cancel()
        heartbeat = nil
        let clock = ContinuousClock()
        let deadline = clock.now + .seconds(30)
        while inFlight > 0 && clock.now < deadline { try? await Task.sleep(for: .milliseconds(10)) }
        do {
            let othersLive = try await store.endLease(owner: actor, in: list, session: id)
            if othersLive {
                configuration.log("session of \(actor) ended; another live session of \(actor) keeps its claims")
                return
            }
            let outcome = try await store.execute(.release(owner: actor), in: list, actor: actor)
            if !outcome.releasedTaskIDs.isEmpty {
                configuration.log(
                    "session of \(actor) ended: released \(TaskTools.names(outcome.releasedTaskIDs)) back to pending"
                )
            }
        } catch {
            configuration.log("could not release the claims of \(actor) at the end of the session: \(error)")
        }
    }

    // MARK: Identity and lease

    private func identity(clientName: String?) async -> String {
        if case .serving(let actor) = state { return actor }
        let actor: String
        if let explicit = configuration.explicitActor {
            // An explicit name may be a restarted agent's: the claims its dead sessions left are
            // released first, so that it starts clean.
            await sweep(as: explicit)
            actor = explicit
            await renew(actor)
        } else {
            // The name is one no other session holds a lease on, live or run out; a dead
            // session's claims are then released by the sweep below, as this session's events.
            let base = Self.actorName(fromClient: clientName ?? "mcp")
            do {
                actor = try await store.acquireUniqueLease(
                    name: base,
                    in: list,
                    session: id,
                    seconds: configuration.leaseSeconds
                )
                lastRenewal = ContinuousClock().now
            } catch {
                configuration.log("could not take a lease for \(base): \(error)")
                actor = base
            }
            await sweep(as: actor)
        }
        // A concurrent call may have set it, or the session ended, while this one was suspended.
        if case .serving(let existing) = state { return existing }
        if case .ended = state { return actor }
        state = .serving(actor: actor)
        startHeartbeat()
        return actor
    }

    private func renewIfDue() async {
        guard let actor else { return }
        let clock = ContinuousClock()
        if let last = lastRenewal, clock.now - last < .seconds(configuration.leaseSeconds / 10) { return }
        await renew(actor)
    }

    private func renew(_ actor: String) async {
        do {
            try await store.renewLease(owner: actor, in: list, session: id, seconds: configuration.leaseSeconds)
            lastRenewal = ContinuousClock().now
        } catch {
            configuration.log("could not renew the lease of \(actor): \(error)")
        }
    }

    /// Releases the claims of sessions (of any process) whose leases ran out.
    private func sweep(as sweeper: String? = nil) async {
        do {
            for release in try await store.releaseExpiredLeases(actor: sweeper ?? actor)
            where !release.released.isEmpty {
                configuration.log(
                    "the lease of \(release.owner) on list \(release.list) ran out: "
                        + "released \(TaskTools.names(release.released)) back to pending"
                )
            }
        } catch {
            configuration.log("could not release expired claims: \(error)")
        }
    }

    private func startHeartbeat() {
        guard configuration.heartbeat, heartbeat == nil else { return }
        let interval = max(configuration.leaseSeconds / 3, 0.05)
        heartbeat = Task { [weak self] in
            while !Task.isCancelled {
                try? await Task.sleep(for: .seconds(interval))
                guard !Task.isCancelled, let self else { return }
                await self.tick()
            }
        }
    }

    private func tick() async {
        guard case .serving(let actor) = state else { return }
        await renew(actor)
        await sweep()
    }

    /// A client's name as an actor: trimmed, `mcp` if empty, short enough for a `#N` suffix.
    static func actorName(fromClient name: String) -> String {
        let trimmed = name.trimmingCharacters(in: .whitespacesAndNewlines).filter { $0 != "\u{0}" }
        guard !trimmed.isEmpty else { return "mcp" }
        var result = ""
        for character in trimmed {
            guard result.utf8.count + character.utf8.count <= Limits.actor - 8 else { break }
            result.append(character)
        }
        return result
    }
}
