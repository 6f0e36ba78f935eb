public import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The PostgreSQL server the tests use: the cluster named by `TASKLOG_TEST_POSTGRES` (a URL, as
/// `.ci/run` sets after starting one), else a throwaway cluster that this test process starts with
/// `tools/postgres` in a temporary folder and stops when it exits. Each store gets a schema of
/// its own, so that tests running at once never see each other's events.
public enum TestPostgres {
    /// The server's URL (database `tasklog`), without a schema.
    public static func serverURL() throws -> String {
        try server.get().url
    }

    /// The URL of a store in a schema of its own: the same `name` gives the same store.
    public static func storeURL(_ name: String) throws -> String {
        try serverURL() + "?schema=" + schemaName(name)
    }

    /// A fresh store URL, in a schema no other test uses.
    public static func freshStoreURL() throws -> String {
        try storeURL(UUID().uuidString)
    }

    /// A plain schema name for `name` (letters, digits and `_`, at most 50 characters).
    public static func schemaName(_ name: String) -> String {
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in name.utf8 { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        return "t_" + String(hash, radix: 16)
    }

    /// Runs `sql` with `psql` on the server of `url` (the test server by default), as a client
    /// nobody here wrote; its output, unaligned, one row per line.
    @discardableResult
    public static func psql(_ sql: String, url: String? = nil) throws -> String {
        let target = try url ?? serverURL()
        let plain = target.split(separator: "?", maxSplits: 1).first.map(String.init) ?? target
        return try run("/usr/bin/env", ["psql", "-X", "-q", "-A", "-t", "-v", "ON_ERROR_STOP=1", "-c", sql, plain])
    }

    /// A cluster of the test's own (for tests that restart or stop the server), started in
    /// `folder` with `tools/postgres`: its URL, and a way to run `tools/postgres` commands on it.
    public struct Cluster: Sendable {
        public let folder: String
        public let url: String

        public static func start(in folder: String) throws -> Cluster {
            let url = try runTool(["start", folder])
            return Cluster(folder: folder, url: url)
        }

        /// Stops the server at once, as a crash would (`pg_ctl stop -m immediate`), and starts it
        /// again on the same port.
        public func restartImmediately() throws {
            try TestPostgres.runPgCtl(folder: folder, ["restart", "-m", "immediate", "-w"])
        }

        public func stop() {
            _ = try? runTool(["stop", folder])
        }
    }

    /// Runs `tools/postgres` with `arguments`; its standard output, trimmed.
    @discardableResult
    static func runTool(_ arguments: [String]) throws -> String {
        try run(packageRoot.appendingPathComponent("tools/postgres").path, arguments)
    }

    /// Runs `pg_ctl` on the cluster in `folder` with its own options kept.
    static func runPgCtl(folder: String, _ arguments: [String]) throws {
        let port = try String(contentsOfFile: folder + "/port", encoding: .utf8).trimmingCharacters(
            in: .whitespacesAndNewlines
        )
        let bin = try run("/bin/sh", ["-c", "ls -d /usr/lib/postgresql/*/bin | sort -V | tail -n 1"])
        var command = [bin + "/pg_ctl", "-D", folder + "/data", "-l", folder + "/data/server.log"] + arguments
        command += ["-o", "-c listen_addresses=127.0.0.1 -p \(port) -k \(folder)/socket -c max_connections=200"]
        if getuid() == 0 { command = ["runuser", "-u", "postgres", "--"] + command }
        try run("/usr/bin/env", command)
    }

    private static let server: Result<(url: String, folder: String?), any Error> = {
        if let url = ProcessInfo.processInfo.environment["TASKLOG_TEST_POSTGRES"], !url.isEmpty {
            return .success((url, nil))
        }
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("tasklog-test-postgres-\(getpid())").path
        do {
            let url = try runTool(["start", folder])
            startedFolder = folder
            atexit {
                if let folder = TestPostgres.startedFolder {
                    _ = try? TestPostgres.runTool(["stop", folder])
                    try? FileManager.default.removeItem(atPath: folder)
                }
            }
            return .success((url, folder))
        } catch {
            return .failure(error)
        }
    }()

    nonisolated(unsafe) private static var startedFolder: String?

    /// The package's root folder (this file is in Tests/TasklogTestSupport).
    private static let packageRoot = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()

    /// Runs `executable` and returns its standard output, or throws with its standard error.
    ///
    /// With `posix_spawn` and `waitpid` rather than Foundation's `Process`, whose wait for the exit
    /// never returned here when the child left a daemon behind (the server `pg_ctl` starts).
    private static func run(_ executable: String, _ arguments: [String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.path
        let output = "\(folder)/tasklog-test-postgres-\(UUID().uuidString).out"
        let errors = output.replacingOccurrences(of: ".out", with: ".err")
        defer {
            try? FileManager.default.removeItem(atPath: output)
            try? FileManager.default.removeItem(atPath: errors)
        }
        var actions: posix_spawn_file_actions_t = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 0, "/dev/null", O_RDONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 1, output, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        posix_spawn_file_actions_addopen(&actions, 2, errors, O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        let argv = ([executable] + arguments).map { strdup($0) } + [nil]
        defer { for argument in argv { free(argument) } }
        var pid: pid_t = 0
        let spawned = posix_spawn(&pid, executable, &actions, nil, argv, environ)
        guard spawned == 0 else {
            throw TestPostgresError(message: "cannot run \(executable): \(String(cString: strerror(spawned)))")
        }
        var status: Int32 = 0
        while waitpid(pid, &status, 0) == -1 && errno == EINTR {}
        let out = (try? String(contentsOfFile: output, encoding: .utf8)) ?? ""
        guard status == 0 else {
            let err = (try? String(contentsOfFile: errors, encoding: .utf8)) ?? ""
            throw TestPostgresError(
                message: "\(executable) \(arguments.joined(separator: " ")) failed (status \(status)): \(err)"
            )
        }
        return out.trimmingCharacters(in: .whitespacesAndNewlines)
    }
}

/// A test cluster that could not be started or driven.
public struct TestPostgresError: Error, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}
