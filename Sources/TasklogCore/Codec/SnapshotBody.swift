/// One list as a snapshot holds it: the encoded body, as it is stored, and its checksum.
public struct SnapshotBody: Sendable, Hashable {
    /// The bytes as they are stored: the list's encoding, or that compressed.
    public var bytes: [UInt8]
    /// The XXH64 of ``bytes``.
    public var checksum: UInt64
    /// The length of the list's encoding, when ``bytes`` hold it compressed; `nil` when they hold
    /// it as it is.
    public var plainLength: Int?

    public init(bytes: [UInt8], checksum: UInt64, plainLength: Int? = nil) {
        self.bytes = bytes
        self.checksum = checksum
        self.plainLength = plainLength
    }

    /// The body of `list`, freshly encoded; with `compressed`, compressed too if that saves room
    /// (``BodyCompression``), as a store keeps it apart (format 5). A snapshot in one value
    /// (format 3) holds its bodies as they are.
    public init(_ list: TaskListState, compressed: Bool = false) {
        var writer = ByteWriter(capacity: 16 + list.tasks.count * 96)
        SnapshotCodec.writeList(list, to: &writer)
        let plain = writer.bytes
        if compressed, let smaller = plain.withUnsafeBytes(BodyCompression.compress) {
            bytes = smaller
            plainLength = plain.count
        } else {
            bytes = plain
            plainLength = nil
        }
        checksum = bytes.withUnsafeBytes { XXH64.hash($0) }
    }
}
