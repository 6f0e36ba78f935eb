import MCP

/// `tools/call` with its parameters kept as raw JSON, so that a malformed call reaches our handler
/// (and gets a precise error) instead of failing inside the SDK's decoder with an internal error.
enum RawToolCall: MCP.Method {
    static let name = CallTool.name

    /// Whatever the client sent as `params`.
    struct Parameters: NotRequired, Hashable, Codable, Sendable {
        var value: Value

        init() { value = .null }

        init(from decoder: any Decoder) throws {
            value = try Value(from: decoder)
        }

        func encode(to encoder: any Encoder) throws {
            try value.encode(to: encoder)
        }
    }

    typealias Result = CallTool.Result
}
