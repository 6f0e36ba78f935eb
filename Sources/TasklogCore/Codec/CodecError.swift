/// Bytes that do not decode: damaged, truncated, or written by a newer Tasklog.
public struct CodecError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What was wrong, in one phrase.
    public var message: String
    /// The byte offset where it was found.
    public var offset: Int

    public init(_ message: String, at offset: Int) {
        self.message = message
        self.offset = offset
    }

    public var description: String { "\(message) (at byte \(offset))" }
}
