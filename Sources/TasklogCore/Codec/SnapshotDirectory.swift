/// What a snapshot's header says: where it stands in the log, and where each list's body lies,
/// so that one list can be decoded without the others (``SnapshotCodec/decodeList(_:in:)``).
public struct SnapshotDirectory: Sendable, Hashable {
    /// Where one list's body lies, and the checksum of its bytes.
    public struct Entry: Sendable, Hashable {
        /// Where the body lies in the snapshot's bytes (format 3), or `0..<length` of the body
        /// record (formats 4 and 5).
        public var range: Range<Int>
        /// The XXH64 of the body's bytes as they are stored (compressed, if they are).
        public var checksum: UInt64
        /// Formats 4 and 5: the seq under which the body is stored (the snapshot that first held
        /// it, this one or an older one); `nil` for a body inside the snapshot's bytes (format 3).
        public var storedAt: UInt64?
        /// Format 5: the length of the body once decompressed, for a body stored compressed
        /// (``BodyCompression``); `nil` for one stored as it is.
        public var plainLength: Int?

        public init(range: Range<Int>, checksum: UInt64, storedAt: UInt64? = nil, plainLength: Int? = nil) {
            self.range = range
            self.checksum = checksum
            self.storedAt = storedAt
            self.plainLength = plainLength
        }
    }

    /// The seq of the last event folded in.
    public var lastSeq: UInt64
    /// The timestamp of that event.
    public var lastTimestamp: Timestamp
    /// The lists by id.
    public var lists: [String: Entry]
}
