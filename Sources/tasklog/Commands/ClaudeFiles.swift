import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

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

            The directory's .lock is held (flock, as the agent tools take it) from the first read \
            to the commit; while another process holds it, the import waits up to --lock-wait \
            seconds, then fails and changes nothing. Tasks imported in progress are listed with \
            their owners: no lease covers them, so release them (`tasklog release --owner NAME`) \
            once their agents are gone.
            """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var lock: LockWaitOption

    @Argument(help: "The directory of task files, like ~/.claude/tasks/<list id>.")
    var directory: String

    func run() async throws {
        try await tasklog.runAsync {
            let store = try global.open()
            let list = global.listID
            let actor = global.actorName
            let report = try await ClaudeTaskDirectory.importTasks(
                from: directory,
                into: store,
                list: list,
                actor: actor,
                lockWait: lock.lockWait
            )
            if global.json {
                Output.json([
                    "list": .string(try TaskListID.sanitized(list)),
                    "imported": .array(report.imported.map { .string(String($0)) }),
                    "skipped": .array(report.skipped.map { ["file": .string($0.file), "reason": .string($0.reason)] }),
                    "placeholders": .array(report.placeholders.map { .string(String($0)) }),
                    "repairs": .array(report.repairs.map(JSONValue.string)),
                    "inProgress": .array(
                        report.inProgress.map {
                            ["id": .string(String($0.id)), "owner": $0.owner.map(JSONValue.string) ?? .null]
                        }
                    ),
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
            if !report.inProgress.isEmpty {
                let held = report.inProgress.map { "#\($0.id) (\($0.owner ?? "no owner"))" }
                var releases = Set(report.inProgress.compactMap(\.owner)).sorted().map {
                    "`tasklog release --owner \($0) --list \(list)`"
                }
                if report.inProgress.contains(where: { $0.owner == nil }) {
                    releases.append("`tasklog update ID --status pending --list \(list)` for those without an owner")
                }
                let release = "release them with " + releases.joined(separator: ", ")
                Output.line(
                    "In progress: \(held.joined(separator: ", ")). No lease covers these claims: "
                        + "once their agents are gone, \(release)"
                )
            }
        }
    }
}

struct ExportClaude: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "export-claude",
        abstract: "Write the present tasks of a list as agent task files (1.json, …, .highwatermark, .lock).",
        discussion: """
            Each file is written atomically, holding the directory's .lock (flock, as the agent \
            tools take it; waiting up to --lock-wait seconds for another holder). What was written \
            is recorded in .tasklog-export; the next export removes a file only when it wrote it, \
            the file is unchanged, and its task is gone. Every other file stays (files an import \
            skipped, files an agent wrote or changed) and is named on standard error.
            """
    )

    @OptionGroup var global: GlobalOptions

    @OptionGroup var lock: LockWaitOption

    @Argument(help: "The directory to write (created if missing).")
    var directory: String

    func run() throws {
        try tasklog.run {
            let store = try global.open(create: false)
            let report = try ClaudeTaskDirectory.export(
                store,
                list: global.listID,
                to: directory,
                lockWait: lock.lockWait
            )
            if !report.kept.isEmpty {
                Output.notice(
                    "export-claude: kept \(report.kept.map { "\($0.file) (\($0.reason))" }.joined(separator: ", ")); "
                        + "remove them by hand if they are not needed"
                )
            }
            if global.json {
                Output.json([
                    "written": .array(report.written.map { .string(String($0)) }),
                    "removed": .array(report.removed.map(JSONValue.string)),
                    "kept": .array(report.kept.map { ["file": .string($0.file), "reason": .string($0.reason)] }),
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

/// `--lock-wait`: how long `import-claude` and `export-claude` wait for the task directory's lock.
struct LockWaitOption: ParsableArguments {
    @Option(help: "Seconds to wait while another process holds the directory's .lock.")
    var lockWait: Double = ClaudeTaskDirectoryLock.defaultWait

    func validate() throws {
        guard lockWait.isFinite, lockWait >= 0, lockWait <= 3600 else {
            throw ValidationError("--lock-wait must be from 0 to 3600 seconds, not \(lockWait)")
        }
    }
}
