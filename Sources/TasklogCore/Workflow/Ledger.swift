/// The YAML ledger of a workflow run: a projection of the log, in the schema of
/// `schemas/workflow-ledger.schema.json`. It is rendered, never read back as truth.
public enum Ledger {
    /// The ledger of `view`, byte for byte the same for the same state. `taskList` is the task
    /// list the run lives in, kept in the ledger so that a new session finds the run again (the
    /// skill stores the list id "externally (env var, file, or ledger)").
    public static func render(_ view: WorkflowView, taskList: String? = nil) -> String {
        let workflow = view.workflow
        var lines = [
            "version: 1",
            "workflow_id: \(quote(workflow.id))",
            "workflow_type: \(quote(workflow.type))",
        ]
        if let taskList { lines.append("task_list_id: \(quote(taskList))") }
        lines += [
            "started_at: \(quote(workflow.startedAt.iso8601Seconds))",
            "last_checkpoint: \(quote(workflow.ledgerLastCheckpoint.iso8601Seconds))",
            "current_step: \(workflow.ledgerStep)",
            "status: \(quote(workflow.status.name))",
        ]
        if workflow.status == .failed {
            lines.append("failed_step: \(workflow.ledgerStep)")
            lines.append("failure_reason: \(quote(workflow.failureReason ?? ""))")
        }
        if workflow.checkpoints.isEmpty {
            lines.append("checkpoints: []")
        } else {
            lines.append("checkpoints:")
            for checkpoint in workflow.checkpointsAsRecorded {
                lines.append("  - step: \(checkpoint.step)")
                lines.append("    name: \(quote(checkpoint.name))")
                lines.append("    status: \"completed\"")
                lines.append("    completed_at: \(quote(checkpoint.completedAt.iso8601Seconds))")
                lines.append("    data: \(flow(.object(checkpoint.data)))")
            }
        }
        return lines.joined(separator: "\n") + "\n"
    }

    /// A YAML double-quoted scalar: JSON's escapes, plus every character YAML may not hold raw.
    static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\t": out += "\\t"
            case "\r": out += "\\r"
            case _
            where scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value) || scalar.value == 0xFEFF
                || (0xFFFE...0xFFFF).contains(scalar.value):
                let hex = String(scalar.value, radix: 16, uppercase: true)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    /// A JSON value in YAML flow style (which JSON already is, with YAML-safe strings).
    static func flow(_ value: JSONValue) -> String {
        switch value {
        case .string(let text): quote(text)
        case .array(let items): "[" + items.map(flow).joined(separator: ", ") + "]"
        case .object(let object):
            "{"
                + object.keys.sorted(by: utf8Precedes)
                .map { "\(quote($0)): \(flow(object[$0]!))" }.joined(separator: ", ") + "}"
        default: value.serialized()
        }
    }
}
