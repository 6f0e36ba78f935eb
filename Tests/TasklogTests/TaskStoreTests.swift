import Foundation
import TasklogCore
import Testing

@testable import Tasklog

/// How a scenario's store lives between its steps.
enum StoreConfiguration: String, CaseIterable, Sendable, CustomTestStringConvertible {
    /// One store, open throughout.
    case fresh
    /// Closed and opened again between steps: every step starts from a cold recovery.
    case reopened
    /// Reopened between steps, alternately with a snapshot after every event and with none, so
    /// that recovery starts from a snapshot and replays a tail.
    case snapshotRecovered

    var testDescription: String { rawValue }
}

/// A store that a scenario drives step by step, reopened between steps as its configuration says.
final class ScenarioStore {
    let folder: TestFolder
    let backend: TestBackend
    let configuration: StoreConfiguration
    /// Every run uses its own deterministic clock, so that two runs give equal timestamps.
    let clock = StepClock()
    private var current: TaskStore?
    private(set) var step = 0
    /// The recoveries made by the reopenings.
    private(set) var recoveries: [RecoveryInfo] = []
    /// What each step returned, for comparing runs.
    private(set) var transcript: [String] = []

    init(_ folder: TestFolder, _ backend: TestBackend, configuration: StoreConfiguration) throws {
        self.folder = folder
        self.backend = backend
        self.configuration = configuration
        current = try folder.open(backend, options: options())
    }

    var store: TaskStore { current! }

    private func options() -> TaskStore.Options {
        switch configuration {
        case .fresh, .reopened: .testing(clock: clock)
        case .snapshotRecovered: .testing(snapshotInterval: step % 2 == 0 ? 1 : 10_000, clock: clock)
        }
    }

    /// Ends a step: reopens the store unless it is the fresh configuration.
    func next() throws {
        step += 1
        guard configuration != .fresh else { return }
        current?.close()
        current = try folder.open(backend, options: options())
        _ = try store.state()  // every list loaded, so that the recovery counts the whole tail
        recoveries.append(try #require(store.recovery))
    }

    func record(_ line: String) { transcript.append(line) }

    /// A deterministic description (dictionaries print in no fixed order; JSON serializes sorted).
    static func describe(_ value: Any) -> String {
        switch value {
        case let task as TaskRecord:
            return task.json.serialized()
        case let outcome as CommandOutcome:
            let change = outcome.statusChange.map { "\($0.from)->\($0.to)" } ?? "-"
            return
                "task=\(outcome.task.map(describe) ?? "nil") id=\(outcome.taskID ?? -1) fields=\(outcome.updatedFields) "
                + "status=\(change) seqs=\(outcome.seqs) released=\(outcome.releasedTaskIDs) dedup=\(outcome.deduplicated)"
        case let state as TasklogState:
            let lists = state.lists.keys.sorted().map { id in
                let list = state.lists[id]!
                return "\(id)(hw \(list.highWater)): " + list.sortedTasks.map(describe).joined(separator: ", ")
            }
            return "seq \(state.lastSeq) at \(state.lastTimestamp): " + lists.joined(separator: "; ")
        default:
            return String(describing: value)
        }
    }

    /// Runs `body`, records its result or refusal, and returns the refusal.
    @discardableResult
    func attempt<R>(_ label: String, _ body: (TaskStore) throws -> R) -> Result<R, TasklogError> {
        do {
            let value = try body(store)
            record("\(label): \(Self.describe(value))")
            return .success(value)
        } catch let error as TasklogError {
            record("\(label): refused \(error.code): \(error.message)")
            return .failure(error)
        } catch {
            record("\(label): unexpected \(error)")
            return .failure(TasklogError(.storage, "unexpected \(error)"))
        }
    }
}

extension Result {
    var failureValue: Failure? {
        if case .failure(let error) = self { error } else { nil }
    }
}

@Suite("Task semantics through the library")
struct TaskStoreTests {
    // MARK: The key scenario over three configurations

