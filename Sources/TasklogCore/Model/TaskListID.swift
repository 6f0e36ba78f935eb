/// Task list ids, as the agent tools spell them.
public enum TaskListID {
    /// `raw` with every character other than `[a-zA-Z0-9_-]` turned into `-`, as the agent tools
    /// do with `CLAUDE_CODE_TASK_LIST_ID`; refused if empty or too long.
    public static func sanitized(_ raw: String) throws(TasklogError) -> String {
        let cleaned = String(
            String.UnicodeScalarView(
                raw.unicodeScalars.map { scalar in
                    scalar.isASCII && (scalar.properties.isAlphabetic || ("0"..."9").contains(scalar) || scalar == "_"
                        || scalar == "-") ? scalar : "-"
                }
            )
        )
        guard !cleaned.isEmpty, cleaned.utf8.count <= Limits.listID else {
            throw TasklogError(.invalidInput, "a task list id must be 1 to \(Limits.listID) characters; pass another --list")
        }
        return cleaned
    }
}
