/// One field of a task, before and after an event: what the audit trail shows.
public struct FieldChange: Sendable, Hashable, CustomStringConvertible {
    /// The field, in the agent tools' spelling; metadata keys as `metadata.KEY`.
    public var field: String
    /// `nil` when the field was not set (or the task did not exist).
    public var before: JSONValue?
    public var after: JSONValue?

    public init(field: String, before: JSONValue?, after: JSONValue?) {
        self.field = field
        self.before = before
        self.after = after
    }

    public var description: String {
        "\(field): \(before.map(\.description) ?? "—") → \(after.map(\.description) ?? "—")"
    }

    /// The fields that differ between two versions of a task (`nil`: absent, created or deleted).
    public static func between(_ before: TaskRecord?, _ after: TaskRecord?) -> [FieldChange] {
        if let before, after == nil {
            // A deletion: the task is gone; its last status says what it was.
            return [FieldChange(field: "status", before: .string(before.status.name), after: .string("deleted"))]
        }
        var changes: [FieldChange] = []
        func compare(_ field: String, _ value: (TaskRecord) -> JSONValue?) {
            let old = before.flatMap(value)
            let new = after.flatMap(value)
            if old != new { changes.append(FieldChange(field: field, before: old, after: new)) }
        }
        func ids(_ list: [Int]) -> JSONValue? { list.isEmpty ? nil : .array(list.map { .string(String($0)) }) }
        compare("subject") { .string($0.subject) }
        compare("description") { $0.description.isEmpty ? nil : .string($0.description) }
        compare("activeForm") { $0.activeForm.map(JSONValue.string) }
        let oldStatus: JSONValue? = before.map { .string($0.status.name) }
        let newStatus: JSONValue? = after.map { .string($0.status.name) } ?? (before == nil ? nil : .string("deleted"))
        if oldStatus != newStatus { changes.append(FieldChange(field: "status", before: oldStatus, after: newStatus)) }
        compare("owner") { $0.owner.map(JSONValue.string) }
        compare("blocks") { ids($0.blocks) }
        compare("blockedBy") { ids($0.blockedBy) }
        let keys = Set(before?.metadata.keys ?? [:].keys).union(after?.metadata.keys ?? [:].keys)
        for key in keys.sorted() {
            let old = before?.metadata[key]
            let new = after?.metadata[key]
            if old != new { changes.append(FieldChange(field: "metadata.\(key)", before: old, after: new)) }
        }
        return changes
    }

    /// The JSON form: `{"field": …, "before": …, "after": …}` (absent values as null).
    public var json: JSONValue {
        ["field": .string(field), "before": before ?? .null, "after": after ?? .null]
    }
}
