/// The `id` and `method` of a JSON-RPC message, found by walking its top-level members without
/// parsing the values in between.
///
/// The transport reads these of every message in both directions to know which requests are still
/// unanswered (a request has a method and an id, a response an id and no method), and of the head
/// of an over-long line to answer it with its id. The walk is linear and checks only the shape of
/// the top level: a value is skipped by matching its quotes and brackets, not validated (the SDK
/// parses the message for real). A key is compared as written, so a key spelled with escapes is not
/// seen. Input that stops or goes wrong part way gives what was found before that point.
///
/// Plain Swift without Foundation, so that the fuzzer (`Fuzz/MCPLineReader.swift`) compiles it alone.
struct JSONRPCEnvelope: Equatable {
    /// Where the `id` value is, as written (a string keeps its quotes).
    var id: Range<Int>?
    /// Where the `method` value is, as written.
    var method: Range<Int>?

    /// The members of one message (a JSON object); neither for bytes that do not start an object.
    static func scan(_ bytes: UnsafeRawBufferPointer) -> JSONRPCEnvelope {
        var scanner = Scanner(bytes: bytes)
        return scanner.object() ?? JSONRPCEnvelope()
    }

    /// The envelopes of a message: one for an object, one per object in a batch (a JSON array).
    static func scanAll(_ bytes: UnsafeRawBufferPointer) -> [JSONRPCEnvelope] {
        var scanner = Scanner(bytes: bytes)
        scanner.space()
        guard scanner.peek == UInt8(ascii: "[") else { return scanner.object().map { [$0] } ?? [] }
        scanner.index += 1
        var envelopes: [JSONRPCEnvelope] = []
        while true {
            scanner.space()
            if scanner.peek == UInt8(ascii: "{") {
                guard let envelope = scanner.object() else { return envelopes }
                envelopes.append(envelope)
            } else if !scanner.value() {
                return envelopes
            }
            scanner.space()
            guard scanner.peek == UInt8(ascii: ",") else { return envelopes }
            scanner.index += 1
        }
    }

    /// Whether `range` of `bytes` is exactly `text`.
    static func bytes(_ bytes: UnsafeRawBufferPointer, in range: Range<Int>, equal text: StaticString) -> Bool {
        guard range.count == text.utf8CodeUnitCount else { return false }
        let expected = UnsafeRawBufferPointer(start: text.utf8Start, count: text.utf8CodeUnitCount)
        return bytes[range].elementsEqual(expected)
    }

    /// A cursor over the bytes. Skipping a value keeps a depth count, not a stack: no input can make
    /// it recurse.
    private struct Scanner {
        let bytes: UnsafeRawBufferPointer
        var index = 0

        var peek: UInt8? { index < bytes.count ? bytes[index] : nil }

        mutating func space() {
            while let byte = peek, byte == 0x20 || byte == 0x09 || byte == 0x0A || byte == 0x0D { index += 1 }
        }

        /// An object's members from its `{` to past its `}`; `nil` if there is no `{`. Stops early on
        /// anything unexpected, with what it found.
        mutating func object() -> JSONRPCEnvelope? {
            space()
            guard peek == UInt8(ascii: "{") else { return nil }
            index += 1
            var envelope = JSONRPCEnvelope()
            space()
            if peek == UInt8(ascii: "}") {
                index += 1
                return envelope
            }
            while true {
                space()
                let keyStart = index
                guard peek == UInt8(ascii: "\""), string() else { return envelope }
                let key = keyStart..<index
                space()
                guard peek == UInt8(ascii: ":") else { return envelope }
                index += 1
                space()
                let valueStart = index
                guard value() else { return envelope }
                if JSONRPCEnvelope.bytes(bytes, in: key, equal: "\"id\"") {
                    envelope.id = valueStart..<index
                } else if JSONRPCEnvelope.bytes(bytes, in: key, equal: "\"method\"") {
                    envelope.method = valueStart..<index
                }
                space()
                if peek == UInt8(ascii: "}") {
                    index += 1
                    return envelope
                }
                guard peek == UInt8(ascii: ",") else { return envelope }
                index += 1
            }
        }

        /// Moves past a string from its opening quote; `false` if it does not close.
        mutating func string() -> Bool {
            index += 1
            while let byte = peek {
                index += 1
                if byte == UInt8(ascii: "\"") { return true }
                if byte == UInt8(ascii: "\\") { index += 1 }
            }
            index = bytes.count
            return false
        }

        /// Moves past one value; `false` if it is empty or does not end before the bytes do.
        mutating func value() -> Bool {
            guard let first = peek else { return false }
            switch first {
            case UInt8(ascii: "\""):
                return string()
            case UInt8(ascii: "{"), UInt8(ascii: "["):
                var depth = 0
                while let byte = peek {
                    switch byte {
                    case UInt8(ascii: "\""):
                        guard string() else { return false }
                        continue
                    case UInt8(ascii: "{"), UInt8(ascii: "["):
                        depth += 1
                    case UInt8(ascii: "}"), UInt8(ascii: "]"):
                        depth -= 1
                    default:
                        break
                    }
                    index += 1
                    if depth == 0 { return true }
                }
                return false
            default:
                // A number, true, false or null: up to the next delimiter.
                let start = index
                while let byte = peek, byte != UInt8(ascii: ","), byte != UInt8(ascii: "}"),
                    byte != UInt8(ascii: "]"), byte != 0x20, byte != 0x09, byte != 0x0A, byte != 0x0D
                {
                    index += 1
                }
                return index > start && index < bytes.count
            }
        }
    }
}
