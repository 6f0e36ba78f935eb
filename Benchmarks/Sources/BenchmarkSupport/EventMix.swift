import TasklogCore

/// Generates a realistic event log by running real commands through Tasklog's own ``Decider``
/// and ``Reducer`` in memory: the events are exactly those the engine would have appended for
/// the same commands (milestone checkpoints included), only without an fsync per command.
///
/// The mix, over four task lists:
/// - `default` (40% of the commands): free-standing tasks.
/// - `build`, `design`, `review` (30%, 20%, 10%): one workflow run after another, of type
///   `build-task`, `blueprint` and `quality-gate`: the run is started, its tasks are created step
///   by step (steps 1 to 9; the reviewers of a quality gate as one parallel group), most of them
///   blocked by the task of the step before, and the run is completed once its tasks are. The
///   milestone tasks' completions record checkpoints, as the decider does. A new review list
///   (`review-2`, …) is begun every 500 quality gates.
///
/// Each task is created (subject, description, active form, metadata), then updated 3 to 5
/// times: sometimes made to wait for an earlier task (`addBlockedBy`), claimed by an agent
/// (status + owner), its metadata patched (progress, phase), sometimes handed over to another
/// agent (owner), then completed (in `default`, 2% are deleted instead). Claims wait for their
/// blockers, as the decider requires. About 8 tasks are open per list at a time. Timestamps
/// advance by 1 ms to 2 s per event.
public struct EventMix {
    public private(set) var state = TasklogState()
    public private(set) var events: [Event] = []

    private var random: SplitMix64
    private var clock: Int64 = 1_767_225_600_000_000  // 2026-01-01T00:00:00Z in µs
    private var lists: [ListDriver]

    public init(seed: UInt64 = 0x7A5C_106B_E5C4_0001) {
        random = SplitMix64(seed: seed)
        lists = [
            ListDriver(id: "default", workflowType: nil, weight: 40),
            ListDriver(id: "build", workflowType: "build-task", weight: 30),
            ListDriver(id: "design", workflowType: "blueprint", weight: 20),
            ListDriver(id: "review", workflowType: "quality-gate", weight: 10, runsPerList: 500),
        ]
    }

    /// The first `count` events of the mix (seq 1…count, non-decreasing timestamps), and the
    /// state they fold to.
    public static func events(
        count: Int,
        seed: UInt64 = 0x7A5C_106B_E5C4_0001
    ) -> (events: [Event], state: TasklogState) {
        var mix = EventMix(seed: seed)
        mix.events.reserveCapacity(count)
        while mix.events.count < count { mix.step(limit: count) }
        return (mix.events, mix.state)
    }

    // MARK: Driving

    private mutating func step(limit: Int) {
        let index = pickList()
        if lists[index].workflowType != nil, lists[index].run == nil {
            startRun(list: index, limit: limit)
            return
        }
        let canCreate = lists[index].active.count < 8 && lists[index].hasTasksToCreate
        let wantsNew = canCreate && (lists[index].active.isEmpty || random.chance(0.3))
        // The list's state is read in a scope of its own: a copy alive while the reducer
        // changes the state would make it copy the whole list (copy on write).
        let update = wantsNew ? nil : nextUpdate(list: index)
        if let (slot, command, actor) = update {
            run(command, list: index, actor: actor, limit: limit)
            lists[index].advance(slot: slot)
        } else if canCreate {
            create(list: index, limit: limit)
        } else if let run = lists[index].run, lists[index].active.isEmpty {
            // Every task of the run is done: complete the run (the decider adds the final
            // checkpoint of a quality gate).
            self.run(.completeWorkflow(id: run.id, cleanup: false), list: index, actor: "lead", limit: limit)
            lists[index].run = nil
        }
        // Otherwise every open task waits for a blocker that is not done yet: nothing to do.
    }

    private mutating func pickList() -> Int {
        var roll = Int(random.next() % 100)
        for (index, list) in lists.enumerated() {
            if roll < list.weight { return index }
            roll -= list.weight
        }
        return 0
    }

