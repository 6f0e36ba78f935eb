import TasklogTestSupport
import Testing

@testable import TasklogCore

/// What the decider says a command did agrees with the fold of the events it decided.
@Suite struct DecisionTests {
    @Test(arguments: 1...12)
    func whatADecisionSaysAgreesWithTheFoldOfItsEvents(seed: Int) throws {
        var generator = CommandGenerator(seed: UInt64(seed))
        var state = TasklogState()
        var time = Timestamp(rawValue: 1_780_000_000_000_000)
        var statusChanges = 0
        for _ in 0..<250 {
            let (command, list, actor) = generator.next(for: state)
            guard let decision = try? Decider.decision(command, in: state.list(list), actor: actor) else { continue }
            #expect(try Decider.decide(command, in: state.list(list), actor: actor) == decision.payloads)
            let before = state.list(list)
            time = Timestamp(rawValue: time.rawValue + 1_000)
            for payload in decision.payloads {
                Reducer.apply(
                    Event(seq: state.lastSeq + 1, timestamp: time, list: list, actor: actor, payload: payload),
                    to: &state
                )
            }
            let after = state.list(list)
            switch command {
            case .create(let new):
                #expect(decision.taskID == after.highWater)
                #expect(decision.taskID.flatMap { after.tasks[$0]?.subject } == new.subject)
            case .update(let id, _):
                #expect(decision.taskID == id)
                let old = before.tasks[id]!.status
                let new = after.tasks[id]?.status ?? .deleted
                #expect(decision.statusChange == (old == new ? nil : Decision.StatusChange(from: old, to: new)))
                if decision.statusChange != nil { statusChanges += 1 }
                #expect(decision.updatedFields.isEmpty == decision.payloads.isEmpty)
                #expect(decision.updatedFields.contains("deleted") == (after.tasks[id] == nil))
            case .release(let owner):
                let released = before.sortedTasks.filter { $0.status == .inProgress && $0.owner == owner }.map(\.id)
                #expect(decision.releasedTaskIDs == released)
                #expect(released.allSatisfy { after.tasks[$0]?.status == .pending && after.tasks[$0]?.owner == nil })
            case .addDependency(let blocker, _), .removeDependency(let blocker, _):
                #expect(decision.taskID == blocker)
                #expect(
                    decision.updatedFields
                        == (before.tasks[blocker]?.blocks == after.tasks[blocker]?.blocks ? [] : ["blocks"])
                )
            default:
                Issue.record("the generator made a command this test does not check: \(command)")
            }
            #expect(decision.workflowID == nil && decision.checkpoints.isEmpty, "no command here names a workflow")
        }
        #expect(statusChanges > 10, "seed \(seed): the commands should move statuses")
    }

    @Test func completingAMilestoneTaskRecordsItsCheckpointInItsWorkflow() throws {
        var list = TaskListState()
        let time = Timestamp(rawValue: 1)
        list.tasks[1] = TaskRecord(
            id: 1,
            subject: "Review",
            metadata: ["workflow": "custom-1", "milestone": true],
            createdAt: time,
            updatedAt: time
        )
        list.highWater = 1
        let decision = try Decider.decision(.update(id: 1, TaskChanges(status: .completed)), in: list, actor: nil)
        #expect(decision.taskID == 1)
        #expect(decision.updatedFields == ["status"])
        #expect(decision.statusChange == Decision.StatusChange(from: .pending, to: .completed))
        #expect(decision.workflowID == "custom-1")
        let recorded = decision.payloads.compactMap { payload -> Decision.RecordedCheckpoint? in
            guard case .checkpointRecorded(let workflow, let step, let name, _) = payload else { return nil }
            return Decision.RecordedCheckpoint(workflow: workflow, step: step, name: name)
        }
        #expect(recorded.map(\.name) == ["Review"])
        #expect(decision.checkpoints == recorded)
        #expect(decision.payloads.count == 2)
    }
}
