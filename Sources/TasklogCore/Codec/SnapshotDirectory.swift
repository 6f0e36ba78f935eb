/// What a snapshot's header says: where it stands in the log, and where each list's body lies,
/// so that one list can be decoded without the others (``SnapshotCodec/decodeList(_:in:)``).
public struct SnapshotDirectory: Sendable, Hashable {
    /// Where one list's body lies in the snapshot's bytes, and the checksum of those bytes.
    public struct Entry: Sendable, Hashable {
        public var range: Range<Int>
        public var checksum: UInt64
    }

    /// The seq of the last event folded in.
    public var lastSeq: UInt64
    /// The timestamp of that event.
    public var lastTimestamp: Timestamp
    /// The lists by id.
    public var lists: [String: Entry]
}
