import Foundation
import Logging
import NIOCore
import NIOPosix
import NIOSSL
import PostgresNIO
import Synchronization
import TasklogCore

/// The connections of one backend to its server: a small pool, used from the engine's threads,
/// which block on each query (the seam is synchronous; the engine never calls it from Swift's
/// shared pool).
///
/// A connection the server dropped (a restart, `pg_terminate_backend`, a network failure) is
/// thrown away, and the next transaction connects again: while the server comes back, for up to
/// `reconnectWindow` seconds once the backend has been connected before, at once at the first
/// connection (an unreachable server at start is one clear error, not a wait).
final class PostgresConnections: Sendable {
    let url: PostgresStoreURL
    let reconnectWindow: Double
    private let configuration: PostgresConnection.Configuration
    private let state = Mutex(State())

    private struct State {
        var idle: [PostgresConnection] = []
        var nextID = 1
        var connectedOnce = false
        var closed = false
    }

    /// No log lines of the driver's own: the backend's errors say what went wrong.
    static let logger = Logger(label: "tasklog.postgres") { _ in SwiftLogNoOpLogHandler() }

    init(url: PostgresStoreURL, reconnectWindow: Double) throws(TasklogError) {
        self.url = url
        self.reconnectWindow = reconnectWindow
        configuration = try Self.configuration(url)
    }

    /// Runs `body` on a connection of the pool and puts it back, unless the connection was lost
    /// (then it is closed, and the error propagates for the caller to decide).
    func withConnection<R>(_ body: (PostgresConnection) throws -> R) throws -> R {
        let connection = try checkOut()
        do {
            let result = try body(connection)
            checkIn(connection)
            return result
        } catch {
            if PostgresFailure.isConnectionLost(error) || connection.isClosed {
                lost(connection)
            } else {
                checkIn(connection)
            }
            throw error
        }
    }

    /// An idle connection, or a new one.
    func checkOut() throws -> PostgresConnection {
        while true {
            let idle: PostgresConnection? = try state.withLock { state in
                guard !state.closed else { throw Self.closedError(url) }
                return state.idle.popLast()
            }
            guard let idle else { return try connect() }
            if !idle.isClosed { return idle }
            idle.closeInBackground()
        }
    }

    func checkIn(_ connection: PostgresConnection) {
        let keep = state.withLock { state in
            guard !state.closed, !connection.isClosed, state.idle.count < 8 else { return false }
            state.idle.append(connection)
            return true
        }
        if !keep { discard(connection) }
    }

    func discard(_ connection: PostgresConnection) {
        connection.closeInBackground()
    }

    /// Throws away `connection`, which the server dropped, and every idle one: what dropped one
    /// (a restart, a failover, a network change) most likely dropped the others, and a
    /// transaction should not spend its retries finding that out one connection at a time.
    func lost(_ connection: PostgresConnection) {
        let idle = state.withLock { state in
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle + [connection] { connection.closeInBackground() }
    }

    /// A new connection; while the server restarts (refused, or starting up), tried again within
    /// the reconnect window if the backend has been connected before and `retrying` allows.
    func connect(retrying: Bool = true) throws -> PostgresConnection {
        let (id, retry) = try state.withLock { state in
            guard !state.closed else { throw Self.closedError(url) }
            defer { state.nextID += 1 }
            return (state.nextID, state.connectedOnce)
        }
        let deadline = Date(timeIntervalSinceNow: retry && retrying ? reconnectWindow : 0)
        var pause = 0.05
        while true {
            do {
                let connection = try PostgresConnection.connect(
                    on: MultiThreadedEventLoopGroup.singleton.any(),
                    configuration: configuration,
                    id: id,
                    logger: Self.logger
                ).wait()
                state.withLock { $0.connectedOnce = true }
                return connection
            } catch {
                guard PostgresFailure.isTransient(error), Date() < deadline else {
                    throw PostgresFailure.tasklogError(error, url: url, doing: "connecting")
                }
                Thread.sleep(forTimeInterval: pause)
                pause = min(pause * 2, 0.5)
            }
        }
    }

    /// Closes every idle connection; connections in use close when they are given back.
    func close() {
        let idle = state.withLock { state in
            state.closed = true
            defer { state.idle = [] }
            return state.idle
        }
        for connection in idle { connection.closeInBackground() }
    }

    deinit {
        close()
    }

    static func closedError(_ url: PostgresStoreURL) -> TasklogError {
        TasklogError(.storage, "the store \(url) was closed")
    }

    private static func configuration(_ url: PostgresStoreURL) throws(TasklogError) -> PostgresConnection.Configuration
    {
        var configuration: PostgresConnection.Configuration
        if let directory = url.socketDirectory {
            configuration = .init(
                unixSocketPath: "\(directory)/.s.PGSQL.\(url.port)",
                username: url.user,
                password: url.password,
                database: url.database
            )
        } else {
            let tls: PostgresConnection.Configuration.TLS
            do {
                switch url.tls {
                case .disable: tls = .disable
                case .prefer: tls = .prefer(try NIOSSLContext(configuration: .makeClientConfiguration()))
                case .require: tls = .require(try NIOSSLContext(configuration: .makeClientConfiguration()))
                }
            } catch {
                throw TasklogError(.storage, "TLS for \(url) could not be set up: \(error)", underlying: error)
            }
            configuration = .init(
                host: url.host,
                port: url.port,
                username: url.user,
                password: url.password,
                database: url.database,
                tls: tls
            )
        }
        configuration.options.connectTimeout = .seconds(5)
        configuration.options.additionalStartupParameters = [
            // `pg_stat_activity` shows which store a session works on.
            ("application_name", "tasklog \(url.schema)"),
            // A host that dies or loses the network in a write must not hold the writer lock of
            // every host for long: the server ends a session idle in a transaction, and finds a
            // dead peer by TCP keepalive within half a minute, not the kernel's two hours.
            ("idle_in_transaction_session_timeout", "60s"),
            ("tcp_keepalives_idle", "10"),
            ("tcp_keepalives_interval", "5"),
            ("tcp_keepalives_count", "3"),
        ]
        return configuration
    }
}
