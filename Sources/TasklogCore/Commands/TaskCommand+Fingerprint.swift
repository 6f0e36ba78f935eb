extension TaskCommand {
    /// A hash of everything the command asks, the same in every process and every run: stored
    /// with an idempotency key, so that the key given again with a different command is refused
    /// rather than answered "already done".
    public var fingerprint: UInt64 {
        let bytes = Array(canonicalJSON.serialized().utf8)
        return bytes.withUnsafeBytes { XXH64.hash($0) }
    }

    /// The command as JSON with every field it carries (object keys are serialized in a fixed order).
    private var canonicalJSON: JSONValue {
        func ids(_ ids: [Int]) -> JSONValue { .array(ids.map { .int(Int64($0)) }) }
        func text(_ value: String?) -> JSONValue { value.map(JSONValue.string) ?? .null }
        switch self {
        case .create(let new):
            return [
                "command": "create", "subject": .string(new.subject), "description": .string(new.description),
                "activeForm": text(new.activeForm), "owner": text(new.owner), "metadata": .object(new.metadata),
            ]
        case .update(let id, let changes):
            return [
                "command": "update", "id": .int(Int64(id)), "subject": text(changes.subject),
                "description": text(changes.description), "activeForm": text(changes.activeForm),
                "status": text(changes.status?.name), "owner": text(changes.owner),
                "addBlocks": ids(changes.addBlocks), "addBlockedBy": ids(changes.addBlockedBy),
                "metadata": changes.metadata.map(JSONValue.object) ?? .null,
                "expectedVersion": changes.expectedVersion.map { .int(Int64($0)) } ?? .null,
            ]
        case .release(let owner):
            return ["command": "release", "owner": .string(owner)]
        case .addDependency(let blocker, let blocked):
            return ["command": "addDependency", "blocker": .int(Int64(blocker)), "blocked": .int(Int64(blocked))]
        case .removeDependency(let blocker, let blocked):
            return ["command": "removeDependency", "blocker": .int(Int64(blocker)), "blocked": .int(Int64(blocked))]
        case .startWorkflow(let type, let id):
            return ["command": "startWorkflow", "type": .string(type), "id": text(id)]
        case .checkpoint(let workflow, let step, let name, let data):
            return [
                "command": "checkpoint", "workflow": .string(workflow), "step": .int(Int64(step)),
                "name": .string(name), "data": .object(data),
            ]
        case .completeWorkflow(let id, let cleanup, let force):
            return [
                "command": "completeWorkflow", "id": .string(id), "cleanup": .bool(cleanup), "force": .bool(force),
            ]
        case .forkWorkflow(let run, let at, let id):
            // The run as of `at` follows from the log: its id and the point name it.
            return [
                "command": "forkWorkflow", "from": .string(run.workflow.id), "at": .int(Int64(clamping: at)),
                "id": text(id),
            ]
        case .failWorkflow(let id, let step, let reason):
            return ["command": "failWorkflow", "id": .string(id), "step": .int(Int64(step)), "reason": .string(reason)]
        }
    }
}
