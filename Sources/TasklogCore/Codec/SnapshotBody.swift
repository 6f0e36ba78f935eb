/// One list as a snapshot holds it: the encoded body and its checksum.
public struct SnapshotBody: Sendable, Hashable {
    public var bytes: [UInt8]
    public var checksum: UInt64

    public init(bytes: [UInt8], checksum: UInt64) {
        self.bytes = bytes
        self.checksum = checksum
    }

    /// The body of `list`, freshly encoded.
    public init(_ list: TaskListState) {
        var writer = ByteWriter(capacity: 16 + list.tasks.count * 96)
        SnapshotCodec.writeList(list, to: &writer)
        bytes = writer.bytes
        checksum = bytes.withUnsafeBytes { XXH64.hash($0) }
    }
}
