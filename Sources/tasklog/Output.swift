import Foundation
import TasklogCore

/// Everything the CLI prints goes through here: stdout for results, stderr for errors.
enum Output {
    static func line(_ text: String) {
        FileHandle.standardOutput.write(Data((text + "\n").utf8))
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("tasklog: error: " + text + "\n").utf8))
    }

    static func notice(_ text: String) {
        FileHandle.standardError.write(Data(("tasklog: " + text + "\n").utf8))
    }

    static func json(_ value: JSONValue) {
        line(value.serialized(pretty: false))
    }

    /// A task for people: a heading line, then the fields that are set.
    static func task(_ task: TaskRecord) {
        var heading = "#\(task.id) \(task.subject)  [\(task.status.name)]"
        if let owner = task.owner { heading += "  owner: \(owner)" }
        line(heading)
        if !task.description.isEmpty { line("  description: \(task.description)") }
        if let activeForm = task.activeForm { line("  active form: \(activeForm)") }
        if !task.blockedBy.isEmpty { line("  blocked by: \(ids(task.blockedBy))") }
        if !task.blocks.isEmpty { line("  blocks: \(ids(task.blocks))") }
        if !task.metadata.isEmpty { line("  metadata: \(JSONValue.object(task.metadata).serialized())") }
        line(
            "  version \(task.version), created \(task.createdAt.iso8601Seconds), updated \(task.updatedAt.iso8601Seconds)"
        )
    }

    /// Tasks as a table: id, status, owner, open blockers, subject.
    static func table(_ tasks: [TaskRecord], openBlockers: (TaskRecord) -> [Int]) {
        guard !tasks.isEmpty else {
            line("No tasks found")
            return
        }
        let rows = tasks.map { task in
            [
                "#\(task.id)", task.status.name, task.owner ?? "-",
                openBlockers(task).isEmpty ? "-" : ids(openBlockers(task)), task.subject,
            ]
        }
        let header = ["ID", "STATUS", "OWNER", "BLOCKED BY", "SUBJECT"]
        var widths = header.map(\.count)
        for row in rows {
            for (index, cell) in row.enumerated() where index < 4 { widths[index] = max(widths[index], cell.count) }
        }
        func format(_ row: [String]) -> String {
            row.enumerated().map { index, cell in
                index < 4 ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0) : cell
            }.joined(separator: "  ")
        }
        line(format(header))
        for row in rows { line(format(row)) }
    }

    static func ids(_ ids: [Int]) -> String {
        ids.map { "#\($0)" }.joined(separator: ", ")
    }
}
