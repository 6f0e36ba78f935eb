internal import CZstd

/// The compression of the list bodies a store keeps (``SnapshotBody``): Zstandard frames, level 3.
///
/// A body is a list's tasks one after the other, and tasks repeat their words, their metadata keys
/// and their workflow names, so a body shrinks about four times and decompresses at about a
/// gigabyte a second. A body too small to gain, or one that would not shrink by an eighth, is
/// stored as it is.
enum BodyCompression {
    /// Zstandard's default level: as fast to compress as level 1 on these bodies, and smaller.
    static let level: Int32 = 3
    /// Bodies shorter than this are stored as they are.
    static let smallest = 256
    /// The longest body a directory may claim, so that a forged length cannot ask for all memory.
    static let longest = Int(Int32.max)

    /// `bytes` compressed, or `nil` when compressing would not save an eighth of them.
    static func compress(_ bytes: UnsafeRawBufferPointer) -> [UInt8]? {
        guard bytes.count >= smallest, let source = bytes.baseAddress else { return nil }
        let bound = ZSTD_compressBound(bytes.count)
        let compressed = [UInt8](unsafeUninitializedCapacity: bound) { buffer, count in
            let written = ZSTD_compress(buffer.baseAddress, bound, source, bytes.count, level)
            count = ZSTD_isError(written) == 0 ? written : 0
        }
        guard !compressed.isEmpty, compressed.count <= bytes.count - bytes.count / 8 else { return nil }
        return compressed
    }

    /// The `length` bytes that `bytes` decompress to; a frame that is not whole, or that gives
    /// another length, is refused as damage.
    static func decompress(_ bytes: UnsafeRawBufferPointer, length: Int) throws(CodecError) -> [UInt8] {
        guard length > 0, length <= longest, let source = bytes.baseAddress else {
            throw CodecError("a compressed list body says it holds \(length) bytes: it is damaged", at: 0)
        }
        // The frame's header says its length too: checked before the room for it is taken.
        let declared = ZSTD_getFrameContentSize(source, bytes.count)
        guard declared == UInt64(length) else {
            throw CodecError(
                "a compressed list body's frame does not say the \(length) bytes its snapshot says: it is damaged",
                at: 0
            )
        }
        var failure: String?
        let plain = [UInt8](unsafeUninitializedCapacity: length) { buffer, count in
            let written = ZSTD_decompress(buffer.baseAddress, length, source, bytes.count)
            if ZSTD_isError(written) != 0 {
                failure = String(cString: ZSTD_getErrorName(written))
                count = 0
            } else {
                count = written
            }
        }
        if let failure {
            throw CodecError("a compressed list body does not decompress (\(failure)): it is damaged", at: 0)
        }
        guard plain.count == length else {
            throw CodecError(
                "a compressed list body holds \(plain.count) bytes where the snapshot says \(length): it is damaged",
                at: 0
            )
        }
        return plain
    }
}
