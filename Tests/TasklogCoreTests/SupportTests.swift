import Testing
import TasklogCore

/// Tests for the Foundation-free support types: SHA256, XXH64, JSONValue and Timestamp.
@Suite("SupportTests")
struct SupportTests {}

// MARK: - Helpers

private func hex(_ bytes: [UInt8]) -> String {
    let digits = Array("0123456789abcdef")
    var result = ""
    for byte in bytes {
        result.append(digits[Int(byte >> 4)])
        result.append(digits[Int(byte & 0xF)])
    }
    return result
}

/// The fixed byte pattern that the XXH64 and SHA-256 tables were computed from: byte i is (i * 31 + 7) mod 256.
private func pattern(_ count: Int) -> [UInt8] {
    (0..<count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
}

private func sha256Hex(_ text: String) -> String {
    hex(SHA256.hash(Array(text.utf8)))
}

private func xxh64(_ bytes: [UInt8], seed: UInt64 = 0) -> UInt64 {
    bytes.withUnsafeBytes { XXH64.hash($0, seed: seed) }
}

private func parseError(_ text: String) -> JSONParseError? {
    do {
        _ = try JSONValue(parsing: text)
        return nil
    } catch {
        return error
    }
}

private func parse(bytes: [UInt8]) -> Result<JSONValue, JSONParseError> {
    bytes.withUnsafeBytes { buffer in
        Result { () throws(JSONParseError) in try JSONValue(parsing: buffer) }
    }
}

private func parseError(bytes: [UInt8]) -> JSONParseError? {
    if case .failure(let error) = parse(bytes: bytes) {
        return error
    }
    return nil
}

// MARK: - SHA-256

extension SupportTests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
        (
            "abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmn"
                + "hijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu",
            "cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1"
        ),
    ])
    func sha256Vectors(input: String, expected: String) {
        #expect(sha256Hex(input) == expected)
        #expect(SHA256.hash(Array(input.utf8)).count == 32)
    }

    @Test func sha256OneMillionA() {
        let expected = "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"
        let input = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)
        #expect(hex(SHA256.hash(input)) == expected)
        var hasher = SHA256()
        let chunk = [UInt8](repeating: UInt8(ascii: "a"), count: 1_000)
        for _ in 0..<1_000 {
            hasher.update(chunk)
        }
        #expect(hex(hasher.finalize()) == expected)
    }

    @Test(arguments: [
        (55, "8aa994584139d128848eeebc4e815639ba5ab6e6e39574195a63ac4f14f7c43b"),
        (56, "ad574708f75c044c9b85de64cb568ee7711ff4f36448c6242f053ba8f6cc2b63"),
        (63, "280ed3e8ff1df845b2e7dfe6ac6cee817bef20e783cc65abc41b818b4d2fe076"),
        (64, "c6ab9724ade5b6a7a1edfffb12f3aa9181351355af8fd08c919952ad211339dd"),
        (65, "788367c73c7ddf4c53f65e68cc0d943e6227ab55b0e78ba63ace822b1c6301c0"),
        (119, "3d610547d68216dedf7435a4fb6260353911f6b3fd3f18805ddb8be285d726fe"),
        (120, "1f80156a804cb7862ad113e8200e9d74499723e7c7854d5f48776d3148e09656"),
        (200, "44cae5223d431caed4a9e32271d6abf17c3f2f4abac45fcdb48a99fcc6072a09"),
    ])
    func sha256PaddingBoundaries(length: Int, expected: String) {
        #expect(hex(SHA256.hash(pattern(length))) == expected)
    }

    @Test func sha256IncrementalMatchesOneShot() {
        let input = pattern(5_000)
        let expected = SHA256.hash(input)
        for pieceSizes in [[1], [3, 7], [13, 63, 64, 65], [129, 1], [500, 11, 2]] {
            var hasher = SHA256()
            var offset = 0
            var turn = 0
            while offset < input.count {
                let size = min(pieceSizes[turn % pieceSizes.count], input.count - offset)
                input.withUnsafeBytes { buffer in
                    hasher.update(UnsafeRawBufferPointer(rebasing: buffer[offset..<offset + size]))
                }
                offset += size
                turn += 1
            }
            #expect(hasher.finalize() == expected, "pieces \(pieceSizes)")
        }
        var hasher = SHA256()
        hasher.update([])
        hasher.update(Array(input[..<100]))
        hasher.update(UnsafeRawBufferPointer(start: nil, count: 0))
        hasher.update(Array(input[100...]))
        #expect(hasher.finalize() == expected)
        #expect(input.withUnsafeBytes { SHA256.hash($0) } == expected)
    }
}

