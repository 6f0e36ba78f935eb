import Foundation
import TasklogCore
import Testing

@testable import Tasklog

/// Import and export of agent task files (`tasklog import-claude`, `tasklog export-claude`).
@Suite struct ClaudeTaskDirectoryTests {
    /// Writes a directory in the reference layout: 1 and 2 in a cycle, 3 missing (deleted),
    /// 4 completed, 5 in progress, a broken file, a numeric id, a stray file.
    static func writeReferenceLayout(in path: String) throws {
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        func write(_ name: String, _ text: String) throws {
            try Data(text.utf8).write(to: URL(fileURLWithPath: path + "/" + name))
        }
        try write(".lock", "")
        try write(".highwatermark", "7")
        try write(
            "1.json",
            """
            {
              "id": "1",
              "subject": "Untrack the local config artifact",
              "description": "Remove it from the index",
              "activeForm": "Untracking the local config artifact",
              "status": "pending",
              "blocks": ["2"],
              "blockedBy": ["2"]
            }
            """
        )
        try write(
            "2.json",
            #"{"id":"2","subject":"Add it to .gitignore","description":"","status":"pending","blocks":["1"],"blockedBy":["1"],"metadata":{"phase":"cleanup"}}"#
        )
        try write(
            "4.json",
            #"{"id":"4","subject":"Read the code","description":"","activeForm":"Reading","status":"completed","blocks":["5","9"],"blockedBy":[],"owner":"agent-a"}"#
        )
        try write(
            "5.json",
            #"{"id":"5","subject":"Write the fix","description":"d","status":"in_progress","blocks":[],"blockedBy":["4"],"owner":"agent-b"}"#
        )
        try write("6.json", #"{"id":"6","subject": "broken"#)
        try write(
            "7.json",
            #"{"id":7,"subject":"numeric id","description":"","status":"pending","blocks":[],"blockedBy":[]}"#
        )
        try write("notes.json", "{}")
    }

    @Test func importKeepsIdsDependenciesStatusesAndOwners() async throws {
        try await TestFolder.with("claude-import") { scratch in
            let directory = scratch.path + "/tasks"
            try Self.writeReferenceLayout(in: directory)
            let files = try ClaudeTaskDirectory(reading: directory)
            #expect(files.tasks.keys.sorted() == [1, 2, 4, 5])
            #expect(files.skipped.map(\.file) == ["6.json", "7.json", "notes.json"])
            #expect(files.skipped[1].reason == #"its id must be a string like "7", not integer 7"#)
            let store = try TaskStore.open(at: scratch.storePath)
            let report = try await files.importTasks(into: store, list: "imported", actor: "importer")
            #expect(report.imported == [1, 2, 4, 5])
            #expect(report.placeholders == [3, 6, 7])
            #expect(report.highWater == 7)
            #expect(report.inProgress == [.init(id: 5, owner: "agent-b")])
            #expect(report.repairs.count == 2)
            #expect(
                report.repairs.contains("left out #1 blocked by #2 (1.json): it would close the cycle #2 → #1 → #2")
            )
            #expect(
                report.repairs.contains("left out #5 blocked by #9 (4.json): #9 is not among the imported tasks")
                    == false
            )
            #expect(report.repairs.contains("left out #9 blocked by #4 (4.json): #9 is not among the imported tasks"))

            let tasks = await Dictionary(uniqueKeysWithValues: try store.tasks(in: "imported").map { ($0.id, $0) })
            #expect(tasks.keys.sorted() == [1, 2, 4, 5])
            #expect(tasks[1]?.subject == "Untrack the local config artifact")
            #expect(tasks[1]?.activeForm == "Untracking the local config artifact")
            #expect(tasks[1]?.blocks == [2])
            #expect(tasks[1]?.blockedBy == [])
            #expect(
                tasks[1]?.metadata["importRepairs"] == [
                    "left out #1 blocked by #2 (1.json): it would close the cycle #2 → #1 → #2"
                ]
            )
            #expect(tasks[2]?.blockedBy == [1])
            #expect(tasks[2]?.metadata["phase"] == "cleanup")
            #expect(tasks[4]?.status == .completed)
            #expect(tasks[4]?.owner == "agent-a")
            #expect(tasks[5]?.status == .inProgress)
            #expect(tasks[5]?.owner == "agent-b")
            #expect(tasks[5]?.blockedBy == [4])
            #expect(try store.state().list("imported").highWater == 7)
            // The next task gets 8: ids are never reused.
            #expect(try await store.create(NewTask(subject: "next"), in: "imported").id == 8)

