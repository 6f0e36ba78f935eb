import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

/// The skill's build-task workflow, step by step, as an orchestrator would drive it: for the demo
/// and the end-to-end test, which kill it mid-way and resume.
struct RunSteps: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_run-steps",
        abstract: "Run steps of a build-task workflow, printing each one done.",
        shouldDisplay: false
    )

    /// The build-task workflow's steps; milestones (1, 4, 5, 7, 9) come from configuration.
    static let names = [
        1: "Workspace setup", 2: "Read the task", 3: "Plan the change", 4: "Build", 5: "Verify",
        6: "Review the diff", 7: "Quality", 8: "Write the summary", 9: "Ship",
    ]

    @OptionGroup var global: GlobalOptions

    @Option(help: "The workflow id.")
    var workflow: String

    @Option(help: "The first step to run.")
    var from: Int = 1

    @Option(help: "The last step to run.")
    var through: Int = 9

    @Option(help: "Pause after each step, in milliseconds.")
    var delayMs: Int = 0

    @Option(help: "The reviewer of the quality step (7) whose review fails.")
    var failingReviewer: String = "security"

    func validate() throws {
        guard Self.names[from] != nil, Self.names[through] != nil, from <= through else {
            throw ValidationError("--from and --through must be steps 1 to 9, --from first; not \(from) and \(through)")
        }
        guard (0...60_000).contains(delayMs) else {
            throw ValidationError("--delay-ms must be 0 to 60000, not \(delayMs)")
        }
    }

    func run() throws {
        try tasklog.run {
            let store = try global.openForTasks()
            let steps = try Self.run(
                store,
                workflow: workflow,
                steps: from...through,
                list: global.listID,
                actor: global.actorName,
                failingReviewer: failingReviewer
            ) { step in
                var line = "step \(step) done\n"
                line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                if delayMs > 0 { usleep(UInt32(delayMs) * 1000) }
            }
            _ = steps
        }
    }

    /// Runs `steps` of `workflow`: each a task created, claimed and completed; step 7 also runs a
    /// parallel group of three reviewers, one of which fails. Calls `done` after each step.
    @discardableResult
    static func run(
        _ store: TaskStore,
        workflow: String,
        steps: ClosedRange<Int>,
        list: String,
        actor: String,
        failingReviewer: String,
        done: (Int) -> Void
    ) throws -> Int {
        for step in steps {
            let name = names[step] ?? "Step \(step)"
            let task = try store.create(
                NewTask(
                    subject: name,
                    activeForm: "Running \(name.lowercased())",
                    metadata: [
                        "workflow": .string(workflow), "step": .int(Int64(step)), "phase": .string(phase(of: step)),
                    ]
                ),
                in: list,
                actor: actor
            )
            _ = try store.update(task.id, TaskChanges(status: .inProgress), in: list, actor: actor)
            if step == 7 {
                let group = "reviewers-\(workflow)"
                var reviewers: [TaskRecord] = []
                for reviewer in ["correctness", "security", "style"] {
                    reviewers.append(
                        try store.create(
                            NewTask(
                                subject: "Run the \(reviewer) review",
                                activeForm: "Running the \(reviewer) review",
                                metadata: [
                                    "workflow": .string(workflow), "step": 7, "parallel_group": .string(group),
                                    "reviewer": .string(reviewer), "milestone": false,
                                ]
                            ),
                            in: list,
                            actor: actor
                        )
                    )
                }
                for reviewer in reviewers {
                    let failed = reviewer.metadata["reviewer"] == .string(failingReviewer)
                    _ = try store.update(
                        reviewer.id,
                        TaskChanges(status: .completed, metadata: ["result": .string(failed ? "failed" : "passed")]),
                        in: list,
                        actor: "reviewer-\(reviewer.id)"
                    )
                }
            }
            _ = try store.update(task.id, TaskChanges(status: .completed), in: list, actor: actor)
            done(step)
        }
        return steps.count
    }

    static func phase(of step: Int) -> String {
        switch step {
        case 1...3: "setup"
        case 4...5: "build"
        case 6...7: "review"
        default: "ship"
        }
    }
}
