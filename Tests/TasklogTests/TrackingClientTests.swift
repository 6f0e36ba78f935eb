import Foundation
@_spi(Testing) import LMDB
import Synchronization
import Testing

@testable import Tasklog
@testable import TasklogCore

/// Task tracking failures never block the workflow: the client degrades, retries, re-fetches.
@Suite(.serialized) struct TrackingClientTests {
    final class Warnings: Sendable {
        let lines = Mutex<[String]>([])
        var sink: @Sendable (String) -> Void { { [self] line in lines.withLock { $0.append(line) } } }
        var all: [String] { lines.withLock { $0 } }
    }

    @Test func aStoreThatCannotBeOpenedFallsBackToTheLedger() throws {
        try TestFolder.with("tracking-fallback") { folder in
            let notAStore = folder.file("file")
            try "not a store".write(toFile: notAStore, atomically: true, encoding: .utf8)
            let ledger = folder.file("ledger.yml")
            try """
            version: 1
            workflow_id: "build-task-20260213T1430"
            workflow_type: "build-task"
            started_at: "2026-02-13T14:30:00Z"
            last_checkpoint: "2026-02-13T14:35:00Z"
            current_step: 4
            status: "in_progress"
            checkpoints:
              - step: 1
                name: "Workspace setup"
                status: "completed"
                completed_at: "2026-02-13T14:31:00Z"
                data: {}
              - step: 4
                name: "Build"
                status: "completed"
                completed_at: "2026-02-13T14:35:00Z"
                data: {}
            """.write(toFile: ledger, atomically: true, encoding: .utf8)
            let warnings = Warnings()
            let client = TrackingClient(storePath: notAStore, ledgerPath: ledger, warn: warnings.sink)
            #expect(!client.isTracking)
            #expect(client.create(NewTask(subject: "Anything")) == nil)
            #expect(client.update(1, TaskChanges(status: .completed)) == nil)
            #expect(client.tasks() == nil)
            let plan = client.resumePlan("build-task-20260213T1430")
            #expect(plan.decision == .resume && plan.run == [5, 6, 7, 8, 9])
            #expect(warnings.all.count == 1, "one warning: tracking is off")
        }
    }

    @Test func staleVersionsCyclesAndFailedCommitsDoNotStopTheWorkflow() throws {
        try TestFolder.with("tracking-retry") { folder in
            let warnings = Warnings()
            let client = TrackingClient(storePath: folder.storePath, actor: "orchestrator", warn: warnings.sink)
            let a = try #require(client.create(NewTask(subject: "A")))
            let b = try #require(client.create(NewTask(subject: "B")))
            #expect(client.update(b.id, TaskChanges(addBlockedBy: [a.id])) != nil)
            // A stale version: re-fetched and applied.
            let stale = client.update(a.id, TaskChanges(subject: "A, renamed", expectedVersion: 1))
            #expect(stale?.task?.subject == "A, renamed")
            // A cycle: the update goes through without the link.
            let cyclic = client.update(a.id, TaskChanges(description: "now with notes", addBlockedBy: [b.id]))
            #expect(cyclic?.task?.description == "now with notes")
            #expect(cyclic?.task?.blockedBy == [])
            // A failed commit: retried once.
            try Environment.open(path: folder.storePath).failNext(.commit, with: .io)
            let retried = client.update(a.id, TaskChanges(status: .inProgress))
            #expect(retried?.task?.status == .inProgress)
            #expect(warnings.all.contains { $0.contains("changed since it was read") })
            #expect(warnings.all.contains { $0.contains("without the new dependencies") })
        }
    }

    /// The skill's guard: `config_read("task_tracking.enabled", "false")`. A client set up from
    /// the configuration tracks only where it is turned on, and a broken file never throws.
    @Test func aConfiguredClientFollowsTheSkillsDefaultOff() throws {
        try TestFolder.with("tracking-configured") { folder in
            let warnings = Warnings()
            let off = TrackingClient.configured(storePath: folder.storePath, environment: [:], warn: warnings.sink)
            #expect(!off.isTracking)
            #expect(off.create(NewTask(subject: "Not tracked")) == nil)
            #expect(!FileManager.default.fileExists(atPath: folder.storePath), "nothing was written")
            #expect(warnings.all.isEmpty, "off by default is no failure")

            let on = TrackingClient.configured(
                storePath: folder.storePath,
                environment: ["TASKLOG_TRACKING_ENABLED": "true"],
                warn: warnings.sink
            )
            #expect(on.isTracking)
            #expect(on.create(NewTask(subject: "Tracked"))?.id == 1)

            try "task_tracking:\n  enabled: [\n".write(
                toFile: folder.file(".tasklog.yml"),
                atomically: true,
                encoding: .utf8
            )
            let broken = TrackingClient.configured(storePath: folder.storePath, environment: [:], warn: warnings.sink)
            #expect(!broken.isTracking)
            #expect(warnings.all.count == 1 && warnings.all[0].contains("not valid YAML"), "\(warnings.all)")
        }
    }

    /// One ledger path, two runs in progress: the file holds the newest, and a warning says so.
    @Test func aLedgerSharedByTwoActiveRunsWarns() throws {
        try TestFolder.with("ledger-shared") { folder in
            let warnings = Warnings()
            var options = TaskStore.Options()
            options.ledgerPath = folder.file("ledger.yml")
            options.log = warnings.sink
            let store = try TaskStore.open(at: folder.storePath, options: options)
            let first = try store.startWorkflow(type: "build-task", id: "build-task-a")
            #expect(warnings.all.isEmpty)
            _ = try store.startWorkflow(type: "build-task", id: "build-task-b")
            #expect(warnings.all.contains { $0.contains("held run \(first)") && $0.contains("{workflow_id}") })
            let text = try String(contentsOfFile: folder.file("ledger.yml"), encoding: .utf8)
            #expect(text.contains("build-task-b"))
        }
    }
}
