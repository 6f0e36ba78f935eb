import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

struct Update: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Change a task: status, fields, owner, dependencies, metadata.",
        discussion: """
            Moving a task to in_progress claims it: it is refused while blockers are open, and
            while someone else holds it (exit 68 and 67). A claim without --owner is the actor's.

            A task in progress is its holder's: only the holder changes it (and may hand it over
            with --owner), unless --expect-version names the version you read (a takeover) or
            the holder's lease ran out. Anything else exits 67 naming the holder. Moving a task
            back to pending clears its owner.

            A claim made with --lease SECONDS is released (back to pending) once the lease runs
            out; `tasklog heartbeat` and every later update by the actor renew it.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The task id.")
    var id: String

    @Option(help: "pending, in_progress, completed or deleted.")
    var status: String?

    @Option(help: "A new subject.")
    var subject: String?

    @Option(help: "A new description.")
    var description: String?

    @Option(help: "A new active form.")
    var activeForm: String?

    @Option(help: "A new owner; an empty string clears it.")
    var owner: String?

    @Option(name: .customLong("add-blocked-by"), help: "A task that must complete first (repeatable).")
    var addBlockedBy: [String] = []

    @Option(name: .customLong("add-blocks"), help: "A task that waits for this one (repeatable).")
    var addBlocks: [String] = []

    @Option(help: "A JSON object merged into the metadata; a key set to null is removed.")
    var metadata: String?

    @Option(help: "Refuse the update if the task is no longer at this version; takes over a task another holds.")
    var expectVersion: Int?

    @Flag(
        help: "Refuse the claim if the owner already holds another task in progress (task_tracking.one_task_per_agent)."
    )
    var exclusive = false

    @Option(help: "A key that makes a retried update take effect once.")
    var idempotencyKey: String?

    @Option(
        help: ArgumentHelp(
            "With --status in_progress: lease the claim for this many seconds; `tasklog heartbeat` renews it.",
            valueName: "seconds"
        )
    )
    var lease: Double?

    func run() async throws {
        try await tasklog.runAsync {
            let taskID = try parseTaskID(id)
            var changes = TaskChanges(
                subject: subject,
                description: description,
                activeForm: activeForm,
                owner: owner,
                addBlocks: try addBlocks.map(parseTaskID),
                addBlockedBy: try addBlockedBy.map(parseTaskID),
                metadata: try parseMetadata(metadata),
                expectedVersion: expectVersion
            )
            if let status {
                guard let parsed = TaskStatus(name: status) else {
                    throw TasklogError(
                        .invalidInput,
                        "unknown status \(status); use pending, in_progress, completed or deleted"
                    )
                }
                changes.status = parsed
            }
            if lease != nil && changes.status != .inProgress {
                throw TasklogError(
                    .invalidInput,
                    "--lease leases a claim; use it with --status in_progress (renew a lease with `tasklog heartbeat`)"
                )
            }
            if let lease { try TaskStore.checkLeaseLength(lease) }
            if changes.status == .inProgress || changes.owner != nil {
                changes.exclusive = try exclusive || global.base.loadConfig().config.oneTaskPerAgent
            }
            let store = try global.openForTasks(create: false)
            // A holder whose lease ran out holds nothing: release its claims before deciding.
            _ = try await store.releaseExpiredLeases(actor: global.actorName)
            let outcome: CommandOutcome
            do {
                outcome = try await store.update(
                    taskID,
                    changes,
                    in: global.listID,
                    actor: global.actorName,
                    idempotencyKey: idempotencyKey
                )
            } catch let error as TasklogError where error.code == .conflict {
                // Told to a person at a shell: the option that passes the version, and where to read it.
                throw TasklogError(
                    .conflict,
                    error.message.replacingOccurrences(
                        of: "the version you read",
                        with: "the version you read (--expect-version; `tasklog get \(taskID)` shows it)"
                    )
                )
            }
            // A leased claim is the holder's until the lease runs out; any update renews the actor's lease.
            if let lease, let holder = outcome.task?.owner {
                try store.leaseForCommandLine(owner: holder, in: global.listID, seconds: lease)
            } else {
                try store.renewCommandLineLease(owner: global.actorName, in: global.listID)
            }
            if global.json {
                var object: [String: JSONValue] = [:]
                if case .object(let task)? = outcome.task?.json {
                    object = task
                } else {
                    object = ["id": .string(String(taskID)), "status": .string("deleted")]
                }
                object["updatedFields"] = .array(outcome.updatedFields.map(JSONValue.string))
                if let change = outcome.statusChange {
                    object["statusChange"] = ["from": .string(change.from.name), "to": .string(change.to.name)]
                }
                Output.json(.object(object))
            } else {
                if outcome.updatedFields.isEmpty {
                    Output.line("Task #\(taskID) unchanged")
                } else {
                    Output.line("Updated task #\(taskID) \(outcome.updatedFields.joined(separator: ", "))")
                }
                if let task = outcome.task { Output.task(task) }
            }
        }
    }
}
