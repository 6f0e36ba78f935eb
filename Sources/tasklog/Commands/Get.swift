import ArgumentParser
import Tasklog
import TasklogCore

struct Get: ParsableCommand {
    static let configuration = CommandConfiguration(abstract: "Print one task.")

    @OptionGroup var global: GlobalOptions

    @Argument(help: "The task id.")
    var id: String

    func run() throws {
        try tasklog.run {
            let taskID = try parseTaskID(id)
            let store = try global.open(create: false)
            guard let task = try store.get(taskID, in: global.listID) else {
                throw TasklogError(.notFound, "task #\(taskID) not found in list \(global.listID); `tasklog list` shows the tasks")
            }
            if global.json { Output.json(task.json) } else { Output.task(task) }
        }
    }
}
