import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

struct Workflow: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Workflow runs: start, show, checkpoint, complete, fail.",
        subcommands: [Start.self, Show.self, RecordCheckpoint.self, Complete.self, Fail.self]
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
                guard let view = try store.workflow(id, in: global.listID, at: point) else {
                    throw TasklogError(.notFound, "workflow \(id) not found in list \(global.listID)")
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
                    Output.line(
                        "    \(group.id): \(group.completed.count) completed, \(group.failed.count) failed, \(group.open.count) open"
                            + (group.failed.isEmpty ? "" : " (failed: \(Output.ids(group.failed)))")
                    )
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
                    data: try parseMetadata(data) ?? [:],
                    in: global.listID,
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
            abstract: "Complete a run; with auto_cleanup (the default) its remaining tasks are completed too."
        )

        @OptionGroup var global: GlobalOptions

        @Argument(help: "The workflow id.")
        var id: String

        func run() throws {
            try tasklog.run {
                let (config, _) = try global.base.loadConfig()
                let store = try global.openForTasks(create: false)
                let outcome = try store.completeWorkflow(
                    id,
                    cleanup: config.autoCleanup,
                    in: global.listID,
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
                try store.failWorkflow(id, step: step, reason: reason, in: global.listID, actor: global.actorName)
                if global.json {
                    Output.json(["workflow": .string(id), "status": "failed", "step": .int(Int64(step))])
                } else {
                    Output.line("Workflow \(id) failed at step \(step)")
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
            let text = try store.ledger(id, in: global.listID, at: try at.map { try Point(parsing: $0) })
            guard write else {
                FileHandle.standardOutput.write(Data(text.utf8))
                return
            }
            let (config, source) = try global.base.loadConfig()
            let target = try config.resolvedLedgerPath(
                source,
                override: path.map { $0.hasPrefix("/") ? $0 : FileManager.default.currentDirectoryPath + "/" + $0 }
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
            From the log with a workflow ID, or from a ledger file with --ledger (without either, the
            configured ledger_path). No ledger: fresh start. Completed: fresh start. In progress: resume
            after the last checkpoint. Failed: resume from the failed step. Unreadable: a warning, fresh start.
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
            let plan: ResumePlan
            if let id {
                plan = try global.open(create: false).resumePlan(id, in: global.listID)
            } else {
                plan = LedgerFile.resumePlan(
                    at: try ledger ?? config.resolvedLedgerPath(source),
                    policy: config.milestones
                )
            }
            if let warning = plan.warning { Output.notice("warning: \(warning)") }
            if global.json {
                Output.json(plan.json)
                return
            }
            Output.line("\(plan.decision == .resume ? "resume" : "fresh start"): \(plan.reason)")
            if plan.decision == .resume {
                Output.line(
                    "skip: \(plan.skip.isEmpty ? "nothing" : plan.skip.map(String.init).joined(separator: ", "))"
                )
                Output.line("run:  \(plan.run.map(String.init).joined(separator: ", "))")
            }
        }
    }
}
