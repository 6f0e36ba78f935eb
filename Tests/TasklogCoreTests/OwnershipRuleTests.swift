import Testing

@testable import TasklogCore

/// Who may change a task: a task in progress is its holder's, who may hand it over; anyone else
/// needs an explicit takeover (the version read); a task moved back to pending is anyone's.
@Suite struct OwnershipRuleTests {
    /// One list, folded as a store would, each command decided as its actor.
    struct Run {
        var state = TasklogState()
        var list: TaskListState { state.list("default") }

        @discardableResult
        mutating func run(_ command: TaskCommand, as actor: String?) throws(TasklogError) -> [EventPayload] {
            let events = try Decider.decide(command, in: list, actor: actor)
            for payload in events {
                Reducer.apply(
                    Event(seq: state.lastSeq + 1, timestamp: Timestamp(rawValue: 0), list: "default", payload: payload),
                    to: &state
                )
            }
            return events
        }

        mutating func update(_ id: Int, _ changes: TaskChanges, as actor: String?) throws(TasklogError) {
            try run(.update(id: id, changes), as: actor)
        }

        func task(_ id: Int) throws -> TaskRecord { try #require(list.tasks[id]) }

        /// A list with task #1 claimed by agent-a.
        static func heldByAgentA() throws -> Run {
            var run = Run()
            try run.run(.create(NewTask(subject: "Write the parser")), as: "agent-a")
            try run.update(1, TaskChanges(status: .inProgress), as: "agent-a")
            return run
        }
    }

    static let othersChanges: [TaskChanges] = [
        TaskChanges(status: .completed), TaskChanges(status: .pending), TaskChanges(status: .deleted),
        TaskChanges(subject: "Renamed"), TaskChanges(owner: ""), TaskChanges(metadata: ["note": "mine now"]),
    ]

    @Test(arguments: othersChanges)
    func anotherActorCannotChangeAHeldTask(changes: TaskChanges) throws {
        var run = try Run.heldByAgentA()
        let error = try #require(throws: TasklogError.self) { try run.update(1, changes, as: "agent-b") }
        #expect(error.code == .conflict)
        #expect(error.message.contains("held by agent-a"))
        #expect(try run.task(1).owner == "agent-a")
        #expect(try run.task(1).status == .inProgress)
    }

    @Test func anActorWithoutANameIsNotTheHolder() throws {
        var run = try Run.heldByAgentA()
        let error = try #require(throws: TasklogError.self) {
            try run.update(1, TaskChanges(status: .completed), as: nil)
        }
        #expect(error.code == .conflict)
    }

    @Test(arguments: othersChanges)
    func theHolderChangesItsTask(changes: TaskChanges) throws {
        var run = try Run.heldByAgentA()
        #expect(try !run.run(.update(id: 1, changes), as: "agent-a").isEmpty)
    }

