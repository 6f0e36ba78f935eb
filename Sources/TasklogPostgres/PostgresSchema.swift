import PostgresNIO
import TasklogCore

/// The tables of a store in its PostgreSQL schema, and the one place that creates and checks them.
///
/// | table | holds |
/// | --- | --- |
/// | `tasklog_schema` | the schema's version (one row): what marks the schema as a Tasklog store |
/// | `events` | each event's bytes under its seq |
/// | `snapshots` | each snapshot's bytes (its directory) under the seq it was taken at |
/// | `snapshot_bodies` | each list's body under the list and the seq of the snapshot that first held it (version 2) |
/// | `meta` | `format`, `store-id`, `head`, `index-version` |
/// | `idempotency` | the record of each idempotency key, per list |
/// | `index_entries` | the audit indexes: (kind, list, name, seq), see ``IndexKey`` |
/// | `leases` | the sessions' leases on their owners' claims |
///
/// The columns are plain SQL types, so that an audit can also be a query (`SELECT seq FROM
/// tasklog.index_entries WHERE kind = 'actor' AND name = convert_to('agent-1', 'UTF8')`). Free
/// text (index names, idempotency keys, lease owners and sessions) is `bytea`, its UTF-8: `text`
/// would refuse a NUL that the other backends store, and depend on the database's encoding. Task
/// list ids (a few ASCII characters) and kinds are `text`, sorted with `COLLATE "C"` wherever order
/// matters, as bytes, the same on every server whatever its locale.
struct PostgresSchema: Sendable {
    /// The version this Tasklog writes; a store of a newer one is refused, an older one migrated.
    static let version: Int32 = 2

    let name: String

    /// `"schema".table`, for SQL (the schema name is a plain identifier, ``PostgresStoreURL``, and
    /// quoted, so that a reserved word such as `user` names a schema too).
    func table(_ table: String) -> String { "\"\(name)\".\(table)" }

    /// The channel a commit notifies with its new head, and followers listen on.
    var channel: String { "tasklog_\(name)" }

    /// The key of the advisory lock that serialises the store's writers, on every host.
    var writerLock: Int64 {
        let bytes = Array("tasklog writer \(name)".utf8)
        return Int64(bitPattern: bytes.withUnsafeBytes { XXH64.hash($0) })
    }

    private var tables: [String] {
        [
            "CREATE TABLE \(table("tasklog_schema")) (version integer NOT NULL)",
            "CREATE TABLE \(table("events")) (seq bigint PRIMARY KEY, body bytea NOT NULL)",
            "CREATE TABLE \(table("snapshots")) (seq bigint PRIMARY KEY, body bytea NOT NULL)",
            snapshotBodies,
            "CREATE TABLE \(table("meta")) (name text PRIMARY KEY, value bytea NOT NULL)",
            """
            CREATE TABLE \(table("idempotency")) (list text NOT NULL, key bytea NOT NULL, value bytea NOT NULL, \
            PRIMARY KEY (list, key))
            """,
            """
            CREATE TABLE \(table("index_entries")) (kind text NOT NULL, list text NOT NULL, name bytea NOT NULL, \
            seq bigint NOT NULL, PRIMARY KEY (kind, list, name, seq))
            """,
            """
            CREATE TABLE \(table("leases")) (list text NOT NULL, owner bytea NOT NULL, session bytea NOT NULL, \
            expires bigint NOT NULL, pid integer NOT NULL, seconds double precision, PRIMARY KEY (list, owner, session))
            """,
        ]
    }

    /// Version 2's table: the list bodies of the snapshots that keep them apart (formats 4 and 5).
    private var snapshotBodies: String {
        """
        CREATE TABLE IF NOT EXISTS \(table("snapshot_bodies")) (list text NOT NULL, seq bigint NOT NULL, \
        body bytea NOT NULL, PRIMARY KEY (list, seq))
        """
    }

    /// Checks that the schema holds a store this Tasklog can use, creating it when it does not
    /// exist and `create` allows; inside a transaction that holds the writer lock, so that hosts
    /// opening a new store at once create it once.
    func prepare(on connection: PostgresConnection, url: PostgresStoreURL, create: Bool) throws {
        // A store that exists is only checked: no lock that every host's writers wait for, unless
        // it must be migrated.
        if try isStore(on: connection), try version(on: connection, url: url) == Self.version { return }
        try connection.run("BEGIN")
        do {
            try connection.run("SELECT pg_advisory_xact_lock(\(writerLock))")
            if try isStore(on: connection) {
                try migrate(from: try version(on: connection, url: url), on: connection)
            } else {
                let others = try connection.rows(
                    "SELECT count(*) FROM pg_catalog.pg_tables WHERE schemaname = \(name)"
                )
                if try others.first?.decode(Int64.self) ?? 0 > 0 {
                    throw TasklogError(
                        .invalidInput,
                        "the schema \(name) of database \(url.database) on \(url.server) holds tables but is not a Tasklog store (it has no tasklog_schema table); name another schema with ?schema=NAME"
                    )
                }
                guard create else {
                    throw TasklogError(.notFound, "there is no store at \(url)")
                }
                try connection.run(PostgresQuery(unsafeSQL: "CREATE SCHEMA IF NOT EXISTS \"\(name)\""))
                for statement in tables { try connection.run(PostgresQuery(unsafeSQL: statement)) }
                try connection.run(
                    PostgresQuery(unsafeSQL: "INSERT INTO \(table("tasklog_schema")) VALUES (\(Self.version))")
                )
            }
            try connection.run("COMMIT")
        } catch {
            try? connection.run("ROLLBACK")
            throw error
        }
    }

    /// Whether the schema has its version table, which marks it as a Tasklog store.
    private func isStore(on connection: PostgresConnection) throws -> Bool {
        try connection.rows("SELECT to_regclass(\(table("tasklog_schema")))::text").first?.decode(String?.self) != nil
    }

    /// The schema's version, refusing a newer one than this Tasklog knows.
    private func version(on connection: PostgresConnection, url: PostgresStoreURL) throws -> Int32 {
        let rows = try connection.rows(PostgresQuery(unsafeSQL: "SELECT version FROM \(table("tasklog_schema"))"))
        guard rows.count == 1, let version = try rows.first?.decode(Int32.self) else {
            throw TasklogError(
                .corrupt,
                "the store \(url) has \(rows.count) rows in tasklog_schema, where one names its version; it is damaged"
            )
        }
        if version > Self.version {
            throw TasklogError(
                .invalidInput,
                "the store \(url) was written by a newer Tasklog (schema version \(version); this one knows \(Self.version)): upgrade Tasklog to open it"
            )
        }
        return version
    }

    /// Brings a store of an older version to this one, inside the caller's transaction (which
    /// holds the writer lock): all of it, or nothing.
    private func migrate(from version: Int32, on connection: PostgresConnection) throws {
        guard version < Self.version else { return }
        // 1 → 2: snapshots keep their lists' bodies apart, shared with newer snapshots.
        try connection.run(PostgresQuery(unsafeSQL: snapshotBodies))
        try connection.run(PostgresQuery(unsafeSQL: "UPDATE \(table("tasklog_schema")) SET version = \(Self.version)"))
    }
}
