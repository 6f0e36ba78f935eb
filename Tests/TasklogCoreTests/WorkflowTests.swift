import Testing

@testable import TasklogCore

@Suite struct WorkflowTests {
    let t0 = Timestamp(rawValue: 1_770_993_000_000_000)  // 2026-02-13T14:30:00Z

    func fold(_ payloads: [(String, EventPayload)]) -> TasklogState {
        var state = TasklogState()
        for (index, (list, payload)) in payloads.enumerated() {
            let time = Timestamp(rawValue: t0.rawValue + Int64(index) * 60_000_000)
            Reducer.apply(Event(seq: UInt64(index + 1), timestamp: time, list: list, payload: payload), to: &state)
        }
        return state
    }

    // MARK: The recovery decision table, row by row

    @Test func noLedgerIsAFreshStart() {
        let plan = ResumePlan.decide(nil)
        #expect(plan.decision == .freshStart && plan.skip.isEmpty && plan.run.isEmpty)
    }

    @Test func aCompletedRunIsAFreshStart() {
        let ledger = LedgerDocument(
            workflowID: "w",
            workflowType: "build-task",
            status: .completed,
            currentStep: 9,
            completedSteps: [1, 4, 5, 7, 9]
        )
        #expect(ResumePlan.decide(ledger, totalSteps: 9).decision == .freshStart)
    }

    @Test func aRunInProgressResumesAfterItsLastCheckpoint() {
        let ledger = LedgerDocument(
            workflowID: "w",
            workflowType: "build-task",
            status: .inProgress,
            currentStep: 5,
            completedSteps: [1, 4, 5]
        )
        let plan = ResumePlan.decide(ledger, totalSteps: 9)
        #expect(plan.decision == .resume)
        #expect(plan.skip == [1, 2, 3, 4, 5])
        #expect(plan.run == [6, 7, 8, 9])
        #expect(plan.resumeFrom == 6)
    }

    @Test func aFailedRunResumesFromTheFailedStep() {
        let ledger = LedgerDocument(
            workflowID: "w",
            workflowType: "build-task",
            status: .failed,
            currentStep: 7,
            completedSteps: [1, 4, 5],
            failedStep: 7
        )
        let plan = ResumePlan.decide(ledger, totalSteps: 9)
        #expect(plan.decision == .resume && plan.skip == [1, 2, 3, 4, 5, 6] && plan.run == [7, 8, 9])
    }

    @Test func anUnreadableLedgerWarnsAndStartsAfresh() throws {
        #expect(throws: TasklogError.self) { try LedgerDocument.parse("version: [1\nstatus", file: "ledger.yml") }
        let plan = ResumePlan.unreadable("ledger.yml is not valid YAML")
        #expect(plan.decision == .freshStart && plan.warning != nil)
    }

    // MARK: The ledger

