import Foundation
import TasklogCore
import Testing

@testable import Tasklog

/// SIGKILL a writer process at random moments and check that nothing acknowledged is lost: on
/// LMDB a process of this machine, on PostgreSQL a host (whose session the server ends when its
/// connection goes).
///
/// SIGKILL tests process death, not power loss: the page cache survives it.
@Suite("Crash safety (a writer process killed: LMDB and PostgreSQL)", .serialized)
struct CrashTests {
    @Test(.timeLimit(.minutes(2)), arguments: [TestBackend.lmdb, .postgres])
    func killedWriterLosesNothingAcknowledged(on backend: TestBackend) async throws {
        try await offThePool {
            // A PostgreSQL commit is a network round trip and a server fsync: fewer, longer rounds.
            let rounds = backend == .postgres ? 6 : 15
            try TestFolder.with("crash") { folder in
                let path = backend == .postgres ? try folder.postgresURL : folder.storePath
                var allAcks: [AppendProcess.Ack] = []
                var recoveredFromSnapshot = 0
                var lastBefore: UInt64 = 0
                let started = Date()
                for round in 1...rounds {
                    let writer = try AppendProcess(
                        store: path,
                        arguments: ["--count", "1000000", "--snapshot-interval", "50", "--actor", "writer-\(round)"],
                        folder: folder
                    )
                    try #require(writer.waitForFirstAck(), "round \(round): the writer printed nothing")
                    Thread.sleep(forTimeInterval: Double.random(in: 0.05...0.4))
                    writer.kill()
                    #expect(
                        writer.process.terminationReason == .uncaughtSignal,
                        "round \(round): it ended before the kill"
                    )
                    let acks = writer.acks
                    #expect(!acks.isEmpty)
                    allAcks += acks

                    let capture = LogCapture()
                    // This process writes no snapshot itself: every one recovered from is the writer's.
                    let store = try TaskStore.open(at: path, options: .testing(capture: capture))
                    let last = try store.lastSeq()
                    // Every acknowledged seq is in the log, with the task it named.
                    let maxAck = try #require(allAcks.map(\.seq).max())
                    #expect(maxAck <= last, "round \(round): acknowledged \(maxAck) but the log ends at \(last)")
                    let events = try store.allEvents()
                    #expect(events.map(\.seq) == Array(1...last), "round \(round): the log is not contiguous")
                    for ack in acks {
                        guard ack.seq >= 1, ack.seq <= UInt64(events.count) else { continue }
                        let event = events[Int(ack.seq) - 1]
                        #expect(
                            event.payload.taskIDs.contains(ack.taskID),
                            "round \(round): seq \(ack.seq) is not about #\(ack.taskID)"
                        )
                        #expect(event.actor == "writer-\(round)")
                    }
                    // Recovery went through the newest snapshot.
                    let recovery = try #require(store.recovery)
                    let newest = try store.stats().newestSnapshotSeq
                    #expect(
                        recovery.snapshotSeq == newest,
                        "round \(round): \(recovery), newest \(String(describing: newest))"
                    )
                    #expect(recovery.skippedSnapshots == 0)
                    if recovery.snapshotSeq != nil { recoveredFromSnapshot += 1 }
                    if maxAck >= 50 {
                        // A writer's commit at seq 50 or later found no snapshot 50 events back and wrote one.
                        #expect(recovery.snapshotSeq != nil, "round \(round): a full replay of \(last) events")
                    }
                    if acks.count >= 50 {
                        // 50 acknowledged events since the last round: the writer must have snapshotted.
                        #expect((newest ?? 0) > lastBefore, "round \(round): no snapshot after \(acks.count) events")
                    }
                    // The write lock was recovered: a new write goes through.
                    let task = try store.create(NewTask(subject: "After crash \(round)"), actor: "checker")
                    let after = try store.lastSeq()
                    #expect(after == last + 1, "round \(round) (\(backend)): the log was at \(last), is at \(after)")
                    lastBefore = last + 1
                    #expect(try store.get(task.id)?.subject == "After crash \(round)")
                    // Whole and consistent.
                    let report = try store.verify()
                    #expect(report.isHealthy, "round \(round): \(report.problems)")
                    #expect(try store.state() == (try store.fullReplay()))
                    #expect(!capture.messages.contains { $0.contains("not usable") }, "\(capture.messages)")
                }
                #expect(recoveredFromSnapshot >= 1)
                #expect(Set(allAcks.map(\.seq)).count == allAcks.count, "a seq was acknowledged twice")
                #expect(Date().timeIntervalSince(started) < 90)
            }
        }
    }

    @Test func writerThatFinishesAcknowledgesEverything() async throws {
        try await offThePool {
            try TestFolder.with("append-complete") { folder in
                let writer = try AppendProcess(
                    store: folder.storePath,
                    arguments: ["--count", "120", "--snapshot-interval", "50", "--update-every", "4"],
                    folder: folder
                )
                #expect(writer.finish() == 0)
                let acks = writer.acks
                #expect(acks.map(\.seq) == Array(1...120))
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                #expect(try store.lastSeq() == 120)
                #expect(store.recovery?.snapshotSeq == 100)
                #expect(try store.tasks().count == 90)  // every 4th command updates instead of creating
                #expect(store.recovery?.replayedEvents == 20)  // the list's tail, folded when it was loaded
                #expect(try store.verify().isHealthy)
            }
        }
    }
}
