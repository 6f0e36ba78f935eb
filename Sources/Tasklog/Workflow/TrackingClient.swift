import Foundation
import Synchronization
import TasklogCore

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

    /// Opens the store at `path`; if it cannot be opened, warns and runs without it.
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
            warn("task tracking is off for this run: the store at \(path) cannot be opened (\(error))")
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
        if let store, let workflow {
            do {
                return try store.resumePlan(workflow, in: list)
            } catch {
                warn("could not read workflow \(workflow) from the store (\(error)); using the ledger")
            }
        }
        guard let ledgerPath else { return ResumePlan.decide(nil) }
        return LedgerFile.resumePlan(at: ledgerPath)
    }
}
