import TasklogCore
import Testing

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
        0xEF46_DB37_51D8_E999, 0xA96C_7F0C_E858_BBB7, 0xAC37_8C59_93CD_5F9A, 0x56E6_9576_32A4_87F9,
        0xC60D_15B1_E3FF_8F04, 0x8088_1585_8624_DD4E, 0xCF22_B4E8_7E9B_BD00, 0xAFBE_FC3D_6C6F_9A8E,
        0x3DA5_C7AA_2696_83E0, 0x4B17_A9BA_9E21_5C09, 0x6B88_9090_B8A9_22B8, 0x1FC0_70E4_4716_BD8E,
        0x8FE8_AB1C_1FD0_666E, 0x0382_284C_C19C_4ABB, 0x1523_F762_201B_A56E, 0xAE2A_37EB_9357_CAA7,
        0xA19A_D429_B02B_C413, 0xFE9F_0FEB_7EEE_DC09, 0xA44D_BC53_C815_D4FE, 0x3693_E04C_0DFC_7DD2,
        0x0BFB_ADB3_68E7_F37C, 0xFE78_6836_97D5_C575, 0xB071_4242_0C77_FE7F, 0xE77B_1FCE_A841_18C3,
        0x9294_38E5_C215_9EF9, 0x7E6C_9591_9380_459F, 0xAF2E_FE1A_A0CF_37DC, 0x8EDA_A24C_28D1_2EC6,
        0xA36B_5C40_9118_7D2A, 0xEB1F_EE1B_F095_4759, 0x6A54_EBE6_FE40_B928, 0x4A74_F3A1_A39A_D4A1,
        0x8D57_D6A4_671C_C43D, 0x62C9_FD21_ED85_7664, 0x42CC_E8A8_F5FC_5F1F, 0x85CB_CF9E_0D9C_BECA,
        0xA447_5C60_6B0A_BC3C, 0x5D71_D9FC_4B67_6D9F, 0x88A7_4AB8_EAEB_0218, 0x1789_5424_89E5_9CC4,
        0x49B4_5332_E280_F187, 0xB410_B484_64DC_1268, 0x9DAC_B790_A152_6540, 0x7C29_6A6B_49B1_88E7,
        0xA6B6_9C7C_EE5D_5B54, 0xAA6A_EB71_98C8_C81C, 0x7C4B_5A84_F7CD_59F3, 0x05E3_AB06_C6BB_0A6B,
        0x9F31_C521_803D_A811, 0x9F78_7017_DE72_7118, 0xCA2E_EE5C_B9FB_5469, 0x33A2_9BD1_6514_6948,
        0x76D9_CAAC_C61B_6870, 0xA7A6_E96A_5BE1_8EB9, 0x4A6D_8C8C_B7AB_9234, 0x2471_4409_0389_5716,
        0x69AE_A769_9ABF_3484, 0x49E8_D867_C0AC_8865, 0xD392_8F8D_2530_D5EE, 0x8A1F_4D8F_4C90_45FE,
        0xEAFE_FBF8_3AB6_2C32, 0x1BE3_BA2E_A412_89BE, 0x7ACA_EF6A_E2F7_A5B6, 0x5C32_0A0D_2707_057F,
        0x7BBA_BBC4_5729_D17E, 0xF398_0C34_BAE6_5DC1, 0x3708_2D58_BA42_15F9, 0x6ACE_F358_C3E5_21BD,
        0x2C0A_027B_BF50_EC18, 0x7D90_EA5F_45D7_05CB, 0x383A_51C4_8C4F_8F4C, 0x31BF_591B_7189_74D1,
        0x4063_B917_80EC_A3E6, 0xFE37_944E_E4DE_1188, 0x62C6_DCE1_03A4_F939, 0x6837_2688_B22C_91BD,
        0x43A0_F285_258B_FBD3, 0xDB97_AF1A_BC15_2D81, 0x1EF3_D958_69E0_0AE6, 0xF090_91AF_6C3D_95D5,
        0x7FB2_6396_EFCA_A30F, 0xF9BA_D421_7AA6_CFC7, 0xB6A5_A7DC_AAC8_D5D3, 0xEA36_B2CC_A41A_A5DB,
        0x9D02_3A66_80A6_9206, 0x6DA6_C43A_8402_B3D5, 0x21B6_7DFF_095C_57D5, 0x5138_9DFE_4EA3_3D31,
        0xF8C1_3E3A_C358_8869, 0x6244_08EA_804D_589C, 0xE02B_6957_7487_C15B, 0x4B92_A391_BC6C_B1F1,
        0x5A85_9824_9232_7A09, 0x6696_2B5F_6D39_B1CD, 0x7521_D2AC_0645_3B07, 0x90F6_CB6D_1DB4_1380,
        0x1A4B_2073_8505_1B55, 0xB801_6EEF_F392_BE5D, 0xE2F2_AEA4_F6C4_A4C1, 0xEDE5_C62D_F22A_B2D0,
        0xEFA0_AD2D_3E70_C151,
    ]

    @Test func xxh64KnownVectors() {
        #expect(xxh64([]) == 0xEF46_DB37_51D8_E999)
        #expect(XXH64.hash(UnsafeRawBufferPointer(start: nil, count: 0)) == 0xEF46_DB37_51D8_E999)
        #expect(xxh64(Array("abc".utf8)) == 0x44BC_2CF5_AD77_0999)
        let long = "The quick brown fox jumps over the lazy dog, twice: the quick brown fox."
        #expect(long.utf8.count == 72)
        #expect(xxh64(Array(long.utf8)) == 0x05DD_DDEC_682D_9F58)
    }

    @Test func xxh64PatternLengths0Through100() {
        let bytes = pattern(100)
        #expect(Self.xxh64PatternTable.count == 101)
        for length in 0...100 {
            #expect(xxh64(Array(bytes[..<length])) == Self.xxh64PatternTable[length], "length \(length)")
        }
    }

    @Test(arguments: [
        (0, 0xC434_9FC9_3C01_0000 as UInt64), (1, 0x5858_8242_2A61_65E7), (3, 0x5ACB_303E_7813_3C22),
        (4, 0x7D51_D5E2_4617_32B3), (7, 0x2CE9_ADEC_2B2C_8104), (8, 0x7588_48F0_33FA_76A2),
        (31, 0x8137_041F_5AF8_8413), (32, 0x184E_BCF3_745C_D46C), (33, 0x52FA_C3C9_81F3_CC2E),
        (63, 0x64EF_99A2_E94C_C7BD), (64, 0xF7F2_2435_FE1A_B128), (100, 0xBC7A_B33B_E752_8C18),
    ])
    func xxh64WithSeed(length: Int, expected: UInt64) {
        #expect(xxh64(Array(pattern(100)[..<length]), seed: 0x9E37_79B9_7F4A_7C15) == expected)
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
        ("1.0", .double(1)),
        ("1.5", .double(1.5)),
        ("-0.25", .double(-0.25)),
        ("1e3", .double(1000)),
        ("1E+2", .double(100)),
        ("25e-1", .double(2.5)),
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
        ("9223372036854775808", "integer out of range, it must fit in 64 bits; write it as a string", 1, 1),
        ("[-9223372036854775809]", "integer out of range, it must fit in 64 bits; write it as a string", 1, 2),
        ("1e-400", "number out of range, too close to zero for a double", 1, 1),
        ("[1e-330]", "number out of range, too close to zero for a double", 1, 2),
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
        #expect(
            parseError("{\"a\":1}\n\n  ]")?.description
                == "invalid JSON at line 3, column 3: unexpected character ']' after the JSON value"
        )
    }

    @Test(
        arguments: [
            ([0x22, 0xC3, 0x28, 0x22], 2),  // bad continuation byte
            ([0x22, 0xC0, 0xAF, 0x22], 2),  // overlong "/"
            ([0x22, 0xE0, 0x80, 0xAF, 0x22], 2),  // overlong 3-byte
            ([0x22, 0xED, 0xA0, 0x80, 0x22], 2),  // encoded surrogate U+D800
            ([0x22, 0xF4, 0x90, 0x80, 0x80, 0x22], 2),  // above U+10FFFF
            ([0x22, 0xF5, 0x80, 0x80, 0x80, 0x22], 2),  // invalid lead byte
            ([0x22, 0x61, 0xE2, 0x82], 3),  // truncated at end of input
            ([0x22, 0x80, 0x22], 2),  // stray continuation byte
            ([0x22, 0xFF, 0x22], 2),
        ] as [([UInt8], Int)]
    )
    func jsonRejectsInvalidUTF8(bytes: [UInt8], column: Int) {
        #expect(parseError(bytes: bytes) == JSONParseError(message: "invalid UTF-8", line: 1, column: column))
    }

    @Test func jsonInvalidUTF8OutsideStrings() {
        #expect(
            parseError(bytes: [0xFF])
                == JSONParseError(
                    message: "unexpected invalid UTF-8, expected a value",
                    line: 1,
                    column: 1
                )
        )
        #expect(
            parseError(bytes: [0x5B, 0x31, 0x5D, 0xC3])
                == JSONParseError(
                    message: "unexpected invalid UTF-8 after the JSON value",
                    line: 1,
                    column: 4
                )
        )
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
