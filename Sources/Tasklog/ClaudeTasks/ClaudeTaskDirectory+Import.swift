import Foundation
import TasklogCore

extension ClaudeTaskDirectory {
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

    /// Reads the task files of `directory` and imports them into `list` of `store`, holding the
    /// directory's lock (``ClaudeTaskDirectoryLock``, waiting up to `lockWait` seconds) from the
    /// first read to the commit, so that no agent writes a file in between.
    public static func importTasks(
        from directory: String,
        into store: TaskStore,
        list: String,
        actor: String?,
        lockWait: Double = ClaudeTaskDirectoryLock.defaultWait
    ) async throws -> ImportReport {
        let lock = try ClaudeTaskDirectoryLock(directory: directory, waiting: lockWait)
        defer { lock.release() }
        return try await ClaudeTaskDirectory(reading: directory).importTasks(into: store, list: list, actor: actor)
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
                "the task list \(list) already has tasks (ids up to \(existing.highWater)); import into a new list",
                remedy: .anotherList
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
                inProgress: [],
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
                    "the list \(list) changed while it was imported (\(error.message)); look at its tasks before importing again"
                )
            }
        }
        guard createdIDs == Array(stride(from: 1, through: createdIDs.count, by: 1)) else {
            throw TasklogError(
                .conflict,
                "another process wrote to the list \(list) during the import, so ids moved; look at its tasks before importing again"
            )
        }
        return ImportReport(
            imported: tasks.keys.sorted(),
            skipped: skipped,
            placeholders: placeholders,
            repairs: repairs,
            inProgress: tasks.values.filter { $0.status == .inProgress }.sorted { $0.id < $1.id }.map {
                HeldTask(id: $0.id, owner: $0.owner)
            },
            highWater: createdIDs.count,
            seqs: seqs.min().flatMap { low in seqs.max().map { low...$0 } }
        )
    }
}

extension ClaudeTaskDirectory.FileTask {
    /// The task as created (status and dependencies come after).
    var newTask: NewTask {
        NewTask(subject: subject, description: description, activeForm: activeForm, owner: owner, metadata: metadata)
    }
}
