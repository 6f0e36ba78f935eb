public import TasklogCore

/// One tool the server offers: its name, what a model reads about it, and its schemas.
public struct ToolDefinition: Sendable, Hashable {
    /// The tool's name, as agents know it (`TaskCreate`, …).
    public var name: String
    /// A short title for people.
    public var title: String
    /// What the tool does, for the model choosing tools.
    public var description: String
    /// The JSON Schema of the arguments: the content of ``inputSchemaFile``.
    public var inputSchema: JSONValue
    /// The JSON Schema of the structured content of a result that is not an error: the content
    /// of ``outputSchemaFile``.
    public var outputSchema: JSONValue
    /// Whether the tool only reads.
    public var readOnly: Bool

    /// Where the input schema lives in the repository.
    public var inputSchemaFile: String { "Sources/TasklogMCP/Schemas/\(name).input.json" }
    /// Where the output schema lives in the repository.
    public var outputSchemaFile: String { "Sources/TasklogMCP/Schemas/\(name).output.json" }
}
