import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

struct Snapshot: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Write a snapshot of the folded state now.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try tasklog.run {
            let seq = try global.open(create: false).snapshot()
            if global.json { Output.json(["seq": .int(Int64(seq))]) } else { Output.line("Snapshot at seq \(seq)") }
        }
    }
}

struct Verify: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Check checksums, the hash chain, snapshots, and projections against a full replay.",
        discussion: """
            Exits 0 on a healthy store, 76 on a damaged one, naming the first bad seq. The walk runs \
            in a child process: a page that makes LMDB crash is reported as damage, not a crash.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try tasklog.run {
            // In a child process: a page that crashes LMDB ends the child, and this one reports it.
            guard ChildWalk.isChild else { return try ChildWalk.run("verify") }
            var options = TaskStore.Options()
            options.loadStateAtOpen = false  // verify reports damage instead of failing to open
            let store = try global.open(create: false, options: options)
            let progress = Progress.bar("verify", json: global.json)
            defer { progress?.finish() }
            let report = try store.verify(progress: progress?.report)
            progress?.finish()
            let (config, source) = try global.base.loadConfig()
            let drift = report.isHealthy ? try store.ledgerDrift(at: config.resolvedLedgerPath(source)) : nil
            if global.json {
                Output.json([
                    "healthy": .bool(report.isHealthy), "events": .int(Int64(report.events)),
                    "snapshots": .int(Int64(report.snapshots)),
                    "firstBadSeq": report.firstBadSeq.map { .int(Int64($0)) } ?? .null,
                    "problems": .array(report.problems.map { .string($0.description) }),
                    "ledgerDrift": drift.map(JSONValue.string) ?? .null,
                ])
            } else if report.isHealthy {
                Output.line(
                    "ok: \(report.events) events, checksums and hash chain intact; \(report.snapshots) snapshots and the state equal a full replay"
                )
            } else {
                for problem in report.problems { Output.line("bad: \(problem)") }
            }
            if let drift, !global.json { Output.line("ledger drift: \(drift)") }
            if !report.isHealthy {
                let first = report.firstBadSeq.map { "the first bad event is seq \($0)" } ?? "see the problems above"
                throw TasklogError(.corrupt, "the store is damaged: \(first); see the README on salvage")
            }
        }
    }
}

struct Stats: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Events, tasks, lists, snapshots and size on disk.")

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try tasklog.run {
            let store = try global.open(create: false)
            let stats = try store.stats()
            if global.json {
                Output.json([
                    "events": .int(Int64(stats.events)), "lists": .int(Int64(stats.lists)),
                    "tasks": .int(Int64(stats.tasks)),
                    "tasksByStatus": .object(stats.tasksByStatus.mapValues { .int(Int64($0)) }),
                    "snapshots": .int(Int64(stats.snapshots)),
                    "newestSnapshotSeq": stats.newestSnapshotSeq.map { .int(Int64($0)) } ?? .null,
                    "fileBytes": .int(Int64(stats.fileBytes)), "usedBytes": .int(Int64(stats.usedBytes)),
                    "mapBytes": .int(Int64(stats.mapBytes)),
                    "firstEventTime": stats.firstEventTime.map { .string($0.iso8601) } ?? .null,
                    "lastEventTime": stats.lastEventTime.map { .string($0.iso8601) } ?? .null,
                ])
            } else {
                Output.line("store      \(store.path)")
                Output.line("events     \(stats.events)")
                Output.line("lists      \(stats.lists)")
                let statuses = ["pending", "in_progress", "completed"].map { "\(stats.tasksByStatus[$0] ?? 0) \($0)" }
                Output.line("tasks      \(stats.tasks) (\(statuses.joined(separator: ", ")))")
                Output.line(
                    "snapshots  \(stats.snapshots)\(stats.newestSnapshotSeq.map { ", newest at seq \($0)" } ?? "")"
                )
                Output.line(
                    "on disk    \(stats.fileBytes) bytes (\(stats.usedBytes) used of a \(stats.mapBytes)-byte map)"
                )
                if let first = stats.firstEventTime, let last = stats.lastEventTime {
                    Output.line("time       \(first.iso8601) to \(last.iso8601)")
                }
            }
        }
    }
}

struct Export: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print the log as JSON lines (schemas/event.schema.json), for backup, tools or `import`."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The first seq to export.")
    var from: UInt64 = 1

    @Option(help: "The last seq to export (to salvage the intact prefix of a damaged store).")
    var through: UInt64?

    func run() throws {
        try tasklog.run {
            // In a child process, like `verify`: a damaged page ends the child, not this one.
            guard ChildWalk.isChild else { return try ChildWalk.run("export") }
            var options = TaskStore.Options()
            options.loadStateAtOpen = false  // the log alone: export works on a damaged store
            let store = try global.open(create: false, options: options)
            var buffer = ""
            let progress = Progress.bar("export", json: global.json, streaming: true)
            defer { progress?.finish() }
            try store.events(from: from, through: through, progress: progress?.report) { event in
                buffer += event.json.serialized()
                buffer += "\n"
                if buffer.utf8.count > 1 << 16 {
                    Output.write(buffer)
                    buffer = ""
                }
                return true
            }
            Output.write(buffer)
        }
    }
}

struct Import: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Load JSON lines from `export` into an empty store: all of them or none."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The file of JSON lines, or - for standard input.")
    var file: String

    func run() throws {
        try tasklog.run {
            let data: Data
            if file == "-" {
                data = FileHandle.standardInput.readDataToEndOfFile()
            } else {
                guard let read = FileManager.default.contents(atPath: file) else {
                    throw TasklogError(.notFound, "cannot read \(file); check the path and its permissions")
                }
                data = read
            }
            var events: [Event] = []
            var lines: [Int] = []  // the line of each event, for a refusal
            var lineNumber = 0
            let progress = Progress.bar("import: reading", json: global.json, bytes: true)
            defer { progress?.finish() }
            // Lines found with memchr in the file's bytes: `Data.split` cost a quarter of an import.
            try data.withUnsafeBytes { (bytes: UnsafeRawBufferPointer) in
                guard let base = bytes.baseAddress else { return }
                var start = 0
                while start < bytes.count {
                    let newline = memchr(base + start, Int32(UInt8(ascii: "\n")), bytes.count - start)
                    let end = newline.map { base.distance(to: UnsafeRawPointer($0)) } ?? bytes.count
                    let line = UnsafeRawBufferPointer(rebasing: bytes[start..<end])
                    start = end + 1
                    lineNumber += 1
                    progress?.update(min(start, bytes.count), of: bytes.count)
                    guard !line.allSatisfy({ $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }) else { continue }
                    do {
                        events.append(try Event(json: try JSONValue(parsing: line)))
                        lines.append(lineNumber)
                    } catch let error as JSONParseError {
                        throw TasklogError(
                            .invalidInput,
                            "\(file) line \(lineNumber) is not valid JSON: \(error); nothing was imported"
                        )
                    } catch let error as TasklogError {
                        throw TasklogError(
                            .invalidInput,
                            "\(file) line \(lineNumber): \(error.message); nothing was imported"
                        )
                    }
                }
            }
            progress?.finish()
            let writing = Progress.bar("import: writing", json: global.json)
            defer { writing?.finish() }
            let count = try global.open().importEvents(events, progress: writing?.report) {
                "\(file) line \(lines[$0])"
            }
            writing?.finish()
            if global.json {
                Output.json(["imported": .int(Int64(count))])
            } else {
                Output.line("Imported \(count) events")
            }
        }
    }
}

struct Copy: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Copy a whole store to another, empty one: an LMDB directory to PostgreSQL, or back.",
        discussion: """
            All of the log or none of it, in one transaction; then the copy is compared event by event \
            with the original and verified. Leases stay behind; snapshots are written anew.
            """
    )

    @Option(help: "The store to copy: a directory or a postgres:// URL.")
    var from: String

    @Option(help: "The store to copy into (created if missing; it must hold no event).")
    var to: String

    @Flag(help: "Machine output: one JSON document on stdout.")
    var json = false

    func run() throws {
        try tasklog.run {
            var reading = TaskStore.Options()
            reading.createIfMissing = false
            reading.loadStateAtOpen = false
            let source = try TaskStore.open(at: from, options: reading)
            let destination = try TaskStore.open(at: to)
            let progress = Progress.bar("copy", json: json)
            defer { progress?.finish() }
            let count = try source.copy(to: destination, progress: progress?.report)
            progress?.finish()
            if json {
                Output.json([
                    "copied": .int(Int64(count)), "from": .string(source.path), "to": .string(destination.path),
                ])
            } else {
                Output.line("Copied \(count) events from \(source.path) to \(destination.path); the copy verifies")
            }
        }
    }
}

struct Reindex: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Rebuild the audit indexes (by task, workflow, actor, type) from the log."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try tasklog.run {
            let seq = try global.open(create: false).rebuildIndexes()
            if global.json {
                Output.json(["indexedThrough": .int(Int64(seq))])
            } else {
                Output.line("Indexed \(seq) events")
            }
        }
    }
}