// MARK: - XXH64

extension SupportTests {
    /// XXH64 (seed 0) of the first n bytes of `pattern(100)`, for n in 0...100, from Python's `xxhash.xxh64`.
    static let xxh64PatternTable: [UInt64] = [
        0xEF46DB3751D8E999, 0xA96C7F0CE858BBB7, 0xAC378C5993CD5F9A, 0x56E6957632A487F9,
        0xC60D15B1E3FF8F04, 0x808815858624DD4E, 0xCF22B4E87E9BBD00, 0xAFBEFC3D6C6F9A8E,
        0x3DA5C7AA269683E0, 0x4B17A9BA9E215C09, 0x6B889090B8A922B8, 0x1FC070E44716BD8E,
        0x8FE8AB1C1FD0666E, 0x0382284CC19C4ABB, 0x1523F762201BA56E, 0xAE2A37EB9357CAA7,
        0xA19AD429B02BC413, 0xFE9F0FEB7EEEDC09, 0xA44DBC53C815D4FE, 0x3693E04C0DFC7DD2,
        0x0BFBADB368E7F37C, 0xFE78683697D5C575, 0xB07142420C77FE7F, 0xE77B1FCEA84118C3,
        0x929438E5C2159EF9, 0x7E6C95919380459F, 0xAF2EFE1AA0CF37DC, 0x8EDAA24C28D12EC6,
        0xA36B5C4091187D2A, 0xEB1FEE1BF0954759, 0x6A54EBE6FE40B928, 0x4A74F3A1A39AD4A1,
        0x8D57D6A4671CC43D, 0x62C9FD21ED857664, 0x42CCE8A8F5FC5F1F, 0x85CBCF9E0D9CBECA,
        0xA4475C606B0ABC3C, 0x5D71D9FC4B676D9F, 0x88A74AB8EAEB0218, 0x1789542489E59CC4,
        0x49B45332E280F187, 0xB410B48464DC1268, 0x9DACB790A1526540, 0x7C296A6B49B188E7,
        0xA6B69C7CEE5D5B54, 0xAA6AEB7198C8C81C, 0x7C4B5A84F7CD59F3, 0x05E3AB06C6BB0A6B,
        0x9F31C521803DA811, 0x9F787017DE727118, 0xCA2EEE5CB9FB5469, 0x33A29BD165146948,
        0x76D9CAACC61B6870, 0xA7A6E96A5BE18EB9, 0x4A6D8C8CB7AB9234, 0x2471440903895716,
        0x69AEA7699ABF3484, 0x49E8D867C0AC8865, 0xD3928F8D2530D5EE, 0x8A1F4D8F4C9045FE,
        0xEAFEFBF83AB62C32, 0x1BE3BA2EA41289BE, 0x7ACAEF6AE2F7A5B6, 0x5C320A0D2707057F,
        0x7BBABBC45729D17E, 0xF3980C34BAE65DC1, 0x37082D58BA4215F9, 0x6ACEF358C3E521BD,
        0x2C0A027BBF50EC18, 0x7D90EA5F45D705CB, 0x383A51C48C4F8F4C, 0x31BF591B718974D1,
        0x4063B91780ECA3E6, 0xFE37944EE4DE1188, 0x62C6DCE103A4F939, 0x68372688B22C91BD,
        0x43A0F285258BFBD3, 0xDB97AF1ABC152D81, 0x1EF3D95869E00AE6, 0xF09091AF6C3D95D5,
        0x7FB26396EFCAA30F, 0xF9BAD4217AA6CFC7, 0xB6A5A7DCAAC8D5D3, 0xEA36B2CCA41AA5DB,
        0x9D023A6680A69206, 0x6DA6C43A8402B3D5, 0x21B67DFF095C57D5, 0x51389DFE4EA33D31,
        0xF8C13E3AC3588869, 0x624408EA804D589C, 0xE02B69577487C15B, 0x4B92A391BC6CB1F1,
        0x5A85982492327A09, 0x66962B5F6D39B1CD, 0x7521D2AC06453B07, 0x90F6CB6D1DB41380,
        0x1A4B207385051B55, 0xB8016EEFF392BE5D, 0xE2F2AEA4F6C4A4C1, 0xEDE5C62DF22AB2D0,
        0xEFA0AD2D3E70C151,
    ]

