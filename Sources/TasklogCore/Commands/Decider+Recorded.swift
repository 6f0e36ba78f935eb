extension Decider {
    /// Refuses a recorded event (an imported one) that no command could have decided on `list`:
    /// the same checks as the commands, so that `import` lets in nothing that `create` and `update`
    /// refuse.
    ///
    /// A new task must take the list's next id and have fields within ``Limits``; an update, a
    /// deletion or a dependency must name tasks that exist, with fields within bounds and no link
    /// that closes a cycle. Status and owner changes are not judged again (the log records that
    /// they were allowed then: a takeover with the version read, a release), nor are workflow
    /// events.
    ///
    /// - Throws: the refusal the command would have met, with its code (`invalid_input`,
    ///   `not_found`, `cycle`).
    public static func check(recorded payload: EventPayload, in list: TaskListState) throws(TasklogError) {
        switch payload {
        case .taskCreated(let created):
            let decided = try create(
                NewTask(
                    subject: created.subject,
                    description: created.description,
                    activeForm: created.activeForm,
                    owner: created.owner,
                    metadata: created.metadata
                ),
                in: list
            )
            guard created.id == decided.id else {
                throw TasklogError(
                    .invalidInput,
                    "a new task has id \(created.id), but the next id of its list is \(decided.id): ids run 1, 2, 3, … in each list, never repeated"
                )
            }
        case .taskUpdated(let updated):
            let task = try existing(updated.id, in: list)
            let changes = TaskChanges(
                subject: updated.subject,
                description: updated.description,
                activeForm: updated.activeForm,
                owner: updated.owner.map { $0 ?? "" },
                addBlocks: updated.addBlocks,
                addBlockedBy: updated.addBlockedBy,
                metadata: updated.metadataPatch,
                expectedVersion: task.version  // as a takeover with the version read: owners are not judged
            )
            _ = try update(updated.id, changes, in: list, actor: nil)
        case .taskDeleted(let id):
            _ = try existing(id, in: list)
        case .dependencyAdded(let blocker, let blocked):
            _ = try decide(.addDependency(blocker: blocker, blocked: blocked), in: list, actor: nil)
        case .dependencyRemoved(let blocker, let blocked):
            _ = try decide(.removeDependency(blocker: blocker, blocked: blocked), in: list, actor: nil)
        case .workflowStarted, .workflowForked, .checkpointRecorded, .workflowCompleted, .workflowFailed:
            break
        }
    }
}
