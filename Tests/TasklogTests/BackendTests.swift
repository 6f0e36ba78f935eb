import Foundation
import LMDB
import Synchronization
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogLMDB

/// What every backend must do for the engine, and the embedding API around it: the same tests on
/// the LMDB and the in-memory backend (those that only make sense for one say so in their name).
@Suite("Storage backends")
struct BackendTests {
    @Test(arguments: TestBackend.allCases)
    func twoStoresOnOneBackendSeeEachOthersCommits(_ backend: TestBackend) throws {
        try TestFolder.with("shared") { folder in
            let first = try folder.open(backend)
            let second = try folder.open(backend)
            let task = try first.create(NewTask(subject: "Written by the first"))
            // The second catches up inside its write: its claim sees the first's task.
            _ = try second.update(task.id, TaskChanges(status: .inProgress, owner: "agent-b"))
            let refused = #expect(throws: TasklogError.self) {
                try first.update(task.id, TaskChanges(status: .inProgress, owner: "agent-a"))
            }
            #expect(refused?.code == .conflict)
            #expect(try first.get(task.id)?.owner == "agent-b")
            #expect(try first.state() == second.state())
            #expect(try first.verify().isHealthy)
        }
    }

    /// A read that catches up on another store's commits and is cut off half-way (after the
    /// events, before the chain link: a dropped connection) and run again: the next append still
    /// links to the true last event.
    @Test func aCatchUpCutOffHalfWayLeavesNoStaleChainLink() throws {
        try TestFolder.with("cut-off") { folder in
            let shared = folder.inMemoryBackend
            let cutOff = ReadCutOffBackend(shared)
            let first = try TaskStore.open(backend: cutOff, options: .testing())
            let second = try TaskStore.open(backend: shared, options: .testing())
            _ = try first.create(NewTask(subject: "First's"))
            for number in 1...3 { _ = try second.create(NewTask(subject: "Second's \(number)")) }
            cutOff.cutNextRead(atLastEventCall: 2)
            #expect(try first.tasks().count == 4)
            _ = try first.create(NewTask(subject: "After the cut"))
            let report = try second.verify()
            #expect(report.isHealthy, "\(report.problems)")
            #expect(try first.state() == (try first.fullReplay()))
        }
    }

    @Test(arguments: TestBackend.allCases)
    func followSeesTheCommitsOfAnotherStoreOnTheSameBackend(_ backend: TestBackend) async throws {
        try await TestFolder.with("follow-backend") { folder in
            let follower = try folder.open(backend)
            let writer = try folder.open(backend)
            _ = try await writer.create(NewTask(subject: "Before the follower"))
            let stream = follower.follow(from: 1, idle: 5)
            let writing = Task {
                for index in 1...20 { _ = try await writer.create(NewTask(subject: "Task \(index)")) }
            }
            var seen: [UInt64] = []
            for try await event in stream {
                seen.append(event.seq)
                if seen.count == 21 { break }
            }
            try await writing.value
            #expect(seen == Array(1...21))
        }
    }

    @Test(arguments: TestBackend.allCases)
    func threadsRacingForEveryTaskClaimEachOnce(_ backend: TestBackend) async throws {
        try await TestFolder.with("race") { folder in
            let stores = [try folder.open(backend), try folder.open(backend)]
            for index in 1...40 { _ = try await stores[0].create(NewTask(subject: "Task \(index)")) }
            let won = await withTaskGroup(of: [(Int, String)].self) { group in
                for agent in 0..<8 {
                    group.addTask {
                        let store = stores[agent % 2]
                        var claimed: [(Int, String)] = []
                        for id in 1...40 {
                            let outcome = try? await store.update(
                                id,
                                TaskChanges(status: .inProgress, owner: "agent-\(agent)")
                            )
                            if outcome?.statusChange != nil { claimed.append((id, "agent-\(agent)")) }
                        }
                        return claimed
                    }
                }
                var won: [Int: [String]] = [:]
                for await claimed in group {
                    for (id, agent) in claimed { won[id, default: []].append(agent) }
                }
                return won
            }
            #expect(won.count == 40, "every task claimed")
            #expect(won.values.allSatisfy { $0.count == 1 }, "no task claimed twice: \(won)")
            let state = try stores[1].state().list("default")
            for (id, owners) in won { #expect(state.tasks[id]?.owner == owners.first) }
            #expect(try stores[0].verify().isHealthy)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func aClosedStoreRefusesCommandsAndQueriesAndSaysSo(_ backend: TestBackend) async throws {
        try await TestFolder.with("closed") { folder in
            let store = try folder.open(backend)
            let task = try await store.create(NewTask(subject: "Before closing"))
            store.close()
            store.close()  // twice does nothing
            for attempt in [
                { _ = try store.create(NewTask(subject: "After")) },
                { _ = try store.get(task.id) },
                { _ = try store.history(HistoryQuery(list: "default", taskID: task.id)) },
            ] as [() throws -> Void] {
                let error = #expect(throws: TasklogError.self) { try attempt() }
                #expect(error?.code == .storage)
                #expect(error?.message.contains("closed") == true)
            }
            let asyncError = await #expect(throws: TasklogError.self) {
                _ = try await store.create(NewTask(subject: "After, async"))
            }
            #expect(asyncError?.message.contains("closed") == true)
            // The backend was the caller's (in memory) or the store's (LMDB): it opens again.
            await #expect(try folder.open(backend).get(task.id)?.subject == "Before closing")
        }
    }

    @Test func aDamagedEventOnLMDBKeepsItsCodecErrorAsTheCause() throws {
        try TestFolder.with("cause") { folder in
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            for index in 1...3 { _ = try store.create(NewTask(subject: "Task \(index)")) }
            let lmdb = try #require(store.backend as? LMDBBackend)
            try lmdb.environment.write { txn in
                try txn.put(in: lmdb.layout.events, key: Key.uint64(2), value: [1, 2, 3, 4])
            }
            let error = #expect(throws: TasklogError.self) { _ = try store.allEvents() }
            #expect(error?.code == .corrupt)
            #expect(error?.underlying is CodecError)
        }
    }

    /// `verify` used to hold a read transaction (the map's resize lock, shared) while it waited
    /// for the state's mutex, which a writer holds while it waits for that lock to grow the map.
    @Test func verifyWhileAWriterGrowsTheLMDBMapEnds() async throws {
        try await TestFolder.with("verify-growth") { folder in
            var options = TaskStore.Options.testing()
            options.initialMapSize = 1 << 20
            let store = try TaskStore.open(at: folder.storePath, options: options)
            let stop = Atomic(false)
            // On a thread of its own: a loop of blocking calls must not hold one of the shared
            // pool's few threads (the other tests' async calls need them).
            let verifying = Thread.detached { () -> Int in
                var runs = 0
                while !stop.load(ordering: .acquiring) {
                    #expect(try store.verify().isHealthy)
                    _ = try store.history(HistoryQuery(list: "default", taskID: 1))
                    runs += 1
                }
                return runs
            }
            let description = String(repeating: "grow the map ", count: 2_000)
            let before = try store.stats().mapBytes
            for index in 1...150 {
                _ = try await store.create(NewTask(subject: "Task \(index)", description: description))
            }
            stop.store(true, ordering: .releasing)
            #expect(try await verifying.value > 0)
            #expect(try store.stats().mapBytes > before, "the map grew while verify ran")
        }
    }
}

