import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

struct Workflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Workflow runs: start, show, checkpoint, complete, fail, fork.",
        subcommands: [Start.self, Show.self, RecordCheckpoint.self, Complete.self, Fail.self, Fork.self]
    )

    struct Start: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a run; prints its id, TYPE-yyyyMMddTHHmm by default."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The workflow type, like build-task.")
        var type: String

        @Option(help: "The id to give the run.")
        var id: String?

        func run() throws {
            try tasklog.run {
                let store = try global.openForTasks()
                let workflowID = try store.startWorkflow(type: type, id: id, in: global.listID, actor: global.actorName)
                if global.json {
                    Output.json(["id": .string(workflowID), "type": .string(type)])
                } else {
                    Output.line(workflowID)
                }
            }
        }
    }

    struct Show: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Steps, phases, parallel groups and their aggregation, checkpoints."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The workflow id.")
        var id: String

        @Option(help: "As it was at this POINT: a seq or a UTC time.")
        var at: String?

        func run() throws {
            try tasklog.run {
                let store = try global.openForTasks(create: false)
                let point = try at.map { try Point(parsing: $0) }
                let list = try global.base.listOfWorkflow(id, in: store)
                guard let view = try store.workflow(id, in: list, at: point) else {
                    throw TasklogError(.notFound, "workflow \(id) not found in list \(list) nor in any other")
                }
                if global.json {
                    Output.json(view.json)
                    return
                }
                let workflow = view.workflow
                Output.line("\(workflow.id)  \(workflow.type)  \(workflow.status.name)  step \(view.currentStep)")
                Output.line("  started \(workflow.startedAt.iso8601Seconds)")
                if let failed = workflow.failedStep, workflow.status == .failed {
                    Output.line("  failed at step \(failed): \(workflow.failureReason ?? "")")
                }
                if !workflow.checkpoints.isEmpty { Output.line("  checkpoints:") }
                for checkpoint in workflow.checkpoints {
                    Output.line(
                        "    step \(checkpoint.step)  \(checkpoint.name)  \(checkpoint.completedAt.iso8601Seconds)"
                    )
                }
                let byID = Dictionary(uniqueKeysWithValues: view.tasks.map { ($0.id, $0) })
                func tasks(_ ids: [Int]) -> String {
                    ids.map { "#\($0) \(byID[$0]?.status.name ?? "?")" }.joined(separator: ", ")
                }
                if !view.steps.isEmpty { Output.line("  steps:") }
                for step in view.steps.keys.sorted() { Output.line("    \(step): \(tasks(view.steps[step]!))") }
                if !view.phases.isEmpty { Output.line("  phases:") }
                for phase in view.phases {
                    let after = phase.dependsOn.isEmpty ? "" : " (after \(phase.dependsOn.joined(separator: ", ")))"
                    Output.line("    \(phase.name) [\(phase.status.name)]\(after): \(tasks(phase.taskIDs))")
                }
                if !view.groups.isEmpty { Output.line("  parallel groups:") }
                for group in view.groups {
                    let deleted = group.deleted.isEmpty ? "" : ", deleted: \(Output.ids(group.deleted))"
                    Output.line(
                        "    \(group.id): \(group.completed.count) of \(group.members.count) completed"
                            + (group.failed.isEmpty ? "" : "; FAILED \(Output.ids(group.failed))\(deleted)")
                    )
                    for (task, result) in (group.results ?? [:]).sorted(by: { $0.key < $1.key }) {
                        Output.line("      #\(task) \(byID[task]?.subject ?? ""): \(result.serialized())")
                    }
                }
            }
        }
    }

    struct RecordCheckpoint: ParsableCommand {
        static let configuration = CommandConfiguration(
            commandName: "checkpoint",
            abstract: "Record a milestone by hand."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The workflow id.")
        var id: String

        @Option(help: "The step number.")
        var step: Int

        @Option(help: "The step's name, like \"Workspace setup\".")
        var name: String

        @Option(help: "A JSON object kept with the checkpoint.")
        var data: String?

        func run() throws {
            try tasklog.run {
                let store = try global.openForTasks(create: false)
                let outcome = try store.checkpoint(
                    id,
                    step: step,
                    name: name,
                    data: try parseMetadata(data, option: "--data") ?? [:],
                    in: try global.base.listOfWorkflow(id, in: store),
                    actor: global.actorName
                )
                if global.json {
                    Output.json([
                        "workflow": .string(id), "step": .int(Int64(step)), "seq": .int(Int64(outcome.seqs.last ?? 0)),
                    ])
                } else {
                    Output.line("Checkpoint of \(id) at step \(step): \(name)")
                }
            }
        }
    }

    struct Complete: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Complete a run; with auto_cleanup (the default) its remaining tasks are completed too.",
            discussion: "A failed run is refused (exit 67): resume it, or complete it anyway with --force."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The workflow id.")
        var id: String

        @Flag(help: "Complete a run that failed, as if it had succeeded (cleanup included).")
        var force = false

        func run() throws {
            try tasklog.run {
                let (config, _) = try global.base.loadConfig()
                let store = try global.openForTasks(create: false)
                let outcome = try store.completeWorkflow(
                    id,
                    cleanup: config.autoCleanup,
                    force: force,
                    in: try global.base.listOfWorkflow(id, in: store),
                    actor: global.actorName
                )
                if global.json {
                    Output.json([
                        "workflow": .string(id), "status": "completed", "events": .int(Int64(outcome.seqs.count)),
                    ])
                } else {
                    Output.line(
                        outcome.seqs.isEmpty ? "Workflow \(id) was already completed" : "Workflow \(id) completed"
                    )
                }
            }
        }
    }

    struct Fail: ParsableCommand {
        static let configuration = CommandConfiguration(abstract: "Mark a run failed at a step.")

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The workflow id.")
        var id: String

        @Option(help: "The step that failed.")
        var step: Int

        @Option(help: "Why.")
        var reason: String = ""

        func run() throws {
            try tasklog.run {
                let store = try global.openForTasks(create: false)
                try store.failWorkflow(
                    id,
                    step: step,
                    reason: reason,
                    in: try global.base.listOfWorkflow(id, in: store),
                    actor: global.actorName
                )
                if global.json {
                    Output.json(["workflow": .string(id), "status": "failed", "step": .int(Int64(step))])
                } else {
                    Output.line("Workflow \(id) failed at step \(step)")
                }
            }
        }
    }
}

