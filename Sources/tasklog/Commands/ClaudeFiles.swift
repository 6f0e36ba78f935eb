import ArgumentParser
import Foundation
import Tasklog
import TasklogCore
import TasklogMCP

struct ImportClaude: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "import-claude",
        abstract: "Import a directory of agent task files (1.json, 2.json, …) into an empty task list.",
        discussion: """
            Keeps ids (a missing id is created and deleted again, so ids are never reused), \
            dependencies, statuses and owners; everything in one write transaction. A file that \
            cannot be read or is not a valid task is reported by name and skipped. A dependency \
            that would close a cycle is left out, reported, and recorded on the blocked task \
            (metadata importRepairs). The list must have no tasks yet: pick one with --list.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The directory of task files, like ~/.claude/tasks/<list id>.")
    var directory: String

    func run() async throws {
        try await tasklog.runAsync {
            let files = try ClaudeTaskDirectory(reading: directory)
            let store = try global.open()
            let list = global.listID
            let actor = global.actorName
            let report = try await files.importTasks(into: store, list: list, actor: actor)
            if global.json {
                Output.json([
                    "list": .string(try TaskListID.sanitized(list)),
                    "imported": .array(report.imported.map { .string(String($0)) }),
                    "skipped": .array(report.skipped.map { ["file": .string($0.file), "reason": .string($0.reason)] }),
                    "placeholders": .array(report.placeholders.map { .string(String($0)) }),
                    "repairs": .array(report.repairs.map(JSONValue.string)),
                    "highWater": .int(Int64(report.highWater)),
                ])
                return
            }
            if report.imported.isEmpty {
                Output.line("No task imported from \(directory)")
            } else {
                Output.line(
                    "Imported \(report.imported.count) task\(report.imported.count == 1 ? "" : "s") into list \(list): "
                        + Output.ids(report.imported)
                )
            }
            if !report.placeholders.isEmpty {
                let one = report.placeholders.count == 1
                Output.line(
                    "\(one ? "Id" : "Ids") \(Output.ids(report.placeholders)) \(one ? "has" : "have") no valid file: "
                        + "created and deleted again, so that ids keep their numbers"
                )
            }
            for repair in report.repairs { Output.line("Repaired: \(repair)") }
            for skipped in report.skipped { Output.line("Skipped \(skipped.file): \(skipped.reason)") }
        }
    }
}

struct ExportClaude: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-claude",
        abstract: "Write the present tasks of a list as agent task files (1.json, …, .highwatermark, .lock).",
        discussion: "Each file is written atomically; task files of tasks no longer live are removed."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The directory to write (created if missing).")
    var directory: String

    func run() throws {
        try tasklog.run {
            let store = try global.open(create: false)
            let report = try ClaudeTaskDirectory.export(store, list: global.listID, to: directory)
            if global.json {
                Output.json([
                    "written": .array(report.written.map { .string(String($0)) }),
                    "removed": .array(report.removed.map(JSONValue.string)),
                    "highWater": .int(Int64(report.highWater)),
                ])
                return
            }
            Output.line(
                "Exported \(report.written.count) task\(report.written.count == 1 ? "" : "s") of list \(global.listID) "
                    + "to \(directory) (high-water mark \(report.highWater))"
            )
            if !report.removed.isEmpty {
                Output.line("Removed \(report.removed.joined(separator: ", ")): no longer live")
            }
        }
    }
}
