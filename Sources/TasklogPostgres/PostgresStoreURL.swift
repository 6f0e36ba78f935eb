public import Foundation
public import TasklogCore

/// Where a PostgreSQL store is: a server, a database on it, and a schema in that database, named
/// by a URL wherever a store directory is accepted (`--store`, `TASKLOG_STORE`):
///
/// ```
/// postgres://USER:PASSWORD@HOST:PORT/DATABASE?schema=NAME&sslmode=require
/// postgres://USER@/DATABASE?host=/var/run/postgresql        (a Unix socket directory)
/// ```
///
/// Left out of the URL, the user, password and database come from `PGUSER`, `PGPASSWORD` and
/// `PGDATABASE` as in `psql`; the port is 5432, the schema `tasklog` (several stores share one
/// database under different schemas), and `sslmode` is `disable` (`prefer` and `require` use TLS).
public struct PostgresStoreURL: Sendable, Hashable, CustomStringConvertible {
    public enum TLSMode: String, Sendable, Hashable {
        case disable, prefer, require
    }

    /// The server's host name or address (ignored when ``socketDirectory`` is set).
    public var host: String
    public var port: Int
    /// The directory of the server's Unix socket (`?host=/path`), instead of TCP.
    public var socketDirectory: String?
    public var user: String
    public var password: String?
    public var database: String
    /// The schema that holds the store's tables.
    public var schema: String
    public var tls: TLSMode

    /// Whether `location` names a PostgreSQL store rather than a directory.
    public static func isURL(_ location: String) -> Bool {
        let lowered = location.prefix(13).lowercased()
        return lowered.hasPrefix("postgres://") || lowered.hasPrefix("postgresql://")
    }

    /// Reads a store URL; `environment` supplies `PGUSER`, `PGPASSWORD` and `PGDATABASE`.
    public init(
        _ string: String,
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) throws(TasklogError) {
        guard Self.isURL(string), let components = URLComponents(string: string) else {
            throw TasklogError(
                .invalidInput,
                "\(Self.redacted(string)) is not a PostgreSQL URL; write postgres://USER:PASSWORD@HOST:PORT/DATABASE"
            )
        }
        var query: [String: String] = [:]
        for item in components.queryItems ?? [] {
            guard ["schema", "sslmode", "host"].contains(item.name) else {
                throw TasklogError(
                    .invalidInput,
                    "\(Self.redacted(string)) has an unknown parameter \(item.name); known: schema, sslmode, host"
                )
            }
            query[item.name] = item.value ?? ""
        }
        func nonEmpty(_ value: String?) -> String? { value.flatMap { $0.isEmpty ? nil : $0 } }
        host = nonEmpty(components.host) ?? "localhost"
        port = components.port ?? 5432
        socketDirectory = nonEmpty(query["host"]).flatMap { $0.hasPrefix("/") ? $0 : nil }
        if let other = nonEmpty(query["host"]), socketDirectory == nil { host = other }
        user = nonEmpty(components.user) ?? nonEmpty(environment["PGUSER"]) ?? "postgres"
        password = components.password ?? nonEmpty(environment["PGPASSWORD"])
        let path = String(components.path.drop(while: { $0 == "/" }))
        database = nonEmpty(path) ?? nonEmpty(environment["PGDATABASE"]) ?? user
        schema = nonEmpty(query["schema"]) ?? "tasklog"
        guard let mode = TLSMode(rawValue: nonEmpty(query["sslmode"]) ?? "disable") else {
            throw TasklogError(
                .invalidInput,
                "\(Self.redacted(string)) has sslmode=\(query["sslmode"] ?? ""); use disable, prefer or require"
            )
        }
        tls = mode
        guard Self.isPlainIdentifier(schema) else {
            throw TasklogError(
                .invalidInput,
                "the schema name \(schema) is not a plain PostgreSQL name; use lowercase letters, digits and _ (at most 50, not starting with a digit)"
            )
        }
    }

    /// The URL without its password, for messages.
    public var description: String {
        let server = socketDirectory.map { _ in "" } ?? "\(host):\(port)"
        var parameters = ["schema=\(schema)"]
        if let socketDirectory { parameters.append("host=\(socketDirectory)") }
        if tls != .disable { parameters.append("sslmode=\(tls.rawValue)") }
        return "postgres://\(user)@\(server)/\(database)?\(parameters.joined(separator: "&"))"
    }

    /// The server, for messages: `host:port`, or the socket directory.
    public var server: String {
        socketDirectory.map { "the socket in \($0) (port \(port))" } ?? "\(host):\(port)"
    }

    /// A name the schema, its tables and its notification channel can be built from without
    /// quoting (50 characters leave room for the channel's prefix within PostgreSQL's 63).
    static func isPlainIdentifier(_ name: String) -> Bool {
        guard let first = name.utf8.first, !(UInt8(ascii: "0")...UInt8(ascii: "9")).contains(first) else {
            return false
        }
        return name.utf8.count <= 50
            && name.utf8.allSatisfy { byte in
                (UInt8(ascii: "a")...UInt8(ascii: "z")).contains(byte)
                    || (UInt8(ascii: "0")...UInt8(ascii: "9")).contains(byte) || byte == UInt8(ascii: "_")
            }
    }

    /// `string` with any password replaced by `***`, for a message about a URL that did not parse.
    package static func redacted(_ string: String) -> String {
        guard let at = string.lastIndex(of: "@"), let scheme = string.range(of: "://"),
            scheme.upperBound < at,
            let colon = string[scheme.upperBound..<at].firstIndex(of: ":")
        else { return string }
        return String(string[..<string.index(after: colon)]) + "***" + String(string[at...])
    }
}