extension Workflow {
    struct Fork: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Start a new run as a copy of a run as it was at a POINT: re-run it from there.",
            discussion: """
                The new run gets the run's tasks at POINT under new ids (work in progress back to \
                pending, links and completions kept) and its checkpoints; the fork is recorded in both \
                runs' histories. Prints the new run's id.
                """
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The workflow id of the run to fork.")
        var id: String

        @Option(help: "The POINT to fork at: a seq or a UTC time.")
        var at: String

        @Option(name: .customLong("id"), help: "The id to give the new run.")
        var newID: String?

        func run() throws {
            try tasklog.run {
                let store = try global.openForTasks(create: false)
                let forked = try store.forkWorkflow(
                    id,
                    at: try Point(parsing: at),
                    newID: newID,
                    preferring: global.listID,
                    actor: global.actorName
                )
                guard let view = try store.workflow(forked.id, in: forked.list) else {
                    throw TasklogError(.storage, "the fork \(forked.id) was not recorded")
                }
                if global.json {
                    Output.json([
                        "id": .string(forked.id), "from": .string(id), "taskListId": .string(forked.list),
                        "tasks": .array(view.tasks.map(\.json)),
                    ])
                } else {
                    Output.line(forked.id)
                    Output.notice(
                        "forked \(id) at \(at): \(view.tasks.count) task\(view.tasks.count == 1 ? "" : "s"), \(view.workflow.checkpoints.count) checkpoint\(view.workflow.checkpoints.count == 1 ? "" : "s"); `tasklog resume \(forked.id)` says where to go on"
                    )
                }
            }
        }
    }
}

