public import TasklogCore

/// What a tool call answers: short text for a model, structured content for a program, and
/// whether it was refused.
public struct ToolResult: Sendable, Hashable {
    /// The text a model reads.
    public var text: String
    /// The structured content (`structuredContent`), a JSON object.
    public var structured: JSONValue?
    /// Whether the call was refused (`isError`): the text is then the one-sentence reason.
    public var isError: Bool

    public init(text: String, structured: JSONValue?, isError: Bool = false) {
        self.text = text
        self.structured = structured
        self.isError = isError
    }
}
