import ArgumentParser
import Tasklog
import TasklogCore

/// A worker for contention tests: claims ready tasks (an owner compare-and-set), bumps a shared
/// counter task with an expected version (retrying on conflict), completes the task; prints
/// `claimed ID` for each claim won and `conflicts N` at the end.
struct ClaimRig: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "claim",
        abstract: "Claim and complete ready tasks until none is left."
    )

    @OptionGroup var options: RigOptions

    @Option(help: "The id of a task whose metadata.count every claim increments, with an expected version.")
    var counter: Int?

    @Flag(help: "Also try to claim pending tasks whose blockers are open: each must be refused (blocked).")
    var tryBlocked = false

    func run() throws {
        try reportingErrors {
            let store = try options.open(create: false)
            let list = options.list
            let me = options.actor
            var conflicts = 0
            var refusedBlocked = 0
            var random = SystemRandomNumberGenerator()
            while true {
                let ready = try store.ready(in: list).filter { $0.id != counter }
                guard !ready.isEmpty else { break }
                // Pick among the first few so that workers collide often; a reckless worker
                // picks among every pending task, blocked or not, and must be refused the blocked.
                let candidates =
                    tryBlocked ? try store.tasks(in: list).filter { $0.status == .pending && $0.id != counter } : ready
                let task = candidates[Int(random.next() % UInt64(min(candidates.count, 4)))]
                do {
                    _ = try store.update(task.id, TaskChanges(status: .inProgress, owner: me), in: list, actor: me)
                } catch let error as TasklogError where error.code == .conflict {
                    conflicts += 1
                    continue
                } catch let error as TasklogError where error.code == .blocked && tryBlocked {
                    refusedBlocked += 1
                    continue
                }
                say("claimed \(task.id)\n")
                if let counter { conflicts += try increment(counter, in: store) }
                _ = try store.update(task.id, TaskChanges(status: .completed), in: list, actor: me)
            }
            say("conflicts \(conflicts)\n")
            if tryBlocked { say("refused blocked \(refusedBlocked)\n") }
        }
    }

    /// Adds one to the counter task's metadata.count with an expected version, retrying on
    /// conflict; returns how many conflicts it met.
    private func increment(_ counter: Int, in store: TaskStore) throws -> Int {
        var conflicts = 0
        while true {
            guard let current = try store.get(counter, in: options.list) else { return conflicts }
            let count = current.metadata["count"]?.intValue ?? 0
            do {
                _ = try store.update(
                    counter,
                    TaskChanges(metadata: ["count": .int(count + 1)], expectedVersion: current.version),
                    in: options.list,
                    actor: options.actor
                )
                return conflicts
            } catch let error as TasklogError where error.code == .conflict {
                conflicts += 1
            }
        }
    }
}
