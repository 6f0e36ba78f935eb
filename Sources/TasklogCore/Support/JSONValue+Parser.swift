extension JSONValue {
    /// The deepest nesting of arrays and objects that the parser accepts.
    public static let maximumNestingDepth = 64

    /// Parses a complete JSON text.
    ///
    /// The parser follows RFC 8259 strictly: exactly one value surrounded by optional whitespace; no comments, trailing
    /// commas, NaN or infinities; strings without raw control characters; `\uXXXX` escapes that pair surrogates
    /// properly. Objects with a repeated key and nesting deeper than ``maximumNestingDepth`` are rejected too.
    /// A number without a fraction or exponent becomes ``int(_:)``, and is an error when it does not fit in `Int64`;
    /// other numbers become ``double(_:)``, and are an error when too large for `Double` or so close to zero that
    /// they would become 0. No number is silently read as another magnitude.
    ///
    /// - Throws: ``JSONParseError`` describing the first problem and where it is.
    public init(parsing text: String) throws(JSONParseError) {
        var text = text
        let result = text.withUTF8 { buffer in
            Result { () throws(JSONParseError) -> JSONValue in
                var parser = JSONParser(bytes: UnsafeRawBufferPointer(buffer))
                return try parser.parseDocument()
            }
        }
        self = try result.get()
    }

    /// Parses a complete JSON text given as UTF-8 bytes; invalid UTF-8 is an error.
    ///
    /// See ``init(parsing:)-(String)`` for the rules.
    ///
    /// - Throws: ``JSONParseError`` describing the first problem and where it is.
    public init(parsing bytes: UnsafeRawBufferPointer) throws(JSONParseError) {
        var parser = JSONParser(bytes: bytes)
        self = try parser.parseDocument()
    }
}

/// A recursive-descent parser over UTF-8 bytes.
private struct JSONParser {
    let bytes: UnsafeRawBufferPointer
    var index = 0
    /// Reused storage for strings that contain escapes.
    var scratch: [UInt8] = []

    init(bytes: UnsafeRawBufferPointer) {
        self.bytes = bytes
    }

    mutating func parseDocument() throws(JSONParseError) -> JSONValue {
        skipWhitespace()
        let value = try parseValue(depth: 0)
        skipWhitespace()
        if index < bytes.count {
            throw error("unexpected \(describeInput(at: index)) after the JSON value", at: index)
        }
        return value
    }

    // MARK: Values

    mutating func parseValue(depth: Int) throws(JSONParseError) -> JSONValue {
        guard index < bytes.count else {
            throw error("unexpected end of input, expected a value", at: index)
        }
        switch bytes[index] {
        case UInt8(ascii: "{"):
            return try parseObject(depth: depth + 1)
        case UInt8(ascii: "["):
            return try parseArray(depth: depth + 1)
        case UInt8(ascii: "\""):
            return .string(try parseString())
        case UInt8(ascii: "t"):
            try parseLiteral("true")
            return .bool(true)
        case UInt8(ascii: "f"):
            try parseLiteral("false")
            return .bool(false)
        case UInt8(ascii: "n"):
            try parseLiteral("null")
            return .null
        case UInt8(ascii: "-"), UInt8(ascii: "0")...UInt8(ascii: "9"):
            return try parseNumber()
        default:
            throw error("unexpected \(describeInput(at: index)), expected a value", at: index)
        }
    }

    mutating func parseLiteral(_ literal: StaticString) throws(JSONParseError) {
        let start = index
        let count = literal.utf8CodeUnitCount
        let expected = literal.utf8Start
        for offset in 0..<count {
            let position = start + offset
            guard position < bytes.count, bytes[position] == expected[offset] else {
                throw error("invalid literal, expected '\(literal)'", at: start)
            }
        }
        index = start + count
    }