struct LedgerCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "ledger",
        abstract: "Print a workflow's YAML ledger, rendered from the log; --write writes it atomically.",
        discussion: "`tasklog ledger ID --write` writes to the configured ledger_path; `--write PATH` elsewhere."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The workflow id.")
    var id: String

    @Argument(help: "With --write: where to write (default: task_tracking.ledger_path).")
    var path: String?

    @Option(help: "As it was at this POINT: a seq or a UTC time.")
    var at: String?

    @Flag(help: "Write the ledger file (temporary file, fsync, rename) instead of printing it.")
    var write = false

    func validate() throws {
        if path != nil && !write { throw ValidationError("a PATH is only taken with --write") }
    }

    func run() throws {
        try tasklog.run {
            let store = try global.openForTasks(create: false)
            let list = try global.base.listOfWorkflow(id, in: store)
            let text = try store.ledger(id, in: list, at: try at.map { try Point(parsing: $0) })
            guard write else {
                Output.write(text)
                return
            }
            let (config, source) = try global.base.loadConfig()
            let target = LedgerFile.path(
                try config.resolvedLedgerPath(
                    source,
                    override: path.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
                ),
                forRun: id
            )
            try LedgerFile.write(text, to: target)
            if global.json { Output.json(["written": .string(target)]) } else { Output.line("Wrote \(target)") }
        }
    }
}

struct Resume: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "The recovery decision: fresh start or resume, with the steps to skip and to run.",
        discussion: """
            From the log with a workflow ID (found in any task list), or from the run a ledger file names
            (--ledger PATH, else the configured ledger_path). Tasks win: a step with tasks is done when all
            of them are completed; the checkpoints decide only steps without tasks, and a file that
            disagrees with the log is named in a warning. No ledger: fresh start. Completed: fresh start.
            In progress: resume at the first step not done. Failed: resume from the failed step.
            Unreadable: a warning, fresh start.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The workflow id.")
    var id: String?

    @Option(help: "A ledger file to decide from.")
    var ledger: String?

    func validate() throws {
        if id != nil && ledger != nil { throw ValidationError("give a workflow ID or --ledger PATH, not both") }
    }

    func run() throws {
        try tasklog.run {
            let (config, source) = try global.base.loadConfig()
            // The ledger file: --ledger, else the configured one (its {workflow_id} is the run's).
            let configured = config.ledgerEnabled ? try? config.resolvedLedgerPath(source) : nil
            var plan: ResumePlan
            if let id {
                let store = try global.open(create: false)
                plan = try store.resumePlan(id, in: try global.base.listOfWorkflow(id, in: store))
                if let file = ledger ?? configured.map({ LedgerFile.path($0, forRun: id) }),
                    let drift = try store.ledgerDrift(at: file)
                {
                    plan.warning = drift + " (`tasklog ledger \(id) --write`)"
                }
            } else {
                let path = try ledger ?? configured ?? config.resolvedLedgerPath(source)
                guard !path.contains("{workflow_id}") else {
                    throw TasklogError(
                        .invalidInput,
                        "ledger_path \(path) gives each run its own file: name the run (`tasklog resume ID`) or the file (--ledger PATH)"
                    )
                }
                if let store = try? global.open(create: false) {
                    plan = try store.resumePlan(ledgerAt: path, preferring: global.listID)
                } else {
                    plan = LedgerFile.resumePlan(at: path, policy: config.milestones)
                }
            }
            if let warning = plan.warning { Output.notice("warning: \(warning)") }
            for conflict in plan.conflicts { Output.notice("tasks win: \(conflict)") }
            if global.json {
                Output.json(plan.json)
                return
            }
            Output.line("\(plan.decision == .resume ? "resume" : "fresh start"): \(plan.reason)")
            if let list = plan.taskListID, list != global.listID { Output.line("task list: \(list)") }
            if plan.decision == .resume {
                Output.line(
                    "skip: \(plan.skip.isEmpty ? "nothing" : plan.skip.map(String.init).joined(separator: ", "))"
                )
                Output.line("run:  \(plan.run.map(String.init).joined(separator: ", "))")
            }
        }
    }
}
