import NIOCore
import NIOPosix
import PostgresNIO
import TasklogCore

/// What a failure of the server or the network means to the backend: whether the connection is
/// gone (so the transaction's outcome, if it was committing, must be found out), whether trying
/// again soon may succeed, and the one-line error a user reads.
enum PostgresFailure {
    /// Whether `error` says the connection is unusable: closed by either side, a network failure,
    /// or the server shutting down or restarting.
    static func isConnectionLost(_ error: any Error) -> Bool {
        if let error = error as? PSQLError {
            switch error.code {
            case .serverClosedConnection, .clientClosedConnection, .connectionError, .uncleanShutdown:
                return true
            case .server:
                // Class 08 (connection exception) and 57P01-57P03 (shutdown, crash, starting up).
                let state = error.serverInfo?[.sqlState] ?? ""
                return state.hasPrefix("08") || ["57P01", "57P02", "57P03"].contains(state)
            default:
                return false
            }
        }
        return error is PostgresConnectionClosed || error is IOError || error is ChannelError
            || error is NIOConnectionError
    }

    /// Whether connecting again soon may succeed: the server is down or restarting, not refusing
    /// us for a reason that waiting does not change (a wrong password, a missing database).
    static func isTransient(_ error: any Error) -> Bool {
        if let error = error as? PSQLError, error.code == .server {
            return ["57P01", "57P02", "57P03", "53300"].contains(error.serverInfo?[.sqlState] ?? "")
        }
        return isConnectionLost(error)
    }

    /// The SQLSTATE of a server error (`40001` for a serialization failure, say).
    static func sqlState(_ error: any Error) -> String? {
        (error as? PSQLError)?.serverInfo?[.sqlState]
    }

    /// The error a user reads: what failed where, and what to check.
    static func tasklogError(_ error: any Error, url: PostgresStoreURL, doing: String) -> TasklogError {
        if let error = error as? TasklogError { return error }
        let server = "PostgreSQL at \(url.server)"
        let lost = "the connection to \(server) was lost while \(doing); check that the server is up, then try again"
        if error is PostgresConnectionClosed { return TasklogError(.storage, lost, underlying: error) }
        guard let psql = error as? PSQLError else {
            return TasklogError(.storage, "\(server) failed while \(doing): \(error)", underlying: error)
        }
        let state = psql.serverInfo?[.sqlState] ?? ""
        let serverMessage = psql.serverInfo?[.message] ?? ""
        let message: String
        switch (psql.code, state) {
        case (.connectionError, _):
            let cause = psql.underlying.map { " (\($0))" } ?? ""
            message =
                "cannot reach \(server)\(cause): check that the server runs and accepts connections there (listen_addresses, port, firewall), and the host and port in the store URL"
        case (.authMechanismRequiresPassword, _):
            message =
                "\(server) asks user \(url.user) for a password and none was given: put it in the store URL (postgres://\(url.user):PASSWORD@...) or in PGPASSWORD"
        case (.server, "28P01"), (.server, "28000"):
            message =
                "\(server) refused user \(url.user): \(serverMessage); check the user and password in the store URL (or PGPASSWORD), and pg_hba.conf"
        case (.server, "3D000"):
            message =
                "\(server) has no database \(url.database): create it (createdb \(url.database)) or name another in the store URL"
        case (.server, "42501"):
            message =
                "\(server) does not let user \(url.user) go on \(doing): \(serverMessage). Using a store that exists needs USAGE on its schema (\(url.schema)) and SELECT, INSERT, UPDATE, DELETE on its tables; creating a store, or upgrading one for this Tasklog, also needs CREATE on the database (GRANT CREATE ON DATABASE \(url.database) TO \(url.user)), or open it once as its owner"
        case (.server, "57P03"), (.server, "57P01"), (.server, "57P02"):
            message = "\(server) is shutting down or starting up (\(serverMessage)); try again when it is up"
        case (.serverClosedConnection, _), (.uncleanShutdown, _), (.clientClosedConnection, _):
            message = lost
        case (.server, _):
            message = "\(server) failed while \(doing): \(serverMessage) (SQLSTATE \(state))"
        default:
            message = "\(server) failed while \(doing): \(psql.code)"
        }
        return TasklogError(.storage, message, underlying: error)
    }
}
