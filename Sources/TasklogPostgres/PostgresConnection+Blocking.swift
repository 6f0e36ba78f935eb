import NIOCore
import PostgresNIO

/// The blocking calls of the backend's connections: the storage seam is synchronous, and the
/// engine calls it from its own threads, never from an event loop or Swift's shared pool.
extension PostgresConnection {
    /// Runs `query` and waits for all of its rows.
    func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        try waitUnlessClosed(self.query(query, logger: PostgresConnections.logger)).rows
    }

    /// Runs `query`, for its effect.
    func run(_ query: PostgresQuery) throws {
        _ = try result(of: query)
    }

    /// Runs `query` and waits for its result: rows and the command tag.
    func result(of query: PostgresQuery) throws -> PostgresQueryResult {
        try waitUnlessClosed(self.query(query, logger: PostgresConnections.logger))
    }

    /// Starts closing the connection, without waiting for the server to hear of it; the
    /// connection is kept until it is closed (the driver requires it closed before it goes).
    func closeInBackground() {
        let closed: EventLoopFuture<Void> = close()
        closed.whenComplete { _ in withExtendedLifetime(self) {} }
    }

    /// The result of `future`, or ``PostgresConnectionClosed`` once the connection is closed
    /// without it: a query the driver writes to a connection the server has just dropped (a
    /// terminated backend, say) is never answered, and waiting for it alone would wait forever.
    private func waitUnlessClosed<Value: Sendable>(_ future: EventLoopFuture<Value>) throws -> Value {
        let answer = future.eventLoop.makePromise(of: Value.self)
        future.cascade(to: answer)
        let watch = future.eventLoop.scheduleRepeatedTask(
            initialDelay: Self.closedCheckInterval,
            delay: Self.closedCheckInterval
        ) { _ in
            // Whichever comes first wins: a promise completed twice keeps its first result.
            if self.isClosed { answer.fail(PostgresConnectionClosed()) }
        }
        defer { watch.cancel() }
        return try answer.futureResult.wait()
    }

    private static let closedCheckInterval = TimeAmount.milliseconds(200)
}

/// A query was left unanswered by a connection that closed.
struct PostgresConnectionClosed: Error, CustomStringConvertible {
    var description: String { "the connection closed before the server answered" }
}
