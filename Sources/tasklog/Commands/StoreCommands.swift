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
            // Standard input is kept in a temporary file first: a backend may run the import's
            // transaction again (LMDB, to grow its map), reading the events again from the first.
            let spooled = file == "-" ? try Self.spoolStandardInput() : nil
            defer { if let spooled { unlink(spooled) } }
            let path = spooled ?? file
            let name = spooled == nil ? file : "standard input"
            // A first pass counts the events, so that the import writes only the snapshots
            // retention keeps of them; the second reads them as they are written.
            let count = try Self.countEvents(path)
            let size = (try? FileManager.default.attributesOfItem(atPath: path)[.size] as? Int) ?? nil
            let source = ImportSource(count: count, size: size) {
                let reader = try LineReader(path: path)
                return ImportSource.Reader(
                    next: { try Self.nextEvent(reader, name) },
                    origin: { "\(name) line \(reader.lineNumber)" }
                )
            }
            let writing = Progress.bar("import", json: global.json)
            defer { writing?.finish() }
            let imported = try global.open().importEvents(from: source, progress: writing?.report)
            writing?.finish()
            if global.json {
                Output.json(["imported": .int(Int64(imported))])
            } else {
                Output.line("Imported \(imported) events")
            }
        }
    }

    /// The event of the next line that is not blank, `nil` after the last.
    static func nextEvent(_ reader: LineReader, _ name: String) throws -> Event? {
        var event: Event?
        while event == nil {
            let more = try reader.next { line in
                guard !LineReader.isBlank(line) else { return }
                do {
                    event = try Event(json: try JSONValue(parsing: line))
                } catch let error as JSONParseError {
                    throw TasklogError(
                        .invalidInput,
                        "\(name) line \(reader.lineNumber) is not valid JSON: \(error); nothing was imported"
                    )
                } catch let error as TasklogError {
                    throw TasklogError(
                        .invalidInput,
                        "\(name) line \(reader.lineNumber): \(error.message); nothing was imported"
                    )
                }
            }
            guard more else { return nil }
        }
        return event
    }

    /// The number of lines of `path` that are not blank.
    static func countEvents(_ path: String) throws -> Int {
        let reader = try LineReader(path: path)
        var count = 0
        while try reader.next({ if !LineReader.isBlank($0) { count += 1 } }) {}
        return count
    }

    /// Copies standard input into a new temporary file, a chunk at a time; returns its path.
    static func spoolStandardInput() throws -> String {
        let folder = URL(fileURLWithPath: NSTemporaryDirectory())
        var template = Array(folder.appendingPathComponent("tasklog-import-XXXXXX").path.utf8CString)
        let descriptor = template.withUnsafeMutableBufferPointer { mkstemp($0.baseAddress!) }
        guard descriptor >= 0 else {
            throw TasklogError(
                .storage,
                "cannot make a temporary file for standard input: \(String(cString: strerror(errno)))"
            )
        }
        defer { close(descriptor) }
        let path = template.withUnsafeBufferPointer { String(cString: $0.baseAddress!) }
        var chunk = [UInt8](repeating: 0, count: 1 << 20)
        while true {
            let count = chunk.withUnsafeMutableBytes { read(STDIN_FILENO, $0.baseAddress!, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else {
                if count == 0 { return path }
                unlink(path)
                throw TasklogError(.storage, "reading standard input failed: \(String(cString: strerror(errno)))")
            }
            var written = 0
            while written < count {
                let done = chunk.withUnsafeBytes { write(descriptor, $0.baseAddress! + written, count - written) }
                if done < 0 && errno == EINTR { continue }
                guard done > 0 else {
                    unlink(path)
                    throw TasklogError(
                        .storage,
                        "cannot keep standard input in \(path): \(String(cString: strerror(errno))); free some space or import from a file"
                    )
                }
                written += done
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
