import TasklogCore
import TasklogTestSupport

/// Random commands against a state: mostly valid ones, and enough invalid ones (stale versions,
/// blocked claims, cycles, missing ids, oversize fields) to exercise every refusal.
struct CommandGenerator {
    var random: SeededRandom
    let lists = ["default", "team-b"]
    let actors = ["agent-a", "agent-b", "agent-c"]

    var ids: [Int] = []
    var highWater = 0

    init(seed: UInt64) { random = SeededRandom(seed: seed) }

    /// Mostly live ids, sometimes a deleted or never-issued one.
    mutating func anyID() -> Int {
        if !ids.isEmpty && Int.random(in: 0..<10, using: &random) < 8 { return ids.randomElement(using: &random)! }
        return Int.random(in: 1...(highWater + 2), using: &random)
    }

    mutating func next(for state: TasklogState) -> (command: TaskCommand, list: String, actor: String) {
        let list = lists.randomElement(using: &random)!
        let actor = actors.randomElement(using: &random)!
        let tasks = state.list(list)
        ids = tasks.tasks.ids
        highWater = tasks.highWater
        let roll = Int.random(in: 0..<100, using: &random)
        switch roll {
        case 0..<30:
            return (.create(newTask()), list, actor)
        case 30..<85:
            return (.update(id: anyID(), changes()), list, actor)
        case 85..<90:
            return (.release(owner: actors.randomElement(using: &random)!), list, actor)
        case 90..<95:
            return (.addDependency(blocker: anyID(), blocked: anyID()), list, actor)
        default:
            return (.removeDependency(blocker: anyID(), blocked: anyID()), list, actor)
        }
    }

    private mutating func newTask() -> NewTask {
        let n = Int.random(in: 0..<1000, using: &random)
        var metadata: [String: JSONValue] = [:]
        if Bool.random(using: &random) {
            metadata["phase"] = .string(["plan", "build", "review"].randomElement(using: &random)!)
        }
        if Bool.random(using: &random) { metadata["step"] = .int(Int64.random(in: 0...9, using: &random)) }
        if Int.random(in: 0..<20, using: &random) == 0 { metadata["step"] = .string("four") }  // refused
        if Bool.random(using: &random) {
            metadata["note"] = .array([.int(Int64(n)), .double(0.5), .null, .bool(true)])
        }
        let subject = Int.random(in: 0..<30, using: &random) == 0 ? "" : "Task \(n) ✓"
        return NewTask(
            subject: subject,
            description: Bool.random(using: &random) ? "Do thing \(n)\nwith \"quotes\"" : "",
            activeForm: Bool.random(using: &random) ? "Doing \(n)" : nil,
            owner: Int.random(in: 0..<5, using: &random) == 0 ? actors.randomElement(using: &random) : nil,
            metadata: metadata
        )
    }

    private mutating func changes() -> TaskChanges {
        var changes = TaskChanges()
        if Int.random(in: 0..<2, using: &random) == 0 {
            changes.status = [.pending, .inProgress, .inProgress, .completed, .completed, .deleted]
                .randomElement(using: &random)!
        }
        if Int.random(in: 0..<6, using: &random) == 0 {
            changes.subject = "Renamed \(Int.random(in: 0..<99, using: &random))"
        }
        if Int.random(in: 0..<8, using: &random) == 0 { changes.description = "" }
        if Int.random(in: 0..<8, using: &random) == 0 { changes.activeForm = "Working" }
        if Int.random(in: 0..<5, using: &random) == 0 {
            changes.owner = ["", actors.randomElement(using: &random)!].randomElement(using: &random)!
        }
        if Int.random(in: 0..<4, using: &random) == 0 { changes.addBlockedBy = [anyID()] }
        if Int.random(in: 0..<6, using: &random) == 0 { changes.addBlocks = [anyID(), anyID()] }
        if Int.random(in: 0..<4, using: &random) == 0 {
            changes.metadata = [
                "phase": [.string("build"), .null].randomElement(using: &random)!,
                "extra": .object(["k": .int(Int64.random(in: 0..<3, using: &random))]),
            ]
        }
        if Int.random(in: 0..<6, using: &random) == 0 {
            changes.expectedVersion = Int.random(in: 1...4, using: &random)
        }
        return changes
    }
}