    @Test func xxh64KnownVectors() {
        #expect(xxh64([]) == 0xEF46DB3751D8E999)
        #expect(XXH64.hash(UnsafeRawBufferPointer(start: nil, count: 0)) == 0xEF46DB3751D8E999)
        #expect(xxh64(Array("abc".utf8)) == 0x44BC2CF5AD770999)
        let long = "The quick brown fox jumps over the lazy dog, twice: the quick brown fox."
        #expect(long.utf8.count == 72)
        #expect(xxh64(Array(long.utf8)) == 0x05DDDDEC682D9F58)
    }

    @Test func xxh64PatternLengths0Through100() {
        let bytes = pattern(100)
        #expect(Self.xxh64PatternTable.count == 101)
        for length in 0...100 {
            #expect(xxh64(Array(bytes[..<length])) == Self.xxh64PatternTable[length], "length \(length)")
        }
    }

    @Test(arguments: [
        (0, 0xC4349FC93C010000 as UInt64), (1, 0x585882422A6165E7), (3, 0x5ACB303E78133C22),
        (4, 0x7D51D5E2461732B3), (7, 0x2CE9ADEC2B2C8104), (8, 0x758848F033FA76A2),
        (31, 0x8137041F5AF88413), (32, 0x184EBCF3745CD46C), (33, 0x52FAC3C981F3CC2E),
        (63, 0x64EF99A2E94CC7BD), (64, 0xF7F22435FE1AB128), (100, 0xBC7AB33BE7528C18),
    ])
    func xxh64WithSeed(length: Int, expected: UInt64) {
        #expect(xxh64(Array(pattern(100)[..<length]), seed: 0x9E3779B97F4A7C15) == expected)
    }

    @Test func xxh64UnalignedInput() {
        let bytes = [0xAA] + pattern(100)
        bytes.withUnsafeBytes { buffer in
            let unaligned = UnsafeRawBufferPointer(rebasing: buffer[1...])
            #expect(XXH64.hash(unaligned) == Self.xxh64PatternTable[100])
        }
    }
}

// MARK: - JSONValue parsing

extension SupportTests {
    @Test(arguments: [
        ("null", JSONValue.null),
        ("true", .bool(true)),
        ("false", .bool(false)),
        ("0", .int(0)),
        ("-0", .int(0)),
        ("123", .int(123)),
        ("-42", .int(-42)),
        ("9223372036854775807", .int(.max)),
        ("-9223372036854775808", .int(.min)),
        ("9223372036854775808", .double(9_223_372_036_854_775_808.0)),
        ("-9223372036854775809", .double(-9_223_372_036_854_775_809.0)),
        ("1.0", .double(1)),
        ("1.5", .double(1.5)),
        ("-0.25", .double(-0.25)),
        ("1e3", .double(1000)),
        ("1E+2", .double(100)),
        ("25e-1", .double(2.5)),
        ("1e-400", .double(0)),
        ("\"\"", .string("")),
        ("\"héllo 😀\"", .string("héllo 😀")),
        ("[]", .array([])),
        ("{}", .object([:])),
        (" \t\r\n[ 1 , \"a\" ,null ]\r\n ", .array([.int(1), .string("a"), .null])),
        ("{\"a\":{\"b\":[true,{}]}}", .object(["a": .object(["b": .array([.bool(true), .object([:])])])])),
    ])
    func jsonParsesValues(text: String, expected: JSONValue) throws {
        #expect(try JSONValue(parsing: text) == expected)
        #expect(try parse(bytes: Array(text.utf8)).get() == expected)
    }

    @Test func jsonIntegerVersusDouble() throws {
        #expect(try JSONValue(parsing: "1") == .int(1))
        #expect(try JSONValue(parsing: "1.0") == .double(1))
        #expect(JSONValue.int(1) != JSONValue.double(1))
        #expect(try JSONValue(parsing: "1").typeName == "integer")
        #expect(try JSONValue(parsing: "1.0").typeName == "number")
        #expect(JSONValue.double(1).serialized() == "1.0")
        #expect(JSONValue.double(1e-5).serialized() == "1e-05")
        #expect(JSONValue.double(1e20).serialized() == "1e+20")
        #expect(JSONValue.int(1).serialized() == "1")
        #expect(JSONValue.int(.min).serialized() == "-9223372036854775808")
        #expect(JSONValue.double(.nan).serialized() == "null")
        #expect(JSONValue.double(.infinity).serialized() == "null")
    }

