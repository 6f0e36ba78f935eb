import Foundation
import Tasklog
import TasklogCore

/// Claims are per session: two sessions started under one actor name (`TASKLOG_ACTOR`) are two
/// agents to the user, though tasks record only the name as their owner.
///
/// A session remembers the tasks it claimed. A claim of a task in progress under the session's
/// own actor that this session did not claim is refused while another live session of the actor
/// holds a lease in the list: that session holds it. The session's own repeated claim stays a
/// no-op success, and with no other live session the claim is the session's (it adopts tasks
/// its actor's ended sessions left, or that another actor handed over).
extension ClaimSession {
    /// Runs the tool call `call` of tool `name`; for `TaskUpdate`, refuses a claim of a task that
    /// another session of `actor` holds and keeps ``claimedTasks`` up to date.
    func guardingClaims(
        _ name: String,
        arguments: JSONValue?,
        actor: String,
        call: @Sendable () async throws(TaskTools.UnknownTool) -> ToolResult
    ) async throws(TaskTools.UnknownTool) -> ToolResult {
        guard name == "TaskUpdate", let id = try? TaskTools.taskID(arguments?["taskId"], field: "taskId") else {
            return try await call()
        }
        let claiming = arguments?["status"]?.stringValue == TaskStatus.inProgress.name
        // Before: refuse without writing anything.
        if claiming, let refusal = await refusal(id, actor: actor, arguments: arguments) { return refusal }
        let result = try await call()
        guard !result.isError, let task = result.structured?["task"] else { return result }
        let holds = task["status"]?.stringValue == TaskStatus.inProgress.name && task["owner"]?.stringValue == actor
        guard holds else {
            claimedTasks.remove(id)
            return result
        }
        let changedClaim =
            result.structured?["updatedFields"]?.arrayValue?.contains { $0 == "owner" || $0 == "status" } == true
        // After: two sessions claiming at once both pass the check; the one whose claim changed
        // nothing lost the race.
        if claiming && !changedClaim, let refusal = await refusal(id, actor: actor, arguments: arguments) {
            return refusal
        }
        claimedTasks.insert(id)
        return result
    }

    /// The refusal of a claim of task `id` if another live session of `actor` holds it.
    private func refusal(_ id: Int, actor: String, arguments: JSONValue?) async -> ToolResult? {
        guard !claimedTasks.contains(id) else { return nil }
        do {
            guard let task = try await store.get(id, in: list), task.status == .inProgress, task.owner == actor else {
                return nil
            }
            let now = Timestamp.now()
            let others = try store.leases().filter {
                $0.list == list && $0.owner == actor && $0.session != self.id && !$0.isExpired(at: now)
            }
            guard !others.isEmpty else { return nil }
            let error = TasklogError(
                .conflict,
                "task #\(id) is already claimed by another session of \(actor): sessions under one name are "
                    + "separate agents; choose another task (TaskReady lists the ones you can claim)"
            )
            return TaskTools.refused(error, tool: "TaskUpdate", arguments: arguments ?? [:])
        } catch {
            return nil  // the call itself reports a storage failure
        }
    }
}