    @Test func namingTheVersionReadTakesOver() throws {
        var run = try Run.heldByAgentA()
        let version = try run.task(1).version
        try run.update(1, TaskChanges(status: .inProgress, expectedVersion: version), as: "agent-b")
        #expect(try run.task(1).owner == "agent-b")
        // A stale version is still refused.
        let error = try #require(throws: TasklogError.self) {
            try run.update(1, TaskChanges(status: .completed, expectedVersion: version), as: "agent-a")
        }
        #expect(error.code == .conflict)
    }

    @Test func aChangeThatChangesNothingIsNotRefused() throws {
        var run = try Run.heldByAgentA()
        #expect(try run.run(.update(id: 1, TaskChanges(subject: "Write the parser")), as: "agent-b").isEmpty)
    }

    @Test func theHolderHandsItsTaskOver() throws {
        var run = try Run.heldByAgentA()
        try run.update(1, TaskChanges(owner: "agent-b"), as: "agent-a")
        #expect(try run.task(1).owner == "agent-b")
        #expect(try run.task(1).status == .inProgress)
        // Now it is agent-b's: agent-a is refused like anyone else.
        let error = try #require(throws: TasklogError.self) {
            try run.update(1, TaskChanges(status: .completed), as: "agent-a")
        }
        #expect(error.message.contains("held by agent-b"))
    }

    @Test func anotherActorStillCannotClaimAHeldTask() throws {
        var run = try Run.heldByAgentA()
        let error = try #require(throws: TasklogError.self) {
            try run.update(1, TaskChanges(status: .inProgress), as: "agent-b")
        }
        #expect(error.message.contains("already claimed by agent-a"))
        // The holder's repeated claim changes nothing and is not refused.
        #expect(try run.run(.update(id: 1, TaskChanges(status: .inProgress)), as: "agent-a").isEmpty)
    }

    @Test(arguments: [TaskStatus.completed, .inProgress])
    func reopeningClearsTheOwner(from status: TaskStatus) throws {
        var run = try Run.heldByAgentA()
        if status == .completed { try run.update(1, TaskChanges(status: .completed), as: "agent-a") }
        try run.update(1, TaskChanges(status: .pending), as: "agent-a")
        #expect(try run.task(1).owner == nil)
        #expect(try run.task(1).status == .pending)
        // Ready for anyone again.
        try run.update(1, TaskChanges(status: .inProgress), as: "agent-b")
        #expect(try run.task(1).owner == "agent-b")
    }

    @Test func reopeningWithAnOwnerAssignsIt() throws {
        var run = try Run.heldByAgentA()
        try run.update(1, TaskChanges(status: .completed), as: "agent-a")
        try run.update(1, TaskChanges(status: .pending, owner: "agent-c"), as: "agent-a")
        #expect(try run.task(1).owner == "agent-c")
    }

    // MARK: Blockers and running work

    /// Task #1 held by agent-a, #2 pending, #3 completed and blocking #1.
    static func runningWork() throws -> Run {
        var run = Run()
        for subject in ["Write the parser", "Write the lexer", "Design the grammar"] {
            try run.run(.create(NewTask(subject: subject)), as: "agent-a")
        }
        try run.update(3, TaskChanges(status: .completed, addBlocks: [1]), as: "agent-a")
        try run.update(1, TaskChanges(status: .inProgress), as: "agent-a")
        return run
    }

    @Test func anOpenBlockerIsNotAddedToRunningWork() throws {
        var run = try Self.runningWork()
        for (id, changes) in [(1, TaskChanges(addBlockedBy: [2])), (2, TaskChanges(addBlocks: [1]))] {
            let error = try #require(throws: TasklogError.self) { try run.update(id, changes, as: "agent-a") }
            #expect(error.code == .conflict)
            #expect(error.message.contains("in progress"))
        }
        #expect(try run.task(1).blockedBy == [3])
        // A completed blocker blocks nothing; a pending task moved back takes the blocker.
        try run.update(3, TaskChanges(addBlocks: [1]), as: "agent-a")
        try run.update(1, TaskChanges(status: .pending, addBlockedBy: [2]), as: "agent-a")
        #expect(try Set(run.task(1).blockedBy) == [2, 3])
    }

    @Test func theBlockerOfRunningWorkIsNotReopened() throws {
        var run = try Self.runningWork()
        let error = try #require(throws: TasklogError.self) {
            try run.update(3, TaskChanges(status: .pending), as: "agent-a")
        }
        #expect(error.code == .conflict)
        #expect(error.message.contains("reopening #3 would block running work"))
        try run.update(1, TaskChanges(status: .pending), as: "agent-a")
        try run.update(3, TaskChanges(status: .pending), as: "agent-a")
        #expect(try run.task(3).status == .pending)
    }
}

extension OwnershipRuleTests {
    // MARK: Agent busy

    @Test func anExclusiveClaimRefusesABusyAgent() throws {
        var run = try Run.heldByAgentA()
        try run.run(.create(NewTask(subject: "Write the lexer")), as: "agent-a")
        let error = try #require(throws: TasklogError.self) {
            try run.update(2, TaskChanges(status: .inProgress, exclusive: true), as: "agent-a")
        }
        #expect(error.code == .conflict)
        #expect(error.message.contains("agent-a is busy: it holds #1 (Write the parser) in progress"))
        // Handing a task to a busy agent is refused the same way; another agent may claim it.
        #expect(throws: TasklogError.self) {
            try run.update(2, TaskChanges(status: .inProgress, owner: "agent-a", exclusive: true), as: "agent-b")
        }
        try run.update(2, TaskChanges(status: .inProgress, exclusive: true), as: "agent-b")
        // The holder's repeated claim of the task it holds is not a second task.
        #expect(try run.run(.update(id: 1, TaskChanges(status: .inProgress, exclusive: true)), as: "agent-a").isEmpty)
        // Without the option, an agent may hold several.
        try run.run(.create(NewTask(subject: "Write the printer")), as: "agent-a")
        try run.update(3, TaskChanges(status: .inProgress), as: "agent-a")
        #expect(try run.task(3).owner == "agent-a")
    }
}