    @Test(arguments: [
        0.1, 1.0 / 3.0, -2.5, 1e300, -1e-300, .leastNonzeroMagnitude, .greatestFiniteMagnitude, 123_456_789.125,
        1e16, 2e-5, -0.0,
    ])
    func jsonDoublesRoundTrip(value: Double) throws {
        let text = JSONValue.double(value).serialized()
        #expect(text.contains(".") || text.contains("e"), "\(text)")
        guard case .double(let parsed) = try JSONValue(parsing: text) else {
            Issue.record("\(text) did not parse as a double")
            return
        }
        #expect(parsed.bitPattern == value.bitPattern, "\(text)")
    }

    @Test func jsonStringEscapes() throws {
        let text = #""q\"b\\s\/b\bf\fn\nr\rt\tA\u0041e\u00e9z\u0000""#
        #expect(try JSONValue(parsing: text) == .string("q\"b\\s/b\u{08}f\u{0C}n\nr\rt\tAAe\u{E9}z\u{0}"))
        let value = JSONValue.string("q\"b\\s/n\nr\rt\tb\u{08}f\u{0C}c\u{01}\u{1F}\u{7F}é😀")
        #expect(value.serialized() == #""q\"b\\s/n\nr\rt\tb\bf\fc\u0001\u001f\#u{7F}é😀""#)
        #expect(try JSONValue(parsing: value.serialized()) == value)
    }

    @Test func jsonSurrogatePairs() throws {
        #expect(try JSONValue(parsing: #""\uD83D\uDE00""#) == .string("😀"))
        #expect(try JSONValue(parsing: #""a\ud834\udd1eb""#) == .string("a𝄞b"))
        #expect(try JSONValue(parsing: #""\uFFFF""#) == .string("\u{FFFF}"))
        #expect(parseError(#""\uD83D""#)?.message == "lone surrogate \\uD83D in a string")
        #expect(parseError(#""\uDE00x""#)?.message == "lone surrogate \\uDE00 in a string")
        #expect(parseError(#""\uD83D\u0041""#)?.message == "lone surrogate \\uD83D in a string")
        #expect(parseError(#""\uD83Dx""#)?.column == 2)
        #expect(parseError(#""\uD83D\uD83D""#) != nil)
        #expect(parseError(#""\uD83D\uDE0""#)?.message == "invalid \\u escape, expected 4 hexadecimal digits")
    }

