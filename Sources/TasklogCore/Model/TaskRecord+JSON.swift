extension TaskRecord {
    /// The JSON form of `schemas/task.schema.json`, as the CLI, exports and MCP speak it.
    public var json: JSONValue {
        var object: [String: JSONValue] = [
            "id": .string(String(id)),
            "subject": .string(subject),
            "description": .string(description),
            "status": .string(status.name),
            "blocks": .array(blocks.map { .string(String($0)) }),
            "blockedBy": .array(blockedBy.map { .string(String($0)) }),
            "metadata": .object(metadata),
            "version": .int(Int64(version)),
            "createdAt": .string(createdAt.iso8601),
            "updatedAt": .string(updatedAt.iso8601),
        ]
        object["activeForm"] = activeForm.map(JSONValue.string) ?? .null
        object["owner"] = owner.map(JSONValue.string) ?? .null
        return .object(object)
    }
}
