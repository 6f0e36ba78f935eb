import Foundation
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogCore

/// Time travel, history and diff, checked against states recorded while the log was written.
@Suite struct TimeTravelTests {
    /// Runs a seeded random mix of commands (valid and refused) on `store`, recording the state after
    /// every seq. Returns the recorded states by seq.
    private func writeRandomLog(_ store: TaskStore, seed: UInt64, commands: Int) throws -> [UInt64: TasklogState] {
        var random = SeededRandom(seed: seed)
        var recorded: [UInt64: TasklogState] = [0: TasklogState()]
        let actors = ["agent-a", "agent-b", "lead"]
        for step in 0..<commands {
            let list = ["default", "other"][Int(random.next() % 2)]
            let live = try store.tasks(in: list).map(\.id)
            func pick() -> Int { live.isEmpty ? 1 : live[Int(random.next() % UInt64(live.count))] }
            let command: TaskCommand
            switch random.next() % 10 {
            case 0, 1, 2:
                var metadata: [String: JSONValue] = ["n": .int(Int64(step))]
                if random.next() % 2 == 0 { metadata["workflow"] = .string("run-\(random.next() % 2)") }
                command = .create(NewTask(subject: "Task \(step)", metadata: metadata))
            case 3:
                command = .update(id: pick(), TaskChanges(addBlockedBy: [pick()]))
            case 4:
                command = .update(id: pick(), TaskChanges(status: .deleted))
            case 5:
                command = .update(id: pick(), TaskChanges(metadata: ["n": random.next() % 2 == 0 ? .null : .int(7)]))
            default:
                let status: TaskStatus = [.pending, .inProgress, .completed][Int(random.next() % 3)]
                command = .update(
                    id: pick(),
                    TaskChanges(subject: random.next() % 4 == 0 ? "Renamed \(step)" : nil, status: status)
                )
            }
            let actor = actors[Int(random.next() % 3)]
            _ = try? store.execute(command, in: list, actor: actor)
            let state = try store.state()
            recorded[state.lastSeq] = state
        }
        return recorded
    }

    @Test(arguments: [UInt64(3), 11], TestBackend.allCases)
    func stateAtEverySeqAndTimeEqualsWhatWasRecorded(seed: UInt64, _ backend: TestBackend) throws {
        try TestFolder.with("timetravel") { folder in
            let clock = StepClock()
            let store = try folder.open(backend, options: .testing(snapshotInterval: 7, clock: clock))
            let recorded = try writeRandomLog(store, seed: seed, commands: 160)
            let last = try store.lastSeq()
            #expect(last > 60)
            #expect(Set(recorded.keys) == Set(0...last), "every seq was recorded")
            let events = try store.allEvents()
            for seq in 0...last {
                #expect(try store.state(at: .seq(seq)) == recorded[seq], "by seq \(seq)")
                for list in ["default", "other"] {
                    #expect(try store.list(list, at: .seq(seq)) == recorded[seq]?.list(list), "\(list) at \(seq)")
                }
            }
            for event in events {
                // Each command is its own commit, stamped one second apart: a time names one seq.
                #expect(try store.seq(at: .time(event.timestamp)) == event.seq)
                #expect(try store.state(at: .time(event.timestamp)) == recorded[event.seq])
                let justBefore = Timestamp(rawValue: event.timestamp.rawValue - 1)
                #expect(try store.seq(at: .time(justBefore)) == event.seq - 1)
            }
            #expect(try store.state(at: .time(Timestamp(rawValue: 0))) == TasklogState())
            #expect(throws: TasklogError.self) { try store.state(at: .seq(last + 1)) }
        }
    }

    /// A list as of a point folded from the events its index entries name (forced here for
    /// every point, where by default only a point far past its snapshot is) equals the list as
    /// recorded; and a backend's walk of a list's index entries names exactly that list's events.
    @Test(arguments: TestBackend.allCases)
    func aListFoldedFromItsIndexEntriesEqualsWhatWasRecorded(_ backend: TestBackend) throws {
        try TestFolder.with("timetravel-indexed") { folder in
            var options = TaskStore.Options.testing(snapshotInterval: 7, clock: StepClock())
            options.logEventsPerIndexKey = 0
            let store = try folder.open(backend, options: options)
            let recorded = try writeRandomLog(store, seed: 5, commands: 160)
            let last = try store.lastSeq()
            let events = try store.allEvents()
            for seq in 0...last {
                for list in ["default", "other"] {
                    #expect(try store.list(list, at: .seq(seq)) == recorded[seq]?.list(list), "\(list) at \(seq)")
                }
            }
            var random = SeededRandom(seed: 9)
            for _ in 0..<40 {
                let low = random.next() % (last + 1)
                let high = low + random.next() % (last + 1 - low)
                for list in ["default", "other", "none"] {
                    let walked = try store.backend.read {
                        try $0.listSeqs(list, from: low, through: high, budget: .max)
                    }
                    let expected = events.filter { $0.list == list && (low...high).contains($0.seq) }.map(\.seq)
                    #expect(walked.map { Set($0) } == Set(expected), "\(list) in \(low)…\(high)")
                }
            }
            // A walk that would step over more entries than its budget is given up, where the
            // backend can tell (PostgreSQL answers in one query, whatever the budget).
            let overBudget = try store.backend.read { try $0.listSeqs("default", from: 1, through: 2, budget: 3) }
            #expect((overBudget == nil) == (backend != .postgres))
        }
    }

