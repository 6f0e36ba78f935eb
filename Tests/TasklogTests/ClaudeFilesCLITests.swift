import Foundation
import TasklogTestSupport
import Testing

/// `tasklog import-claude` and `export-claude` as a user runs them: the real binary over a task
/// directory in the agent tools' layout (``ClaudeTaskDirectoryTests/writeReferenceLayout(in:)``).
@Suite("Agent task files on the command line")
struct ClaudeFilesCLITests {
    static func run(_ arguments: [String], _ folder: TestFolder) throws -> CLI.Result {
        try CLI.run(arguments + ["--store", folder.storePath], in: folder)
    }

    static func contents(of directory: String) throws -> [String: String] {
        var files: [String: String] = [:]
        for name in try FileManager.default.contentsOfDirectory(atPath: directory) {
            files[name] = try String(contentsOfFile: directory + "/" + name, encoding: .utf8)
        }
        return files
    }

    /// Exporting over the directory just imported keeps the files the import skipped (a broken
    /// file, a numeric id, a stray file), byte for byte, and names them on standard error.
    @Test func exportKeepsTheFilesTheImportSkipped() throws {
        try TestFolder.with("claude-cli-keep") { folder in
            let directory = folder.file("tasks")
            try ClaudeTaskDirectoryTests.writeReferenceLayout(in: directory)
            let before = try Self.contents(of: directory)
            let imported = try Self.run(["import-claude", directory, "--list", "imported"], folder)
            #expect(imported.status == 0, "\(imported)")

            let exported = try Self.run(["export-claude", directory, "--list", "imported"], folder)
            #expect(exported.status == 0, "\(exported)")
            let after = try Self.contents(of: directory)
            for name in ["6.json", "7.json", "notes.json"] {
                #expect(after[name] == before[name], "\(name) was removed or changed")
            }
            #expect(
                exported.stderr == """
                    tasklog: export-claude: kept 6.json (Tasklog did not write it), 7.json (Tasklog did not write it), \
                    notes.json (Tasklog did not write it); remove them by hand if they are not needed

                    """
            )
            #expect(exported.lines == ["Exported 4 tasks of list imported to \(directory) (high-water mark 7)"])

            let json = try Self.run(["export-claude", directory, "--list", "imported", "--json"], folder).object()
            #expect((json["kept"] as? [[String: String]])?.map { $0["file"] } == ["6.json", "7.json", "notes.json"])
            #expect(json["removed"] as? [String] == [])
        }
    }

    /// The import lists the tasks it brought in in progress with their owners, and how to release them.
    @Test func importReportsTasksInProgressAndHowToReleaseThem() throws {
        try TestFolder.with("claude-cli-held") { folder in
            let directory = folder.file("tasks")
            try ClaudeTaskDirectoryTests.writeReferenceLayout(in: directory)
            let imported = try Self.run(["import-claude", directory, "--list", "imported"], folder)
            #expect(imported.status == 0, "\(imported)")
            #expect(
                imported.lines.last
                    == "In progress: #5 (agent-b). No lease covers these claims: once their agents are gone, "
                    + "release them with `tasklog release --owner agent-b --list imported`"
            )
            let json = try Self.run(["import-claude", directory, "--list", "again", "--json"], folder).object()
            #expect(json["inProgress"] as? [[String: String]] == [["id": "5", "owner": "agent-b"]])

            let released = try Self.run(["release", "--owner", "agent-b", "--list", "imported"], folder)
            #expect(released.lines == ["Released #5 back to pending"], "\(released)")
        }
    }

    /// A process that holds `<dir>/.lock` (as the agent tools do around a write) until it is killed.
    final class LockHolder {
        let process = Process()
        private let output = Pipe()

        init(_ file: String, seconds: Double = 60) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = [
                "python3", "-c",
                "import fcntl, sys, time; f = open(sys.argv[1], 'a'); fcntl.flock(f, fcntl.LOCK_EX); "
                    + "print('locked', flush=True); time.sleep(float(sys.argv[2]))",
                file, String(seconds),
            ]
            process.standardOutput = output
            try process.run()
            let line = output.fileHandleForReading.availableData
            try #require(String(decoding: line, as: UTF8.self).hasPrefix("locked"), "the lock holder did not start")
        }

        func stop() {
            process.terminate()
            process.waitUntilExit()
        }
    }

    /// While another process holds the directory's lock, both commands wait --lock-wait seconds,
    /// then fail naming the lock file, and change nothing; once it is released they go ahead.
    @Test func aHeldLockMakesImportAndExportWaitThenFail() throws {
        try TestFolder.with("claude-cli-lock") { folder in
            let created = try Self.run(["create", "Plan"], folder)
            try #require(created.status == 0, "\(created)")
            let directory = folder.file("tasks")
            try ClaudeTaskDirectoryTests.writeReferenceLayout(in: directory)
            let before = try Self.contents(of: directory)
            let holder = try LockHolder(directory + "/.lock")
            defer { holder.stop() }

            for arguments in [["export-claude", directory], ["import-claude", directory, "--list", "imported"]] {
                let start = Date()
                let refused = try Self.run(arguments + ["--lock-wait", "1"], folder)
                let waited = Date().timeIntervalSince(start)
                #expect(refused.status == 67, "\(refused)")
                #expect(waited >= 1, "\(arguments[0]) gave up after \(waited) s")
                #expect(
                    refused.stderr == """
                        tasklog: error: another process holds \(directory)/.lock (an agent writing its task files); \
                        waited 1 s and nothing was read or written: retry when it has finished

                        """
                )
                #expect(try Self.contents(of: directory) == before)
            }
            #expect(try Self.run(["list", "--list", "imported", "--json"], folder).stdout == "[]\n")

            holder.stop()
            let imported = try Self.run(["import-claude", directory, "--list", "imported", "--lock-wait", "1"], folder)
            #expect(imported.status == 0, "\(imported)")
            let exported = try Self.run(["export-claude", directory, "--lock-wait", "1"], folder)
            #expect(exported.status == 0, "\(exported)")
        }
    }

    /// A lock released while the command waits: it goes ahead.
    @Test func aLockReleasedWhileWaitingLetsTheExportGoAhead() throws {
        try TestFolder.with("claude-cli-lock-wait") { folder in
            try #require(try Self.run(["create", "Plan"], folder).status == 0)
            let directory = folder.file("tasks")
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            let holder = try LockHolder(directory + "/.lock", seconds: 1)
            defer { holder.stop() }
            let start = Date()
            let exported = try Self.run(["export-claude", directory, "--lock-wait", "20"], folder)
            #expect(exported.status == 0, "\(exported)")
            #expect(Date().timeIntervalSince(start) >= 0.5, "the export did not wait for the lock")
            #expect(FileManager.default.fileExists(atPath: directory + "/1.json"))
        }
    }
}
