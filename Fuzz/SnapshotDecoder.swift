import TasklogCore

// libFuzzer entry: the snapshot decoder refuses or decodes; a decoded state encodes to the same
// state. Nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let state = try? SnapshotCodec.decode(bytes) else { return 0 }
    let again = SnapshotCodec.encode(state)
    precondition(again.withUnsafeBytes { try? SnapshotCodec.decode($0) } == state, "a snapshot does not survive")
    return 0
}
