package import Tasklog
import TasklogCore

/// The skill's build-task workflow, step by step, as an orchestrator drives it: run by
/// `tasklog demo` and by the test rigs, which kill it mid-way and resume.
package enum BuildTaskRun {
    /// The build-task workflow's steps; milestones (1, 4, 5, 7, 9) come from configuration.
    package static let names = [
        1: "Workspace setup", 2: "Read the task", 3: "Plan the change", 4: "Build", 5: "Verify",
        6: "Review the diff", 7: "Quality", 8: "Write the summary", 9: "Ship",
    ]

    /// Runs `steps` of `workflow`: each a task created, claimed and completed; step 7 also runs a
    /// parallel group of three reviewers, of which `failingReviewer` fails. Calls `done` after each step.
    package static func run(
        _ store: TaskStore,
        workflow: String,
        steps: ClosedRange<Int>,
        list: String,
        actor: String,
        failingReviewer: String,
        done: (Int) -> Void
    ) throws {
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
                    let failed = reviewer.metadata("reviewer") == .string(failingReviewer)
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