    mutating func parseArray(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > JSONValue.maximumNestingDepth {
            throw error("nesting deeper than \(JSONValue.maximumNestingDepth) levels", at: index)
        }
        index += 1  // "["
        skipWhitespace()
        var elements: [JSONValue] = []
        if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
            index += 1
            return .array(elements)
        }
        while true {
            elements.append(try parseValue(depth: depth))
            skipWhitespace()
            guard index < bytes.count else {
                throw error("unexpected end of input, expected ',' or ']' after an array element", at: index)
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                let comma = index
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "]") {
                    throw error("trailing comma before ']'", at: comma)
                }
            case UInt8(ascii: "]"):
                index += 1
                return .array(elements)
            default:
                throw error("expected ',' or ']' after an array element", at: index)
            }
        }
    }

    mutating func parseObject(depth: Int) throws(JSONParseError) -> JSONValue {
        if depth > JSONValue.maximumNestingDepth {
            throw error("nesting deeper than \(JSONValue.maximumNestingDepth) levels", at: index)
        }
        index += 1  // "{"
        skipWhitespace()
        var members: [String: JSONValue] = [:]
        if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
            index += 1
            return .object(members)
        }
        while true {
            guard index < bytes.count else {
                throw error("unexpected end of input, expected a string key", at: index)
            }
            guard bytes[index] == UInt8(ascii: "\"") else {
                throw error("expected a string key, found \(describeInput(at: index))", at: index)
            }
            let keyStart = index
            let key = try parseString()
            skipWhitespace()
            guard index < bytes.count, bytes[index] == UInt8(ascii: ":") else {
                throw error("expected ':' after an object key", at: index)
            }
            index += 1
            skipWhitespace()
            let value = try parseValue(depth: depth)
            // One hash per member; a repeated key is reported at its position once its value has parsed.
            if members.updateValue(value, forKey: key) != nil {
                throw error("duplicate object key \(JSONValue.string(key).serialized())", at: keyStart)
            }
            skipWhitespace()
            guard index < bytes.count else {
                throw error("unexpected end of input, expected ',' or '}' after an object member", at: index)
            }
            switch bytes[index] {
            case UInt8(ascii: ","):
                let comma = index
                index += 1
                skipWhitespace()
                if index < bytes.count, bytes[index] == UInt8(ascii: "}") {
                    throw error("trailing comma before '}'", at: comma)
                }
            case UInt8(ascii: "}"):
                index += 1
                return .object(members)
            default:
                throw error("expected ',' or '}' after an object member", at: index)
            }
        }
    }

    // MARK: Numbers

    mutating func parseNumber() throws(JSONParseError) -> JSONValue {
        let start = index
        let negative = bytes[index] == UInt8(ascii: "-")
        if negative {
            index += 1
        }
        guard index < bytes.count, isDigit(bytes[index]) else {
            throw error("invalid number, expected a digit", at: index)
        }
        if bytes[index] == UInt8(ascii: "0") {
            index += 1
            if index < bytes.count, isDigit(bytes[index]) {
                throw error("invalid number, leading zeros are not allowed", at: start)
            }
        } else {
            skipDigits()
        }
        let integerEnd = index
        var isInteger = true
        if index < bytes.count, bytes[index] == UInt8(ascii: ".") {
            index += 1
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number, expected a digit after the decimal point", at: index)
            }
            skipDigits()
            isInteger = false
        }
        if index < bytes.count, bytes[index] | 0x20 == UInt8(ascii: "e") {
            index += 1
            if index < bytes.count, bytes[index] == UInt8(ascii: "+") || bytes[index] == UInt8(ascii: "-") {
                index += 1
            }
            guard index < bytes.count, isDigit(bytes[index]) else {
                throw error("invalid number, expected a digit in the exponent", at: index)
            }
            skipDigits()
            isInteger = false
        }
        if isInteger {
            // An integer beyond Int64 would lose its low digits as a Double: refused, not rounded.
            guard let value = integerValue(digitsFrom: negative ? start + 1 : start, to: integerEnd, negative: negative)
            else {
                throw error("integer out of range, it must fit in 64 bits; write it as a string", at: start)
            }
            return .int(value)
        }
        let text = String(decoding: UnsafeRawBufferPointer(rebasing: bytes[start..<index]), as: UTF8.self)
        guard let value = Double(text), value.isFinite else {
            throw error("number out of range", at: start)
        }
        // Below Double's range a number becomes 0 (1e-400): refused too, rather than read as zero.
        let mantissa = bytes[start..<index].prefix { $0 | 0x20 != UInt8(ascii: "e") }
        if value == 0 && mantissa.contains(where: { $0 >= UInt8(ascii: "1") && $0 <= UInt8(ascii: "9") }) {
            throw error("number out of range, too close to zero for a double", at: start)
        }
        return .double(value)
    }

    /// The digits in `start..<end` as an `Int64`, or nil when they overflow it.
    func integerValue(digitsFrom start: Int, to end: Int, negative: Bool) -> Int64? {
        // Accumulate negatively so that Int64.min is representable.
        var value: Int64 = 0
        for position in start..<end {
            let digit = Int64(bytes[position] &- UInt8(ascii: "0"))
            let (multiplied, overflow1) = value.multipliedReportingOverflow(by: 10)
            let (subtracted, overflow2) = multiplied.subtractingReportingOverflow(digit)
            if overflow1 || overflow2 {
                return nil
            }
            value = subtracted
        }
        if negative {
            return value
        }
        return value == .min ? nil : -value
    }

    mutating func skipDigits() {
        while index < bytes.count, isDigit(bytes[index]) {
            index += 1
        }
    }

    func isDigit(_ byte: UInt8) -> Bool {
        byte &- UInt8(ascii: "0") < 10
    }

    // MARK: Strings

    /// Parses a string starting at its opening quote.
    mutating func parseString() throws(JSONParseError) -> String {
        index += 1  // opening quote
        var segmentStart = index
        var usedScratch = false
        scratch.removeAll(keepingCapacity: true)
        while true {
            guard index < bytes.count else {
                throw error("unterminated string", at: index)
            }
            let byte = bytes[index]
            if byte == UInt8(ascii: "\"") {
                let segment = UnsafeRawBufferPointer(rebasing: bytes[segmentStart..<index])
                index += 1
                if !usedScratch {
                    return String(decoding: segment, as: UTF8.self)
                }
                scratch.append(contentsOf: segment)
                return String(decoding: scratch, as: UTF8.self)
            } else if byte == UInt8(ascii: "\\") {
                scratch.append(contentsOf: UnsafeRawBufferPointer(rebasing: bytes[segmentStart..<index]))
                usedScratch = true
                try parseEscape()
                segmentStart = index
            } else if byte < 0x20 {
                throw error("control character \(scalarName(UInt32(byte))) in a string must be escaped", at: index)
            } else if byte < 0x80 {
                index += 1
            } else {
                guard let length = utf8SequenceLength(at: index) else {
                    throw error("invalid UTF-8", at: index)
                }
                index += length
            }
        }
    }

    /// Parses an escape sequence starting at its backslash and appends its UTF-8 form to `scratch`.
    mutating func parseEscape() throws(JSONParseError) {
        let start = index
        index += 1
        guard index < bytes.count else {
            throw error("unterminated string", at: index)
        }
        let byte = bytes[index]
        index += 1
        switch byte {
        case UInt8(ascii: "\""), UInt8(ascii: "\\"), UInt8(ascii: "/"):
            scratch.append(byte)
        case UInt8(ascii: "b"):
            scratch.append(0x08)
        case UInt8(ascii: "f"):
            scratch.append(0x0C)
        case UInt8(ascii: "n"):
            scratch.append(0x0A)
        case UInt8(ascii: "r"):
            scratch.append(0x0D)
        case UInt8(ascii: "t"):
            scratch.append(0x09)
        case UInt8(ascii: "u"):
            let unit = try parseHex4(escapeStart: start)
            var scalarValue = UInt32(unit)
            if unit >= 0xDC00 && unit <= 0xDFFF {
                throw error("lone surrogate \\u\(hex4(unit)) in a string", at: start)
            }
            if unit >= 0xD800 && unit <= 0xDBFF {
                let lowStart = index
                guard index + 1 < bytes.count, bytes[index] == UInt8(ascii: "\\"),
                    bytes[index + 1] == UInt8(ascii: "u")
                else {
                    throw error("lone surrogate \\u\(hex4(unit)) in a string", at: start)
                }
                index += 2
                let low = try parseHex4(escapeStart: lowStart)
                guard low >= 0xDC00 && low <= 0xDFFF else {
                    throw error("lone surrogate \\u\(hex4(unit)) in a string", at: start)
                }
                scalarValue = 0x10000 + ((UInt32(unit) - 0xD800) << 10) + (UInt32(low) - 0xDC00)
            }
            appendUTF8(scalarValue)
        default:
            let shown = describeInput(at: index - 1)
            throw error("invalid escape sequence, backslash followed by \(shown)", at: start)
        }
    }

    mutating func parseHex4(escapeStart: Int) throws(JSONParseError) -> UInt16 {
        var value: UInt16 = 0
        for _ in 0..<4 {
            guard index < bytes.count else {
                throw error("invalid \\u escape, expected 4 hexadecimal digits", at: escapeStart)
            }
            let byte = bytes[index]
            let digit: UInt8
            switch byte {
            case UInt8(ascii: "0")...UInt8(ascii: "9"): digit = byte - UInt8(ascii: "0")
            case UInt8(ascii: "a")...UInt8(ascii: "f"): digit = byte - UInt8(ascii: "a") + 10
            case UInt8(ascii: "A")...UInt8(ascii: "F"): digit = byte - UInt8(ascii: "A") + 10
            default: throw error("invalid \\u escape, expected 4 hexadecimal digits", at: escapeStart)
            }
            value = value << 4 | UInt16(digit)
            index += 1
        }
        return value
    }

    mutating func appendUTF8(_ scalar: UInt32) {
        switch scalar {
        case 0..<0x80:
            scratch.append(UInt8(scalar))
        case 0x80..<0x800:
            scratch.append(UInt8(0xC0 | scalar >> 6))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        case 0x800..<0x10000:
            scratch.append(UInt8(0xE0 | scalar >> 12))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        default:
            scratch.append(UInt8(0xF0 | scalar >> 18))
            scratch.append(UInt8(0x80 | scalar >> 12 & 0x3F))
            scratch.append(UInt8(0x80 | scalar >> 6 & 0x3F))
            scratch.append(UInt8(0x80 | scalar & 0x3F))
        }
    }

    /// The length of the well-formed UTF-8 sequence (Unicode table 3-7) starting with a non-ASCII byte at `position`,
    /// or nil when it is ill-formed or cut short.
    func utf8SequenceLength(at position: Int) -> Int? {
        let lead = bytes[position]
        let length: Int
        var secondLow: UInt8 = 0x80
        var secondHigh: UInt8 = 0xBF
        switch lead {
        case 0xC2...0xDF:
            length = 2
        case 0xE0:
            length = 3
            secondLow = 0xA0
        case 0xE1...0xEC, 0xEE...0xEF:
            length = 3
        case 0xED:
            length = 3
            secondHigh = 0x9F
        case 0xF0:
            length = 4
            secondLow = 0x90
        case 0xF1...0xF3:
            length = 4
        case 0xF4:
            length = 4
            secondHigh = 0x8F
        default:
            return nil
        }
        guard position + length <= bytes.count else {
            return nil
        }
        let second = bytes[position + 1]
        guard second >= secondLow && second <= secondHigh else {
            return nil
        }
        for offset in 2..<length where bytes[position + offset] & 0xC0 != 0x80 {
            return nil
        }
        return length
    }

    // MARK: Helpers

    mutating func skipWhitespace() {
        while index < bytes.count {
            switch bytes[index] {
            case 0x20, 0x09, 0x0A, 0x0D:
                index += 1
            default:
                return
            }
        }
    }

    /// A short description of the input at `position` for an error message.
    func describeInput(at position: Int) -> String {
        let byte = bytes[position]
        if byte < 0x20 || byte == 0x7F {
            return "character \(scalarName(UInt32(byte)))"
        }
        if byte < 0x80 {
            return "character '\(Character(Unicode.Scalar(byte)))'"
        }
        guard let length = utf8SequenceLength(at: position) else {
            return "invalid UTF-8"
        }
        let sequence = UnsafeRawBufferPointer(rebasing: bytes[position..<position + length])
        return "character '\(String(decoding: sequence, as: UTF8.self))'"
    }

    func scalarName(_ value: UInt32) -> String {
        "U+" + hex4(UInt16(truncatingIfNeeded: value))
    }

    func hex4(_ value: UInt16) -> String {
        let digits = String(value, radix: 16, uppercase: true)
        return String(repeating: "0", count: 4 - digits.count) + digits
    }

    /// An error at a byte offset, with the line and column computed from the input before it.
    func error(_ message: String, at offset: Int) -> JSONParseError {
        var line = 1
        var column = 1
        for position in 0..<min(offset, bytes.count) {
            let byte = bytes[position]
            if byte == 0x0A {
                line += 1
                column = 1
            } else if byte & 0xC0 != 0x80 {
                column += 1
            }
        }
        return JSONParseError(message: message, line: line, column: column)
    }
}
