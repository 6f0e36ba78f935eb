import Foundation
import PostgresNIO
import TasklogCore

/// A follower's wait on a PostgreSQL store: `LISTEN` on the store's channel, which every commit
/// that appends notifies (on any host), on a connection of its own.
///
/// Notifications can be missed (the connection drops, the server restarts): the watch then
/// listens again on a new connection and counts that as a change, and a wait that times out counts
/// as one too, so that a follower reads the log at least once per wait and never stalls.
final class PostgresChangeWatch: ChangeWatch, @unchecked Sendable {
    private let connections: PostgresConnections
    private let channel: String
    /// Guards everything below; signalled at every notification.
    private let condition = NSCondition()
    private var count: UInt64 = 0
    private var listening: (connection: PostgresConnection, context: PostgresListenContext)?
    private var cancelled = false

    init(connections: PostgresConnections, channel: String) {
        self.connections = connections
        self.channel = channel
        // Not here: the watch may be made on Swift's shared pool (a live page's stream), which
        // must not wait for a connection. The first wait listens, on the follower's own thread.
    }

    deinit {
        cancel()
    }

    func changes() -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return count
    }

    func wait(after seen: UInt64, seconds: Double, until stopped: () -> Bool) {
        if isDeaf { listen() }
        let deadline = Date(timeIntervalSinceNow: seconds)
        condition.lock()
        defer { condition.unlock() }
        while count == seen && !cancelled && !stopped() {
            guard condition.wait(until: deadline) else {
                // No word within the wait: read anyway (a notification may have been missed).
                count += 1
                return
            }
        }
    }

    func wake() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    func cancel() {
        condition.lock()
        cancelled = true
        let listening = self.listening
        self.listening = nil
        condition.broadcast()
        condition.unlock()
        listening?.context.stop()
        listening?.connection.closeInBackground()
    }

    /// Whether the watch has no live connection to hear notifications on.
    private var isDeaf: Bool {
        condition.lock()
        defer { condition.unlock() }
        return !cancelled && (listening?.connection.isClosed ?? true)
    }

    /// Listens on a new connection; a failure leaves the watch polling until the next wait.
    private func listen() {
        guard let connection = try? connections.connect(retrying: false) else { return }
        let context = connection.addListener(channel: channel) { [weak self] _, _ in self?.notified() }
        do {
            try connection.run(PostgresQuery(unsafeSQL: "LISTEN \"\(channel)\""))
        } catch {
            context.stop()
            connection.closeInBackground()
            return
        }
        condition.lock()
        let old = listening
        if cancelled {
            condition.unlock()
            context.stop()
            connection.closeInBackground()
            return
        }
        listening = (connection, context)
        // Commits while nobody listened are found by reading: count them as a change.
        count += 1
        condition.broadcast()
        condition.unlock()
        old?.connection.closeInBackground()
    }

    private func notified() {
        condition.lock()
        count += 1
        condition.broadcast()
        condition.unlock()
    }
}
