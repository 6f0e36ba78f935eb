import Foundation
import PostgresNIO
public import TasklogCore

/// A store in a PostgreSQL database, shared by every host that can reach the server: agents on
/// many machines work on one task list, one claim wins across all of them, and the history and
/// time travel cover every host.
///
/// It keeps the promises of ``TasklogCore/StorageBackend`` across hosts:
///
/// - **Reads** are `REPEATABLE READ` transactions: one state of the store, whatever commits meanwhile.
/// - **Writes** are serialised per store by a transaction-scoped advisory lock taken first in
///   every write (``PostgresSchema/writerLock``), so that the engine, reading at `READ COMMITTED`
///   after the lock, sees every earlier commit of every host and catches up before it decides:
///   seqs stay dense and the chain unbroken. An event and its index rows commit together.
/// - **Durable** when the server's commit returns (with `synchronous_commit` on, its default).
/// - **A lost connection loses nothing and applies nothing twice.** A write whose connection drops
///   before it commits is run again on a new connection (nothing of it landed). When the
///   connection drops during the commit itself, the outcome is unknown to the client: the backend
///   looks, on a new connection, for the last event the write appended, byte for byte (its hash
///   link makes it unique), and either returns (it is there) or runs the write again (it is not).
///   A write that appended nothing (a lease, say) only sets rows, and runs again.
/// - **Follow** with `LISTEN`/`NOTIFY`: every commit that appends notifies its new head; a
///   follower that misses a notification still reads at least every `idle` seconds.
///
/// ```swift
/// let store = try TaskStore.open(at: "postgres://agent:secret@db.internal/work?schema=team_a")
/// ```
public final class PostgresBackend: StorageBackend {
    /// How the store is opened.
    public struct Options: Sendable {
        /// Create the schema and its tables if they do not exist.
        public var createIfMissing = true
        /// How long a transaction waits for a server that went away (a restart, say) to come back,
        /// once the backend has been connected; at the first connection it does not wait.
        public var reconnectWindow: Double = 15

        public init() {}
    }

    public let url: PostgresStoreURL
    public var location: String { url.description }
    let schema: PostgresSchema
    let connections: PostgresConnections

    private init(url: PostgresStoreURL, connections: PostgresConnections) {
        self.url = url
        self.connections = connections
        schema = PostgresSchema(name: url.schema)
    }

    /// Opens the store at `url` (`postgres://…`, see ``PostgresStoreURL``), creating its schema
    /// and tables on first use unless told not to.
    public static func open(url string: String, options: Options = Options()) throws -> PostgresBackend {
        try open(url: try PostgresStoreURL(string), options: options)
    }

    public static func open(url: PostgresStoreURL, options: Options = Options()) throws -> PostgresBackend {
        let connections = try PostgresConnections(url: url, reconnectWindow: options.reconnectWindow)
        let backend = PostgresBackend(url: url, connections: connections)
        do {
            try connections.withConnection { connection in
                try backend.schema.prepare(on: connection, url: url, create: options.createIfMissing)
            }
        } catch {
            connections.close()
            throw PostgresFailure.tasklogError(error, url: url, doing: "opening the store")
        }
        return backend
    }

    public func read<R>(_ body: (any StorageReader) throws -> R) throws -> R {
        var attempt = 1
        while true {
            do {
                return try connections.withConnection { connection in
                    try connection.run("BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY")
                    do {
                        let result = try body(PostgresTransaction(connection: connection, schema: schema))
                        try connection.run("COMMIT")
                        return result
                    } catch {
                        if !PostgresFailure.isConnectionLost(error) { try? connection.run("ROLLBACK") }
                        throw error
                    }
                }
            } catch  where PostgresFailure.isConnectionLost(error) && attempt < 3 {
                // A connection the server dropped since it was last used: read again on a new one.
                attempt += 1
            } catch {
                throw PostgresFailure.tasklogError(error, url: url, doing: "reading")
            }
        }
    }

    public func write<R>(_ body: (any StorageWriter) throws -> R) throws -> R {
        var attempt = 1
        while true {
            let outcome: WriteAttempt<R>
            do {
                outcome = try attemptWrite(try connections.checkOut(), body)
            } catch  where PostgresFailure.isConnectionLost(error) && attempt < 5 {
                // Lost before the commit was sent: the server rolled it back; nothing landed.
                attempt += 1
                continue
            } catch {
                throw PostgresFailure.tasklogError(error, url: url, doing: "writing")
            }
            switch outcome {
            case .committed(let result):
                return result
            case .inDoubt(let appended, let result, let cause):
                if let appended, try landed(appended, cause: cause) { return result }
                guard attempt < 5 else { throw PostgresFailure.tasklogError(cause, url: url, doing: "committing") }
                attempt += 1
            }
        }
    }

