import TasklogTestSupport
import Testing

@testable import TasklogCore

/// The partial fold of a task's own events (what its index holds) gives the task the full fold
/// gives, after each of its events, by either stand-in rule, and from any point of its history.
@Suite struct PartialFoldTests {
    /// A log decided from random commands, with the state after each event and the events each
    /// task is indexed under.
    struct Run {
        var log: [Event] = []
        /// `states[k]`: the whole state after `k` events.
        var states: [TasklogState] = [TasklogState()]
        /// Per list, per task: its own events, in seq order.
        var indexed: [String: [Int: [Event]]] = [:]

        init(seed: UInt64, commands: Int) {
            var generator = CommandGenerator(seed: seed)
            var state = TasklogState()
            var time = Timestamp(rawValue: 1_780_000_000_000_000)
            for _ in 0..<commands {
                let (command, list, actor) = generator.next(for: state)
                guard let payloads = try? Decider.decide(command, in: state.list(list), actor: actor) else { continue }
                time = Timestamp(rawValue: time.rawValue + 1_000)
                for payload in payloads {
                    let event = Event(
                        seq: state.lastSeq + 1,
                        timestamp: time,
                        list: list,
                        actor: actor,
                        payload: payload
                    )
                    let entries = IndexEntries.apply(event, to: &state)
                    for id in entries.tasks { indexed[list, default: [:]][id, default: []].append(event) }
                    log.append(event)
                    states.append(state)
                }
            }
        }

        /// Task `id` of `list` in the full fold after the event at `seq`.
        func task(_ id: Int, in list: String, at seq: UInt64) -> TaskRecord? {
            states[Int(seq)].lists[list]?.tasks[id]
        }
    }

    @Test(arguments: 1...12)
    func aTaskFoldedFromItsOwnEventsEqualsItInTheFullFold(seed: Int) {
        let run = Run(seed: UInt64(seed), commands: 250)
        #expect(run.log.count > 60, "the generator should produce mostly valid commands")
        var linked = 0
        for (list, tasks) in run.indexed {
            var lifetimes: [Int: PartialFold.Lifetime] = [:]
            for (id, events) in tasks { lifetimes[id] = PartialFold.Lifetime(of: id, along: events) }
            for (id, events) in tasks {
                var named = PartialFold(standIns: .whenNamed)
                var others = lifetimes
                others[id] = nil
                var living = PartialFold(standIns: .lifetimes(others))
                for event in events {
                    named.apply(event)
                    living.apply(event)
                    let full = run.task(id, in: list, at: event.seq)
                    #expect(
                        named.list.tasks[id] == full,
                        "seed \(seed), \(list) #\(id) at \(event.seq), stand-ins when named"
                    )
                    #expect(living.list.tasks[id] == full, "seed \(seed), \(list) #\(id) at \(event.seq), by lifetimes")
                    if !(full?.blocks ?? []).isEmpty || !(full?.blockedBy ?? []).isEmpty { linked += 1 }
                }
            }
        }
        #expect(linked > 0, "seed \(seed): some folds should cross links with other tasks")
    }

    /// History starts a long-lived task's fold from its state before the page: the stand-ins then
    /// carry the links the task already had, so that a deletion of a linked task unlinks it (the
    /// scenario is pinned down below, in `aStandInCarriesTheLinksTheFollowedTaskAlreadyHas`).
    @Test(arguments: 1...12)
    func aFoldStartedFromTheTaskAtAnyPointEqualsTheFullFold(seed: Int) {
        let run = Run(seed: UInt64(seed), commands: 250)
        var random = SeededRandom(seed: UInt64(seed) &* 104_729)
        for (list, tasks) in run.indexed {
            for (id, events) in tasks {
                let start = UInt64.random(in: 0...UInt64(run.log.count), using: &random)
                var before = TaskListState()
                before.tasks[id] = run.task(id, in: list, at: start)
                var fold = PartialFold(before)
                for event in events where event.seq > start {
                    fold.apply(event)
                    #expect(
                        fold.list.tasks[id] == run.task(id, in: list, at: event.seq),
                        "seed \(seed), \(list) #\(id) from \(start) at \(event.seq)"
                    )
                }
            }
        }
    }

    @Test func aStandInCarriesTheLinksTheFollowedTaskAlreadyHas() {
        let time = Timestamp(rawValue: 10)
        var blocked = TaskRecord(id: 1, subject: "Ship", createdAt: time, updatedAt: time)
        blocked.blockedBy = [2]
        var start = TaskListState()
        start.tasks[1] = blocked
        var fold = PartialFold(start)
        fold.apply(Event(seq: 5, timestamp: Timestamp(rawValue: 20), list: "default", payload: .taskDeleted(id: 2)))
        #expect(fold.list.tasks[1]?.blockedBy == [])
        #expect(fold.list.tasks[1]?.version == 2, "the unlink is a change of the task, as in the full fold")
        #expect(fold.list.tasks[2] == nil)
    }

    @Test func aStandInStandsForTheNamedTaskButNotTheOneTheEventCreates() {
        var fold = PartialFold()
        let time = Timestamp(rawValue: 7)
        fold.apply(
            Event(seq: 3, timestamp: time, list: "default", payload: .taskCreated(TaskCreated(id: 3, subject: "Own")))
        )
        fold.apply(Event(seq: 4, timestamp: time, list: "default", payload: .dependencyAdded(blocker: 1, blocked: 3)))
        #expect(fold.list.tasks[3]?.blockedBy == [1])
        #expect(fold.list.tasks[1]?.subject == "#1", "task #1 is a stand-in")
        #expect(fold.list.tasks[1]?.blocks == [3])
    }

    /// An imported log can name a task that is gone: by lifetimes, no stand-in appears for it, as
    /// the full fold has no task to link with; a stand-in whenever named would link it.
    @Test func byLifetimesAGoneTaskHasNoStandIn() {
        let time = Timestamp(rawValue: 1)
        func event(_ seq: UInt64, _ payload: EventPayload) -> Event {
            Event(seq: seq, timestamp: time, list: "default", payload: payload)
        }
        let log = [
            event(1, .taskCreated(TaskCreated(id: 1, subject: "Followed"))),
            event(2, .taskCreated(TaskCreated(id: 2, subject: "Other"))),
            event(3, .taskDeleted(id: 2)),
            event(4, .taskUpdated(TaskUpdated(id: 1, addBlocks: [2]))),
            event(5, .dependencyAdded(blocker: 1, blocked: 9)),
        ]
        let full = Reducer.replay(log).list("default").tasks[1]
        let own = log.filter { $0.payload.taskIDs.contains(1) }
        let lifetimes = [
            2: PartialFold.Lifetime(of: 2, along: log.filter { $0.payload.taskIDs.contains(2) }),
            9: PartialFold.Lifetime(of: 9, along: []),
        ]
        #expect(lifetimes[2] == PartialFold.Lifetime(created: 2, deleted: 3))
        #expect(lifetimes[2]?.contains(3) == true, "the event that deletes a task still finds it")
        #expect(lifetimes[2]?.contains(4) == false)
        var living = PartialFold(standIns: .lifetimes(lifetimes))
        var named = PartialFold(standIns: .whenNamed)
        for event in own {
            living.apply(event)
            named.apply(event)
        }
        #expect(living.list.tasks[1] == full)
        #expect(full?.blocks == [])
        #expect(named.list.tasks[1]?.blocks == [2, 9], "whenNamed trusts the decider, which an import bypasses")
    }
}
