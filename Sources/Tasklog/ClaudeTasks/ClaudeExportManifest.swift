import Foundation
import TasklogCore

/// `.tasklog-export` in a task directory: the task files the last `export-claude` wrote there,
/// each with the SHA-256 of the bytes it wrote.
///
/// It is how an export tells its own files from everything else. The next export removes a file
/// only when it is listed here, for the same task list, and still holds exactly the bytes written
/// (its task is gone since); a file written by an agent, left by an import that skipped it, or
/// changed since, stays. The agent tools ignore the file (its name starts with a dot and does not
/// end in `.json`).
struct ClaudeExportManifest: Sendable, Hashable {
    /// The manifest's name in the directory.
    static let fileName = ".tasklog-export"

    /// The task list the files were exported from.
    var list: String
    /// File name → SHA-256 of its bytes, in lowercase hex.
    var files: [String: String] = [:]

    init(list: String) {
        self.list = list
    }

    /// The manifest of `directory`; `nil` when there is none or it cannot be read (then no file
    /// counts as written by an export, and nothing is removed).
    init?(reading directory: String) {
        guard let data = FileManager.default.contents(atPath: directory + "/" + Self.fileName),
            let json = try? data.withUnsafeBytes({ bytes throws(JSONParseError) in try JSONValue(parsing: bytes) }),
            case .string(let list)? = json["list"], case .object(let files)? = json["files"]
        else { return nil }
        self.list = list
        self.files = files.compactMapValues(\.stringValue)
    }

    /// Whether `name` in `directory` is a file this manifest lists and still holds the bytes written.
    func wrote(_ name: String, in directory: String) -> Bool {
        guard let digest = files[name], let data = FileManager.default.contents(atPath: directory + "/" + name) else {
            return false
        }
        return Self.digest(Array(data)) == digest
    }

    /// The manifest's text: `{"list": …, "files": {"1.json": "<sha256>", …}}`.
    var text: String {
        let object: JSONValue = ["list": .string(list), "files": .object(files.mapValues(JSONValue.string))]
        return object.serialized(pretty: true) + "\n"
    }

    static func digest(_ bytes: [UInt8]) -> String {
        SHA256.hash(bytes).map { byte in
            let hex = String(byte, radix: 16)
            return byte < 16 ? "0" + hex : hex
        }.joined()
    }
}