    /// An index entry that names another list's event is found out, not folded in: by the seek
    /// to each event the entries name, and by the walk of the log from the first of them (taken
    /// when they lie close together), which counts what it folds.
    @Test(arguments: TestBackend.allCases)
    func anIndexEntryOfAnotherListsEventIsRefused(_ backend: TestBackend) throws {
        try TestFolder.with("timetravel-misindexed") { folder in
            var options = TaskStore.Options.testing()
            options.logEventsPerIndexKey = 0
            let store = try folder.open(backend, options: options)
            for index in 1...20 { _ = try store.create(NewTask(subject: "theirs \(index)"), in: "other") }  // 1…20
            for index in 1...3 { _ = try store.create(NewTask(subject: "mine \(index)"), in: "default") }  // 21…23
            #expect(try store.list("default", at: .seq(23)).tasks.count == 3)
            // Close together (20…23): one walk of the log from 20, which finds three of the four.
            try store.backend.write { try $0.addIndexEntry(.task(list: "default", id: 99), seq: 20) }
            let close = #expect(throws: TasklogError.self) { try store.list("default", at: .seq(23)) }
            #expect(close?.code == .corrupt)
            #expect(close?.message.contains("but the log holds 3") == true, "\(String(describing: close))")
            // Far apart (2, 20…23): each is sought, and seq 2 is of another list.
            try store.backend.write { try $0.addIndexEntry(.task(list: "default", id: 98), seq: 2) }
            let far = #expect(throws: TasklogError.self) { try store.list("default", at: .seq(23)) }
            #expect(far?.code == .corrupt)
            #expect(far?.message.contains("seq 2, which is of another list") == true, "\(String(describing: far))")
        }
    }

    /// A list that did not change between a point and the next snapshot is read from that
    /// snapshot alone, however far the snapshot before the point lies (retention thins old ones):
    /// no event is folded. One that did change is folded forward, and both are right.
    @Test(arguments: TestBackend.allCases)
    func aListUnchangedUntilTheNextSnapshotIsReadFromItAlone(_ backend: TestBackend) throws {
        try TestFolder.with("timetravel-unchanged") { folder in
            var options = TaskStore.Options.testing(snapshotInterval: 10)
            options.snapshotsKept = 2
            let store = try folder.open(backend, options: options)
            for index in 1...4 { _ = try store.create(NewTask(subject: "done \(index)"), in: "done") }
            for id in 1...4 { _ = try store.update(id, TaskChanges(status: .completed), in: "done", actor: "agent") }
            #expect(try store.lastSeq() < 10)
            for index in 1...200 { _ = try store.create(NewTask(subject: "busy \(index)"), in: "busy") }
            let last = try store.lastSeq()
            let events = try store.allEvents()
            let snapshots = try store.backend.read { try $0.snapshotSeqs() }
            #expect(snapshots.count < 20, "retention thinned them: \(snapshots)")
            var shortcuts = 0
            for seq in 1...last {
                let replayed = Reducer.replay(events.prefix(Int(seq)))
                #expect(try store.list("done", at: .seq(seq)) == replayed.list("done"), "done at \(seq)")
                #expect(try store.list("busy", at: .seq(seq)) == replayed.list("busy"), "busy at \(seq)")
                let folded = try store.core.read { txn in try store.core.listState("done", at: seq, txn).replayed }
                // The first snapshot (at 10, past done's last event) stored done's last body,
                // which every later snapshot names.
                guard seq >= 10, snapshots.contains(where: { $0 > seq }) else { continue }
                #expect(folded == 0, "done at \(seq) folded \(folded) events")
                shortcuts += 1
            }
            #expect(shortcuts > 150)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func historyOfATaskIsTheFilterOfTheFullLog(_ backend: TestBackend) throws {
        try TestFolder.with("history") { folder in
            let store = try folder.open(backend, options: .testing(snapshotInterval: 5))
            let recorded = try writeRandomLog(store, seed: 5, commands: 150)
            let events = try store.allEvents()
            for list in ["default", "other"] {
                let highWater = try store.state().list(list).highWater
                for id in 1...max(1, highWater) {
                    // The filter of the full log: the events after which the task differs.
                    let expected = events.filter { event in
                        event.list == list
                            && recorded[event.seq - 1]!.list(list).tasks[id]
                                != recorded[event.seq]!.list(list).tasks[id]
                    }
                    let page = try store.history(HistoryQuery(list: list, taskID: id, limit: 10_000))
                    #expect(page.entries.map(\.event.seq) == expected.map(\.seq), "\(list) #\(id)")
                    for entry in page.entries {
                        let before = recorded[entry.event.seq - 1]!.list(list).tasks[id]
                        let after = recorded[entry.event.seq]!.list(list).tasks[id]
                        let fields = entry.changes.first { $0.taskID == id }?.fields ?? []
                        #expect(fields == FieldChange.between(before, after), "\(list) #\(id) at \(entry.event.seq)")
                    }
                    // Paging oldest first and newest first gives the same events.
                    var paged: [UInt64] = []
                    var cursor: UInt64?
                    repeat {
                        let page = try store.history(
                            HistoryQuery(list: list, taskID: id, newestFirst: true, limit: 3, cursor: cursor)
                        )
                        paged += page.entries.map(\.event.seq)
                        cursor = page.nextCursor
                    } while cursor != nil
                    #expect(paged == expected.map(\.seq).reversed())
                }
            }
            // Actor and type queries are the filters of the log too.
            let byActor = try store.history(HistoryQuery(actor: "lead", limit: 10_000)).entries.map(\.event.seq)
            #expect(byActor == events.filter { $0.actor == "lead" }.map(\.seq))
            let deletions = try store.history(HistoryQuery(list: "other", type: "task_deleted", limit: 10_000))
            #expect(
                deletions.entries.map(\.event.seq)
                    == events.filter { $0.list == "other" && $0.payload.typeName == "task_deleted" }.map(\.seq)
            )
            let ranged = try store.history(HistoryQuery(since: .seq(10), until: .seq(20), limit: 10_000))
            #expect(ranged.entries.map(\.event.seq) == Array(10...20))
            #expect(try store.verify().isHealthy, "indexes agree with the log")
        }
    }

