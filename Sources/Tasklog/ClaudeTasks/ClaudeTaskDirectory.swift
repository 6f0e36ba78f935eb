import Foundation
public import TasklogCore

/// A directory of agent task files, as the agent tools keep them on disk:
///
/// ```
/// <dir>/
///   .lock            empty; the lock target
///   .highwatermark   decimal text: the highest id ever issued
///   1.json 2.json …  one task a file, pretty-printed JSON
/// ```
///
/// ``importTasks(into:list:actor:)`` loads one into an empty task list as events, keeping ids,
/// dependencies, statuses and owners, in one write transaction; ``export(_:list:to:)`` writes a
/// list's present state back in the same layout. Both hold the directory's lock
/// (``ClaudeTaskDirectoryLock``) while they read or write it.
public struct ClaudeTaskDirectory: Sendable {
    /// One task read from a file.
    public struct FileTask: Sendable, Hashable {
        public var id: Int
        public var file: String
        public var subject: String
        public var description: String
        public var activeForm: String?
        public var status: TaskStatus
        public var owner: String?
        public var metadata: [String: JSONValue]
        public var blocks: [Int]
        public var blockedBy: [Int]
    }

    /// A file left out, and why.
    public struct Skipped: Sendable, Hashable {
        public var file: String
        public var reason: String
    }

    /// What an import did.
    public struct ImportReport: Sendable, Hashable {
        /// The ids of the tasks imported.
        public var imported: [Int]
        /// Files that could not be read or were not valid task files; nothing of them was imported.
        public var skipped: [Skipped]
        /// Ids below the highest one with no valid file (deleted before the export, or skipped):
        /// each was created and deleted again, so that ids keep their numbers and are never reused.
        public var placeholders: [Int]
        /// Dependencies left out, one sentence each: a cycle's closing link (recorded on the task
        /// with a `task_updated` event, metadata `importRepairs`), or a link to a task not imported.
        public var repairs: [String]
        /// The tasks imported in progress. No lease covers them: their owners hold them until
        /// they complete them, or until someone releases them (`tasklog release --owner`).
        public var inProgress: [HeldTask]
        /// The list's high-water mark after the import.
        public var highWater: Int
        /// The seqs of the events written.
        public var seqs: ClosedRange<UInt64>?
    }

    /// What an export wrote.
    public struct ExportReport: Sendable, Hashable {
        /// The ids of the task files written.
        public var written: [Int]
        /// Files removed: the previous export wrote them, unchanged since, and their tasks are gone.
        public var removed: [String]
        /// Files left as they are because the export cannot account for them, and why.
        public var kept: [Skipped]
        /// The high-water mark written.
        public var highWater: Int
    }

    /// A task imported in progress, and its owner (`nil` when the file names none).
    public struct HeldTask: Sendable, Hashable {
        public var id: Int
        public var owner: String?
    }

    /// The highest id an import takes (each id below it costs an event even when its file is missing).
    public static let maximumID = 100_000

    /// The directory.
    public let path: String
    /// The tasks of the readable, valid files, by id.
    public private(set) var tasks: [Int: FileTask] = [:]
    /// The files left out.
    public private(set) var skipped: [Skipped] = []
    /// The high-water mark of `.highwatermark`, if present and readable.
    public private(set) var highWaterMark: Int?
    /// The ids named by skipped files (`7.json`): kept as used, so that no new task takes them.
    public private(set) var skippedIDs: [Int] = []

    /// The highest id the directory names: a task, a skipped file, or `.highwatermark`.
    public var highestID: Int {
        max(tasks.keys.max() ?? 0, highWaterMark ?? 0, skippedIDs.max() ?? 0)
    }

    // MARK: Reading

    /// Reads and checks every task file of `path`; a file that cannot be read or is not a valid
    /// task is listed in ``skipped``, by name, with the reason.
    public init(reading path: String) throws {
        self.path = path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue else {
            throw TasklogError(
                .notFound,
                "\(path) is not a directory of task files; pass the folder that holds 1.json, 2.json, …"
            )
        }
        let names: [String]
        do {
            names = try FileManager.default.contentsOfDirectory(atPath: path)
        } catch {
            throw TasklogError(.storage, "cannot list \(path): \(error.localizedDescription)")
        }
        if names.contains(".highwatermark") {
            let text = (try? String(contentsOfFile: path + "/.highwatermark", encoding: .utf8))?
                .trimmingCharacters(in: .whitespacesAndNewlines)
            if let text, let mark = Int(text), mark >= 0 {
                highWaterMark = mark
            } else {
                skipped.append(
                    Skipped(
                        file: ".highwatermark",
                        reason: "it does not hold a whole number; ids are kept as the files give them"
                    )
                )
            }
        }
        for name in names.sorted(by: Self.fileOrder) where name.hasSuffix(".json") && !name.hasPrefix(".") {
            do {
                let task = try Self.read(file: name, in: path)
                tasks[task.id] = task
            } catch {
                skipped.append(Skipped(file: name, reason: error.message))
                if let id = Int(name.dropLast(5)), id > 0, String(id) + ".json" == name { skippedIDs.append(id) }
            }
        }
    }

