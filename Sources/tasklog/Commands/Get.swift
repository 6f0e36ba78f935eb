import ArgumentParser
import Tasklog
import TasklogCore

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print one task.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The task id.")
    var id: String

    @Option(help: "As it was at this POINT: a seq or a UTC time like 2026-02-13T14:35:00Z.")
    var at: String?

    func run() throws {
        try tasklog.run {
            let taskID = try parseTaskID(id)
            let store = try global.openForTasks(create: false)
            let point = try at.map { try Point(parsing: $0) }
            let found =
                try point.map { try store.get(taskID, in: global.listID, at: $0) }
                ?? store.get(taskID, in: global.listID)
            guard let task = found else {
                let when = point.map { " at \($0)" } ?? ""
                throw TasklogError(
                    .notFound,
                    "task #\(taskID) not found in list \(global.listID)\(when); `tasklog list` shows the tasks"
                )
            }
            if global.json { Output.json(task.json) } else { Output.task(task) }
        }
    }
}