    @Test(arguments: [
        ("", "unexpected end of input, expected a value", 1, 1),
        ("   ", "unexpected end of input, expected a value", 1, 4),
        ("{\"a\" 1}", "expected ':' after an object key", 1, 6),
        ("{\"key\" 1}", "expected ':' after an object key", 1, 8),
        ("[1,2,]", "trailing comma before ']'", 1, 5),
        ("{\"a\":1,}", "trailing comma before '}'", 1, 7),
        ("{\"a\":1 ,\n }", "trailing comma before '}'", 1, 8),
        ("[1] x", "unexpected character 'x' after the JSON value", 1, 5),
        ("{} {}", "unexpected character '{' after the JSON value", 1, 4),
        ("1 2", "unexpected character '2' after the JSON value", 1, 3),
        ("{\"a\":1,\"b\":2,\"a\":3}", "duplicate object key \"a\"", 1, 14),
        ("{\"a\\n\":1,\"a\\u000a\":2}", "duplicate object key \"a\\n\"", 1, 10),
        ("\"a\u{01}\"", "control character U+0001 in a string must be escaped", 1, 3),
        ("\"a\tb\"", "control character U+0009 in a string must be escaped", 1, 3),
        ("[\"line\nbreak\"]", "control character U+000A in a string must be escaped", 1, 7),
        ("NaN", "unexpected character 'N', expected a value", 1, 1),
        ("Infinity", "unexpected character 'I', expected a value", 1, 1),
        ("-Infinity", "invalid number, expected a digit", 1, 2),
        ("[+1]", "unexpected character '+', expected a value", 1, 2),
        ("01", "invalid number, leading zeros are not allowed", 1, 1),
        ("-012", "invalid number, leading zeros are not allowed", 1, 1),
        ("1.", "invalid number, expected a digit after the decimal point", 1, 3),
        (".5", "unexpected character '.', expected a value", 1, 1),
        ("1e", "invalid number, expected a digit in the exponent", 1, 3),
        ("1e+", "invalid number, expected a digit in the exponent", 1, 4),
        ("1e400", "number out of range", 1, 1),
        ("[-1.5e309]", "number out of range", 1, 2),
        ("\"abc", "unterminated string", 1, 5),
        ("\"a\\x\"", "invalid escape sequence, backslash followed by character 'x'", 1, 3),
        ("\"\\u12G4\"", "invalid \\u escape, expected 4 hexadecimal digits", 1, 2),
        ("tru", "invalid literal, expected 'true'", 1, 1),
        ("nul", "invalid literal, expected 'null'", 1, 1),
        ("[truex]", "expected ',' or ']' after an array element", 1, 6),
        ("{1:2}", "expected a string key, found character '1'", 1, 2),
        ("{\"a\":1 \"b\":2}", "expected ',' or '}' after an object member", 1, 8),
        ("[1 2]", "expected ',' or ']' after an array element", 1, 4),
        ("[1,\n  2\n  3]", "expected ',' or ']' after an array element", 3, 3),
        ("{\n  \"a\": [\n    1,\n  }", "unexpected character '}', expected a value", 4, 3),
        ("[1,", "unexpected end of input, expected a value", 1, 4),
        ("[1", "unexpected end of input, expected ',' or ']' after an array element", 1, 3),
        ("{\"a\":1", "unexpected end of input, expected ',' or '}' after an object member", 1, 7),
        ("{", "unexpected end of input, expected a string key", 1, 2),
        ("\"é\" x", "unexpected character 'x' after the JSON value", 1, 5),
        ("\u{FEFF}{}", "unexpected character '\u{FEFF}', expected a value", 1, 1),
        ("[1]\u{0C}", "unexpected character U+000C after the JSON value", 1, 4),
        ("[\u{A0}1]", "unexpected character '\u{A0}', expected a value", 1, 2),
        ("//c\n1", "unexpected character '/', expected a value", 1, 1),
    ])
    func jsonRejects(text: String, message: String, line: Int, column: Int) {
        let error = parseError(text)
        #expect(error == JSONParseError(message: message, line: line, column: column), "\(text.debugDescription)")
    }

    @Test func jsonErrorDescription() {
        let error = parseError("{\"key\" 1}")
        #expect(error?.description == "invalid JSON at line 1, column 8: expected ':' after an object key")
        #expect(parseError("{\"a\":1}\n\n  ]")?.description
                == "invalid JSON at line 3, column 3: unexpected character ']' after the JSON value")
    }

    @Test(arguments: [
        ([0x22, 0xC3, 0x28, 0x22], 2),  // bad continuation byte
        ([0x22, 0xC0, 0xAF, 0x22], 2),  // overlong "/"
        ([0x22, 0xE0, 0x80, 0xAF, 0x22], 2),  // overlong 3-byte
        ([0x22, 0xED, 0xA0, 0x80, 0x22], 2),  // encoded surrogate U+D800
        ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2),  // above U+10FFFF
        ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 2),  // invalid lead byte
        ([0x22, 0x61, 0xE2, 0x82], 3),  // truncated at end of input
        ([0x22, 0x80, 0x22], 2),  // stray continuation byte
        ([0x22, 0xFF, 0x22], 2),
    ] as [([UInt8], Int)])
    func jsonRejectsInvalidUTF8(bytes: [UInt8], column: Int) {
        #expect(parseError(bytes: bytes) == JSONParseError(message: "invalid UTF-8", line: 1, column: column))
    }

    @Test func jsonInvalidUTF8OutsideStrings() {
        #expect(parseError(bytes: [0xFF]) == JSONParseError(
            message: "unexpected invalid UTF-8, expected a value", line: 1, column: 1))
        #expect(parseError(bytes: [0x5B, 0x31, 0x5D, 0xC3]) == JSONParseError(
            message: "unexpected invalid UTF-8 after the JSON value", line: 1, column: 4))
    }

    @Test func jsonAcceptsValidUTF8Bytes() throws {
        // "é", "€", "😀" and U+10FFFF, the largest scalar.
        let bytes: [UInt8] = [0x22, 0xC3, 0xA9, 0xE2, 0x82, 0xAC, 0xF0, 0x9F, 0x98, 0x80, 0xF4, 0x8F, 0xBF, 0xBF, 0x22]
        #expect(try parse(bytes: bytes).get() == .string("é€😀\u{10FFFF}"))
        let empty = parseError(bytes: [])
        #expect(empty == JSONParseError(message: "unexpected end of input, expected a value", line: 1, column: 1))
    }

    @Test func jsonNestingLimit() throws {
        let depth64 = String(repeating: "[", count: 64) + String(repeating: "]", count: 64)
        #expect(try JSONValue(parsing: depth64).serialized() == depth64)
        let depth65 = String(repeating: "[", count: 65) + String(repeating: "]", count: 65)
        #expect(parseError(depth65) == JSONParseError(message: "nesting deeper than 64 levels", line: 1, column: 65))

        let objects64 = String(repeating: "{\"a\":", count: 64) + "1" + String(repeating: "}", count: 64)
        #expect(try JSONValue(parsing: objects64).serialized() == objects64)
        let objects65 = String(repeating: "{\"a\":", count: 65) + "1" + String(repeating: "}", count: 65)
        #expect(parseError(objects65)?.message == "nesting deeper than 64 levels")

        let mixed = String(repeating: "[{\"k\":", count: 33) + "0" + String(repeating: "}]", count: 33)
        #expect(parseError(mixed)?.message == "nesting deeper than 64 levels")

        // A hostile input far deeper than the stack could take fails cleanly.
        let hostile = String(repeating: "[", count: 1_000_000)
        #expect(parseError(hostile)?.message == "nesting deeper than 64 levels")
        #expect(JSONValue.maximumNestingDepth == 64)
    }
}

