import ArgumentParser
import Foundation
import Synchronization
import Tasklog
import TasklogCore
import TasklogWorkloads

/// The options of every command but the acting identity: the store, the list, the output.
struct StoreOptions: ParsableArguments {
    @Option(help: "The store: a directory, or a postgres:// URL (default: $TASKLOG_STORE, else .tasklog).")
    var store: String?

    @Option(help: "The task list (default: $CLAUDE_CODE_TASK_LIST_ID, else default).")
    var list: String?

    @Flag(help: "Machine output: one JSON document on stdout (JSON lines for streams).")
    var json = false

    @Option(help: "The configuration file (default: $TASKLOG_CONFIG, else .tasklog.yml beside the store).")
    var config: String?

    /// The configuration, and where it came from. Task tracking never blocks the work: a file or
    /// a variable that does not parse is left out with one warning on stderr, and the rest
    /// applies (`tasklog config check` is the command that fails on it).
    func loadConfig() throws -> (config: TasklogConfig, source: TasklogConfig.Source) {
        try TasklogConfig.load(explicit: config, storePath: storePath, warn: Self.warnOnce)
    }

    /// Says each configuration warning once per process, however often the configuration is read.
    private static func warnOnce(_ message: String) {
        let first = warned.withLock { $0.insert(message).inserted }
        if first { Output.notice("warning: \(message)") }
    }

    private static let warned = Mutex<Set<String>>([])

    /// The configuration, failing on the first problem: for the command that checks it.
    func loadConfigStrictly() throws -> (config: TasklogConfig, source: TasklogConfig.Source) {
        try TasklogConfig.load(explicit: config, storePath: storePath)
    }

    /// The task list that holds workflow run `id`: this command's list when the run is there,
    /// else the list whose `workflow start` named it (said on stderr), else this command's list.
    func listOfWorkflow(_ id: String, in store: TaskStore) throws -> String {
        guard let found = try store.listOfWorkflow(id, preferring: listID) else { return listID }
        if found != listID {
            Output.notice("workflow \(id) is in task list \(found); using it (CLAUDE_CODE_TASK_LIST_ID=\(found))")
        }
        return found
    }

    var storePath: String {
        store ?? ProcessInfo.processInfo.environment["TASKLOG_STORE"].flatMap { $0.isEmpty ? nil : $0 } ?? ".tasklog"
    }

    var listID: String {
        list ?? ProcessInfo.processInfo.environment["CLAUDE_CODE_TASK_LIST_ID"].flatMap { $0.isEmpty ? nil : $0 }
            ?? "default"
    }

    /// Opens the store with the configuration applied; `create` is false for commands that only read.
    func open(create: Bool = true, options: TaskStore.Options = TaskStore.Options()) throws -> TaskStore {
        let (config, source) = try loadConfig()
        var options = options
        options.createIfMissing = create
        do {
            return try TaskStore.open(
                at: storePath,
                configuredBy: config,
                from: source,
                options: options,
                warn: Self.warnOnce
            )
        } catch let error as TasklogError {
            throw Self.withStoreHint(error)
        }
    }

    /// The library says what is wrong with a store path; the command line adds its own flags.
    static func withStoreHint(_ error: TasklogError) -> TasklogError {
        var error = error
        if error.message.hasPrefix("there is no store at") {
            error.message += "; create a task first, or pass --store (or set TASKLOG_STORE)"
        } else if error.message.hasSuffix("is a file, not a store directory") {
            error.message += "; pass another --store"
        } else if error.message == "the store directory does not exist" {
            error.message += "; check --store or TASKLOG_STORE"
        }
        return error
    }

    /// The store for a command that only reads, or `nil` when there is none yet (nothing to show);
    /// a configuration that disables tracking still makes the command a no-op.
    func openExisting() throws -> TaskStore? {
        let isURL = TaskStore.isURL(storePath)
        if isURL || FileManager.default.fileExists(atPath: storePath) {
            do {
                return try openForTasks(create: false)
            } catch let error as TasklogError where error.code == .notFound && isURL {
                // A server without the store's tables yet: nothing to show.
            }
        }
        let (config, source) = try loadConfig()
        guard config.trackingEnabled else { throw TrackingDisabled(file: source.file, json: json) }
        return nil
    }

