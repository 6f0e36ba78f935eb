import Foundation
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogCore

/// Eight processes race for the same tasks: every task is claimed exactly once (an owner
/// compare-and-set), and a counter bumped with expected versions loses no update.
@Suite("Contention (LMDB: eight processes)") struct ContentionTests {
    @Test func eightProcessesClaimEveryTaskExactlyOnceAndLoseNoUpdate() throws {
        let tasks = Int(ProcessInfo.processInfo.environment["TASKLOG_CONTENTION_TASKS"] ?? "") ?? 160
        try TestFolder.with("contention") { folder in
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                let counter = try store.create(NewTask(subject: "Counter", metadata: ["count": 0]))
                #expect(counter.id == 1)
                // One durable commit per task, before any worker starts.
                for n in 1...tasks { _ = try store.create(NewTask(subject: "Task \(n)")) }
            }
            let workers = (1...8).map { n in
                let process = Process()
                process.executableURL = BuiltExecutable.rigs
                process.arguments = ["claim", "--store", folder.storePath, "--actor", "worker-\(n)", "--counter", "1"]
                process.environment = CLI.environment(folder: folder)
                let output = folder.file("worker-\(n).out")
                _ = FileManager.default.createFile(atPath: output, contents: nil)
                process.standardOutput = FileHandle(forWritingAtPath: output)
                return (process, output)
            }
            for (process, _) in workers { try process.run() }
            for (process, _) in workers { process.waitUntilExit() }
            var claimed: [Int] = []
            var conflicts = 0
            for (process, output) in workers {
                #expect(process.terminationStatus == 0)
                for line in try String(contentsOfFile: output, encoding: .utf8).split(separator: "\n") {
                    let parts = line.split(separator: " ")
                    if parts.first == "claimed", let id = Int(parts[1]) { claimed.append(id) }
                    if parts.first == "conflicts", let count = Int(parts[1]) { conflicts += count }
                }
            }
            #expect(claimed.count == tasks, "every task claimed once")
            #expect(Set(claimed) == Set(2...(tasks + 1)), "no task claimed twice, none missed")
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            let state = try store.state().list("default")
            #expect(state.tasks[1]?.metadata["count"] == .int(Int64(tasks)), "no lost update")
            #expect(state.tasks.filter { $0.id != 1 }.allSatisfy { $0.status == .completed })
            // Each claim's event names the one owner who won it.
            for id in 2...(tasks + 1) {
                let claims = try store.history(HistoryQuery(list: "default", taskID: id, limit: 100)).entries.filter {
                    if case .taskUpdated(let updated) = $0.event.payload { return updated.status == .inProgress }
                    return false
                }
                #expect(claims.count == 1, "task #\(id) claimed \(claims.count) times")
            }
            #expect(try store.verify().isHealthy)
            print(
                "contention: 8 processes, \(tasks) tasks, \(conflicts) refused claims and stale versions, no double claim"
            )
        }
    }
}
