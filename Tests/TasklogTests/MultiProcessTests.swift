import Foundation
import Synchronization
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog

@Suite("Several writer processes on one LMDB store")
struct MultiProcessTests {
    @Test(.timeLimit(.minutes(1)))
    func fourProcessesAppendWithoutLosingOrDuplicating() throws {
        try TestFolder.with("multiprocess") { folder in
            let writers = try (1...4).map { index in
                try AppendProcess(
                    store: folder.storePath,
                    arguments: ["--update-every", "0", "--count", "50", "--actor", "agent-\(index)"],
                    folder: folder
                )
            }
            for (index, writer) in writers.enumerated() {
                #expect(writer.finish() == 0, "writer \(index + 1) failed")
            }
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            let tasks = try store.tasks()
            #expect(tasks.count == 200)
            #expect(tasks.map(\.id) == Array(1...200))
            #expect(try store.lastSeq() == 200)

            let events = try store.allEvents()
            #expect(events.map(\.seq) == Array(1...200))
            for (index, writer) in writers.enumerated() {
                let actor = "agent-\(index + 1)"
                let acks = writer.acks
                #expect(acks.count == 50, "\(actor) acknowledged \(acks.count)")
                for (number, ack) in acks.enumerated() {
                    // Command n of a writer creates "Task n of <actor>".
                    let expected = TaskCreated(
                        id: ack.taskID,
                        subject: "Task \(number + 1) of \(actor)",
                        description: "appended by the append writer"
                    )
                    let event = events[Int(ack.seq) - 1]
                    #expect(event.payload == .taskCreated(expected), "\(actor): seq \(ack.seq)")
                    #expect(event.actor == actor)
                }
                // Each writer's own events are in the order it acknowledged them.
                #expect(acks.map(\.seq) == acks.map(\.seq).sorted())
            }
            let acknowledged = writers.flatMap(\.acks)
            #expect(Set(acknowledged.map(\.seq)).count == 200)
            #expect(Set(acknowledged.map(\.taskID)) == Set(1...200))
            // Subjects name their writer: no task was written twice or by the wrong one.
            #expect(Set(tasks.map(\.subject)).count == 200)
            let report = try store.verify()
            #expect(report.isHealthy, "\(report.problems)")
            #expect(try store.state() == (try store.fullReplay()))
        }
    }