// MARK: - JSONValue serialization

extension SupportTests {
    @Test func jsonSerializationSortsKeysByUTF8() throws {
        let value: JSONValue = ["b": 1, "a": 2, "A": 3, "é": 4, "z": 5, "": 6, "aa": 7, "\u{FF5E}": 8, "😀": 9]
        let expected = #"{"":6,"A":3,"a":2,"aa":7,"b":1,"z":5,"é":4,"～":8,"😀":9}"#
        #expect(value.serialized() == expected)
        #expect(value.description == expected)
        #expect("\(value)" == expected)
        #expect(try JSONValue(parsing: expected) == value)
    }

    @Test func jsonRoundTrips() throws {
        let texts = [
            #"{"a":[1,2.5,"x",true,false,null],"b":{"c":{}},"d":[],"e":"\u0000/\\\"é"}"#,
            #"[-9223372036854775808,9223372036854775807,0.1,-1e-05,1e+300]"#,
            #""plain""#,
            "null",
        ]
        for text in texts {
            let value = try JSONValue(parsing: text)
            #expect(value.serialized() == text)
            #expect(try JSONValue(parsing: value.serialized(pretty: true)) == value)
        }
        let messy = " { \"z\" : [ 1 , 2.50 ] ,\n\t\"a\" : \"\\u0041\\/\" } "
        #expect(try JSONValue(parsing: messy).serialized() == #"{"a":"A/","z":[1,2.5]}"#)
    }

    @Test func jsonPrettyForm() {
        let value: JSONValue = [
            "name": "tasklog",
            "tags": ["a", 1, 2.5, nil, true],
            "empty": [:],
            "none": [],
            "nested": ["inner": ["x": []]],
        ]
        let expected = """
            {
              "empty": {},
              "name": "tasklog",
              "nested": {
                "inner": {
                  "x": []
                }
              },
              "none": [],
              "tags": [
                "a",
                1,
                2.5,
                null,
                true
              ]
            }
            """
        #expect(value.serialized(pretty: true) == expected)
        #expect(JSONValue.array([]).serialized(pretty: true) == "[]")
        #expect(JSONValue.object([:]).serialized(pretty: true) == "{}")
        #expect(JSONValue.int(7).serialized(pretty: true) == "7")
    }

