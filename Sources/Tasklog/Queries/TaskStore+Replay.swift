import Foundation
public import TasklogCore

/// One step of a workflow run: an event and the workflow's tasks right after it.
public struct RunStep: Sendable, Hashable {
    public var event: Event
    /// The tasks whose `metadata.workflow` is the run's, in id order, after the event.
    public var tasks: [TaskRecord]
    /// What the event changed, task by task.
    public var changes: [HistoryEntry.TaskChange]
}

extension TaskStore {
    /// The run of workflow `workflow` in `list`, event by event, with its tasks after each.
    ///
    /// - Parameter progress: called with the run's events folded so far and their number.
    public func replay(
        workflow: String,
        in list: String = "default",
        progress: (@Sendable (Int, Int) -> Void)? = nil
    ) throws -> [RunStep] {
        let list = try TaskListID.sanitized(list)
        return try core.read { txn in
            let seqs = try txn.indexSeqs(
                .workflow(list: list, name: workflow),
                from: 1,
                through: .max,
                newestFirst: false,
                limit: .max
            )
            // Fold the events of the run over the run's tasks and stand-ins for the others.
            var fold = PartialFold(standIns: .whenNamed)
            var steps: [RunStep] = []
            for (index, seq) in seqs.enumerated() {
                progress?(index, seqs.count)
                let event = try EventLog.event(at: seq, txn)
                let before = fold.list
                fold.apply(event)
                let after = fold.list
                var changes: [HistoryEntry.TaskChange] = []
                for id in Set(before.tasks.ids).union(after.tasks.ids).sorted() {
                    guard Self.inRun(before.tasks[id], workflow) || Self.inRun(after.tasks[id], workflow) else {
                        continue
                    }
                    let fields = FieldChange.between(before.tasks[id], after.tasks[id])
                    if !fields.isEmpty { changes.append(.init(taskID: id, fields: fields)) }
                }
                let tasks = after.sortedTasks.filter { Self.inRun($0, workflow) }
                steps.append(RunStep(event: event, tasks: tasks, changes: changes))
            }
            progress?(seqs.count, seqs.count)
            return steps
        }
    }

    /// The run of a workflow as an async sequence of steps, for tools that render it as it goes.
    public func replaySteps(workflow: String, in list: String = "default") -> AsyncThrowingStream<RunStep, any Error> {
        AsyncThrowingStream { continuation in
            do {
                for step in try replay(workflow: workflow, in: list) { continuation.yield(step) }
                continuation.finish()
            } catch {
                continuation.finish(throwing: error)
            }
        }
    }

    private static func inRun(_ task: TaskRecord?, _ workflow: String) -> Bool {
        task?.metadata("workflow") == .string(workflow)
    }
}