extension BackendTests {
    /// The README's example of a test on the in-memory backend, as it is printed there.
    @Test func theReadmesInMemoryExampleRuns() async throws {
        let backend = InMemoryBackend()
        let store = try TaskStore.open(backend: backend)
        let task = try await store.create(NewTask(subject: "Write the test"))
        _ = try await store.update(task.id, TaskChanges(status: .inProgress, owner: "worker-1"))
        // A second store on the same backend is another "process": it sees the claim.
        let other = try TaskStore.open(backend: backend)
        await #expect(throws: TasklogError.self) {
            try await other.update(task.id, TaskChanges(status: .inProgress, owner: "worker-2"))
        }
        #expect(try other.verify().isHealthy)
        store.close()
        other.close()  // the backend is the caller's: it stays open until released
    }
}

extension BackendTests {
    @Test(arguments: TestBackend.allCases)
    func theAsyncQueriesAnswerWhatTheBlockingOnesDo(_ backend: TestBackend) async throws {
        try await TestFolder.with("async-queries") { folder in
            let store = try folder.open(backend)
            let plan = try await store.create(NewTask(subject: "Plan"))
            let build = try await store.create(NewTask(subject: "Build"))
            _ = try await store.update(build.id, TaskChanges(addBlockedBy: [plan.id]))
            let query = HistoryQuery(list: "default", taskID: build.id)
            // Called from a task of the shared pool: the async forms suspend instead of blocking.
            let asynchronous = (
                try await store.get(build.id), try await store.tasks(), try await store.ready(),
                try await store.history(query)
            )
            // A closure that is not async calls the blocking forms.
            let blocking: () throws -> (TaskRecord?, [TaskRecord], HistoryPage) = {
                (try store.get(build.id), try store.tasks(), try store.history(query))
            }
            let expected = try blocking()
            #expect(asynchronous.0 == expected.0)
            #expect(asynchronous.1 == expected.1)
            #expect(asynchronous.2.map(\.id) == [plan.id])
            #expect(asynchronous.3 == expected.2)
            let past = try await store.read { try $0.get(build.id, in: "default", at: .seq(2)) }
            #expect(past?.blockedBy == [])
        }
    }
}