            // A second import into the same list is refused whole.
            await #expect(throws: TasklogError.self) {
                _ = try await files.importTasks(into: store, list: "imported", actor: nil)
            }
        }
    }

    @Test func exportWritesTheReferenceLayoutAndReadsBack() async throws {
        try await TestFolder.with("claude-export") { scratch in
            let store = try TaskStore.open(at: scratch.storePath)
            let a = try await store.create(
                NewTask(subject: "Plan", description: "the plan", activeForm: "Planning"),
                in: "l"
            )
            let b = try await store.create(NewTask(subject: "Build", metadata: ["phase": "build"]), in: "l")
            let c = try await store.create(NewTask(subject: "Gone"), in: "l")
            _ = try await store.update(b.id, TaskChanges(addBlockedBy: [a.id]), in: "l")
            _ = try await store.update(a.id, TaskChanges(status: .inProgress, owner: "agent-a"), in: "l")
            _ = try await store.update(c.id, TaskChanges(status: .deleted), in: "l")
            let directory = scratch.path + "/out"
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            // A file of a task that is gone, but that no export wrote: it stays.
            try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/3.json"))
            let report = try ClaudeTaskDirectory.export(store, list: "l", to: directory)
            #expect(report.written == [1, 2])
            #expect(report.removed == [])
            #expect(report.kept == [.init(file: "3.json", reason: "Tasklog did not write it")])
            #expect(try String(contentsOfFile: directory + "/3.json", encoding: .utf8) == "{}")
            #expect(report.highWater == 3)
            let first = try String(contentsOfFile: directory + "/1.json", encoding: .utf8)
            #expect(
                first == """
                    {
                      "id": "1",
                      "subject": "Plan",
                      "description": "the plan",
                      "activeForm": "Planning",
                      "status": "in_progress",
                      "blocks": [
                        "2"
                      ],
                      "blockedBy": [],
                      "owner": "agent-a"
                    }

                    """
            )
            #expect(try String(contentsOfFile: directory + "/.highwatermark", encoding: .utf8) == "3")
            #expect(FileManager.default.fileExists(atPath: directory + "/.lock"))

            let again = try ClaudeTaskDirectory(reading: directory)
            #expect(again.skipped.map(\.file) == ["3.json"])  // the file the export kept
            let copy = try await again.importTasks(into: store, list: "copy", actor: nil)
            #expect(copy.placeholders == [3])
            let original = try await store.tasks(in: "l").map {
                [$0.id, $0.subject, $0.status.name, $0.owner ?? "", $0.blocks, $0.blockedBy] as [AnyHashable]
            }
            let imported = try await store.tasks(in: "copy").map {
                [$0.id, $0.subject, $0.status.name, $0.owner ?? "", $0.blocks, $0.blockedBy] as [AnyHashable]
            }
            #expect(original == imported)
        }
    }

    /// The next export removes the files it wrote whose tasks are gone, and only those: a file an
    /// agent changed since stays, and so does one it never wrote.
    @Test func exportRemovesOnlyUnchangedFilesItWrote() async throws {
        try await TestFolder.with("claude-reexport") { scratch in
            let store = try TaskStore.open(at: scratch.storePath)
            for subject in ["Plan", "Build", "Ship"] { _ = try await store.create(NewTask(subject: subject), in: "l") }
            let directory = scratch.path + "/out"
            _ = try ClaudeTaskDirectory.export(store, list: "l", to: directory)
            try Data("{}".utf8).write(to: URL(fileURLWithPath: directory + "/9.json"))
            // An agent edits 3.json after the export.
            let edited = try String(contentsOfFile: directory + "/3.json", encoding: .utf8)
                .replacingOccurrences(of: "pending", with: "completed")
            try Data(edited.utf8).write(to: URL(fileURLWithPath: directory + "/3.json"))
            for id in [2, 3] { _ = try await store.update(id, TaskChanges(status: .deleted), in: "l") }

            let report = try ClaudeTaskDirectory.export(store, list: "l", to: directory)
            #expect(report.written == [1])
            #expect(report.removed == ["2.json"])
            #expect(
                report.kept == [
                    .init(file: "3.json", reason: "it changed since Tasklog exported it"),
                    .init(file: "9.json", reason: "Tasklog did not write it"),
                ]
            )
            #expect(try String(contentsOfFile: directory + "/3.json", encoding: .utf8) == edited)
            // The mark stays above every id a kept file names: no agent task takes 9 again.
            #expect(report.highWater == 9)
            #expect(try String(contentsOfFile: directory + "/.highwatermark", encoding: .utf8) == "9")
            // An export of another list accounts for none of these files.
            _ = try await store.create(NewTask(subject: "Other"), in: "other")
            let other = try ClaudeTaskDirectory.export(store, list: "other", to: directory)
            #expect(other.removed == [])
            #expect(other.kept.map(\.file) == ["3.json", "9.json"])
        }
    }

    @Test func aMissingDirectoryIsNotFound() throws {
        let error = #expect(throws: TasklogError.self) { _ = try ClaudeTaskDirectory(reading: "/nonexistent/tasks") }
        #expect(error?.code == .notFound)
    }
}
