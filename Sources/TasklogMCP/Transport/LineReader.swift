#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Splits a byte stream into newline-delimited messages, in time linear in the bytes read and with a
/// bounded line length.
///
/// Feed it what each `read` returns with ``consume(_:_:)`` and call ``finish(_:)`` at the end of the
/// input. Each byte is looked at once: a line is searched for its newline only in the bytes that
/// arrived since the last call, and a line that ends is handed out and dropped, so nothing already
/// delivered stays in memory. A line of more than ``maximumLength`` bytes (not counting its newline)
/// is not held: once it passes the bound its bytes are only counted, apart from its first
/// ``headLength`` bytes (where a JSON-RPC message has its id), and it comes out as
/// ``Piece/tooLong(length:head:)`` when its newline arrives.
///
/// A line may end with `\n` or `\r\n` (the `\r` is dropped); empty lines are skipped. Bytes after the
/// last newline at the end of the input are a last line.
///
/// Plain Swift without Foundation, so that the fuzzer (`Fuzz/MCPLineReader.swift`) compiles it alone.
struct LineReader {
    /// What the reader hands out.
    enum Piece: Equatable {
        /// One message, without its line ending.
        case line([UInt8])
        /// A line longer than the bound, dropped: its length in bytes (without the line ending)
        /// and its first bytes.
        case tooLong(length: Int, head: [UInt8])
    }

    /// The bound of `tasklog mcp`: 16 MiB, far above any valid request (a task's fields are bounded
    /// to 64 KiB each) and small enough that a hostile client cannot make the server hold much.
    static let defaultMaximumLength = 16 << 20

    /// The longest line delivered, in bytes without its line ending.
    let maximumLength: Int
    /// How many first bytes of an over-long line are kept.
    let headLength: Int

    /// The line being read, while it is within the bound.
    private var partial: [UInt8] = []
    /// The length so far of an over-long line being skipped; `nil` while within the bound.
    private var skipped: Int?
    /// The first bytes of the over-long line being skipped.
    private var head: [UInt8] = []

    init(maximumLength: Int = LineReader.defaultMaximumLength, headLength: Int = 4096) {
        precondition(maximumLength > 0 && headLength >= 0)
        self.maximumLength = maximumLength
        self.headLength = headLength
    }

    /// Takes the next bytes of the stream; calls `emit` for each line they complete, in order.
    mutating func consume(_ bytes: UnsafeRawBufferPointer, _ emit: (Piece) throws -> Void) rethrows {
        var start = 0
        while start < bytes.count {
            let rest = UnsafeRawBufferPointer(rebasing: bytes[start...])
            guard let found = memchr(rest.baseAddress!, 0x0A, rest.count) else {
                take(rest)
                return
            }
            let newline = UnsafeRawPointer(found) - rest.baseAddress!
            take(UnsafeRawBufferPointer(rebasing: rest[..<newline]))
            try complete(emit)
            start += newline + 1
        }
    }

    /// The input ended: calls `emit` for the last line if it had no newline.
    mutating func finish(_ emit: (Piece) throws -> Void) rethrows {
        if skipped != nil || !partial.isEmpty { try complete(emit) }
    }

    /// Adds bytes that belong to the current line.
    private mutating func take(_ bytes: UnsafeRawBufferPointer) {
        if let length = skipped {
            skipped = length + bytes.count
            keepHead(bytes)
        } else if partial.count + bytes.count > maximumLength {
            skipped = partial.count + bytes.count
            head = Array(partial.prefix(headLength))
            keepHead(bytes)
            partial = []
        } else {
            partial.append(contentsOf: bytes)
        }
    }

    private mutating func keepHead(_ bytes: UnsafeRawBufferPointer) {
        let room = headLength - head.count
        if room > 0 { head.append(contentsOf: bytes.prefix(room)) }
    }

    /// The current line ended.
    private mutating func complete(_ emit: (Piece) throws -> Void) rethrows {
        if let length = skipped {
            let piece = Piece.tooLong(length: length, head: head)
            skipped = nil
            head = []
            try emit(piece)
            return
        }
        // The line's buffer goes to `emit`: the reader keeps nothing of a delivered line.
        var line: [UInt8] = []
        swap(&line, &partial)
        if line.last == UInt8(ascii: "\r") { line.removeLast() }
        if !line.isEmpty { try emit(.line(line)) }
    }
}
