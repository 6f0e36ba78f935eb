import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

struct ListTasks: ParsableCommand {
    static let configuration = CommandConfiguration(commandName: "list", abstract: "List the tasks of a list.")

    @OptionGroup var global: GlobalOptions

    @Option(help: "Only tasks with this status.")
    var status: String?

    @Option(help: "Only tasks of this workflow (metadata.workflow).")
    var workflow: String?

    @Option(help: "Only tasks of this phase (metadata.phase).")
    var phase: String?

    @Option(help: "Only tasks of this parallel group (metadata.parallel_group).")
    var group: String?

    @Option(help: "Only tasks with this owner.")
    var owner: String?

    @Option(help: "As it was at this POINT: a seq or a UTC time like 2026-02-13T14:35:00Z.")
    var at: String?

    func run() throws {
        try tasklog.run {
            // A walk of the log from a snapshot: in a child process, like `verify`.
            if at != nil && !ChildWalk.isChild { return try ChildWalk.run("list --at") }
            var statusFilter: TaskStatus?
            if let status {
                guard let parsed = TaskStatus(name: status), parsed != .deleted else {
                    throw TasklogError(.invalidInput, "unknown status \(status); use pending, in_progress or completed")
                }
                statusFilter = parsed
            }
            let list = try listState(global, at: try at.map { try Point(parsing: $0) })
            let tasks = list.sortedTasks.filter { task in
                (statusFilter == nil || task.status == statusFilter)
                    && (workflow == nil || task.metadata("workflow") == .string(workflow!))
                    && (phase == nil || task.metadata("phase") == .string(phase!))
                    && (group == nil || task.metadata("parallel_group") == .string(group!))
                    && (owner == nil || task.owner == owner)
            }
            print(tasks, list: list, json: global.json)
        }
    }
}

struct Ready: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "List the tasks ready to claim: pending, unowned, every blocker completed."
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try tasklog.run {
            let list = try listState(global)
            print(list.ready, list: list, json: global.json)
        }
    }
}

/// The state of the chosen list; an empty one when there is no store yet.
func listState(_ global: GlobalOptions, at point: Point? = nil) throws -> TaskListState {
    let id = try TaskListID.sanitized(global.listID)
    // No store yet: nothing to list.
    guard let store = try global.base.openExisting() else { return TaskListState() }
    return try point.map { try store.list(id, at: $0) } ?? store.list(id)
}

private func print(_ tasks: [TaskRecord], list: TaskListState, json: Bool) {
    if json {
        Output.json(.array(tasks.map(\.json)))
    } else {
        Output.table(tasks, openBlockers: list.openBlockers(of:))
    }
}