    @Test func theLedgerRendersTheSchemaAndReadsBack() throws {
        let id = "build-task-20260213T1430"
        let state = fold([
            ("default", .workflowStarted(id: id, type: "build-task")),
            (
                "default",
                .checkpointRecorded(
                    workflow: id,
                    step: 1,
                    name: "Workspace \"setup\"",
                    data: ["branch": "main", "n": 2]
                )
            ),
            ("default", .checkpointRecorded(workflow: id, step: 4, name: "Build", data: [:])),
        ])
        let view = try #require(WorkflowView(id: id, in: state.list("default")))
        let text = Ledger.render(view)
        #expect(
            text == """
                version: 1
                workflow_id: "build-task-20260213T1430"
                workflow_type: "build-task"
                started_at: "2026-02-13T14:30:00Z"
                last_checkpoint: "2026-02-13T14:32:00Z"
                current_step: 4
                status: "in_progress"
                checkpoints:
                  - step: 1
                    name: "Workspace \\"setup\\""
                    status: "completed"
                    completed_at: "2026-02-13T14:31:00Z"
                    data: {"branch": "main", "n": 2}
                  - step: 4
                    name: "Build"
                    status: "completed"
                    completed_at: "2026-02-13T14:32:00Z"
                    data: {}

                """
        )
        let document = try LedgerDocument.parse(text, file: "ledger.yml")
        #expect(document == LedgerDocument(view))
    }

    @Test func aFailedRunsLedgerNamesTheStepAndReason() throws {
        let state = fold([
            ("default", .workflowStarted(id: "w-1", type: "blueprint")),
            ("default", .workflowFailed(id: "w-1", step: 6, reason: "plan rejected")),
        ])
        let text = Ledger.render(try #require(WorkflowView(id: "w-1", in: state.list("default"))))
        #expect(text.contains("status: \"failed\"\nfailed_step: 6\nfailure_reason: \"plan rejected\"\ncheckpoints: []"))
        #expect(try LedgerDocument.parse(text, file: "l").failedStep == 6)
    }

    // MARK: Milestones and workflow commands

    @Test func completingAMilestoneTaskRecordsACheckpoint() throws {
        var state = fold([("default", .workflowStarted(id: "build-task-1", type: "build-task"))])
        for step in 1...5 {
            let created = try Decider.decide(
                .create(
                    NewTask(subject: "Step \(step)", metadata: ["workflow": "build-task-1", "step": .int(Int64(step))])
                ),
                in: state.list("default"),
                actor: "a"
            )
            state = apply(created, to: state)
        }
        var checkpoints: [Int] = []
        for id in 1...5 {
            let events = try Decider.decide(
                .update(id: id, TaskChanges(status: .completed)),
                in: state.list("default"),
                actor: "a"
            )
            for case .checkpointRecorded(_, let step, _, _) in events { checkpoints.append(step) }
            state = apply(events, to: state)
        }
        #expect(checkpoints == [1, 4, 5])
        #expect(
            state.list("default").workflows["build-task-1"]?.checkpoints.map(\.name) == ["Step 1", "Step 4", "Step 5"]
        )
    }

    @Test func aMilestoneFlagOverridesTheTable() throws {
        var state = TasklogState()
        state = apply(
            try Decider.decide(
                .create(NewTask(subject: "Odd", metadata: ["workflow": "custom-1", "milestone": true])),
                in: state.list("l"),
                actor: nil
            ),
            to: state,
            list: "l"
        )
        let events = try Decider.decide(
            .update(id: 1, TaskChanges(status: .completed)),
            in: state.list("l"),
            actor: nil
        )
        #expect(events.count == 2)
    }

    @Test func workflowIDsAreUniqueWithinAMinute() throws {
        var state = TasklogState()
        var ids: [String] = []
        for _ in 0..<3 {
            let events = try Decider.decide(
                .startWorkflow(type: "build-task", id: nil),
                in: state.list("default"),
                actor: nil,
                now: t0
            )
            ids.append(events.first!.workflowID!)
            state = apply(events, to: state)
        }
        #expect(ids == ["build-task-20260213T1430", "build-task-20260213T1430-2", "build-task-20260213T1430-3"])
        #expect(WorkflowID.type(of: ids[1]) == "build-task")
        #expect(WorkflowID.type(of: "quality-gate") == "quality-gate")
    }

    @Test func cleanupCompletesTheRemainingTasks() throws {
        var state = fold([("default", .workflowStarted(id: "w-1", type: "build-task"))])
        for n in 1...3 {
            state = apply(
                try Decider.decide(
                    .create(NewTask(subject: "T\(n)", metadata: ["workflow": "w-1"])),
                    in: state.list("default"),
                    actor: nil
                ),
                to: state
            )
        }
        let events = try Decider.decide(
            .completeWorkflow(id: "w-1", cleanup: true),
            in: state.list("default"),
            actor: nil
        )
        state = apply(events, to: state)
        #expect(state.list("default").tasks.allSatisfy { $0.status == .completed })
        #expect(state.list("default").workflows["w-1"]?.status == .completed)
        #expect(
            try Decider.decide(.completeWorkflow(id: "w-1", cleanup: true), in: state.list("default"), actor: nil)
                .isEmpty
        )
    }

    @Test func parallelGroupsAggregateTheirMembers() throws {
        var state = TasklogState()
        for (n, result) in [(1, nil), (2, "failed"), (3, nil)] as [(Int, String?)] {
            var metadata: [String: JSONValue] = [
                "workflow": "quality-gate-20260213T1430", "parallel_group": "reviewers",
            ]
            if let result { metadata["result"] = .string(result) }
            state = apply(
                try Decider.decide(
                    .create(NewTask(subject: "Reviewer \(n)", metadata: metadata)),
                    in: state.list("default"),
                    actor: nil
                ),
                to: state
            )
        }
        state = apply(
            try Decider.decide(.update(id: 1, TaskChanges(status: .completed)), in: state.list("default"), actor: nil),
            to: state
        )
        let view = try #require(WorkflowView(id: "quality-gate-20260213T1430", in: state.list("default")))
        // The skill's rule: FAILED is every member not completed, and no results while it is not empty.
        #expect(
            view.groups == [
                .init(id: "reviewers", members: [1, 2, 3], completed: [1], failed: [2, 3], deleted: [], results: nil)
            ]
        )
        // quality-gate: each reviewer's completion is a milestone.
        #expect(view.workflow.checkpoints.map(\.name) == ["Reviewer 1"])
    }

    // MARK: Configuration

    @Test func configurationReadsEveryKey() throws {
        let config = try TasklogConfig.parse(
            """
            task_tracking:
              enabled: false
              ledger: true
              ledger_path: out/ledger.yml
              auto_cleanup: no
              one_task_per_agent: yes
              snapshot_interval: 500
              milestones:
                build-task: [1, 9]
                deploy: {steps: [2], every_task: false, on_complete: true, total_steps: 3}
            """,
            file: ".tasklog.yml"
        )
        #expect(!config.trackingEnabled && config.ledgerEnabled && !config.autoCleanup && config.oneTaskPerAgent)
        #expect(config.ledgerPath == "out/ledger.yml" && config.snapshotInterval == 500)
        #expect(config.milestones.rules["build-task"]?.steps == [1, 9])
        #expect(config.milestones.rules["deploy"] == .init(steps: [2], onComplete: true, totalSteps: 3))
        #expect(config.milestones.rules["blueprint"] == MilestonePolicy.standard.rules["blueprint"])
    }

    @Test(arguments: [
        ("task_tracking:\n  enabled: maybe\n", "line 2: task_tracking.enabled must be true or false"),
        ("task_tracking:\n  ledgr: true\n", "line 2: task_tracking.ledgr is not a known key"),
        ("tracking:\n  enabled: true\n", "line 2: tracking is not a known key"),
        (
            "task_tracking:\n  milestones:\n    build-task: [1, x]\n",
            "line 3: task_tracking.milestones.build-task must be a whole number"
        ),
        ("task_tracking: [\n", "is not valid YAML: line 2"),
    ])
    func aMalformedConfigurationNamesTheFileTheLineAndTheKey(text: String, expected: String) {
        #expect {
            try TasklogConfig.parse(text, file: "/p/.tasklog.yml")
        } throws: { error in
            let message = (error as? TasklogError)?.message ?? ""
            return message.hasPrefix("/p/.tasklog.yml") && message.contains(expected)
        }
    }

    private func apply(_ payloads: [EventPayload], to state: TasklogState, list: String = "default") -> TasklogState {
        var state = state
        for payload in payloads {
            Reducer.apply(Event(seq: state.lastSeq + 1, timestamp: t0, list: list, payload: payload), to: &state)
        }
        return state
    }
}