    /// Runs the agent-coordination scenario, checking every rule on the way; returns the transcript
    /// and the final state.
    @discardableResult
    static func runScenario(
        _ configuration: StoreConfiguration,
        on backend: TestBackend,
        in folder: TestFolder
    ) throws -> (
        transcript: [String], state: TasklogState
    ) {
        let s = try ScenarioStore(folder, backend, configuration: configuration)

        // 1. Three tasks: ids are sequential per list.
        let schema = try s.store.create(NewTask(subject: "Design the schema", activeForm: "Designing"), actor: "lead")
        let migration = try s.store.create(NewTask(subject: "Write the migration"), actor: "lead")
        let review = try s.store.create(NewTask(subject: "Review the change"), actor: "lead")
        s.record("created " + [schema, migration, review].map(ScenarioStore.describe).joined(separator: " "))
        #expect([schema.id, migration.id, review.id] == [1, 2, 3] as [Int])
        #expect(schema.status == .pending && schema.version == 1 && schema.owner == nil)
        try s.next()

        // 2. Dependencies are kept symmetric.
        s.attempt("2 blocked by 1") { try $0.update(2, TaskChanges(addBlockedBy: [1]), actor: "lead") }
        s.attempt("2 blocks 3") { try $0.update(2, TaskChanges(addBlocks: [3]), actor: "lead") }
        try s.next()
        #expect(try s.store.get(1)?.blocks == [2])
        #expect(try s.store.get(1)?.blockedBy == [])
        #expect(try s.store.get(2)?.blockedBy == [1])
        #expect(try s.store.get(2)?.blocks == [3])
        #expect(try s.store.get(3)?.blockedBy == [2])
        #expect(try s.store.ready().map(\.id) == [1])

        // 3. A claim while a blocker is open is refused, naming the blocker.
        let blocked = s.attempt("claim 2 early") {
            try $0.update(2, TaskChanges(status: .inProgress), actor: "agent-b")
        }
        #expect(blocked.failureValue?.code == .blocked)
        #expect(blocked.failureValue?.message.contains("#1") == true)
        #expect(try s.store.get(2)?.status == .pending)
        try s.next()

        // 4. A claim is a compare-and-set on the owner.
        let claimed = s.attempt("agent-a claims 1") {
            try $0.update(1, TaskChanges(status: .inProgress), actor: "agent-a")
        }
        #expect((try? claimed.get())?.task?.owner == "agent-a")
        #expect((try? claimed.get())?.statusChange == .init(from: .pending, to: .inProgress))
        try s.next()
        let second = s.attempt("agent-b claims 1") {
            try $0.update(1, TaskChanges(status: .inProgress), actor: "agent-b")
        }
        #expect(second.failureValue?.code == .conflict)
        #expect(second.failureValue?.message.contains("agent-a") == true)
        let seqBeforeReclaim = try s.store.lastSeq()
        let reclaim = s.attempt("agent-a claims 1 again") {
            try $0.update(1, TaskChanges(status: .inProgress), actor: "agent-a")
        }
        #expect((try? reclaim.get())?.seqs == [])
        #expect(try s.store.lastSeq() == seqBeforeReclaim)
        #expect(try s.store.get(1)?.owner == "agent-a")
        try s.next()

        // 5. A stale expected version is a conflict; the right one takes the claim over.
        let version = try #require(try s.store.get(1)?.version)
        let stale = s.attempt("stale version") {
            try $0.update(1, TaskChanges(description: "x", expectedVersion: version - 1), actor: "agent-a")
        }
        #expect(stale.failureValue?.code == .conflict)
        #expect(try s.store.get(1)?.description == "")
        let takeover = s.attempt("agent-c takes 1 over") {
            try $0.update(1, TaskChanges(owner: "agent-c", expectedVersion: version), actor: "agent-c")
        }
        #expect((try? takeover.get())?.task?.owner == "agent-c")
        #expect((try? takeover.get())?.task?.version == version + 1)
        try s.next()

        // 6. A link that would close a cycle is refused, naming the cycle.
        let cycle = s.attempt("1 blocked by 3") { try $0.update(1, TaskChanges(addBlockedBy: [3]), actor: "lead") }
        #expect(cycle.failureValue?.code == .cycle)
        for id in ["#1", "#2", "#3"] { #expect(cycle.failureValue?.message.contains(id) == true) }
        #expect(try s.store.get(1)?.blockedBy == [])
        #expect(try s.store.get(3)?.blocks == [])
        try s.next()

        // 7. Once the blocker completes, the claim goes through.
        s.attempt("complete 1") { try $0.update(1, TaskChanges(status: .completed), actor: "agent-c") }
        let claimB = s.attempt("agent-b claims 2") {
            try $0.update(2, TaskChanges(status: .inProgress), actor: "agent-b")
        }
        #expect((try? claimB.get())?.task?.owner == "agent-b")
        try s.next()

        // 8. Ready work: pending, unowned, every blocker completed.
        let docs = try s.store.create(NewTask(subject: "Write the docs"), actor: "lead")
        let assigned = try s.store.create(NewTask(subject: "Assigned already", owner: "agent-d"), actor: "lead")
        #expect([docs.id, assigned.id] == [4, 5] as [Int])
        #expect(try s.store.ready().map(\.id) == [4])
        try s.next()

        // 9. Releasing a gone agent's claims: back to pending, without an owner.
        let released = s.attempt("release agent-b") { try $0.release(owner: "agent-b", actor: "supervisor") }
        #expect((try? released.get()) == [2])
        #expect(try s.store.get(2)?.status == .pending)
        #expect(try s.store.get(2)?.owner == nil)
        #expect(try s.store.ready().map(\.id) == [2, 4])
        try s.next()

        // 10. Deleting: gone from the state and from every link; the history keeps it; ids go on.
        s.attempt("delete 2") { try $0.update(2, TaskChanges(status: .deleted), actor: "lead") }
        #expect(try s.store.get(2) == nil)
        #expect(try s.store.get(1)?.blocks == [])
        #expect(try s.store.get(3)?.blockedBy == [])
        #expect(try s.store.tasks().map(\.id) == [1, 3, 4, 5])
        try s.next()
        let history = try s.store.allEvents().filter { $0.payload.taskIDs.contains(2) }
        #expect(history.first.map { if case .taskCreated = $0.payload { true } else { false } } == true)
        #expect(history.last?.payload == .taskDeleted(id: 2))
        let afterDelete = try s.store.create(NewTask(subject: "After the delete"), actor: "lead")
        #expect(afterDelete.id == 6)
        let missing = s.attempt("update deleted 2") { try $0.update(2, TaskChanges(subject: "x")) }
        #expect(missing.failureValue?.code == .notFound)
        try s.next()

        // 11. Metadata merges; a null removes a key.
        s.attempt("metadata 1") {
            try $0.update(4, TaskChanges(metadata: ["phase": "review", "note": "draft", "step": 2]))
        }
        s.attempt("metadata 2") {
            try $0.update(4, TaskChanges(metadata: ["note": nil, "step": 3, "extra": ["a": 1]]))
        }
        #expect(try s.store.get(4)?.metadata == ["phase": "review", "step": 3, "extra": ["a": 1]])
        try s.next()

        // 12. Lists are separate namespaces.
        let other = try s.store.create(NewTask(subject: "In another list"), in: "other", actor: "lead")
        #expect(other.id == 1)
        #expect(try s.store.tasks(in: "other").map(\.subject) == ["In another list"])
        #expect(try s.store.get(1)?.subject == "Design the schema")
        try s.next()

        // 13. An idempotency key makes a retried create take effect once.
        let firstTry = try s.store.execute(
            .create(NewTask(subject: "Once")),
            actor: "lead",
            idempotencyKey: "create-once"
        )
        try s.next()
        let retry = try s.store.execute(.create(NewTask(subject: "Once")), actor: "lead", idempotencyKey: "create-once")
        #expect(firstTry.deduplicated == false)
        #expect(retry.deduplicated == true)
        #expect(retry.taskID == firstTry.taskID)
        #expect(try s.store.tasks().filter { $0.subject == "Once" }.count == 1)
        s.record("idempotent \(firstTry.taskID ?? -1) \(retry.taskID ?? -1)")

        // 14. An update that changes nothing appends nothing.
        let before = try s.store.lastSeq()
        let unchanged = s.attempt("no-op") {
            try $0.update(4, TaskChanges(subject: "Write the docs", metadata: ["phase": "review"]))
        }
        #expect((try? unchanged.get())?.seqs == [])
        #expect((try? unchanged.get())?.updatedFields == [])
        #expect(try s.store.lastSeq() == before)
        try s.next()

        // The incremental state always equals a full replay.
        let state = try s.store.state()
        #expect(state == (try s.store.fullReplay()))
        #expect(state.lastSeq == before)
        s.record("final " + ScenarioStore.describe(state))

        if configuration == .snapshotRecovered {
            #expect(s.recoveries.contains { $0.snapshotSeq != nil && $0.replayedEvents > 0 }, "\(s.recoveries)")
            #expect(s.recoveries.contains { $0.snapshotSeq != nil && $0.replayedEvents == 0 }, "\(s.recoveries)")
        }
        if configuration == .reopened {
            #expect(s.recoveries.allSatisfy { $0.snapshotSeq == nil })
        }
        return (s.transcript, state)
    }

    @Test(
        "The coordination scenario gives the same results on every configuration",
        arguments: StoreConfiguration.allCases,
        TestBackend.allCases
    )
    func scenario(_ configuration: StoreConfiguration, _ backend: TestBackend) throws {
        let result = try TestFolder.with("scenario-\(configuration)") {
            try Self.runScenario(configuration, on: backend, in: $0)
        }
        guard configuration != .fresh || backend != .lmdb else { return }
        let reference = try TestFolder.with("scenario-reference") { try Self.runScenario(.fresh, on: .lmdb, in: $0) }
        #expect(result.state == reference.state)
        #expect(result.transcript == reference.transcript)
    }

    // MARK: Ids

    @Test(arguments: TestBackend.allCases)
    func idsAreSequentialPerListAndNeverReused(_ backend: TestBackend) throws {
        try TestFolder.with("ids") { folder in
            let store = try folder.open(backend, options: .testing())
            for expected in 1...3 {
                #expect(try store.create(NewTask(subject: "Task \(expected)")).id == expected)
            }
            #expect(try store.create(NewTask(subject: "Elsewhere"), in: "b").id == 1)
            // Deleting the newest task must not give its id back.
            _ = try store.update(3, TaskChanges(status: .deleted))
            #expect(try store.create(NewTask(subject: "Task 4")).id == 4)
            _ = try store.update(4, TaskChanges(status: .deleted))
            _ = try store.update(1, TaskChanges(status: .deleted))
            #expect(try store.create(NewTask(subject: "Task 5")).id == 5)
            #expect(try store.create(NewTask(subject: "Elsewhere 2"), in: "b").id == 2)
            #expect(try store.tasks().map(\.id) == [2, 5])
            // Get of a deleted or never-issued id.
            #expect(try store.get(1) == nil)
            #expect(try store.get(99) == nil)
            let deleted = #expect(throws: TasklogError.self) { try store.update(1, TaskChanges(subject: "x")) }
            #expect(deleted?.code == .notFound)
            #expect(deleted?.message.contains("deleted") == true)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func idsSurviveReopeningFromSnapshot(_ backend: TestBackend) throws {
        try TestFolder.with("ids-reopen") { folder in
            do {
                let store = try folder.open(backend, options: .testing(snapshotInterval: 1))
                for index in 1...3 { _ = try store.create(NewTask(subject: "Task \(index)")) }
                _ = try store.update(3, TaskChanges(status: .deleted))
            }
            let store = try folder.open(backend, options: .testing())
            #expect(store.recovery?.snapshotSeq == 4)
            #expect(try store.create(NewTask(subject: "Task 4")).id == 4)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func listIDsAreSanitized(_ backend: TestBackend) throws {
        try TestFolder.with("lists") { folder in
            let store = try folder.open(backend, options: .testing())
            _ = try store.create(NewTask(subject: "Spaced"), in: "team a/b")
            #expect(try store.tasks(in: "team-a-b").map(\.subject) == ["Spaced"])
            #expect(try store.state().lists.keys.sorted() == ["team-a-b"])
            let empty = #expect(throws: TasklogError.self) { try store.create(NewTask(subject: "x"), in: "") }
            #expect(empty?.code == .invalidInput)
        }
    }

    // MARK: Claims and dependencies

    @Test(arguments: TestBackend.allCases)
    func claimWaitsForEveryBlocker(_ backend: TestBackend) throws {
        try TestFolder.with("blockers") { folder in
            let store = try folder.open(backend, options: .testing())
            for index in 1...3 { _ = try store.create(NewTask(subject: "Task \(index)")) }
            _ = try store.update(3, TaskChanges(addBlockedBy: [1, 2]))
            let both = #expect(throws: TasklogError.self) {
                try store.update(3, TaskChanges(status: .inProgress), actor: "agent")
            }
            #expect(both?.code == .blocked)
            #expect(both?.message.contains("#1") == true && both?.message.contains("#2") == true)
            // Completing a blocked task directly is refused too.
            let complete = #expect(throws: TasklogError.self) { try store.update(3, TaskChanges(status: .completed)) }
            #expect(complete?.code == .blocked)
            _ = try store.update(1, TaskChanges(status: .completed))
            let one = #expect(throws: TasklogError.self) {
                try store.update(3, TaskChanges(status: .inProgress), actor: "agent")
            }
            #expect(one?.code == .blocked)
            #expect(one?.message.contains("#2") == true)
            #expect(one?.message.contains("#1") == false)
            // A blocker that is deleted no longer blocks.
            _ = try store.update(2, TaskChanges(status: .deleted))
            #expect(try store.get(3)?.blockedBy == [1])
            let claim = try store.update(3, TaskChanges(status: .inProgress), actor: "agent")
            #expect(claim.task?.owner == "agent")
            #expect(claim.task?.status == .inProgress)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func claimIsCompareAndSetOnTheOwner(_ backend: TestBackend) throws {
        try TestFolder.with("cas") { folder in
            let store = try folder.open(backend, options: .testing())
            _ = try store.create(NewTask(subject: "Contended"))
            let first = try store.update(1, TaskChanges(status: .inProgress, owner: "agent-1"), actor: "x")
            #expect(first.task?.owner == "agent-1")
            let version = try #require(first.task?.version)
            let second = #expect(throws: TasklogError.self) {
                try store.update(1, TaskChanges(status: .inProgress, owner: "agent-2"))
            }
            #expect(second?.code == .conflict)
            // Changing the owner of a task in progress without the version is a conflict too.
            let steal = #expect(throws: TasklogError.self) { try store.update(1, TaskChanges(owner: "agent-2")) }
            #expect(steal?.code == .conflict)
            let same = try store.update(1, TaskChanges(status: .inProgress), actor: "agent-1")
            #expect(same.seqs.isEmpty)
            let wrongVersion = #expect(throws: TasklogError.self) {
                try store.update(1, TaskChanges(status: .inProgress, owner: "agent-2", expectedVersion: version + 1))
            }
            #expect(wrongVersion?.code == .conflict)
            let takeover = try store.update(
                1,
                TaskChanges(status: .inProgress, owner: "agent-2", expectedVersion: version)
            )
            #expect(takeover.task?.owner == "agent-2")
            #expect(try store.get(1)?.owner == "agent-2")
        }
    }