    static func fileOrder(_ left: String, _ right: String) -> Bool {
        let l = Int(left.dropLast(5))
        let r = Int(right.dropLast(5))
        switch (l, r) {
        case (let l?, let r?): return l < r
        case (.some, nil): return true
        case (nil, .some): return false
        default: return left < right
        }
    }

    static func read(file name: String, in directory: String) throws(TasklogError) -> FileTask {
        let stem = String(name.dropLast(5))
        guard let fileID = Int(stem), fileID > 0, String(fileID) == stem else {
            throw TasklogError(.invalidInput, "its name is not a task id (task files are named 1.json, 2.json, …)")
        }
        guard let data = FileManager.default.contents(atPath: directory + "/" + name) else {
            throw TasklogError(.storage, "it cannot be read (check its permissions)")
        }
        guard data.count <= 1 << 20 else {
            throw TasklogError(.invalidInput, "it is \(data.count) bytes, larger than any task can be")
        }
        let json: JSONValue
        do {
            json = try data.withUnsafeBytes { bytes throws(JSONParseError) in try JSONValue(parsing: bytes) }
        } catch {
            throw TasklogError(.invalidInput, "it is not valid JSON (\(error))")
        }
        guard case .object(let object) = json else {
            throw TasklogError(
                .invalidInput,
                "it holds \(json.typeName == "array" ? "an" : "a") \(json.typeName), not a task object"
            )
        }
        guard case .string(let idText)? = object["id"] else {
            let found = object["id"].map { "\($0.typeName) \($0.serialized())" } ?? "nothing"
            throw TasklogError(.invalidInput, "its id must be a string like \"\(fileID)\", not \(found)")
        }
        guard idText == stem else {
            throw TasklogError(.invalidInput, "its id \"\(idText)\" does not match its name \(name)")
        }
        func string(_ key: String, required: Bool) throws(TasklogError) -> String? {
            switch object[key] {
            case .string(let text)?: return text
            case nil, .null?:
                if required { throw TasklogError(.invalidInput, "it has no \(key)") }
                return nil
            case let other?: throw TasklogError(.invalidInput, "its \(key) must be a string, not \(other.typeName)")
            }
        }
        func ids(_ key: String) throws(TasklogError) -> [Int] {
            switch object[key] {
            case nil, .null?: return []
            case .array(let elements)?:
                var ids: [Int] = []
                for element in elements {
                    guard let text = element.stringValue ?? element.intValue.map({ String($0) }), let id = Int(text),
                        id > 0
                    else {
                        throw TasklogError(
                            .invalidInput,
                            "its \(key) holds \(element.serialized()), which is not a task id"
                        )
                    }
                    if !ids.contains(id) { ids.append(id) }
                }
                return ids
            case let other?:
                throw TasklogError(.invalidInput, "its \(key) must be an array of ids, not \(other.typeName)")
            }
        }
        let statusName = try string("status", required: false) ?? "pending"
        guard let status = TaskStatus(name: statusName) else {
            throw TasklogError(.invalidInput, "its status \"\(statusName)\" is not pending, in_progress or completed")
        }
        guard status != .deleted else { throw TasklogError(.invalidInput, "its status is deleted") }
        let metadata: [String: JSONValue]
        switch object["metadata"] {
        case nil, .null?: metadata = [:]
        case .object(let members)?: metadata = members
        case let other?: throw TasklogError(.invalidInput, "its metadata must be an object, not \(other.typeName)")
        }
        let owner = try string("owner", required: false)
        let task = FileTask(
            id: fileID,
            file: name,
            subject: try string("subject", required: true) ?? "",
            description: try string("description", required: false) ?? "",
            activeForm: try string("activeForm", required: false),
            status: status,
            owner: owner?.isEmpty == true ? nil : owner,
            metadata: metadata,
            blocks: try ids("blocks"),
            blockedBy: try ids("blockedBy")
        )
        // The engine's own checks (lengths, typed metadata keys), so that a bad file is skipped
        // here rather than refused half-way through the import.
        _ = try Decider.decide(.create(task.newTask), in: TaskListState(), actor: nil)
        return task
    }
}
