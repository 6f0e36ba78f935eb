import Foundation
import TasklogCore
import Testing

@testable import Tasklog

/// Group commit: concurrent callers share transactions, and a batch of commands is one
/// transaction that is never split, however small the writer's batch limit.
@Suite("Group commit")
struct GroupCommitTests {
    @Test(arguments: TestBackend.allCases)
    func aBatchIsOneTransactionEvenPastTheBatchLimit(_ backend: TestBackend) async throws {
        try await TestFolder.with("group-one") { folder in
            var options = TaskStore.Options.testing(clock: StepClock())
            options.maxBatch = 4
            let store = try folder.open(backend, options: options)
            let commands = (1...10).map { TaskCommand.create(NewTask(subject: "Task \($0)")) }
            let results = try await store.executeInOneTransaction(commands)
            let seqs = try results.map { try $0.get().seqs }.flatMap { $0 }
            #expect(seqs == Array(1...10))
            // One transaction reads the clock once: every event of it has the same timestamp.
            let events = try store.allEvents()
            #expect(Set(events.map(\.timestamp)).count == 1)
        }
    }

    /// Several agents' commands in one commit, each judged as its own actor's: the holder's
    /// completion lands, another agent's is refused, in the same transaction.
    @Test(arguments: TestBackend.allCases)
    func aBatchCarriesEachCommandsOwnActor(_ backend: TestBackend) async throws {
        try await TestFolder.with("group-actors") { folder in
            let store = try folder.open(backend, options: .testing(clock: StepClock()))
            let results = try await store.executeInOneTransaction([
                (.create(NewTask(subject: "Shared")), "lead"),
                (.update(id: 1, TaskChanges(status: .inProgress)), "agent-a"),
                (.update(id: 1, TaskChanges(status: .completed)), "agent-b"),
                (.update(id: 1, TaskChanges(status: .completed)), "agent-a"),
            ])
            #expect(try results[1].get().task?.owner == "agent-a")
            #expect(throws: TasklogError.self) { try results[2].get() }
            #expect(try results[3].get().task?.status == .completed)
            #expect(try store.allEvents().map(\.actor) == ["lead", "agent-a", "agent-a"])
            let timestamps = Set(try store.allEvents().map(\.timestamp))
            #expect(timestamps.count == 1, "one transaction")
        }
    }

    @Test(arguments: TestBackend.allCases)
    func concurrentBatchesAndSingleCommandsAllLandAndBatchesStayWhole(_ backend: TestBackend) async throws {
        try await TestFolder.with("group-many") { folder in
            var options = TaskStore.Options.testing(snapshotInterval: 97, clock: StepClock())
            options.maxBatch = 64
            let store = try folder.open(backend, options: options)
            let batches = try await withThrowingTaskGroup(of: [UInt64].self) { group in
                for caller in 0..<8 {
                    group.addTask {
                        var seqs: [UInt64] = []
                        for round in 0..<5 {
                            let commands = (0..<25).map {
                                TaskCommand.create(NewTask(subject: "caller \(caller) round \(round) #\($0)"))
                            }
                            let results = try await store.executeInOneTransaction(commands, in: "list-\(caller % 3)")
                            let batch = try results.map { try $0.get().seqs }.flatMap { $0 }
                            #expect(batch.count == 25)
                            #expect(batch == Array(batch.first!...batch.last!), "a batch is contiguous")
                            seqs += batch
                            _ = try await store.create(
                                NewTask(subject: "single \(caller) \(round)"),
                                in: "list-\(caller % 3)"
                            )
                        }
                        return seqs
                    }
                }
                var all: [UInt64] = []
                for try await seqs in group { all += seqs }
                return all
            }
            #expect(batches.count == 8 * 5 * 25)
            let events = try store.allEvents()
            #expect(events.count == 8 * 5 * 26)
            #expect(try store.state() == Reducer.replay(events))
            #expect(try store.verify().isHealthy)
        }
    }
}
