import Foundation

/// The command line's bytes as they came: Swift's `CommandLine.arguments` replaces bytes that
/// are not UTF-8 with U+FFFD, which would store a different subject than the one given. An
/// argument that is not valid UTF-8 is refused instead (README, "Bad input").
enum ArgumentEncoding {
    /// The first argument that is not valid UTF-8: its position (1 is the first after `tasklog`)
    /// and a readable form, with the bad bytes as `\xNN`; `nil` when all are valid.
    static func firstInvalid() -> (position: Int, shown: String)? {
        for position in 1..<Int(CommandLine.argc) {
            guard let pointer = CommandLine.unsafeArgv[position] else { continue }
            let bytes = UnsafeBufferPointer(
                start: UnsafeRawPointer(pointer).assumingMemoryBound(to: UInt8.self),
                count: strlen(pointer)
            )
            if String(validating: bytes, as: UTF8.self) == nil {
                return (position, shown(bytes))
            }
        }
        return nil
    }

    /// The bytes with ASCII kept (controls escaped) and every other byte as `\xNN`.
    private static func shown(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        var text = ""
        for byte in bytes.prefix(80) {
            if byte >= 0x20 && byte < 0x7F {
                text.unicodeScalars.append(Unicode.Scalar(byte))
            } else {
                text += "\\x" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return bytes.count > 80 ? text + "…" : text
    }
}

extension String {
    fileprivate func leftPadded(to width: Int) -> String {
        String(repeating: "0", count: max(0, width - count)) + self
    }
}