    private mutating func startRun(list index: Int, limit: Int) {
        let type = lists[index].workflowType!
        if let perList = lists[index].runsPerList, lists[index].runs == perList {
            // A fresh list: completing a quality gate reads every task of its list (see
            // BENCHMARKS.md), which would make building a 1M-event fixture quadratic.
            lists[index].lists += 1
            lists[index].id = "\(lists[index].baseID)-\(lists[index].lists)"
            lists[index].runs = 0
        }
        lists[index].runs += 1
        let payloads = run(.startWorkflow(type: type, id: nil), list: index, actor: "lead", limit: limit)
        guard case .workflowStarted(let id, _)? = payloads.first else { return }
        var specs: [TaskSpec] = []
        switch type {
        case "quality-gate":
            let reviewers = 2 + Int(random.next() % 3)
            specs = (1...reviewers).map { _ in TaskSpec(step: 2, phase: "review", group: "reviewers", chained: false) }
        default:
            for step in 1...9 {
                let phase = Self.phases[(step - 1) * Self.phases.count / 9]
                // Implementation (step 5) often splits into parallel tasks.
                let copies = step == 5 ? 1 + Int(random.next() % 3) : 1
                for _ in 0..<copies {
                    specs.append(
                        TaskSpec(step: step, phase: phase, group: copies > 1 ? "implement" : nil, chained: true)
                    )
                }
            }
        }
        lists[index].run = WorkflowRun(id: id, toCreate: specs[...])
    }

    private mutating func create(list index: Int, limit: Int) {
        let id = (state.lists[lists[index].id]?.highWater ?? 0) + 1
        var metadata: [String: JSONValue] = [:]
        var blocker: Int?
        if var run = lists[index].run, let spec = run.toCreate.popFirst() {
            metadata["workflow"] = .string(run.id)
            metadata["step"] = .int(Int64(spec.step))
            metadata["phase"] = .string(spec.phase)
            if let group = spec.group { metadata["parallel_group"] = .string(group) }
            if spec.chained, let previous = run.taskOfStep.filter({ $0.key < spec.step }).max(by: { $0.key < $1.key }) {
                blocker = previous.value
            }
            run.taskOfStep[spec.step] = id
            lists[index].run = run
        } else {
            if random.chance(0.5) { metadata["priority"] = .string(random.chance(0.3) ? "p1" : "p2") }
            if id > 1 && random.chance(0.3) { blocker = id - 1 - Int(random.next() % UInt64(min(8, id - 1))) }
        }
        let task = newTask(id: id, metadata: metadata)
        run(.create(task), list: index, actor: "lead", limit: limit)
        lists[index].active.append(plan(for: id, blocker: blocker, deletable: lists[index].workflowType == nil))
    }

    /// The next step of an open task that can run now (a claim waits for its blockers).
    private mutating func nextUpdate(list index: Int) -> (Int, TaskCommand, String)? {
        let listState = state.list(lists[index].id)
        let active = lists[index].active
        guard !active.isEmpty else { return nil }
        let start = Int(random.next() % UInt64(active.count))
        for offset in 0..<active.count {
            let slot = (start + offset) % active.count
            let plan = active[slot]
            guard let task = listState.tasks[plan.id] else { continue }
            let step = plan.steps[plan.next]
            if case .claim = step, !listState.openBlockers(of: task).isEmpty { continue }
            if case .waitFor(let blocker) = step, listState.tasks[blocker] == nil {
                // The blocker was deleted meanwhile: an agent would not name it; skip the link.
                lists[index].active[slot].next += 1
                return nextUpdate(list: index)
            }
            // A task in progress is changed by its holder (the plan's owner, or whom it was handed to).
            let actor = task.status == .inProgress ? task.owner ?? plan.owner : plan.owner
            return (slot, command(for: step, task: task), actor)
        }
        return nil
    }

    @discardableResult
    private mutating func run(_ command: TaskCommand, list index: Int, actor: String, limit: Int) -> [EventPayload] {
        let listID = lists[index].id
        clock += 1_000 + Int64(random.next() % 2_000_000)
        let payloads: [EventPayload]
        do {
            payloads = try Decider.decide(
                command,
                in: state.list(listID),
                actor: actor,
                now: Timestamp(rawValue: clock)
            )
        } catch {
            preconditionFailure("the generated command \(command) was refused: \(error)")
        }
        for payload in payloads where events.count < limit {
            let event = Event(
                seq: UInt64(events.count + 1),
                timestamp: Timestamp(rawValue: clock),
                list: listID,
                actor: actor,
                payload: payload
            )
            Reducer.apply(event, to: &state)
            events.append(event)
        }
        return payloads
    }

    // MARK: Tasks

    private static let verbs = [
        "Implement", "Review", "Write tests for", "Refactor", "Document", "Profile", "Fix", "Wire up",
    ]
    private static let things = [
        "the snapshot codec", "ledger rendering", "the MCP task tools", "group commit", "the audit query",
        "cycle detection", "the resume decision table", "stale claim release", "the CLI table output",
        "time-travel diffs", "the idempotency index", "map growth on MAP_FULL",
    ]
    private static let phases = ["plan", "implement", "verify", "review", "ship"]
    private static let sentences = [
        "Keep the change small and covered by tests.",
        "Follow the design notes; ask before changing the public API.",
        "Measure before and after, and record the figures in the pull request.",
        "The previous attempt failed on Linux only; check the CI log first.",
        "Coordinate with the agent that owns the dependent task.",
    ]

