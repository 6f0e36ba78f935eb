import Testing

@testable import TasklogCore

/// The task-coordinator skill's rules off the happy path: steps with several tasks, numbered
/// steps, tasks that win over the ledger, failed runs, group aggregation.
@Suite struct WorkflowRuleTests {
    /// One list, folded as a store would: each command decided against the state, then applied,
    /// a minute apart.
    struct Run {
        var state = TasklogState()
        var policy = MilestonePolicy.standard
        var list: TaskListState { state.list("default") }

        @discardableResult
        mutating func run(_ command: TaskCommand) throws -> [EventPayload] {
            let events = try Decider.decide(command, in: list, actor: "a", policy: policy)
            for payload in events {
                let time = Timestamp(rawValue: 1_770_993_000_000_000 + Int64(state.lastSeq) * 60_000_000)
                Reducer.apply(
                    Event(seq: state.lastSeq + 1, timestamp: time, list: "default", payload: payload),
                    to: &state
                )
            }
            return events
        }

        mutating func create(_ subject: String, _ metadata: [String: JSONValue]) throws {
            try run(.create(NewTask(subject: subject, metadata: metadata)))
        }

        mutating func complete(_ id: Int) throws -> [Int] {
            try run(.update(id: id, TaskChanges(status: .completed))).compactMap {
                if case .checkpointRecorded(_, let step, _, _) = $0 { step } else { nil }
            }
        }

        func view(_ id: String) throws -> WorkflowView { try #require(WorkflowView(id: id, in: list, policy: policy)) }
    }

    let buildTask = "build-task-20260213T1430"

    @Test func aStepWithSeveralTasksIsCheckpointedWhenItsLastTaskCompletes() throws {
        var run = Run()
        try run.run(.startWorkflow(type: "build-task", id: buildTask))
        for reviewer in ["security", "style", "tests"] {
            try run.create(
                "Review \(reviewer)",
                [
                    "workflow": .string(buildTask), "step": 7, "parallel_group": "reviewers",
                    "reviewer": .string(reviewer),
                ]
            )
        }
        #expect(try run.complete(1) == [])
        #expect(try run.complete(3) == [])
        #expect(try run.complete(2) == [7])
        let checkpoint = try #require(run.view(buildTask).workflow.checkpoints.first)
        #expect(checkpoint.name == "Quality")
        #expect(checkpoint.data["tasks"] == ["1", "2", "3"])
        // While a reviewer is open, resume runs step 7 again.
        try run.run(.update(id: 2, TaskChanges(status: .pending)))
        let plan = ResumePlan.decide(try run.view(buildTask), totalSteps: 9)
        #expect(plan.run.contains(7) && !plan.skip.contains(7))
    }

    @Test func qualityGateReviewersAreStepsOfTheirOwnAndTheVerdictComesAfter() throws {
        var run = Run()
        let gate = "quality-gate-20260213T1430"
        try run.run(.startWorkflow(type: "quality-gate", id: gate))
        for reviewer in ["a", "b", "c"] {
            try run.create("Run \(reviewer)", ["workflow": .string(gate), "parallel_group": "reviewers-1"])
        }
        // Completed out of creation order: each keeps its own step, checkpoints in the order they happened.
        #expect(try run.complete(3) == [3])
        #expect(try run.complete(1) == [1])
        #expect(try run.complete(2) == [2])
        let verdict = try run.run(.completeWorkflow(id: gate, cleanup: true))
        #expect(verdict.contains(.checkpointRecorded(workflow: gate, step: 4, name: "Final verdict", data: [:])))
        let workflow = try run.view(gate).workflow
        #expect(workflow.checkpointsAsRecorded.map(\.step) == [3, 1, 2, 4])
        let ledger = Ledger.render(try run.view(gate))
        #expect(!ledger.contains("step: 0"))
        #expect(ledger.contains("last_checkpoint: \"\(workflow.endedAt!.iso8601Seconds)\""))
    }

    @Test func runBlueprintNumbersItsTasksAfterTaskCreation() throws {
        var run = Run()
        let id = "run-blueprint-20260213T1430"
        try run.run(.startWorkflow(type: "run-blueprint", id: id))
        try run.create("Create the tasks", ["workflow": .string(id), "step": 2])
        try run.create("Blueprint task A", ["workflow": .string(id)])
        try run.create("Blueprint task B", ["workflow": .string(id)])
        #expect(try run.complete(1) == [2])
        #expect(try run.complete(3) == [4])
        #expect(try run.complete(2) == [3])
        #expect(try run.view(id).steps == [2: [1], 3: [2], 4: [3]])
    }

