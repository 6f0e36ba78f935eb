import Foundation
import TasklogCore

#if canImport(Glibc)
import Glibc
private let systemWrite = Glibc.write
#elseif canImport(Darwin)
import Darwin
private let systemWrite = Darwin.write
#endif

/// Everything the CLI prints goes through here: stdout for results, stderr for errors.
///
/// Text for people has its control characters shown escaped (``escaped(_:)``), so that a subject,
/// owner or actor cannot move the cursor, clear the screen or retitle the terminal; JSON is
/// printed as it is (its serializer escapes what JSON must).
enum Output {
    static func line(_ text: String) {
        write(escaped(text) + "\n")
    }

    static func error(_ text: String) {
        FileHandle.standardError.write(Data(("tasklog: error: " + escaped(text) + "\n").utf8))
    }

    static func notice(_ text: String) {
        FileHandle.standardError.write(Data(("tasklog: " + escaped(text) + "\n").utf8))
    }

    static func json(_ value: JSONValue) {
        write(value.serialized(pretty: false) + "\n")
    }

    /// `text` to stdout, as it is. A reader that went away (`tasklog export | head`) ends the
    /// process by SIGPIPE, quietly, as for any Unix filter, even when SIGPIPE is ignored: the
    /// PostgreSQL driver ignores it for its sockets, and a parent may have handed it on ignored.
    static func write(_ text: String) {
        var text = text
        text.withUTF8 { bytes in
            var offset = 0
            while offset < bytes.count {
                let written = systemWrite(STDOUT_FILENO, bytes.baseAddress! + offset, bytes.count - offset)
                if written >= 0 {
                    offset += written
                } else if errno == EPIPE {
                    signal(SIGPIPE, SIG_DFL)
                    raise(SIGPIPE)
                } else if errno != EINTR {
                    return  // stdout is gone otherwise (a full disk, say): nothing more can be said there
                }
            }
        }
    }

    /// `text` with the C0 controls but tab and line feed, DEL and the C1 controls written as Swift
    /// escapes (ESC as `\u{1B}`): a terminal shows them, and does not obey them.
    static func escaped(_ text: String) -> String {
        func isControl(_ scalar: Unicode.Scalar) -> Bool {
            switch scalar.value {
            case 0x09, 0x0A: false
            case 0x00...0x1F, 0x7F...0x9F: true
            default: false
            }
        }
        guard text.unicodeScalars.contains(where: isControl) else { return text }
        var result = String.UnicodeScalarView()
        for scalar in text.unicodeScalars {
            if isControl(scalar) {
                result.append(contentsOf: "\\u{\(String(scalar.value, radix: 16, uppercase: true))}".unicodeScalars)
            } else {
                result.append(scalar)
            }
        }
        return String(result)
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
