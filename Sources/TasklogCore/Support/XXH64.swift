/// The XXH64 non-cryptographic hash (xxHash, 64-bit variant), bit-for-bit compatible with the reference
/// implementation.
package enum XXH64 {
    private static let prime1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let prime2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let prime3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let prime4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let prime5: UInt64 = 0x27D4_EB2F_1656_67C5

    /// The XXH64 hash of `bytes` with `seed`.
    package static func hash(_ bytes: UnsafeRawBufferPointer, seed: UInt64 = 0) -> UInt64 {
        let length = bytes.count
        guard let base = bytes.baseAddress, length > 0 else {
            return avalanche(seed &+ prime5)
        }
        var offset = 0
        var result: UInt64
        if length >= 32 {
            var accumulator1 = seed &+ prime1 &+ prime2
            var accumulator2 = seed &+ prime2
            var accumulator3 = seed
            var accumulator4 = seed &- prime1
            let stripesEnd = length &- 32
            while offset <= stripesEnd {
                accumulator1 = round(accumulator1, load64(base, offset))
                accumulator2 = round(accumulator2, load64(base, offset &+ 8))
                accumulator3 = round(accumulator3, load64(base, offset &+ 16))
                accumulator4 = round(accumulator4, load64(base, offset &+ 24))
                offset &+= 32
            }
            result =
                rotateLeft(accumulator1, 1) &+ rotateLeft(accumulator2, 7)
                &+ rotateLeft(accumulator3, 12) &+ rotateLeft(accumulator4, 18)
            result = mergeRound(result, accumulator1)
            result = mergeRound(result, accumulator2)
            result = mergeRound(result, accumulator3)
            result = mergeRound(result, accumulator4)
        } else {
            result = seed &+ prime5
        }
        result &+= UInt64(truncatingIfNeeded: length)
        while length &- offset >= 8 {
            result ^= round(0, load64(base, offset))
            result = rotateLeft(result, 27) &* prime1 &+ prime4
            offset &+= 8
        }
        if length &- offset >= 4 {
            let word = UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
            result ^= UInt64(word) &* prime1
            result = rotateLeft(result, 23) &* prime2 &+ prime3
            offset &+= 4
        }
        while offset < length {
            let byte = base.load(fromByteOffset: offset, as: UInt8.self)
            result ^= UInt64(byte) &* prime5
            result = rotateLeft(result, 11) &* prime1
            offset &+= 1
        }
        return avalanche(result)
    }

    @inline(__always)
    private static func load64(_ base: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inline(__always)
    private static func rotateLeft(_ value: UInt64, _ count: UInt64) -> UInt64 {
        (value &<< count) | (value &>> (64 &- count))
    }

    @inline(__always)
    private static func round(_ accumulator: UInt64, _ input: UInt64) -> UInt64 {
        rotateLeft(accumulator &+ input &* prime2, 31) &* prime1
    }

    @inline(__always)
    private static func mergeRound(_ accumulator: UInt64, _ value: UInt64) -> UInt64 {
        (accumulator ^ round(0, value)) &* prime1 &+ prime4
    }

    @inline(__always)
    private static func avalanche(_ value: UInt64) -> UInt64 {
        var hash = value
        hash ^= hash &>> 33
        hash &*= prime2
        hash ^= hash &>> 29
        hash &*= prime3
        hash ^= hash &>> 32
        return hash
    }
}
