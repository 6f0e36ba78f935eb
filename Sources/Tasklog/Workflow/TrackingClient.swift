public import Foundation
import Synchronization
public import TasklogCore

/// Task tracking for a workflow that must never stop because tracking failed: the skill's error
/// table, as a client an orchestrator embeds.
///
/// | failure | what the client does |
/// | --- | --- |
/// | the store cannot be opened | warns once, and every call degrades (creates return `nil`) |
/// | a create fails | warns, returns `nil`: continue without tracking that task |
/// | an update fails | retries once, then warns and returns `nil` |
/// | a stale version | re-fetches and retries the update once without the expected version |
/// | a dependency would close a cycle | warns, and retries the update without the new links |
/// | the task list cannot be read | returns `nil`: ``resumePlan(_:)`` falls back to the ledger |
/// | the ledger cannot be written | the store warns and keeps the checkpoint in the log |
public final class TrackingClient: Sendable {
    public let list: String
    public let actor: String?
    /// The ledger file to fall back to when the store cannot answer.
    public let ledgerPath: String?
    private let store: TaskStore?
    private let warn: @Sendable (String) -> Void

    /// A client set up as the skill's guard says: tracking only where the configuration turns it
    /// on (`task_tracking.enabled`, default **false**, or `TASKLOG_TRACKING_ENABLED`), the ledger
    /// only where `task_tracking.ledger` does. A configuration that does not parse is left out
    /// with a warning (tracking then stays off); nothing here ever throws.
    ///
    /// - Parameters:
    ///   - configFile: the configuration file; `nil` reads `$TASKLOG_CONFIG`, else `.tasklog.yml`
    ///     beside the store.
    public static func configured(
        storePath path: String,
        list: String = "default",
        actor: String? = nil,
        configFile: String? = nil,
        environment: [String: String] = ProcessInfo.processInfo.environment,
        warn: @escaping @Sendable (String) -> Void
    ) -> TrackingClient {
        var config = TasklogConfig()
        var source = TasklogConfig.Source(file: nil, projectFolder: FileManager.default.currentDirectoryPath)
        if let loaded = try? TasklogConfig.load(
            explicit: configFile,
            storePath: path,
            environment: environment,
            warn: warn
        ) {
            (config, source) = loaded
        }
        let ledger = config.ledgerEnabled ? try? config.resolvedLedgerPath(source) : nil
        guard config.trackingConfigured && config.trackingEnabled else {
            return TrackingClient(store: nil, list: list, actor: actor, ledgerPath: ledger, warn: warn)
        }
        var options = TaskStore.Options()
        options.milestones = config.milestones
        if let interval = config.snapshotInterval { options.snapshotInterval = interval }
        return TrackingClient(
            storePath: path,
            list: list,
            actor: actor,
            ledgerPath: ledger,
            options: options,
            warn: warn
        )
    }

    private init(
        store: TaskStore?,
        list: String,
        actor: String?,
        ledgerPath: String?,
        warn: @escaping @Sendable (String) -> Void
    ) {
        self.store = store
        self.list = list
        self.actor = actor
        self.ledgerPath = ledgerPath
        self.warn = warn
    }

    /// Opens the store at `path` and tracks (an explicit client is consent, whatever the
    /// configuration says); if the store cannot be opened, warns and runs without it.
    public init(
        storePath path: String,
        list: String = "default",
        actor: String? = nil,
        ledgerPath: String? = nil,
        options: TaskStore.Options = TaskStore.Options(),
        warn: @escaping @Sendable (String) -> Void
    ) {
        self.list = list
        self.actor = actor
        self.ledgerPath = ledgerPath
        self.warn = warn
        var options = options
        options.ledgerPath = options.ledgerPath ?? ledgerPath
        options.log = warn
        do {
            store = try TaskStore.open(at: path, options: options)
        } catch {
            warn(
                "task tracking is off for this run: the store at \(TaskStore.displayed(path)) cannot be opened (\(error))"
            )
            store = nil
        }
    }

    /// Whether the store is there to track with.
    public var isTracking: Bool { store != nil }

    /// Creates a task, or warns and returns `nil`.
    @discardableResult
    public func create(_ task: NewTask) -> TaskRecord? {
        guard let store else { return nil }
        do {
            return try store.create(task, in: list, actor: actor)
        } catch {
            warn("could not create the task \"\(task.subject)\" (\(error)); continuing without tracking it")
            return nil
        }
    }

    /// Updates a task: retried once; a stale version is re-fetched; a cycle is left out. Warns
    /// and returns `nil` if it still fails.
    @discardableResult
    public func update(_ id: Int, _ changes: TaskChanges) -> CommandOutcome? {
        guard let store else { return nil }
        var changes = changes
        var retried = false
        while true {
            do {
                return try store.update(id, changes, in: list, actor: actor)
            } catch let error as TasklogError where error.code == .conflict && changes.expectedVersion != nil {
                changes.expectedVersion = nil  // re-fetch: apply to the task as it is now
                warn(
                    "task #\(id) changed since it was read (\(error.message)); applying the update to the current version"
                )
            } catch let error as TasklogError where error.code == .cycle {
                changes.addBlocks = []
                changes.addBlockedBy = []
                warn("\(error.message); the update is applied without the new dependencies")
            } catch {
                guard !retried else {
                    warn("could not update task #\(id) (\(error)); continuing")
                    return nil
                }
                retried = true
            }
        }
    }

    /// The tasks of the list, or `nil` when the store cannot answer.
    public func tasks() -> [TaskRecord]? {
        guard let store else { return nil }
        do {
            return try store.tasks(in: list)
        } catch {
            warn("could not read the task list (\(error)); fall back to the ledger")
            return nil
        }
    }

    /// The recovery decision for `workflow`: from the log, or, when the store cannot answer, from
    /// the ledger file; with neither, a fresh start.
    public func resumePlan(_ workflow: String?) -> ResumePlan {
        if let store {
            do {
                if let workflow {
                    return try store.resumePlan(workflow, in: store.listOfWorkflow(workflow, preferring: list) ?? list)
                }
                if let ledgerPath { return try store.resumePlan(ledgerAt: ledgerPath, preferring: list) }
            } catch {
                warn(
                    "could not read workflow \(workflow ?? "of the ledger") from the store (\(error)); using the ledger"
                )
            }
        }
        guard let ledgerPath else { return ResumePlan.decide(nil) }
        return LedgerFile.resumePlan(at: ledgerPath)
    }
}
