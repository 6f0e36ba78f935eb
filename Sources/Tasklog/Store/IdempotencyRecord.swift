import TasklogCore

/// What the store keeps for an idempotency key: the seq of the first event the command wrote and
/// a fingerprint of the command (absent in records of imported events and of older stores), so
/// that a key used again for another command is refused instead of answered with the first.
struct IdempotencyRecord: Hashable {
    var seq: UInt64
    var fingerprint: UInt64?

    /// 8 bytes of seq, then 8 of fingerprint, big-endian.
    var bytes: [UInt8] {
        var bytes = withUnsafeBytes(of: seq.bigEndian) { Array($0) }
        if let fingerprint { withUnsafeBytes(of: fingerprint.bigEndian) { bytes.append(contentsOf: $0) } }
        return bytes
    }

    init(seq: UInt64, fingerprint: UInt64? = nil) {
        self.seq = seq
        self.fingerprint = fingerprint
    }

    init?(bytes: [UInt8]) {
        guard bytes.count >= 8 else { return nil }
        let words = bytes.withUnsafeBytes { raw in
            (
                UInt64(bigEndian: raw.loadUnaligned(as: UInt64.self)),
                raw.count >= 16 ? UInt64(bigEndian: raw.loadUnaligned(fromByteOffset: 8, as: UInt64.self)) : nil
            )
        }
        self.init(seq: words.0, fingerprint: words.1)
    }
}
