import Foundation
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog

/// Three hosts share one task list through PostgreSQL. Each "host" is a process of its own, with
/// its own cache and its own connections to the server over loopback TCP (the machine's network
/// namespaces are not needed to show what crosses hosts: nothing but the server is shared).
@Suite("PostgreSQL: several hosts on one store") struct PostgresMultiHostTests {
    @Test(.timeLimit(.minutes(3)))
    func threeHostsClaimEveryTaskOnceNeverABlockedOneAndAllFollowEveryEvent() async throws {
        try await offThePool {
            try TestFolder.with("multihost") { folder in
                let url = try TestPostgres.freshStoreURL()
                // 15 chains of 4 tasks: each task is blocked by the one before it.
                var blockers: [Int: Int] = [:]
                do {
                    let store = try TaskStore.open(at: url, options: .testing())
                    for chain in 1...15 {
                        var previous: Int?
                        for step in 1...4 {
                            let task = try store.create(NewTask(subject: "Chain \(chain) step \(step)"))
                            if let previous {
                                _ = try store.update(task.id, TaskChanges(addBlockedBy: [previous]))
                                blockers[task.id] = previous
                            }
                            previous = task.id
                        }
                    }
                }
                let followers = try (1...3).map { host in
                    try HostProcess(
                        BuiltExecutable.tasklog,
                        ["follow", "--json", "--from", "1", "--store", url],
                        output: folder.file("follow-\(host).out")
                    )
                }
                // The third host also tries to claim blocked tasks: the other hosts' open claims must
                // refuse it there, or a blocked task is claimed and the check below fails.
                let workers = try (1...3).map { host in
                    try HostProcess(
                        BuiltExecutable.rigs,
                        ["claim", "--store", url, "--actor", "host-\(host)"] + (host == 3 ? ["--try-blocked"] : []),
                        output: folder.file("claim-\(host).out")
                    )
                }
                for worker in workers { #expect(worker.wait() == 0, "a host's worker failed: \(worker.errors)") }
                let refusedBlocked = workers[2].lines.compactMap { line in
                    line.hasPrefix("refused blocked ") ? Int(line.dropFirst(16)) : nil
                }
                #expect(refusedBlocked.first ?? 0 > 0, "the reckless host never tried a blocked task")

                let store = try TaskStore.open(at: url, options: .testing())
                let tasks = try store.tasks()
                #expect(tasks.count == 60)
                #expect(tasks.allSatisfy { $0.status == .completed })
                let claimed = workers.flatMap { worker in
                    worker.lines.compactMap { $0.hasPrefix("claimed ") ? Int($0.dropFirst(8)) : nil }
                }
                #expect(claimed.sorted() == Array(1...60), "every task claimed exactly once")

                // No blocked task was claimed: each claim comes after its blocker's completion.
                let events = try store.allEvents()
                func seq(of id: Int, becoming status: TaskStatus) -> [UInt64] {
                    events.compactMap { event in
                        guard case .taskUpdated(let update) = event.payload, update.id == id, update.status == status
                        else { return nil }
                        return event.seq
                    }
                }
                for task in tasks {
                    let claims = seq(of: task.id, becoming: .inProgress)
                    #expect(claims.count == 1, "task #\(task.id) claimed \(claims.count) times")
                    if let blocker = blockers[task.id], let claim = claims.first {
                        let done = try #require(seq(of: blocker, becoming: .completed).first)
                        #expect(
                            done < claim,
                            "task #\(task.id) claimed at \(claim) before #\(blocker) completed at \(done)"
                        )
                    }
                }
                #expect(try store.verify().isHealthy)

                // Every host's follower sees every event.
                let head = try store.lastSeq()
                for (index, follower) in followers.enumerated() {
                    let deadline = Date(timeIntervalSinceNow: 10)
                    while follower.seqs().last != head && Date() < deadline { Thread.sleep(forTimeInterval: 0.05) }
                    follower.terminate()
                    #expect(follower.seqs() == Array(1...head), "host \(index + 1)'s follower")
                }
            }
        }
    }
}

/// A process standing for one host, its standard output in a file.
final class HostProcess: @unchecked Sendable {
    let process = Process()
    let outputPath: String
    /// Standard error, in a file beside the output (a pipe nobody reads could fill and stop it).
    let errorPath: String

    init(_ executable: URL, _ arguments: [String], output: String) throws {
        outputPath = output
        errorPath = output + ".err"
        _ = FileManager.default.createFile(atPath: output, contents: nil)
        _ = FileManager.default.createFile(atPath: errorPath, contents: nil)
        process.executableURL = executable
        process.arguments = arguments
        process.environment = BuiltExecutable.environment()
        process.standardOutput = FileHandle(forWritingAtPath: output)
        process.standardError = FileHandle(forWritingAtPath: errorPath)
        try process.run()
    }

    func wait() -> Int32 {
        process.waitUntilExit()
        return process.terminationStatus
    }

    func terminate() {
        process.interrupt()
        process.waitUntilExit()
    }

    var errors: String {
        (try? String(contentsOfFile: errorPath, encoding: .utf8)) ?? ""
    }

    var lines: [String] {
        ((try? String(contentsOfFile: outputPath, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
    }

    /// The seqs of the JSON events printed so far.
    func seqs() -> [UInt64] {
        lines.compactMap { line in
            guard let data = line.data(using: .utf8),
                let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any]
            else { return nil }
            return (object["seq"] as? NSNumber)?.uint64Value
        }
    }
}
