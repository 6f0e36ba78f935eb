import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

struct History: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Who changed what, when: events with their changes, before → after.",
        discussion: "With --json, one JSON object per line (schemas/event.schema.json plus `changes`)."
    )

    @OptionGroup var global: StoreOptions

    @Argument(help: "A task id: only the events that changed this task.")
    var id: String?

    @Option(help: "Only events of the tasks of this workflow (metadata.workflow).")
    var workflow: String?

    @Option(help: "Only events issued by this actor.")
    var actor: String?

    @Option(
        help:
            "Only events of this type: task_created, task_updated, task_deleted, dependency_added, dependency_removed."
    )
    var type: String?

    @Option(help: "From this POINT on: a seq or a UTC time like 2026-02-13T14:35:00Z.")
    var since: String?

    @Option(help: "Up to this POINT.")
    var until: String?

    @Option(help: "At most this many events.")
    var limit: Int = 100

    @Flag(help: "Newest first.")
    var newestFirst = false

    @Option(help: "Continue after this seq (printed as the next cursor at the end of a page).")
    var cursor: UInt64?

    @Flag(help: "Events of every task list, not only --list (without a task id or workflow).")
    var allLists = false

    func run() throws {
        try tasklog.run {
            if let type, !EventPayload.typeNames.contains(type) {
                throw TasklogError(
                    .invalidInput,
                    "unknown event type \(type); use one of \(EventPayload.typeNames.joined(separator: ", "))"
                )
            }
            let query = HistoryQuery(
                list: allLists && id == nil && workflow == nil ? nil : global.listID,
                taskID: try id.map(parseTaskID),
                workflow: workflow,
                actor: actor,
                type: type,
                since: try since.map { try Point(parsing: $0) },
                until: try until.map { try Point(parsing: $0) },
                newestFirst: newestFirst,
                limit: limit,
                cursor: cursor
            )
            let page = try global.open(create: false).history(query)
            if global.json {
                for entry in page.entries { Output.json(entry.json) }
                return
            }
            if page.entries.isEmpty { Output.line("No events found") }
            for entry in page.entries { printEntry(entry) }
            if let next = page.nextCursor { Output.line("… more: --cursor \(next)") }
        }
    }
}

/// An event for people: `seq time actor type list`, then each change indented.
func printEntry(_ entry: HistoryEntry) {
    let event = entry.event
    Output.line(
        "\(event.seq)  \(event.timestamp.iso8601)  \(event.actor ?? "-")  \(event.payload.typeName)  \(event.list)"
    )
    for change in entry.changes {
        for field in change.fields { Output.line("    #\(change.taskID) \(field)") }
    }
}

struct Diff: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "What changed in a task list between two points: tasks added, removed, changed field by field."
    )

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The first POINT: a seq or a UTC time.")
    var from: String

    @Argument(help: "The second POINT.")
    var to: String

    func run() throws {
        try tasklog.run {
            // Two walks of the log from snapshots: in a child process, like `verify`.
            guard ChildWalk.isChild else { return try ChildWalk.run("diff") }
            let diff = try global.open(create: false).diff(
                from: try Point(parsing: from),
                to: try Point(parsing: to),
                in: global.listID
            )
            if global.json {
                Output.json([
                    "from": .int(Int64(diff.fromSeq)), "to": .int(Int64(diff.toSeq)),
                    "added": .array(diff.added.map(\.json)), "removed": .array(diff.removed.map(\.json)),
                    "changed": .array(
                        diff.changed.map { change in
                            ["id": .string(String(change.id)), "fields": .array(change.fields.map(\.json))]
                        }
                    ),
                ])
                return
            }
            Output.line("from seq \(diff.fromSeq) to seq \(diff.toSeq)")
            if diff.added.isEmpty && diff.removed.isEmpty && diff.changed.isEmpty { Output.line("no changes") }
            for task in diff.added { Output.line("+ #\(task.id) \(task.subject) [\(task.status.name)]") }
            for task in diff.removed { Output.line("- #\(task.id) \(task.subject) [\(task.status.name)]") }
            for change in diff.changed {
                Output.line("~ #\(change.id) \(change.after.subject)")
                for field in change.fields { Output.line("    \(field)") }
            }
        }
    }
}

struct Replay: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Walk one workflow's run event by event, with its tasks after each.",
        discussion: "With --json, one line per step: {event, changes, tasks}."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "The workflow id (metadata.workflow of its tasks).")
    var workflow: String

    func run() throws {
        try tasklog.run {
            let progress = Progress.bar("replay", json: global.json)
            defer { progress?.finish() }
            let store = try global.open(create: false)
            let list = try global.base.listOfWorkflow(workflow, in: store)
            let steps = try store.replay(workflow: workflow, in: list, progress: progress?.report)
            progress?.finish()
            guard !steps.isEmpty || global.json else {
                throw TasklogError(.notFound, "no events of workflow \(workflow) in list \(list) nor in any other")
            }
            for step in steps {
                if global.json {
                    let entry = HistoryEntry(event: step.event, changes: step.changes)
                    guard case .object(var object) = entry.json else { continue }
                    object["tasks"] = .array(step.tasks.map(\.json))
                    Output.json(.object(object))
                } else {
                    printEntry(HistoryEntry(event: step.event, changes: step.changes))
                    let summary = step.tasks.map { "#\($0.id) \($0.status.name)\($0.owner.map { "(\($0))" } ?? "")" }
                    Output.line("    → \(summary.isEmpty ? "no tasks" : summary.joined(separator: "  "))")
                }
            }
        }
    }
}

struct Follow: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Print events as they are appended by any process, until Ctrl-C.",
        discussion: "With --json, one JSON object per line."
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Start at this seq (default: after the last event).")
    var from: UInt64?

    func run() async throws {
        try await tasklog.runAsync {
            let store = try global.open(create: false)
            let start = try from ?? (store.lastSeq() + 1)
            let stream = store.follow(from: start)
            let json = global.json
            // The follower and Ctrl-C race; whichever ends first ends the other.
            await withTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await event in stream {
                            if json {
                                Output.json(event.json)
                            } else {
                                printEntry(HistoryEntry(event: event, changes: []))
                            }
                        }
                    } catch {
                        Output.error("\(error)")
                    }
                }
                group.addTask { await interrupted(by: SIGINT) }
                await group.next()
                group.cancelAll()
            }
        }
    }
}

/// Returns when the process receives `number` (which no longer ends it), or when the task is cancelled.
private func interrupted(by number: Int32) async {
    signal(number, SIG_IGN)
    let (signals, continuation) = AsyncStream<Void>.makeStream()
    let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
    source.setEventHandler { continuation.yield() }
    source.resume()
    for await _ in signals { break }
    source.cancel()
}
