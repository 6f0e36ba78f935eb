/// A link of the log's hash chain: the first 16 bytes of SHA-256 over the previous link and the
/// event's encoded body. Altering an event breaks its link and every one after it.
public struct ChainLink: Sendable, Hashable, CustomStringConvertible {
    public var high: UInt64
    public var low: UInt64

    /// The link before the first event.
    public static let zero = ChainLink(high: 0, low: 0)

    public init(high: UInt64, low: UInt64) {
        self.high = high
        self.low = low
    }

    /// The link of an event whose encoded body is `body`, following `previous`.
    public static func following(_ previous: ChainLink, body: UnsafeRawBufferPointer) -> ChainLink {
        var hasher = SHA256()
        var bytes = (previous.high.bigEndian, previous.low.bigEndian)
        withUnsafeBytes(of: &bytes) { hasher.update($0) }
        hasher.update(body)
        let digest = hasher.finalize()
        return digest.withUnsafeBytes {
            ChainLink(
                high: UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 0, as: UInt64.self)),
                low: UInt64(bigEndian: $0.loadUnaligned(fromByteOffset: 8, as: UInt64.self))
            )
        }
    }

    /// 32 hexadecimal digits.
    public var description: String {
        func hex(_ value: UInt64) -> String {
            let digits = String(value, radix: 16)
            return String(repeating: "0", count: 16 - digits.count) + digits
        }
        return hex(high) + hex(low)
    }
}
