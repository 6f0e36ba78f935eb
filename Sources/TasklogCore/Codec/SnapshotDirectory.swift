/// What a snapshot's header says: where it stands in the log, and where each list's body lies,
/// so that one list can be decoded without the others (``SnapshotCodec/decodeList(_:in:)``).
public struct SnapshotDirectory: Sendable, Hashable {
    /// Where one list's body lies, and the checksum of its bytes.
    public struct Entry: Sendable, Hashable {
        /// Where the body lies in the snapshot's bytes (format 3), or `0..<length` of the body
        /// record (format 4).
        public var range: Range<Int>
        public var checksum: UInt64
        /// Format 4: the seq under which the body is stored (the snapshot that first held it, this
        /// one or an older one); `nil` for a body inside the snapshot's bytes (format 3).
        public var storedAt: UInt64?

        public init(range: Range<Int>, checksum: UInt64, storedAt: UInt64? = nil) {
            self.range = range
            self.checksum = checksum
            self.storedAt = storedAt
        }
    }

    /// The seq of the last event folded in.
    public var lastSeq: UInt64
    /// The timestamp of that event.
    public var lastTimestamp: Timestamp
    /// The lists by id.
    public var lists: [String: Entry]
}
