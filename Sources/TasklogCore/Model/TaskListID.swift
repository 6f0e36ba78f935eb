/// Task list ids, as the agent tools spell them.
public enum TaskListID {
    /// `raw` with every character other than `[a-zA-Z0-9_-]` turned into `-`, as the agent tools
    /// do with `CLAUDE_CODE_TASK_LIST_ID`; refused if empty or too long.
    public static func sanitized(_ raw: String) throws(TasklogError) -> String {
        // Most ids are clean already: checked byte by byte, and returned as they are.
        let cleaned =
            raw.utf8.allSatisfy(isAllowed)
            ? raw
            : String(
                String.UnicodeScalarView(raw.unicodeScalars.map { $0.isASCII && isAllowed(UInt8($0.value)) ? $0 : "-" })
            )
        guard !cleaned.isEmpty, cleaned.utf8.count <= Limits.listID else {
            throw TasklogError(
                .invalidInput,
                "a task list id must be 1 to \(Limits.listID) characters",
                remedy: .anotherList
            )
        }
        return cleaned
    }

    /// `[a-zA-Z0-9_-]`.
    private static func isAllowed(_ byte: UInt8) -> Bool {
        switch byte {
        case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
            UInt8(ascii: "0")...UInt8(ascii: "9"),
            UInt8(ascii: "_"), UInt8(ascii: "-"):
            true
        default: false
        }
    }
}