    @Test func jsonAccessorsAndLiterals() {
        let value: JSONValue = ["s": "text", "i": 42, "d": 1.5, "b": false, "n": nil, "a": [1, 2], "o": ["k": "v"]]
        #expect(value["s"]?.stringValue == "text")
        #expect(value["i"]?.intValue == 42)
        #expect(value["d"]?.intValue == nil)
        #expect(value["b"]?.boolValue == false)
        #expect(value["n"] == .null)
        #expect(value["a"]?.arrayValue == [.int(1), .int(2)])
        #expect(value["o"]?.objectValue == ["k": .string("v")])
        #expect(value["o"]?["k"] == "v")
        #expect(value["missing"] == nil)
        #expect(JSONValue.array([1])["s"] == nil)
        #expect(value.stringValue == nil)
        #expect(value.arrayValue == nil)
        #expect(JSONValue.string("1").intValue == nil)
        #expect(JSONValue.int(1).boolValue == nil)
        #expect(JSONValue.null.objectValue == nil)

        let typeNames = [
            JSONValue.null, true, 1, 1.5, "s", [], [:],
        ].map(\.typeName)
        #expect(typeNames == ["null", "boolean", "integer", "number", "string", "array", "object"])

        let repeated: JSONValue = ["k": 1, "k": 2]
        #expect(repeated == .object(["k": .int(2)]))
    }
}

// MARK: - Timestamp

extension SupportTests {
    @Test(arguments: [
        ("1970-01-01T00:00:00Z", 0 as Int64),
        ("1970-01-01T00:00:00.000001Z", 1),
        ("2026-02-13T14:30:00.123Z", 1_770_993_000_123_000),
        ("2026-02-13t14:30:00.123z", 1_770_993_000_123_000),
        ("2026-02-13T16:30:00.123+02:00", 1_770_993_000_123_000),
        ("2026-02-13T09:00:00.123-05:30", 1_770_993_000_123_000),
        ("2026-02-13T14:30:00.123-00:00", 1_770_993_000_123_000),
        ("2026-02-14T00:29:00.123+09:59", 1_770_993_000_123_000),
        ("2026-02-13T14:30:00.1Z", 1_770_993_000_100_000),
        ("2026-02-13T14:30:00.123456Z", 1_770_993_000_123_456),
        ("2026-02-13T14:30:00.123456789Z", 1_770_993_000_123_456),
        ("2024-02-29T12:00:00Z", 1_709_208_000_000_000),
        ("2000-02-29T00:00:00Z", 951_782_400_000_000),
        ("1969-12-31T23:59:59.999Z", -1_000),
        ("1969-12-31T23:59:59.999999Z", -1),
        ("1970-01-01T01:00:00+01:00", 0),
        ("0001-01-01T00:00:00Z", -62_135_596_800_000_000),
        ("9999-12-31T23:59:59.999999Z", 253_402_300_799_999_999),
    ])
    func timestampParses(text: String, microseconds: Int64) {
        #expect(Timestamp(iso8601: text) == Timestamp(microseconds: microseconds), "\(text)")
    }

    @Test(arguments: [
        "",
        "2026-02-13T14:30:00",
        "2026-02-13T14:30:00.123",
        "2026-02-13 14:30:00Z",
        "2026-02-13T14:30Z",
        "2026-2-13T14:30:00Z",
        "2026-02-13T14:30:00.Z",
        "2026-02-13T14:30:00.1234567891Z",
        "2026-02-13T14:30:00ZZ",
        "2026-02-13T14:30:00Z ",
        " 2026-02-13T14:30:00Z",
        "2026-02-13T14:30:00+0200",
        "2026-02-13T14:30:00+02",
        "2026-02-13T14:30:00+24:00",
        "2026-02-13T14:30:00+02:60",
        "2026-02-13T14:30:00,5Z",
        "+2026-02-13T14:30:00Z",
        "2026-13-01T00:00:00Z",
        "2026-00-01T00:00:00Z",
        "2026-01-32T00:00:00Z",
        "2026-01-00T00:00:00Z",
        "2026-04-31T00:00:00Z",
        "2026-02-29T00:00:00Z",
        "2024-02-30T00:00:00Z",
        "1900-02-29T00:00:00Z",
        "2026-02-13T24:00:00Z",
        "2026-02-13T23:60:00Z",
        "2026-02-13T23:59:60Z",
        "0000-01-01T00:00:00Z",
        "2026-02-13X14:30:00Z",
        "2026/02/13T14:30:00Z",
        "２０２６-02-13T14:30:00Z",
    ])
    func timestampRejects(text: String) {
        #expect(Timestamp(iso8601: text) == nil, "\(text)")
    }