    private enum WriteAttempt<R> {
        case committed(R)
        /// The connection was lost while the commit was under way: it may or may not have landed.
        case inDoubt(appended: (seq: UInt64, body: ByteBuffer)?, result: R, cause: any Error)
    }

    /// One attempt at a write on `connection`, which it gives back to the pool, or throws away
    /// when it was lost.
    private func attemptWrite<R>(
        _ connection: PostgresConnection,
        _ body: (any StorageWriter) throws -> R
    ) throws -> WriteAttempt<R> {
        let writer = PostgresTransaction(connection: connection, schema: schema)
        let result: R
        do {
            try connection.run("BEGIN ISOLATION LEVEL READ COMMITTED")
            try connection.run("SELECT pg_advisory_xact_lock(\(schema.writerLock))")
            result = try body(writer)
            try writer.flush()
        } catch {
            if PostgresFailure.isConnectionLost(error) {
                connections.lost(connection)
            } else {
                try? connection.run("ROLLBACK")
                connections.checkIn(connection)
            }
            throw error
        }
        do {
            // A transaction that failed is answered ROLLBACK, without an error: never a success.
            let tag = try connection.result(of: "COMMIT").metadata.command
            guard tag == "COMMIT" else {
                throw TasklogError(
                    .storage,
                    "PostgreSQL at \(url.server) rolled the write back (\(tag)); nothing was written"
                )
            }
        } catch  where PostgresFailure.isConnectionLost(error) {
            connections.lost(connection)
            return .inDoubt(appended: writer.lastAppended, result: result, cause: error)
        } catch {
            try? connection.run("ROLLBACK")
            connections.checkIn(connection)
            throw error
        }
        connections.checkIn(connection)
        return .committed(result)
    }

    /// Whether the event that a write whose commit was cut off appended is in the log, byte for
    /// byte: asked on a new connection, within the reconnect window (the server may be restarting).
    private func landed(_ appended: (seq: UInt64, body: ByteBuffer), cause: any Error) throws -> Bool {
        let deadline = Date(timeIntervalSinceNow: connections.reconnectWindow)
        while true {
            do {
                return try connections.withConnection { connection in
                    // The writer lock waits for the old session if the server has not ended it yet.
                    try connection.run("BEGIN ISOLATION LEVEL READ COMMITTED")
                    do {
                        try connection.run("SELECT pg_advisory_xact_lock(\(schema.writerLock))")
                        let stored = try connection.rows(
                            "SELECT body FROM \(unescaped: schema.table("events")) WHERE seq = \(Int64(clamping: appended.seq))"
                        ).first?.decode(ByteBuffer.self)
                        try connection.run("COMMIT")
                        return stored == appended.body
                    } catch {
                        if !PostgresFailure.isConnectionLost(error) { try? connection.run("ROLLBACK") }
                        throw error
                    }
                }
            } catch  where PostgresFailure.isConnectionLost(error) && Date() < deadline {
                Thread.sleep(forTimeInterval: 0.1)
            } catch {
                throw TasklogError(
                    .storage,
                    "the connection to PostgreSQL at \(url.server) was lost while committing, and the server could not be asked since whether the commit landed: the command may or may not have been applied; look at the history of the tasks it touches before running it again, or run it again with the same idempotency key, which applies it at most once",
                    underlying: error
                )
            }
        }
    }

    public func watchChanges() -> (any ChangeWatch)? {
        PostgresChangeWatch(connections: connections, channel: schema.channel)
    }

    public func statistics() throws -> StorageStatistics {
        let bytes: Int64
        do {
            bytes = try connections.withConnection { connection in
                try connection.rows(
                    """
                    SELECT coalesce(sum(pg_total_relation_size(c.oid)), 0)::bigint FROM pg_catalog.pg_class c \
                    JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = \(schema.name) AND c.relkind = 'r'
                    """
                ).first?.decode(Int64.self) ?? 0
            }
        } catch {
            throw PostgresFailure.tasklogError(error, url: url, doing: "measuring the store")
        }
        return StorageStatistics(storedBytes: Int(bytes), usedBytes: Int(bytes), capacityBytes: Int(bytes))
    }

    /// The server keeps its own pages whole (and checks them, with data checksums on); the engine's
    /// walk of the log checks what the rows mean.
    public func storageProblems() -> [String] { [] }

    public func close() {
        connections.close()
    }
}