    @Test func stepsCountFromOne() throws {
        var run = Run()
        try run.run(.startWorkflow(type: "build-task", id: buildTask))
        #expect(throws: TasklogError.self) { try run.create("Zero", ["workflow": .string(buildTask), "step": 0]) }
        #expect(throws: TasklogError.self) {
            try run.run(.checkpoint(workflow: buildTask, step: 0, name: "Zero", data: [:]))
        }
        #expect(throws: TasklogError.self) {
            try TasklogConfig.parse("task_tracking:\n  milestones:\n    build-task: [0, 4]\n", file: "c")
        }
    }

    @Test func theLedgerNeverHoldsANullTime() throws {
        var run = Run()
        try run.run(.startWorkflow(type: "build-task", id: buildTask))
        let ledger = Ledger.render(try run.view(buildTask), taskList: "default")
        #expect(ledger.contains("last_checkpoint: \"2026-02-13T14:30:00Z\""))
        #expect(ledger.contains("task_list_id: \"default\""))
        #expect(!ledger.contains("null"))
        #expect(try LedgerDocument.parse(ledger, file: "l").taskListID == "default")
    }

    @Test func aFailedRunIsNotCleanedUpUnlessForced() throws {
        var run = Run()
        try run.run(.startWorkflow(type: "build-task", id: buildTask))
        try run.create("Step 4: Build", ["workflow": .string(buildTask), "step": 4])
        try run.run(.failWorkflow(id: buildTask, step: 4, reason: "tests failed"))
        #expect {
            try run.run(.completeWorkflow(id: buildTask, cleanup: true))
        } throws: { error in
            (error as? TasklogError)?.code == .conflict && (error as? TasklogError)?.remedy == .force
        }
        #expect(run.list.tasks[1]?.status == .pending)
        try run.run(.completeWorkflow(id: buildTask, cleanup: true, force: true))
        #expect(run.list.tasks[1]?.status == .completed)
        #expect(run.list.workflows[buildTask]?.status == .completed)
    }

    @Test func theTasksWinOverTheCheckpoints() throws {
        var run = Run()
        try run.run(.startWorkflow(type: "build-task", id: buildTask))
        try run.create("Step 1: Workspace setup", ["workflow": .string(buildTask), "step": 1])
        try run.create("Step 4: Build", ["workflow": .string(buildTask), "step": 4])
        _ = try run.complete(1)
        _ = try run.complete(2)
        #expect(ResumePlan.decide(try run.view(buildTask), totalSteps: 9).resumeFrom == 5)
        // Step 4 reopened: its checkpoint stays in the log, but the tasks decide.
        try run.run(.update(id: 2, TaskChanges(status: .pending)))
        let plan = ResumePlan.decide(try run.view(buildTask), totalSteps: 9)
        // Steps 2 and 3 have no task: the checkpoints (up to step 4) say they are done.
        #expect(plan.skip == [1, 2, 3])
        #expect(plan.run == [4, 5, 6, 7, 8, 9])
        #expect(plan.conflicts.count == 1 && plan.conflicts[0].contains("#2"))
    }

    @Test func aGroupAggregatesByTheSkillsRuleAndShowsDeletedMembers() throws {
        var run = Run()
        let gate = "quality-gate-20260213T1430"
        for reviewer in ["a", "b", "c"] {
            try run.create(
                "Run \(reviewer)",
                ["workflow": .string(gate), "parallel_group": "g", "reviewer": .string(reviewer)]
            )
        }
        try run.run(.update(id: 1, TaskChanges(metadata: ["result": "pass"])))
        _ = try run.complete(1)
        _ = try run.complete(2)
        let before = run.list.tasks[3]!
        try run.run(.update(id: 3, TaskChanges(status: .deleted)))
        var group = try #require(WorkflowView(id: gate, in: run.list, deleted: [before])?.groups.first)
        #expect(group.failed == [3] && group.deleted == [3] && group.results == nil)
        #expect(group.members == [1, 2, 3])
        // Without the deleted member every member is completed: the results are aggregated.
        group = try #require(WorkflowView(id: gate, in: run.list)?.groups.first)
        #expect(group.failed.isEmpty)
        #expect(group.results == [1: .string("pass"), 2: JSONValue.null])
    }

    @Test func configuredMilestonesKeepTheTypesStepCount() throws {
        let config = try TasklogConfig.parse("task_tracking:\n  milestones:\n    build-task: [1, 9]\n", file: "c")
        let rule = try #require(config.milestones.rules["build-task"])
        #expect(rule.steps == [1, 9] && rule.totalSteps == 9 && rule.stepNames[9] == "Ship")
        #expect(!config.trackingConfigured)
        #expect(try TasklogConfig.parse("task_tracking:\n  enabled: true\n", file: "c").trackingConfigured)
    }

    @Test func aForkCopiesTheRunAsItWasWithNewIDs() throws {
        var run = Run()
        try run.run(.startWorkflow(type: "build-task", id: buildTask))
        try run.create("Outside blocker", [:])
        try run.create("Step 1", ["workflow": .string(buildTask), "step": 1])
        try run.create(
            "Step 4 a",
            ["workflow": .string(buildTask), "step": 4, "parallel_group": .string("g-\(buildTask)")]
        )
        try run.create("Step 4 b", ["workflow": .string(buildTask), "step": 4])
        try run.run(.update(id: 3, TaskChanges(addBlockedBy: [1, 2])))
        _ = try run.complete(1)
        _ = try run.complete(2)
        try run.run(.update(id: 3, TaskChanges(status: .inProgress, owner: "agent-a")))
        let before = try run.view(buildTask)
        let at = run.state.lastSeq
        let events = try run.run(.forkWorkflow(run: before, at: at, id: "build-task-fork"))
        #expect(events.first == .workflowForked(id: "build-task-fork", type: "build-task", from: buildTask, at: at))
        let fork = try run.view("build-task-fork")
        #expect(fork.tasks.map(\.id) == [5, 6, 7])
        #expect(fork.tasks.map(\.subject) == ["Step 1", "Step 4 a", "Step 4 b"])
        #expect(fork.tasks.map(\.status) == [.completed, .pending, .pending], "the claim is not copied")
        #expect(fork.tasks[1].owner == nil)
        #expect(fork.tasks[1].blockedBy == [1, 5], "the outside blocker stays, the run's own is its copy")
        #expect(fork.tasks[1].metadata["parallel_group"] == "g-build-task-fork")
        #expect(fork.workflow.checkpoints.map(\.step) == [1])
        // The source run is unchanged.
        #expect(try run.view(buildTask).tasks == before.tasks)
        #expect(throws: TasklogError.self) { try run.run(.forkWorkflow(run: before, at: at, id: "build-task-fork")) }
    }
}