    private mutating func newTask(id: Int, metadata: [String: JSONValue]) -> NewTask {
        let verb = Self.verbs[Int(random.next() % UInt64(Self.verbs.count))]
        let thing = Self.things[Int(random.next() % UInt64(Self.things.count))]
        let first = Self.sentences[Int(random.next() % UInt64(Self.sentences.count))]
        let second = Self.sentences[Int(random.next() % UInt64(Self.sentences.count))]
        return NewTask(
            subject: "\(verb) \(thing) (\(id))",
            description: "\(verb) \(thing). \(first) \(second)",
            activeForm: verb.hasSuffix("e") ? "\(verb.dropLast())ing \(thing)" : "\(verb)ing \(thing)",
            metadata: metadata
        )
    }

    private mutating func plan(for id: Int, blocker: Int?, deletable: Bool) -> TaskPlan {
        var steps: [TaskStep] = []
        let owner = "agent-\(1 + random.next() % 8)"
        if let blocker { steps.append(.waitFor(blocker)) }
        steps.append(.claim)
        steps.append(.progress(Int64(25 + random.next() % 50)))
        if random.chance(0.35) { steps.append(.handOver("agent-\(1 + random.next() % 8)")) }
        steps.append(deletable && random.chance(0.02) ? .delete : .complete)
        return TaskPlan(id: id, owner: owner, steps: steps)
    }

    private func command(for step: TaskStep, task: TaskRecord) -> TaskCommand {
        switch step {
        case .waitFor(let blocker):
            return .update(id: task.id, TaskChanges(addBlockedBy: [blocker]))
        case .claim:
            return .update(id: task.id, TaskChanges(status: .inProgress))
        case .progress(let percent):
            var patch: [String: JSONValue] = ["progress": .int(percent)]
            if task.metadata["workflow"] != nil { patch["phase"] = .string("review") }
            return .update(id: task.id, TaskChanges(metadata: patch))
        case .handOver(let owner):
            // A takeover of a claimed task states the version read (optimistic concurrency).
            return .update(
                id: task.id,
                TaskChanges(owner: owner == task.owner ? owner + "b" : owner, expectedVersion: task.version)
            )
        case .complete:
            return .update(id: task.id, TaskChanges(status: .completed, metadata: ["progress": .int(100)]))
        case .delete:
            return .update(id: task.id, TaskChanges(status: .deleted))
        }
    }
}

enum TaskStep {
    case waitFor(Int)
    case claim
    case progress(Int64)
    case handOver(String)
    case complete
    case delete
}

struct TaskPlan {
    var id: Int
    var owner: String
    var steps: [TaskStep]
    var next = 0
}

struct TaskSpec {
    var step: Int
    var phase: String
    var group: String?
    /// Blocked by the task of the step before.
    var chained: Bool
}

struct WorkflowRun {
    var id: String
    var toCreate: ArraySlice<TaskSpec>
    /// The last task created for each step.
    var taskOfStep: [Int: Int] = [:]
}

struct ListDriver {
    var id: String
    var workflowType: String?
    var weight: Int
    /// Start a new list (`id-2`, `id-3`, …) after this many workflow runs.
    var runsPerList: Int?
    var active: [TaskPlan] = []
    var run: WorkflowRun?
    var runs = 0
    var lists = 1
    let baseID: String

    init(id: String, workflowType: String?, weight: Int, runsPerList: Int? = nil) {
        self.id = id
        self.workflowType = workflowType
        self.weight = weight
        self.runsPerList = runsPerList
        baseID = id
    }

    var hasTasksToCreate: Bool {
        guard workflowType != nil else { return true }
        return run.map { !$0.toCreate.isEmpty } ?? false
    }

    mutating func advance(slot: Int) {
        active[slot].next += 1
        if active[slot].next == active[slot].steps.count { active.remove(at: slot) }
    }
}

/// A small, fast, deterministic generator (SplitMix64).
struct SplitMix64 {
    private var state: UInt64

    init(seed: UInt64) { state = seed }

    mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        var z = state
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }

    mutating func chance(_ probability: Double) -> Bool {
        Double(next() >> 11) / Double(1 << 53) < probability
    }
}
