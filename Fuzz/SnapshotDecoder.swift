import TasklogCore

// libFuzzer entry: the snapshot decoder refuses or decodes; a decoded state encodes to the same
// state. The same bytes, taken as a list body stored compressed (format 5), decompress and decode
// or are refused. Nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    if let state = try? SnapshotCodec.decode(bytes) {
        let again = SnapshotCodec.encode(state)
        precondition(again.withUnsafeBytes { try? SnapshotCodec.decode($0) } == state, "a snapshot does not survive")
    }
    if size > 2 {
        // The first two bytes say the length it claims to decompress to; the rest is the body.
        let body = UnsafeRawBufferPointer(rebasing: bytes[2...])
        let entry = SnapshotDirectory.Entry(
            range: 0..<body.count,
            checksum: XXH64.hash(body),
            storedAt: 1,
            plainLength: Int(bytes[0]) << 8 | Int(bytes[1])
        )
        _ = try? SnapshotCodec.decodeList(entry, in: body)
    }
    return 0
}
