import Foundation
import Tasklog
import TasklogCore

/// The audit trail of one task: the events that touched it, each with what changed on it.
///
/// ``newest(_:of:in:store:)`` reads one page through the store's task index
/// (``Tasklog/TaskStore/history(_:)``): its cost follows the page, not the task's whole history.
struct TaskHistory {
    /// One event of the task.
    struct Entry: Sendable, Hashable {
        var seq: UInt64
        var time: Timestamp
        var actor: String?
        var type: String
        /// The fields of the task that the event changed, in a stable order, before → after.
        var changes: [Change]
    }

    /// One field's value before and after an event (`null` where it had none).
    struct Change: Sendable, Hashable {
        var field: String
        var from: JSONValue
        var to: JSONValue
    }

    /// The fields whose values are task ids (shown as `#2, #3`); any other list is shown as JSON.
    static let idFields: Set<String> = ["blocks", "blockedBy"]

    /// The newest `limit` events of task `id` of `list`, oldest first, and how many it has in all.
    static func newest(
        _ limit: Int,
        of id: Int,
        in list: String,
        store: TaskStore
    ) throws -> (total: Int, entries: [Entry]) {
        let total = try store.eventCount(ofTask: id, in: list)
        guard total > 0 else { return (0, []) }
        let page = try store.history(HistoryQuery(list: list, taskID: id, newestFirst: true, limit: max(limit, 1)))
        let entries = page.entries.reversed().map { entry in
            let fields = entry.changes.first { $0.taskID == id }?.fields ?? []
            return Entry(
                seq: entry.event.seq,
                time: entry.event.timestamp,
                actor: entry.event.actor,
                type: entry.event.payload.typeName,
                changes: fields.map { change in
                    // Lists read as empty lists rather than as absent.
                    let none: JSONValue = idFields.contains(change.field) ? [] : .null
                    return Change(field: change.field, from: change.before ?? none, to: change.after ?? none)
                }
            )
        }
        return (max(total, entries.count), entries)
    }
}

extension TaskHistory.Entry {
    /// The entry as the structured content of `TaskHistory` shows it.
    var json: JSONValue {
        var changed: [String: JSONValue] = [:]
        for change in changes { changed[change.field] = ["from": change.from, "to": change.to] }
        return [
            "seq": .int(Int64(seq)), "time": .string(time.iso8601), "actor": actor.map(JSONValue.string) ?? .null,
            "type": .string(type), "fields": .array(changes.map { .string($0.field) }), "changes": .object(changed),
        ]
    }

    /// One line for a model: seq, time, actor, type, then each change.
    var line: String {
        let what = changes.map { change in
            "\(change.field): \(Self.short(change.from, of: change.field)) → \(Self.short(change.to, of: change.field))"
        }.joined(separator: "; ")
        return "seq \(seq)  \(time.iso8601Seconds)  \(actor ?? "-")  \(type)\(what.isEmpty ? "" : "  \(what)")"
    }

    private static func short(_ value: JSONValue, of field: String) -> String {
        let text: String =
            switch value {
            case .null: "none"
            case .string(let text): text
            case .array(let elements)
            where TaskHistory.idFields.contains(field) && elements.allSatisfy({ $0.stringValue != nil }):
                elements.isEmpty ? "[]" : elements.map { "#" + $0.stringValue! }.joined(separator: ", ")
            default: value.serialized()
            }
        let flat = text.replacingOccurrences(of: "\n", with: " ")
        return flat.count <= 60 ? flat : String(flat.prefix(57)) + "…"
    }
}
