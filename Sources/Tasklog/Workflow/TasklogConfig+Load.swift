public import Foundation
public import TasklogCore
import TasklogPostgres

extension TasklogConfig {
    /// Where a configuration came from, and the project folder that relative paths start from.
    public struct Source: Sendable, Hashable {
        /// The file read, or `nil` when defaults (and the environment) apply.
        public var file: String?
        /// The folder of the file, else the folder that holds the store.
        public var projectFolder: String
    }

    /// Loads the configuration: `explicit` (from `--config`) or `$TASKLOG_CONFIG` must exist;
    /// otherwise `.tasklog.yml` beside the store is read if it is there. Then the environment
    /// overrides: `TASKLOG_TRACKING_ENABLED`, `TASKLOG_LEDGER`, `TASKLOG_LEDGER_PATH`,
    /// `TASKLOG_AUTO_CLEANUP`, `TASKLOG_SNAPSHOT_INTERVAL`.
    ///
    /// With `warn`, loading never fails on what it reads: a file that is missing or does not
    /// parse is left out, as is a variable that does not parse, each with one warning, and the
    /// rest applies ("task tracking failures must never block workflow execution"). Without it,
    /// the first problem is thrown.
    public static func load(
        explicit: String?,
        storePath: String,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        warn: ((String) -> Void)? = nil
    ) throws -> (config: TasklogConfig, source: Source) {
        // A store named by URL is on a server: its configuration is the working directory's.
        let storeFolder =
            PostgresStoreURL.isURL(storePath)
            ? FileManager.default.currentDirectoryPath
            : URL(fileURLWithPath: storePath).standardizedFileURL.deletingLastPathComponent().path
        var file: String?
        func problem(_ error: TasklogError) throws(TasklogError) {
            guard let warn else { throw error }
            warn("\(error.message); going on without it (`tasklog config check` shows every problem)")
        }
        var config = TasklogConfig()
        do throws(TasklogError) {
            if let named = explicit ?? environment["TASKLOG_CONFIG"].flatMap({ $0.isEmpty ? nil : $0 }) {
                guard FileManager.default.fileExists(atPath: named) else {
                    throw TasklogError(
                        .notFound,
                        "the configuration file \(named) does not exist",
                        remedy: .anotherConfiguration
                    )
                }
                file = named
            } else {
                let beside = storeFolder + "/.tasklog.yml"
                if FileManager.default.fileExists(atPath: beside) { file = beside }
            }
            if let file {
                guard let data = FileManager.default.contents(atPath: file),
                    let text = String(data: data, encoding: .utf8)
                else {
                    throw TasklogError(.invalidInput, "\(file) cannot be read as UTF-8 text")
                }
                config = try TasklogConfig.parse(text, file: file)
            }
        } catch {
            try problem(error)
            file = nil
        }
        try config.applyEnvironment(environment, problem)
        let project =
            file.map { URL(fileURLWithPath: $0).standardizedFileURL.deletingLastPathComponent().path } ?? storeFolder
        return (config, Source(file: file, projectFolder: project))
    }

    /// Applies the `TASKLOG_*` variables; a variable that does not parse goes to `problem`, which
    /// throws it or warns and leaves it out.
    mutating func applyEnvironment(
        _ environment: [String: String],
        _ problem: (TasklogError) throws(TasklogError) -> Void
    ) throws(TasklogError) {
        func flag(_ name: String) throws(TasklogError) -> Bool? {
            guard let text = environment[name], !text.isEmpty else { return nil }
            switch text.lowercased() {
            case "1", "true", "yes", "on": return true
            case "0", "false", "no", "off": return false
            default:
                try problem(TasklogError(.invalidInput, "\(name)=\(text) must be true or false"))
                return nil
            }
        }
        if let value = try flag("TASKLOG_TRACKING_ENABLED") {
            trackingEnabled = value
            trackingConfigured = true
        }
        if let value = try flag("TASKLOG_LEDGER") { ledgerEnabled = value }
        if let value = try flag("TASKLOG_AUTO_CLEANUP") { autoCleanup = value }
        if let value = try flag("TASKLOG_ONE_TASK_PER_AGENT") { oneTaskPerAgent = value }
        if let path = environment["TASKLOG_LEDGER_PATH"], !path.isEmpty { ledgerPath = path }
        if let text = environment["TASKLOG_SNAPSHOT_INTERVAL"], !text.isEmpty {
            if let interval = UInt64(text), interval > 0 {
                snapshotInterval = interval
            } else {
                try problem(
                    TasklogError(.invalidInput, "TASKLOG_SNAPSHOT_INTERVAL=\(text) must be a whole number from 1")
                )
            }
        }
    }

    /// The ledger file's absolute path. A relative path must stay inside the project folder; a
    /// path elsewhere must be given as an absolute path.
    public func resolvedLedgerPath(_ source: Source, override: String? = nil) throws -> String {
        let path = override ?? ledgerPath
        if path.hasPrefix("/") { return URL(fileURLWithPath: path).standardizedFileURL.path }
        let project = URL(fileURLWithPath: source.projectFolder).standardizedFileURL.path
        let resolved = URL(fileURLWithPath: project).appendingPathComponent(path).standardizedFileURL.path
        // Lexically inside, and inside once links are followed: a folder on the way that is a link
        // out of the project (`.agents` → `../victim`) would carry the ledger out.
        let realProject = Self.realPath(project)
        guard resolved.hasPrefix(project.hasSuffix("/") ? project : project + "/"),
            Self.realPath(resolved).hasPrefix(realProject.hasSuffix("/") ? realProject : realProject + "/")
        else {
            throw TasklogError(
                .invalidInput,
                "the ledger path \(path) leads outside the project folder \(project) (through .. or a symbolic link); give an absolute path to write there on purpose"
            )
        }
        return resolved
    }

    /// `path` with every link followed: the real path of its deepest existing folder, then the
    /// rest of it as written.
    static func realPath(_ path: String) -> String {
        var existing = URL(fileURLWithPath: path)
        var rest: [String] = []
        while existing.path != "/" {
            if let real = realpath(existing.path, nil) {
                defer { free(real) }
                return ([String(cString: real)] + rest.reversed()).joined(separator: "/")
            }
            rest.append(existing.lastPathComponent)
            existing.deleteLastPathComponent()
        }
        return path
    }
}