    @Test func timestampFormats() {
        let time = Timestamp(microseconds: 1_770_993_000_123_999)
        #expect(time.iso8601 == "2026-02-13T14:30:00.123Z")
        #expect(time.iso8601Seconds == "2026-02-13T14:30:00Z")
        #expect(time.description == "2026-02-13T14:30:00.123Z")
        #expect("\(time)" == "2026-02-13T14:30:00.123Z")
        #expect(Timestamp(rawValue: 0).iso8601 == "1970-01-01T00:00:00.000Z")
        #expect(Timestamp(iso8601: "2024-02-29T23:59:59.5Z")?.iso8601 == "2024-02-29T23:59:59.500Z")
        #expect(Timestamp(iso8601: "2024-03-01T00:30:00+01:00")?.iso8601Seconds == "2024-02-29T23:30:00Z")
        #expect(Timestamp(iso8601: "0001-01-01T00:00:00Z")?.iso8601 == "0001-01-01T00:00:00.000Z")
        #expect(Timestamp(iso8601: "9999-12-31T23:59:59.999999Z")?.iso8601 == "9999-12-31T23:59:59.999Z")
    }

    @Test func timestampNegativeTimes() {
        #expect(Timestamp(rawValue: -1_000).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(rawValue: -1).iso8601 == "1969-12-31T23:59:59.999Z")
        #expect(Timestamp(rawValue: -1).iso8601Seconds == "1969-12-31T23:59:59Z")
        #expect(Timestamp(rawValue: -1_000_000).iso8601Seconds == "1969-12-31T23:59:59Z")
        #expect(Timestamp(rawValue: -1_000_001).iso8601Seconds == "1969-12-31T23:59:58Z")
        #expect(Timestamp(rawValue: -86_400_000_000).iso8601 == "1969-12-31T00:00:00.000Z")
        #expect(Timestamp(iso8601: "1969-12-31T23:59:59.999Z")?.rawValue == -1_000)
        #expect(Timestamp(iso8601: "1900-03-01T00:00:00Z")?.iso8601 == "1900-03-01T00:00:00.000Z")
        #expect(Timestamp(iso8601: "1600-02-29T12:00:00Z")?.iso8601Seconds == "1600-02-29T12:00:00Z")
    }

    @Test func timestampExtremeValuesFormat() {
        #expect(Timestamp(rawValue: .max).iso8601 == "+294247-01-10T04:00:54.775Z")
        #expect(Timestamp(rawValue: .min).iso8601 == "-290308-12-21T19:59:05.224Z")
    }

    @Test func timestampRoundTripsAcrossTheCalendar() {
        let first = Timestamp(iso8601: "0001-01-01T00:00:00Z")!.rawValue
        let last = Timestamp(iso8601: "9999-12-31T23:59:59.999Z")!.rawValue
        // Steps of 11 days, 1 hour, 1 minute, 1.001001 seconds reach every day of the month and time of day.
        let step = ((11 * 24 + 1) * 3_600 + 61) * 1_000_000 + 1_001_001
        var previous: Timestamp?
        for raw in stride(from: first, through: last, by: Int(step)) {
            let time = Timestamp(rawValue: raw)
            let truncated = Timestamp(rawValue: raw - (raw % 1_000 + 1_000) % 1_000)
            let parsed = Timestamp(iso8601: time.iso8601)
            #expect(parsed == truncated)
            if parsed != truncated {
                Issue.record("round trip failed for \(raw): \(time.iso8601)")
                return
            }
            if let previous {
                #expect(previous < time)
            }
            previous = time
        }
    }

    @Test func timestampBasics() {
        let earlier = Timestamp(microseconds: 5)
        let later = Timestamp(rawValue: 6)
        #expect(earlier < later)
        #expect(later > earlier)
        #expect([later, earlier].sorted() == [earlier, later])
        #expect(Timestamp(rawValue: 5) == earlier)
        #expect(Set([earlier, Timestamp(microseconds: 5), later]).count == 2)
        var mutable = earlier
        mutable.rawValue += 1
        #expect(mutable == later)

        let now = Timestamp.now()
        #expect(now > Timestamp(iso8601: "2020-01-01T00:00:00Z")!)
        #expect(now < Timestamp(iso8601: "2200-01-01T00:00:00Z")!)
        #expect(Timestamp.now() >= now)
    }
}