    @Test(arguments: TestBackend.allCases)
    func diffOfTwoPointsIsTheDifferenceOfTheTwoStates(_ backend: TestBackend) throws {
        try TestFolder.with("diff") { folder in
            let store = try folder.open(backend, options: .testing(snapshotInterval: 9))
            let recorded = try writeRandomLog(store, seed: 8, commands: 120)
            let last = try store.lastSeq()
            var random = SeededRandom(seed: 99)
            for _ in 0..<40 {
                let a = random.next() % (last + 1)
                let b = random.next() % (last + 1)
                let diff = try store.diff(from: .seq(a), to: .seq(b), in: "default")
                let old = recorded[a]!.list("default").tasks
                let new = recorded[b]!.list("default").tasks
                #expect(Set(diff.added.map(\.id)) == Set(new.ids).subtracting(old.ids))
                #expect(Set(diff.removed.map(\.id)) == Set(old.ids).subtracting(new.ids))
                let changed = Set(old.ids).intersection(new.ids).filter { old[$0] != new[$0] }
                #expect(Set(diff.changed.map(\.id)) == changed)
                for change in diff.changed {
                    #expect(change.before == old[change.id] && change.after == new[change.id])
                    #expect(change.fields == FieldChange.between(old[change.id], new[change.id]))
                }
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func replayOfAWorkflowEndsInItsTasks(_ backend: TestBackend) throws {
        try TestFolder.with("replay") { folder in
            let store = try folder.open(backend, options: .testing())
            _ = try writeRandomLog(store, seed: 21, commands: 120)
            let steps = try store.replay(workflow: "run-1", in: "default")
            #expect(!steps.isEmpty)
            let expected = try store.tasks(in: "default").filter { $0.metadata["workflow"] == "run-1" }
            #expect(steps.last?.tasks == expected)
            #expect(steps.map(\.event.seq) == steps.map(\.event.seq).sorted())
        }
    }

    @Test func followReceivesEventsAppendedByAnotherProcess() async throws {
        try await TestFolder.with("follow") { folder in
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            _ = try await store.create(NewTask(subject: "Before the follower"))
            let stream = store.follow(from: 1)
            let writer = try CLI.runRig(
                ["append", "--store", folder.storePath, "--count", "20", "--update-every", "0"],
                in: folder
            )
            #expect(writer.status == 0)
            var seen: [UInt64] = []
            for try await event in stream {
                seen.append(event.seq)
                if seen.count == 21 { break }
            }
            #expect(seen == Array(1...21))
        }
    }
}
