import TasklogCore

/// One tool the server offers: its name, what a model reads about it, and its input schema.
public struct ToolDefinition: Sendable, Hashable {
    /// The tool's name, as agents know it (`TaskCreate`, …).
    public var name: String
    /// A short title for people.
    public var title: String
    /// What the tool does, for the model choosing tools.
    public var description: String
    /// The JSON Schema of the arguments: the content of ``schemaFile``.
    public var inputSchema: JSONValue
    /// Whether the tool only reads.
    public var readOnly: Bool

    /// Where the input schema lives in the repository.
    public var schemaFile: String { "schemas/mcp/\(name).input.json" }
}
