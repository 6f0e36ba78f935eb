/// An incremental SHA-256 hash (FIPS 180-4).
///
/// Feed bytes with ``update(_:)-(UnsafeRawBufferPointer)`` in pieces of any size, then call ``finalize()`` once for the
/// 32-byte digest, or use ``hash(_:)-(UnsafeRawBufferPointer)`` for a one-shot hash. Whole blocks are compressed
/// straight from the caller's memory; nothing is allocated per block.
package struct SHA256: Sendable {
    private typealias State = (UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32, UInt32)
    /// 64 bytes of storage for a partial block.
    private typealias Block = (UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64, UInt64)

    private var state: State = (
        0x6a09_e667, 0xbb67_ae85, 0x3c6e_f372, 0xa54f_f53a, 0x510e_527f, 0x9b05_688c, 0x1f83_d9ab, 0x5be0_cd19
    )
    private var pending: Block = (0, 0, 0, 0, 0, 0, 0, 0)
    private var pendingCount = 0
    private var totalLength: UInt64 = 0

    /// Creates a hash with no input yet.
    package init() {}

    /// Adds bytes to the input.
    package mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard var source = bytes.baseAddress, !bytes.isEmpty else {
            return
        }
        var remaining = bytes.count
        totalLength &+= UInt64(remaining)
        var state = self.state
        if pendingCount > 0 {
            let filled = pendingCount
            let taken = min(64 - filled, remaining)
            withUnsafeMutableBytes(of: &pending) { block in
                (block.baseAddress! + filled).copyMemory(from: source, byteCount: taken)
            }
            pendingCount = filled + taken
            source += taken
            remaining -= taken
            if pendingCount == 64 {
                withUnsafeBytes(of: pending) { block in
                    Self.compress(&state, blocks: block.baseAddress!, count: 1)
                }
                pendingCount = 0
            }
        }
        let wholeBlocks = remaining / 64
        if wholeBlocks > 0 {
            Self.compress(&state, blocks: source, count: wholeBlocks)
            source += wholeBlocks * 64
            remaining -= wholeBlocks * 64
        }
        if remaining > 0 {
            let count = remaining
            withUnsafeMutableBytes(of: &pending) { block in
                block.baseAddress!.copyMemory(from: source, byteCount: count)
            }
            pendingCount = remaining
        }
        self.state = state
    }

    /// Adds bytes to the input.
    package mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    /// Pads the input and returns the 32-byte digest.
    package consuming func finalize() -> [UInt8] {
        let bitLength = totalLength &* 8
        let filled = pendingCount
        var state = self.state
        // Room for the last partial block plus padding: one block, or two when the length does not fit.
        var tail: (Block, Block) = ((0, 0, 0, 0, 0, 0, 0, 0), (0, 0, 0, 0, 0, 0, 0, 0))
        let pending = self.pending
        withUnsafeMutableBytes(of: &tail) { tail in
            withUnsafeBytes(of: pending) { pending in
                tail.baseAddress!.copyMemory(from: pending.baseAddress!, byteCount: filled)
            }
            tail[filled] = 0x80
            let blockCount = filled < 56 ? 1 : 2
            tail.storeBytes(of: bitLength.bigEndian, toByteOffset: blockCount * 64 - 8, as: UInt64.self)
            Self.compress(&state, blocks: UnsafeRawPointer(tail.baseAddress!), count: blockCount)
        }
        return [UInt8](unsafeUninitializedCapacity: 32) { digest, initialized in
            let raw = UnsafeMutableRawBufferPointer(digest)
            withUnsafeBytes(of: state) { words in
                for index in 0..<8 {
                    let word = words.load(fromByteOffset: index * 4, as: UInt32.self)
                    raw.storeBytes(of: word.bigEndian, toByteOffset: index * 4, as: UInt32.self)
                }
            }
            initialized = 32
        }
    }

    /// The SHA-256 digest (32 bytes) of `bytes`.
    package static func hash(_ bytes: UnsafeRawBufferPointer) -> [UInt8] {
        var hasher = SHA256()
        hasher.update(bytes)
        return hasher.finalize()
    }

    /// The SHA-256 digest (32 bytes) of `bytes`.
    package static func hash(_ bytes: [UInt8]) -> [UInt8] {
        bytes.withUnsafeBytes { hash($0) }
    }

    // MARK: Compression

    private static let roundConstants: [UInt32] = [
        0x428a_2f98, 0x7137_4491, 0xb5c0_fbcf, 0xe9b5_dba5, 0x3956_c25b, 0x59f1_11f1, 0x923f_82a4, 0xab1c_5ed5,
        0xd807_aa98, 0x1283_5b01, 0x2431_85be, 0x550c_7dc3, 0x72be_5d74, 0x80de_b1fe, 0x9bdc_06a7, 0xc19b_f174,
        0xe49b_69c1, 0xefbe_4786, 0x0fc1_9dc6, 0x240c_a1cc, 0x2de9_2c6f, 0x4a74_84aa, 0x5cb0_a9dc, 0x76f9_88da,
        0x983e_5152, 0xa831_c66d, 0xb003_27c8, 0xbf59_7fc7, 0xc6e0_0bf3, 0xd5a7_9147, 0x06ca_6351, 0x1429_2967,
        0x27b7_0a85, 0x2e1b_2138, 0x4d2c_6dfc, 0x5338_0d13, 0x650a_7354, 0x766a_0abb, 0x81c2_c92e, 0x9272_2c85,
        0xa2bf_e8a1, 0xa81a_664b, 0xc24b_8b70, 0xc76c_51a3, 0xd192_e819, 0xd699_0624, 0xf40e_3585, 0x106a_a070,
        0x19a4_c116, 0x1e37_6c08, 0x2748_774c, 0x34b0_bcb5, 0x391c_0cb3, 0x4ed8_aa4a, 0x5b9c_ca4f, 0x682e_6ff3,
        0x748f_82ee, 0x78a5_636f, 0x84c8_7814, 0x8cc7_0208, 0x90be_fffa, 0xa450_6ceb, 0xbef9_a3f7, 0xc671_78f2,
    ]

    @inline(__always)
    private static func rotateRight(_ value: UInt32, _ count: UInt32) -> UInt32 {
        (value &>> count) | (value &<< (32 &- count))
    }

    /// Compresses `count` consecutive 64-byte blocks starting at `blocks` into `state`.
    private static func compress(_ state: inout State, blocks: UnsafeRawPointer, count: Int) {
        roundConstants.withUnsafeBufferPointer { constants in
            withUnsafeTemporaryAllocation(of: UInt32.self, capacity: 64) { schedule in
                var block = blocks
                for _ in 0..<count {
                    for index in 0..<16 {
                        let word = block.loadUnaligned(fromByteOffset: index &* 4, as: UInt32.self)
                        schedule[index] = UInt32(bigEndian: word)
                    }
                    for index in 16..<64 {
                        let w15 = schedule[index &- 15]
                        let w2 = schedule[index &- 2]
                        let sigma0 = rotateRight(w15, 7) ^ rotateRight(w15, 18) ^ (w15 &>> 3)
                        let sigma1 = rotateRight(w2, 17) ^ rotateRight(w2, 19) ^ (w2 &>> 10)
                        schedule[index] = schedule[index &- 16] &+ sigma0 &+ schedule[index &- 7] &+ sigma1
                    }
                    var a = state.0
                    var b = state.1
                    var c = state.2
                    var d = state.3
                    var e = state.4
                    var f = state.5
                    var g = state.6
                    var h = state.7
                    for index in 0..<64 {
                        let sum1 = rotateRight(e, 6) ^ rotateRight(e, 11) ^ rotateRight(e, 25)
                        let choice = g ^ (e & (f ^ g))
                        let temp1 = h &+ sum1 &+ choice &+ constants[index] &+ schedule[index]
                        let sum0 = rotateRight(a, 2) ^ rotateRight(a, 13) ^ rotateRight(a, 22)
                        let majority = (a & b) | (c & (a | b))
                        let temp2 = sum0 &+ majority
                        h = g
                        g = f
                        f = e
                        e = d &+ temp1
                        d = c
                        c = b
                        b = a
                        a = temp1 &+ temp2
                    }
                    state.0 &+= a
                    state.1 &+= b
                    state.2 &+= c
                    state.3 &+= d
                    state.4 &+= e
                    state.5 &+= f
                    state.6 &+= g
                    state.7 &+= h
                    block += 64
                }
            }
        }
    }
}