/// While a batch commits (an fsync on LMDB), the state's lock is free: readers in the process are
/// served the committed state at once, never the batch's uncommitted events.
@Suite("Reads during a commit")
struct ReadsDuringACommitTests {
    @Test(arguments: TestBackend.allCases)
    func aReadReturnsWhileACommitWaitsForTheDisk(_ backend: TestBackend) throws {
        try TestFolder.with("gate") { folder in
            let gated = try folder.gated(backend)
            let store = try TaskStore.open(backend: gated, options: .testing())
            _ = try store.create(NewTask(subject: "First"))
            let reached = DispatchSemaphore(value: 0)
            let release = DispatchSemaphore(value: 0)
            gated.beforeCommit {
                reached.signal()
                release.wait()
            }
            let writing = DispatchSemaphore(value: 0)
            Thread.detachNewThread {
                _ = try? store.create(NewTask(subject: "Second"))
                writing.signal()
            }
            #expect(reached.wait(timeout: .now() + 20) == .success, "the second create reached its commit")
            gated.beforeCommit(nil)
            // The commit is held at the gate: the reads must not wait for it.
            let read = TestFolder.onThread(within: 10) {
                (try store.tasks().map(\.subject), try store.lastSeq(), try store.get(2), try store.tasks(in: "other"))
            }
            release.signal()
            let answered = try #require(read, "a read waited for the commit").get()
            #expect(answered.0 == ["First"], "the uncommitted task is not served")
            #expect(answered.1 == 1)
            #expect(answered.2 == nil)
            #expect(answered.3.isEmpty)
            #expect(writing.wait(timeout: .now() + 20) == .success)
            #expect(try store.tasks().map(\.subject) == ["First", "Second"])
        }
    }

    /// On random commands: at every commit, what a reader is served equals a replay of the log
    /// as committed (the batch's events left out).
    @Test(arguments: TestBackend.allCases)
    func whatIsServedDuringEveryCommitIsTheCommittedLog(_ backend: TestBackend) throws {
        try TestFolder.with("gate-random") { folder in
            let gated = try folder.gated(backend)
            let store = try TaskStore.open(backend: gated, options: .testing(snapshotInterval: 7))
            let checks = Mutex(0)
            gated.beforeCommit {
                // From another thread, as a reader would (an LMDB thread holds one transaction).
                let served = TestFolder.onThread(within: 20) { () -> (TasklogState, TasklogState) in
                    let state = try store.state()
                    var committed: [Event] = []
                    try store.events { event in
                        committed.append(event)
                        return true
                    }
                    return (state, Reducer.replay(committed))
                }
                guard case .success(let (state, replay))? = served else {
                    Issue.record("a read during the commit failed or waited: \(String(describing: served))")
                    return
                }
                #expect(state == replay)
                checks.withLock { $0 += 1 }
            }
            var random = SeededRandom(seed: 0xC0FF_EE00)
            for _ in 0..<120 { LazyListTests.randomCommand(store, &random) }
            gated.beforeCommit(nil)
            #expect(checks.withLock { $0 } > 60)
            #expect(try store.verify().isHealthy)
        }
    }
}