    /// Opens the store for a task or workflow command: with tracking disabled, the command is a no-op.
    func openForTasks(create: Bool = true) throws -> TaskStore {
        let (config, source) = try loadConfig()
        guard config.trackingEnabled else { throw TrackingDisabled(file: source.file, json: json) }
        return try open(create: create)
    }
}

/// Thrown by ``StoreOptions/openForTasks(create:)`` when task tracking is disabled: the command
/// succeeds and does nothing, and says so.
struct TrackingDisabled: Error {
    var file: String?
    var json: Bool
}

/// The options every command takes (`CLI.md`, "Every command").
struct GlobalOptions: ParsableArguments {
    @OptionGroup var base: StoreOptions

    @Option(help: "Who is acting, recorded in every event (default: $TASKLOG_ACTOR, else cli).")
    var actor: String?

    var json: Bool { base.json }
    var storePath: String { base.storePath }
    var listID: String { base.listID }

    var actorName: String {
        actor ?? ProcessInfo.processInfo.environment["TASKLOG_ACTOR"].flatMap { $0.isEmpty ? nil : $0 } ?? "cli"
    }

    func open(create: Bool = true, options: TaskStore.Options = TaskStore.Options()) throws -> TaskStore {
        try base.open(create: create, options: options)
    }

    func openForTasks(create: Bool = true) throws -> TaskStore {
        try base.openForTasks(create: create)
    }
}

/// Runs a command body, turning Tasklog's errors into one sentence on stderr and an exit code.
func run(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch {
        try report(error)
    }
}

/// The async form of ``run(_:)``, for the commands that await the store, a server or a stream.
func runAsync(_ body: () async throws -> Void) async throws {
    do {
        try await body()
    } catch {
        try report(error)
    }
}

/// Says what `error` means to the user: tracking disabled is a success that did nothing; a
/// Tasklog error is its message on stderr and its exit code; anything else is rethrown.
private func report(_ error: any Error) throws {
    switch error {
    case let disabled as TrackingDisabled:
        let origin =
            disabled.file.map { "task_tracking.enabled is false in \($0)" } ?? "TASKLOG_TRACKING_ENABLED is false"
        if disabled.json {
            Output.json(["tracking": "disabled", "done": false, "reason": .string(origin)])
        } else {
            Output.line("Task tracking is disabled (\(origin)); nothing was done")
        }
    case let error as TasklogError:
        Output.error(error.message + (error.remedy.map { " (\(flags(for: $0)))" } ?? ""))
        throw ExitCode(exitCode(for: error.code))
    default:
        throw error
    }
}

/// The CLI's way to do what a refusal suggests.
func flags(for remedy: TasklogError.Remedy) -> String {
    switch remedy {
    case .anotherList: "--list NAME"
    case .freshWorkflowID: "leave out --id"
    case .force: "--force"
    case .anotherConfiguration: "check --config and TASKLOG_CONFIG"
    }
}

/// The documented exit codes (README, "Exit codes").
func exitCode(for code: TasklogError.Code) -> Int32 {
    switch code {
    case .invalidInput: 65
    case .notFound: 66
    case .conflict: 67
    case .blocked: 68
    case .cycle: 69
    case .storage: 74
    case .corrupt: 76
    default: 1
    }
}

/// Parses the text of a JSON-object option (`--metadata`, `--data`) into a JSON object; errors
/// name `option`.
func parseMetadata(_ text: String?, option: String = "--metadata") throws -> [String: JSONValue]? {
    guard let text else { return nil }
    do {
        guard case .object(let object) = try JSONValue(parsing: text) else {
            throw TasklogError(.invalidInput, "\(option) must be a JSON object, like '{\"phase\": \"review\"}'")
        }
        return object
    } catch let error as JSONParseError {
        throw TasklogError(.invalidInput, "\(option) is not valid JSON: \(error)")
    }
}

/// Parses a task id argument.
func parseTaskID(_ text: String) throws -> Int {
    let digits = text.hasPrefix("#") ? String(text.dropFirst()) : text
    guard let id = Int(digits), id > 0 else {
        throw TasklogError(.invalidInput, "\(text) is not a task id; ids are positive integers like 3")
    }
    return id
}
