/// The reason a text is not a JSON document accepted by ``JSONValue/init(parsing:)-(String)``, with its position.
public struct JSONParseError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in a short lowercase phrase, such as `expected ':' after an object key`.
    public var message: String
    /// The 1-based line of the offending input; lines are separated by line feeds.
    public var line: Int
    /// The 1-based column of the offending input, counted in Unicode scalars from the start of the line.
    public var column: Int

    /// Creates an error with a message and a 1-based position.
    public init(message: String, line: Int, column: Int) {
        self.message = message
        self.line = line
        self.column = column
    }

    /// Whether the text was refused for a number that no reader keeps as written: an integer
    /// beyond 64 bits, or a number beyond or below a double's range.
    public var isNumberOutOfRange: Bool {
        message.hasPrefix("integer out of range") || message.hasPrefix("number out of range")
    }

    /// The error as one line, such as `invalid JSON at line 1, column 7: expected ':' after an object key`.
    public var description: String {
        "invalid JSON at line \(line), column \(column): \(message)"
    }
}
