extension JSONValue {
    /// The value as JSON text.
    ///
    /// The output is deterministic: object keys are sorted by their UTF-8 bytes; strings escape only `"`, `\` and
    /// control characters (using `\n`, `\r`, `\t`, `\b`, `\f` where they exist, else `\u00XX`); integers are written
    /// plainly; doubles use the shortest form that parses back to the same value and always contain `.` or `e`.
    /// A NaN or infinite double, which JSON cannot express, is written as `null`.
    ///
    /// - Parameter pretty: When true, nests with two-space indentation and writes members as `"key": value`;
    ///   empty containers stay `[]` and `{}`. When false, the output has no whitespace at all.
    public func serialized(pretty: Bool = false) -> String {
        var output: [UInt8] = []
        output.reserveCapacity(64)
        write(to: &output, pretty: pretty, level: 0)
        return String(decoding: output, as: UTF8.self)
    }

    private func write(to output: inout [UInt8], pretty: Bool, level: Int) {
        switch self {
        case .null:
            output.append(contentsOf: "null".utf8)
        case .bool(let value):
            output.append(contentsOf: (value ? "true" : "false").utf8)
        case .int(let value):
            output.append(contentsOf: value.description.utf8)
        case .double(let value):
            Self.writeDouble(value, to: &output)
        case .string(let value):
            Self.writeString(value, to: &output)
        case .array(let elements):
            if elements.isEmpty {
                output.append(contentsOf: "[]".utf8)
                return
            }
            output.append(UInt8(ascii: "["))
            for (offset, element) in elements.enumerated() {
                if offset > 0 {
                    output.append(UInt8(ascii: ","))
                }
                if pretty {
                    Self.writeNewline(level: level + 1, to: &output)
                }
                element.write(to: &output, pretty: pretty, level: level + 1)
            }
            if pretty {
                Self.writeNewline(level: level, to: &output)
            }
            output.append(UInt8(ascii: "]"))
        case .object(let members):
            if members.isEmpty {
                output.append(contentsOf: "{}".utf8)
                return
            }
            output.append(UInt8(ascii: "{"))
            let sorted = members.sorted { utf8Precedes($0.key, $1.key) }
            for (offset, member) in sorted.enumerated() {
                if offset > 0 {
                    output.append(UInt8(ascii: ","))
                }
                if pretty {
                    Self.writeNewline(level: level + 1, to: &output)
                }
                Self.writeString(member.key, to: &output)
                output.append(UInt8(ascii: ":"))
                if pretty {
                    output.append(UInt8(ascii: " "))
                }
                member.value.write(to: &output, pretty: pretty, level: level + 1)
            }
            if pretty {
                Self.writeNewline(level: level, to: &output)
            }
            output.append(UInt8(ascii: "}"))
        }
    }

    private static func writeNewline(level: Int, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\n"))
        output.append(contentsOf: repeatElement(UInt8(ascii: " "), count: 2 * level))
    }

    private static func writeDouble(_ value: Double, to output: inout [UInt8]) {
        guard value.isFinite else {
            output.append(contentsOf: "null".utf8)
            return
        }
        let text = value.description
        output.append(contentsOf: text.utf8)
        let looksLikeDouble = text.utf8.contains { $0 == UInt8(ascii: ".") || $0 | 0x20 == UInt8(ascii: "e") }
        if !looksLikeDouble {
            output.append(contentsOf: ".0".utf8)
        }
    }

    private static func writeString(_ value: String, to output: inout [UInt8]) {
        output.append(UInt8(ascii: "\""))
        var value = value
        value.withUTF8 { utf8 in
            // Copy runs of bytes that need no escaping in bulk.
            var runStart = 0
            for index in 0..<utf8.count {
                let byte = utf8[index]
                guard byte < 0x20 || byte == UInt8(ascii: "\"") || byte == UInt8(ascii: "\\") else {
                    continue
                }
                output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart..<index]))
                runStart = index + 1
                switch byte {
                case UInt8(ascii: "\""):
                    output.append(contentsOf: "\\\"".utf8)
                case UInt8(ascii: "\\"):
                    output.append(contentsOf: "\\\\".utf8)
                case 0x0A:
                    output.append(contentsOf: "\\n".utf8)
                case 0x0D:
                    output.append(contentsOf: "\\r".utf8)
                case 0x09:
                    output.append(contentsOf: "\\t".utf8)
                case 0x08:
                    output.append(contentsOf: "\\b".utf8)
                case 0x0C:
                    output.append(contentsOf: "\\f".utf8)
                default:
                    let hexDigits: StaticString = "0123456789abcdef"
                    output.append(contentsOf: "\\u00".utf8)
                    output.append(hexDigits.utf8Start[Int(byte >> 4)])
                    output.append(hexDigits.utf8Start[Int(byte & 0xF)])
                }
            }
            output.append(contentsOf: UnsafeBufferPointer(rebasing: utf8[runStart...]))
        }
        output.append(UInt8(ascii: "\""))
    }
}

extension JSONValue: CustomStringConvertible {
    /// The compact serialization, as ``serialized(pretty:)`` writes it.
    public var description: String {
        serialized()
    }
}
