import Foundation
import Tasklog
import TasklogCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

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
/// list's present state back in the same layout.
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
        /// The list's high-water mark after the import.
        public var highWater: Int
        /// The seqs of the events written.
        public var seqs: ClosedRange<UInt64>?
    }

    /// What an export wrote.
    public struct ExportReport: Sendable, Hashable {
        public var written: [Int]
        public var removed: [String]
        public var highWater: Int
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

    // MARK: Importing

    /// The commands that rebuild the directory's tasks in an empty list, and what they leave out.
    ///
    /// In order: the tasks by id (a missing id is created and deleted again, so that every task
    /// keeps its number), then their statuses and owners, then the dependencies; a dependency
    /// that would close a cycle is left out and recorded on the blocked task (metadata
    /// `importRepairs`), one that names a task not imported is left out.
    func plan() -> (commands: [TaskCommand], placeholders: [Int], repairs: [String]) {
        let highest = highestID
        var commands: [TaskCommand] = []
        var placeholders: [Int] = []
        var simulated = TaskListState()
        for id in stride(from: 1, through: highest, by: 1) {
            if let task = tasks[id] {
                commands.append(.create(task.newTask))
            } else {
                placeholders.append(id)
                commands.append(.create(NewTask(subject: "Placeholder for id \(id), missing from the import")))
                commands.append(.update(id: id, TaskChanges(status: .deleted)))
            }
        }
        for task in tasks.values.sorted(by: { $0.id < $1.id }) where task.status != .pending {
            // Before any dependency exists, so that a file's status is kept even where its
            // blockers are not completed; the owner is the file's (none stays none).
            commands.append(.update(id: task.id, TaskChanges(status: task.status, owner: task.owner ?? "")))
        }
        for task in tasks.values {
            simulated.tasks[task.id] = TaskRecord(
                id: task.id,
                subject: task.subject,
                createdAt: Timestamp(rawValue: 0),
                updatedAt: Timestamp(rawValue: 0)
            )
        }
        var edges: [(blocker: Int, blocked: Int, file: String)] = []
        for task in tasks.values {
            for blocked in task.blocks { edges.append((task.id, blocked, task.file)) }
            for blocker in task.blockedBy { edges.append((blocker, task.id, task.file)) }
        }
        edges.sort { ($0.blocker, $0.blocked, $0.file) < ($1.blocker, $1.blocked, $1.file) }
        var repairs: [String] = []
        var notes: [Int: [String]] = [:]
        var seen = Set<[Int]>()
        for edge in edges where seen.insert([edge.blocker, edge.blocked]).inserted {
            guard edge.blocker != edge.blocked else {
                repairs.append("left out #\(edge.blocked) blocked by itself (\(edge.file))")
                continue
            }
            guard tasks[edge.blocker] != nil, tasks[edge.blocked] != nil else {
                let missing = tasks[edge.blocker] == nil ? edge.blocker : edge.blocked
                repairs.append(
                    "left out #\(edge.blocked) blocked by #\(edge.blocker) (\(edge.file)): #\(missing) is not among the imported tasks"
                )
                continue
            }
            if let cycle = Decider.cycle(adding: [(edge.blocker, edge.blocked)], to: simulated) {
                let loop = cycle.map { "#\($0)" }.joined(separator: " → ")
                let sentence =
                    "left out #\(edge.blocked) blocked by #\(edge.blocker) (\(edge.file)): it would close the cycle \(loop)"
                repairs.append(sentence)
                notes[edge.blocked, default: []].append(sentence)
                continue
            }
            simulated.tasks[edge.blocker]!.blocks.append(edge.blocked)
            simulated.tasks[edge.blocked]!.blockedBy.append(edge.blocker)
            commands.append(.addDependency(blocker: edge.blocker, blocked: edge.blocked))
        }
        for (id, sentences) in notes.sorted(by: { $0.key < $1.key }) {
            // The explicit event of the repair: on the task whose blocker was left out.
            commands.append(
                .update(id: id, TaskChanges(metadata: ["importRepairs": .array(sentences.map(JSONValue.string))]))
            )
        }
        return (commands, placeholders, repairs)
    }

    /// Imports the tasks into `list` of `store`, which must have no tasks yet (not even deleted
    /// ones): all of them in one write transaction, or nothing.
    public func importTasks(into store: TaskStore, list: String, actor: String?) async throws -> ImportReport {
        let list = try TaskListID.sanitized(list)
        let highest = highestID
        guard highest <= Self.maximumID else {
            throw TasklogError(
                .invalidInput,
                "ids run up to \(highest) in \(path), more than the \(Self.maximumID) an import takes; nothing was imported"
            )
        }
        let (commands, placeholders, repairs) = plan()
        // Validate the whole sequence against the present state first: nothing half-imported.
        var state = TasklogState()
        let existing = try store.list(list)
        guard existing.highWater == 0 else {
            throw TasklogError(
                .conflict,
                "the task list \(list) already has tasks (ids up to \(existing.highWater)); import into a new list with --list"
            )
        }
        for (index, command) in commands.enumerated() {
            do {
                for payload in try Decider.decide(command, in: state.list(list), actor: actor) {
                    Reducer.apply(
                        Event(
                            seq: state.lastSeq + 1,
                            timestamp: state.lastTimestamp,
                            list: list,
                            actor: actor,
                            payload: payload
                        ),
                        to: &state
                    )
                }
            } catch {
                throw TasklogError(
                    error.code,
                    "the import would be refused at step \(index + 1) (\(error.message)); nothing was imported"
                )
            }
        }
        guard !commands.isEmpty else {
            return ImportReport(
                imported: [],
                skipped: skipped,
                placeholders: [],
                repairs: repairs,
                highWater: 0,
                seqs: nil
            )
        }
        let results = try await store.executeInOneTransaction(commands, in: list, actor: actor)
        var seqs: [UInt64] = []
        var createdIDs: [Int] = []
        for (command, result) in zip(commands, results) {
            switch result {
            case .success(let outcome):
                seqs += outcome.seqs
                if case .create = command, let id = outcome.taskID { createdIDs.append(id) }
            case .failure(let error):
                throw TasklogError(
                    error.code,
                    "the list \(list) changed while it was imported (\(error.message)); check it with `tasklog list --list \(list)`"
                )
            }
        }
        guard createdIDs == Array(stride(from: 1, through: createdIDs.count, by: 1)) else {
            throw TasklogError(
                .conflict,
                "another process wrote to the list \(list) during the import, so ids moved; check it with `tasklog list --list \(list)`"
            )
        }
        return ImportReport(
            imported: tasks.keys.sorted(),
            skipped: skipped,
            placeholders: placeholders,
            repairs: repairs,
            highWater: createdIDs.count,
            seqs: seqs.min().flatMap { low in seqs.max().map { low...$0 } }
        )
    }

    // MARK: Exporting

    /// Writes the present tasks of `list` to `directory` (created if needed): `N.json` for each
    /// live task, `.highwatermark`, `.lock`; task files of tasks no longer live are removed. Each
    /// file is written atomically (a temporary file, fsync, rename).
    public static func export(_ store: TaskStore, list: String, to directory: String) throws -> ExportReport {
        let list = try TaskListID.sanitized(list)
        let state = try store.list(list)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TasklogError(.storage, "cannot create \(directory): \(error.localizedDescription)")
        }
        let tasks = state.sortedTasks
        for task in tasks {
            try writeAtomically(fileText(task), to: directory + "/\(task.id).json")
        }
        try writeAtomically(String(state.highWater), to: directory + "/.highwatermark")
        if !FileManager.default.fileExists(atPath: directory + "/.lock") {
            try writeAtomically("", to: directory + "/.lock")
        }
        var removed: [String] = []
        let live = Set(tasks.map { "\($0.id).json" })
        for name in (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? [] {
            let stem = name.hasSuffix(".json") ? String(name.dropLast(5)) : ""
            guard let id = Int(stem), id > 0, String(id) == stem, !live.contains(name) else { continue }
            try? FileManager.default.removeItem(atPath: directory + "/" + name)
            removed.append(name)
        }
        return ExportReport(
            written: tasks.map(\.id),
            removed: removed.sorted(by: fileOrder),
            highWater: state.highWater
        )
    }

    /// A task as the agent tools store it: pretty JSON, their key order, `owner` and `metadata`
    /// only when set.
    static func fileText(_ task: TaskRecord) -> String {
        var members: [(String, JSONValue)] = [
            ("id", .string(String(task.id))), ("subject", .string(task.subject)),
            ("description", .string(task.description)),
        ]
        if let activeForm = task.activeForm { members.append(("activeForm", .string(activeForm))) }
        members.append(("status", .string(task.status.name)))
        members.append(("blocks", .array(task.blocks.map { .string(String($0)) })))
        members.append(("blockedBy", .array(task.blockedBy.map { .string(String($0)) })))
        if let owner = task.owner { members.append(("owner", .string(owner))) }
        if !task.metadata.isEmpty { members.append(("metadata", .object(task.metadata))) }
        let lines = members.map { key, value in
            "  " + JSONValue.string(key).serialized() + ": "
                + value.serialized(pretty: true).replacingOccurrences(of: "\n", with: "\n  ")
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }

    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw TasklogError(.storage, "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        var ok = true
        let bytes = Array(text.utf8)
        var offset = 0
        while ok && offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 { ok = errno == EINTR } else { offset += written }
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TasklogError(.storage, "cannot write \(path): \(reason)")
        }
    }
}

extension ClaudeTaskDirectory.FileTask {
    /// The task as created (status and dependencies come after).
    var newTask: NewTask {
        NewTask(subject: subject, description: description, activeForm: activeForm, owner: owner, metadata: metadata)
    }
}