    @Test(arguments: TestBackend.allCases)
    func staleExpectedVersionIsAConflictAndWritesNothing(_ backend: TestBackend) throws {
        try TestFolder.with("version") { folder in
            let store = try folder.open(backend, options: .testing())
            let task = try store.create(NewTask(subject: "Versioned"))
            #expect(task.version == 1)
            let edited = try store.update(1, TaskChanges(subject: "Edited", expectedVersion: 1))
            #expect(edited.task?.version == 2)
            let seq = try store.lastSeq()
            let stale = #expect(throws: TasklogError.self) {
                try store.update(1, TaskChanges(subject: "Lost update", expectedVersion: 1))
            }
            #expect(stale?.code == .conflict)
            #expect(try store.lastSeq() == seq)
            #expect(try store.get(1)?.subject == "Edited")
        }
    }

    @Test(arguments: TestBackend.allCases)
    func cyclesAreRefusedAndNamed(_ backend: TestBackend) throws {
        try TestFolder.with("cycle") { folder in
            let store = try folder.open(backend, options: .testing())
            for index in 1...4 { _ = try store.create(NewTask(subject: "Task \(index)")) }
            _ = try store.update(1, TaskChanges(addBlocks: [2]))
            _ = try store.update(2, TaskChanges(addBlocks: [3]))
            _ = try store.update(3, TaskChanges(addBlocks: [4]))
            let seq = try store.lastSeq()
            let cycle = #expect(throws: TasklogError.self) { try store.update(4, TaskChanges(addBlocks: [1])) }
            #expect(cycle?.code == .cycle)
            #expect(cycle?.message.contains("#4 → #1 → #2 → #3 → #4") == true, "\(cycle?.message ?? "")")
            let viaBlockedBy = #expect(throws: TasklogError.self) {
                try store.update(2, TaskChanges(addBlockedBy: [4]))
            }
            #expect(viaBlockedBy?.code == .cycle)
            let selfLink = #expect(throws: TasklogError.self) { try store.update(2, TaskChanges(addBlocks: [2])) }
            #expect(selfLink?.code == .invalidInput)
            // Two links in one update that close a cycle between them.
            _ = try store.create(NewTask(subject: "Task 5"))
            let pair = #expect(throws: TasklogError.self) {
                try store.update(5, TaskChanges(addBlocks: [1], addBlockedBy: [4]))
            }
            #expect(pair?.code == .cycle)
            #expect(try store.lastSeq() == seq + 1)
            #expect(try store.get(5)?.blocks == [])
            // A link to a task that does not exist.
            let unknown = #expect(throws: TasklogError.self) { try store.update(5, TaskChanges(addBlocks: [42])) }
            #expect(unknown?.code == .notFound)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func deleteRemovesLinksButHistoryKeepsIt(_ backend: TestBackend) throws {
        try TestFolder.with("delete") { folder in
            let store = try folder.open(backend, options: .testing())
            for index in 1...3 { _ = try store.create(NewTask(subject: "Task \(index)")) }
            _ = try store.update(2, TaskChanges(addBlocks: [3], addBlockedBy: [1]))
            let v1 = try #require(try store.get(1)?.version)
            let outcome = try store.update(2, TaskChanges(status: .deleted), actor: "lead")
            #expect(outcome.task == nil)
            #expect(outcome.updatedFields == ["deleted"])
            #expect(outcome.statusChange == .init(from: .pending, to: .deleted))
            #expect(try store.get(2) == nil)
            #expect(try store.get(1)?.blocks == [])
            #expect(try store.get(3)?.blockedBy == [])
            #expect(try store.get(1)?.version == v1 + 1)
            #expect(try store.ready().map(\.id) == [1, 3])
            let events = try store.allEvents()
            #expect(
                events.map(\.payload.typeName) == [
                    "task_created", "task_created", "task_created", "task_updated", "task_deleted",
                ]
            )
            #expect(events.last?.payload == .taskDeleted(id: 2))
            #expect(events.last?.actor == "lead")
            let deleteAgain = #expect(throws: TasklogError.self) { try store.update(2, TaskChanges(status: .deleted)) }
            #expect(deleteAgain?.code == .notFound)
            #expect(try store.state() == (try store.fullReplay()))
        }
    }

    // MARK: Metadata and bounds

    @Test(arguments: TestBackend.allCases)
    func metadataMergesAndNullRemoves(_ backend: TestBackend) throws {
        try TestFolder.with("metadata") { folder in
            let store = try folder.open(backend, options: .testing())
            let task = try store.create(
                NewTask(subject: "Meta", metadata: ["workflow": "build-task-20260213T1430", "step": 1, "gone": nil])
            )
            #expect(task.metadata == ["workflow": "build-task-20260213T1430", "step": 1])
            let merged = try store.update(1, TaskChanges(metadata: ["step": 2, "milestone": true, "workflow": nil]))
            #expect(merged.updatedFields == ["metadata"])
            #expect(merged.task?.metadata == ["step": 2, "milestone": true])
            // The event carries only what changed.
            let last = try #require(try store.allEvents().last)
            guard case .taskUpdated(let updated) = last.payload else {
                Issue.record("expected an update event, got \(last.payload)")
                return
            }
            #expect(updated.metadataPatch == ["step": 2, "milestone": true, "workflow": nil])
            // Removing a key that is not there, and setting a key to its value, change nothing.
            let seq = try store.lastSeq()
            let noop = try store.update(1, TaskChanges(metadata: ["absent": nil, "step": 2]))
            #expect(noop.seqs.isEmpty)
            #expect(try store.lastSeq() == seq)
        }
    }

    static let badTypedMetadata: [(String, JSONValue)] = [
        ("step", -1), ("step", "3"), ("step", 2.5), ("step", true),
        ("workflow", ""), ("workflow", 7), ("milestone", "yes"), ("milestone", 1),
        ("phase", ["a"]), ("parallel_group", ["x": 1]), ("phase", false),
    ]

    @Test("Typed metadata keys are type-checked", arguments: badTypedMetadata, TestBackend.allCases)
    func typedMetadataKeys(_ bad: (key: String, value: JSONValue), _ backend: TestBackend) throws {
        let (key, value) = bad
        try TestFolder.with("typed") { folder in
            let store = try folder.open(backend, options: .testing())
            let onCreate = #expect(throws: TasklogError.self) {
                try store.create(NewTask(subject: "Typed", metadata: [key: value]))
            }
            #expect(onCreate?.code == .invalidInput)
            #expect(onCreate?.message.contains(key) == true)
            _ = try store.create(NewTask(subject: "Typed"))
            let seq = try store.lastSeq()
            let onUpdate = #expect(throws: TasklogError.self) {
                try store.update(1, TaskChanges(metadata: [key: value]))
            }
            #expect(onUpdate?.code == .invalidInput)
            #expect(try store.lastSeq() == seq)
            #expect(try store.get(1)?.metadata == [:])
        }
    }

    @Test(arguments: TestBackend.allCases)
    func typedMetadataKeysAcceptTheirTypes(_ backend: TestBackend) throws {
        try TestFolder.with("typed-ok") { folder in
            let store = try folder.open(backend, options: .testing())
            let metadata: [String: JSONValue] = [
                "workflow": "blueprint-20260213T1430", "step": 1, "milestone": false, "phase": "build",
                "parallel_group": "reviewers",
            ]
            #expect(try store.create(NewTask(subject: "Typed", metadata: metadata)).metadata == metadata)
        }
    }

    enum Oversize: String, CaseIterable, Sendable {
        case subject, description, metadata, activeForm, owner
        case updateSubject, updateDescription, updateMetadata, mergedMetadata
    }

    @Test("Oversize input is refused and nothing is appended", arguments: Oversize.allCases, TestBackend.allCases)
    func oversizeInput(_ field: Oversize, _ backend: TestBackend) throws {
        try TestFolder.with("oversize") { folder in
            let store = try folder.open(backend, options: .testing())
            _ = try store.create(
                NewTask(subject: "Existing", metadata: ["half": .string(String(repeating: "h", count: 40_000))])
            )
            let seq = try store.lastSeq()
            let big = { (count: Int) in String(repeating: "x", count: count) }
            let error = #expect(throws: TasklogError.self) {
                switch field {
                case .subject: _ = try store.create(NewTask(subject: big(Limits.subject + 1)))
                case .description: _ = try store.create(NewTask(subject: "s", description: big(Limits.description + 1)))
                case .metadata:
                    _ = try store.create(NewTask(subject: "s", metadata: ["blob": .string(big(Limits.metadata))]))
                case .activeForm: _ = try store.create(NewTask(subject: "s", activeForm: big(Limits.activeForm + 1)))
                case .owner: _ = try store.create(NewTask(subject: "s", owner: big(Limits.owner + 1)))
                case .updateSubject: _ = try store.update(1, TaskChanges(subject: big(Limits.subject + 1)))
                case .updateDescription: _ = try store.update(1, TaskChanges(description: big(Limits.description + 1)))
                case .updateMetadata:
                    _ = try store.update(1, TaskChanges(metadata: ["blob": .string(big(Limits.metadata))]))
                case .mergedMetadata:
                    // Each half fits; merged they do not.
                    _ = try store.update(1, TaskChanges(metadata: ["other": .string(big(30_000))]))
                }
            }
            #expect(error?.code == .invalidInput)
            #expect(try store.lastSeq() == seq)
            #expect(try store.tasks().count == 1)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func inputsAtTheLimitsAreAccepted(_ backend: TestBackend) throws {
        try TestFolder.with("limits") { folder in
            let store = try folder.open(backend, options: .testing())
            let subject = String(repeating: "é", count: Limits.subject / 2)  // 2 bytes each: exactly the limit
            let description = String(repeating: "d", count: Limits.description)
            let task = try store.create(NewTask(subject: subject, description: description))
            #expect(task.subject == subject && task.description == description)
            let tooLong = #expect(throws: TasklogError.self) { try store.create(NewTask(subject: subject + "x")) }
            #expect(tooLong?.code == .invalidInput)
            let blank = #expect(throws: TasklogError.self) { try store.create(NewTask(subject: "  \n")) }
            #expect(blank?.code == .invalidInput)
            let nul = #expect(throws: TasklogError.self) { try store.create(NewTask(subject: "a\u{0}b")) }
            #expect(nul?.code == .invalidInput)
            #expect(try store.lastSeq() == 1)
        }
    }

    // MARK: No-ops, idempotency, ready, release

    @Test(arguments: TestBackend.allCases)
    func updateThatChangesNothingAppendsNothing(_ backend: TestBackend) throws {
        try TestFolder.with("noop") { folder in
            let store = try folder.open(backend, options: .testing())
            _ = try store.create(NewTask(subject: "Same", description: "d", activeForm: "Doing", metadata: ["k": "v"]))
            _ = try store.create(NewTask(subject: "Other"))
            _ = try store.update(1, TaskChanges(addBlocks: [2]))
            let seq = try store.lastSeq()
            let version = try #require(try store.get(1)?.version)
            for changes in [
                TaskChanges(),
                TaskChanges(subject: "Same", description: "d", activeForm: "Doing"),
                TaskChanges(status: .pending),
                TaskChanges(metadata: ["k": "v"]),
                TaskChanges(addBlocks: [2]),
                TaskChanges(owner: ""),
            ] {
                let outcome = try store.update(1, changes)
                #expect(outcome.seqs.isEmpty, "\(changes)")
                #expect(outcome.updatedFields.isEmpty, "\(changes)")
                #expect(outcome.statusChange == nil)
            }
            #expect(try store.lastSeq() == seq)
            #expect(try store.get(1)?.version == version)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func idempotencyKeyMakesARetryTakeEffectOnce(_ backend: TestBackend) throws {
        try TestFolder.with("idempotency") { folder in
            do {
                let store = try folder.open(backend, options: .testing())
                let first = try store.execute(.create(NewTask(subject: "Once")), idempotencyKey: "k-1")
                let second = try store.execute(.create(NewTask(subject: "Once")), idempotencyKey: "k-1")
                #expect(first.deduplicated == false)
                #expect(second.deduplicated == true)
                #expect(second.taskID == first.taskID)
                #expect(second.seqs == first.seqs)
                #expect(second.task == first.task)
                // The convenience API dedups the same way.
                let viaCreate = try store.create(NewTask(subject: "Once"), idempotencyKey: "k-1")
                #expect(viaCreate.id == first.taskID)
                // Keys are per list, and a different key is a new command.
                #expect(try store.create(NewTask(subject: "Once"), in: "other", idempotencyKey: "k-1").id == 1)
                #expect(try store.create(NewTask(subject: "Once"), idempotencyKey: "k-2").id == 2)
                // An update with a key also takes effect once.
                let claim = try store.update(1, TaskChanges(status: .inProgress, owner: "a"), idempotencyKey: "claim-1")
                let claimAgain = try store.update(
                    1,
                    TaskChanges(status: .inProgress, owner: "a"),
                    idempotencyKey: "claim-1"
                )
                #expect(claimAgain.deduplicated)
                #expect(claimAgain.seqs == claim.seqs)
                #expect(try store.lastSeq() == 4)
            }
            // After a reopen the key is still known.
            let store = try folder.open(backend, options: .testing())
            let retry = try store.execute(.create(NewTask(subject: "Once")), idempotencyKey: "k-1")
            #expect(retry.deduplicated)
            #expect(retry.taskID == 1)
            #expect(try store.tasks().count == 2)
            #expect(try store.lastSeq() == 4)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func readyListsPendingUnownedUnblockedTasks(_ backend: TestBackend) throws {
        try TestFolder.with("ready") { folder in
            let store = try folder.open(backend, options: .testing())
            for index in 1...6 { _ = try store.create(NewTask(subject: "Task \(index)")) }
            _ = try store.update(2, TaskChanges(addBlockedBy: [1]))  // blocked by an open task
            _ = try store.update(3, TaskChanges(status: .inProgress), actor: "a")  // in progress
            _ = try store.update(4, TaskChanges(owner: "b"))  // pending but owned
            _ = try store.update(5, TaskChanges(status: .completed))  // done
            _ = try store.update(6, TaskChanges(addBlockedBy: [5]))  // blocker completed
            #expect(try store.ready().map(\.id) == [1, 6])
            _ = try store.update(1, TaskChanges(status: .completed))
            #expect(try store.ready().map(\.id) == [2, 6])
            #expect(try store.ready(in: "elsewhere").isEmpty)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func releaseMovesAnOwnersClaimsBackToPending(_ backend: TestBackend) throws {
        try TestFolder.with("release") { folder in
            let store = try folder.open(backend, options: .testing())
            for index in 1...4 { _ = try store.create(NewTask(subject: "Task \(index)")) }
            _ = try store.update(1, TaskChanges(status: .inProgress), actor: "gone")
            _ = try store.update(3, TaskChanges(status: .inProgress), actor: "gone")
            _ = try store.update(2, TaskChanges(status: .inProgress), actor: "alive")
            _ = try store.update(4, TaskChanges(owner: "gone"))  // assigned, not in progress
            let versions = try store.tasks().map(\.version)
            let released = try store.release(owner: "gone", actor: "supervisor")
            #expect(released == [1, 3])
            for id in [1, 3] {
                let task = try #require(try store.get(id))
                #expect(task.status == .pending)
                #expect(task.owner == nil)
                #expect(task.version == versions[id - 1] + 1)
            }
            #expect(try store.get(2)?.owner == "alive")
            #expect(try store.get(2)?.status == .inProgress)
            #expect(try store.get(4)?.owner == "gone")
            let events = try store.allEvents().suffix(2)
            #expect(events.allSatisfy { $0.actor == "supervisor" })
            #expect(try store.release(owner: "gone").isEmpty)
            #expect(try store.release(owner: "nobody").isEmpty)
            #expect(try store.state() == (try store.fullReplay()))
        }
    }

    // MARK: Clock and map

    @Test(arguments: TestBackend.allCases)
    func timestampsNeverDecreaseEvenIfTheClockDoes(_ backend: TestBackend) throws {
        try TestFolder.with("clock") { folder in
            let now = Locked<Int64>(1_770_000_000_000_000)
            var options = TaskStore.Options.testing()
            options.clock = {
                now.withLock { value in
                    value -= 1_000_000  // a clock running backwards
                    return Timestamp(rawValue: value)
                }
            }
            let store = try folder.open(backend, options: options)
            for index in 1...5 { _ = try store.create(NewTask(subject: "Task \(index)")) }
            _ = try store.update(1, TaskChanges(status: .completed))
            let stamps = try store.allEvents().map(\.timestamp)
            #expect(stamps == stamps.sorted(), "\(stamps)")
            let first = try #require(try store.get(1))
            #expect(first.updatedAt >= first.createdAt)
            #expect(try store.state().lastTimestamp == stamps.last)
        }
    }

    @Test func theMapGrowsByItself() async throws {
        try await TestFolder.with("map-growth") { folder in
            var options = TaskStore.Options.testing()
            options.initialMapSize = 1 << 20
            let store = try TaskStore.open(at: folder.storePath, options: options)
            let description = String(repeating: "0123456789abcdef", count: 2_500)  // 40 KB, overflow pages
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<4 {
                    group.addTask {
                        for index in 0..<20 {
                            _ = try await store.create(
                                NewTask(subject: "Big \(worker)-\(index)", description: description)
                            )
                        }
                    }
                }
                try await group.waitForAll()
            }
            await #expect(try store.tasks().count == 80)
            let stats = try store.stats()
            #expect(stats.mapBytes > 1 << 20)
            #expect(stats.usedBytes > 3_000_000)
            #expect(try store.verify().isHealthy)
        }
    }
}
