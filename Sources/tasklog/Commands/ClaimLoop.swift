import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

/// A worker for contention tests: claims ready tasks (an owner compare-and-set), bumps a shared
/// counter task with an expected version (retrying on conflict), completes the task; prints
/// `claimed ID` for each claim won and `conflicts N` at the end.
struct ClaimLoop: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "_claim",
        abstract: "Claim and complete ready tasks until none is left.",
        shouldDisplay: false
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The id of a task whose metadata.count every claim increments, with an expected version.")
    var counter: Int?

    func run() throws {
        try tasklog.run {
            let store = try global.open(create: false)
            let list = global.listID
            let me = global.actorName
            var conflicts = 0
            var random = SystemRandomNumberGenerator()
            while true {
                let ready = try store.ready(in: list).filter { $0.id != counter }
                guard !ready.isEmpty else { break }
                // Pick among the first few so that workers collide often.
                let task = ready[Int(random.next() % UInt64(min(ready.count, 4)))]
                do {
                    _ = try store.update(task.id, TaskChanges(status: .inProgress, owner: me), in: list, actor: me)
                } catch let error as TasklogError where error.code == .conflict {
                    conflicts += 1
                    continue
                }
                var line = "claimed \(task.id)\n"
                line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
                if let counter {
                    while true {
                        guard let current = try store.get(counter, in: list) else { break }
                        let count = current.metadata["count"]?.intValue ?? 0
                        do {
                            _ = try store.update(
                                counter,
                                TaskChanges(metadata: ["count": .int(count + 1)], expectedVersion: current.version),
                                in: list,
                                actor: me
                            )
                            break
                        } catch let error as TasklogError where error.code == .conflict {
                            conflicts += 1
                        }
                    }
                }
                _ = try store.update(task.id, TaskChanges(status: .completed), in: list, actor: me)
            }
            var line = "conflicts \(conflicts)\n"
            line.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
        }
    }
}