    @Test func eightTasksCreateConcurrentlyThroughTheAsyncAPI() async throws {
        try await TestFolder.with("async") { folder in
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            let ids = try await withThrowingTaskGroup(of: [Int].self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        var ids: [Int] = []
                        for index in 0..<100 {
                            let task = try await store.create(
                                NewTask(subject: "Worker \(worker) task \(index)"),
                                actor: "worker-\(worker)"
                            )
                            ids.append(task.id)
                        }
                        return ids
                    }
                }
                var all: [[Int]] = []
                for try await ids in group { all.append(ids) }
                return all
            }
            for workerIDs in ids {
                #expect(workerIDs.count == 100)
                #expect(workerIDs == workerIDs.sorted(), "one caller's tasks got ids out of order")
            }
            let flat = ids.flatMap { $0 }
            #expect(Set(flat).count == 800)
            #expect(flat.sorted() == Array(1...800))
            #expect(try store.lastSeq() == 800)
            await #expect(try store.tasks().count == 800)
            #expect(try store.state() == (try store.fullReplay()))
            #expect(try store.verify().isHealthy)
        }
    }

    @Test func concurrentUpdatesThroughTheAsyncAPIKeepEveryVersion() async throws {
        try await TestFolder.with("async-updates") { folder in
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            _ = try await store.create(NewTask(subject: "Counter"))
            try await withThrowingTaskGroup(of: Void.self) { group in
                for worker in 0..<8 {
                    group.addTask {
                        for index in 0..<25 {
                            _ = try await store.update(1, TaskChanges(metadata: ["w\(worker)": .int(Int64(index + 1))]))
                        }
                    }
                }
                try await group.waitForAll()
            }
            let task = try await #require(try store.get(1))
            #expect(task.version == 1 + 8 * 25)
            #expect(task.metadata == Dictionary(uniqueKeysWithValues: (0..<8).map { ("w\($0)", JSONValue.int(25)) }))
        }
    }

    @Test(arguments: [false, true])
    func exactlyOneOfEightConcurrentClaimsWins(withExpectedVersion: Bool) throws {
        try TestFolder.with("claim-race") { folder in
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            let task = try store.create(NewTask(subject: "Contended"))
            let results = Locked<[String: Result<CommandOutcome, TasklogError>]>([:])
            let start = DispatchSemaphore(value: 0)
            let finished = DispatchGroup()
            for index in 1...8 {
                let actor = "agent-\(index)"
                finished.enter()
                let thread = Thread {
                    start.wait()
                    let result: Result<CommandOutcome, TasklogError>
                    do {
                        // With the version read before the race, every claimer states it; the
                        // first write changes it, so the others are stale.
                        let changes = TaskChanges(
                            status: .inProgress,
                            expectedVersion: withExpectedVersion ? task.version : nil
                        )
                        result = .success(try store.update(task.id, changes, actor: actor))
                    } catch let error as TasklogError {
                        result = .failure(error)
                    } catch {
                        result = .failure(TasklogError(.storage, "\(error)"))
                    }
                    results.withLock { $0[actor] = result }
                    finished.leave()
                }
                thread.start()
            }
            for _ in 1...8 { start.signal() }
            #expect(finished.wait(timeout: .now() + 30) == .success)

            let all = results.value
            #expect(all.count == 8)
            let winners = all.filter { if case .success = $0.value { true } else { false } }
            #expect(winners.count == 1, "\(all)")
            for (actor, result) in all where winners[actor] == nil {
                if case .failure(let error) = result {
                    #expect(error.code == .conflict, "\(actor): \(error)")
                }
            }
            let winner = try #require(winners.keys.first)
            let claimed = try #require(try store.get(task.id))
            #expect(claimed.owner == winner)
            #expect(claimed.status == .inProgress)
            #expect(claimed.version == 2)
            #expect(try store.lastSeq() == 2)
        }
    }

    @Test func claimRaceAcrossProcesses() throws {
        // The same race between processes: the CLI, each with its own actor.
        try TestFolder.with("claim-race-cli") { folder in
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                _ = try store.create(NewTask(subject: "Contended"))
            }
            let statuses = Locked<[Int32]>([])
            DispatchQueue.concurrentPerform(iterations: 4) { index in
                let result = try? CLI.run(
                    [
                        "update", "1", "--status", "in_progress", "--actor", "proc-\(index)", "--store",
                        folder.storePath,
                    ],
                    in: folder
                )
                statuses.withLock { $0.append(result?.status ?? -1) }
            }
            let codes = statuses.value.sorted()
            #expect(codes == [0, 67, 67, 67], "\(codes)")
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            #expect(try store.get(1)?.owner?.hasPrefix("proc-") == true)
            #expect(try store.lastSeq() == 2)
        }
    }

    @Test func anOpenStoreSeesAndBuildsOnOtherProcessesWrites() throws {
        try TestFolder.with("cross-process") { folder in
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            #expect(try store.create(NewTask(subject: "Mine 1")).id == 1)
            let theirs = try CLI.run(["create", "Theirs", "--json", "--store", folder.storePath], in: folder)
            #expect(theirs.status == 0, "\(theirs)")
            #expect(try theirs.object()["id"] as? String == "2")
            // Readers catch up before they answer; writers before they validate.
            #expect(try store.get(2)?.subject == "Theirs")
            #expect(try store.create(NewTask(subject: "Mine 2")).id == 3)
            let claim = try CLI.run(
                ["update", "3", "--status", "in_progress", "--actor", "other", "--store", folder.storePath],
                in: folder
            )
            #expect(claim.status == 0, "\(claim)")
            let refused = #expect(throws: TasklogError.self) {
                try store.update(3, TaskChanges(status: .inProgress), actor: "me")
            }
            #expect(refused?.code == .conflict)

            let writer = try AppendProcess(
                store: folder.storePath,
                arguments: ["--count", "30", "--update-every", "0", "--actor", "bulk"],
                folder: folder
            )
            // Write from this process while the other one does.
            var mine: [Int] = []
            for index in 3...12 { mine.append(try store.create(NewTask(subject: "Mine \(index)")).id) }
            #expect(writer.finish() == 0)
            let theirIDs = writer.acks.map(\.taskID)
            #expect(Set(mine).isDisjoint(with: theirIDs))
            #expect(try store.tasks().map(\.id) == Array(1...43))
            #expect(try store.lastSeq() == 44)
            #expect(try store.verify().isHealthy)
            let list = try CLI.run(["list", "--json", "--store", folder.storePath], in: folder)
            #expect(try list.array().count == 43)
        }
    }
}
