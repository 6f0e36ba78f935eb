import TasklogCore

// libFuzzer entry: any bytes given to the event decoder are refused with a CodecError or decode;
// a decoded event encodes again and decodes to itself. The replay path (which folds straight
// from the bytes, stepping over the actor, the key and an update's patch) refuses or folds too,
// and folds a decodable event exactly as the reducer folds the decoded one. Nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    var replayer = Replayer()
    let replayed = (try? replayer.apply(encoded: bytes)) != nil
    guard let event = try? EventCodec.decode(bytes) else { return 0 }
    precondition(replayed, "the replay path refused an event the decoder reads")
    var state = TasklogState()
    Reducer.apply(event, to: &state)
    precondition(replayer.finish() == state, "the replay path folds an event differently")
    let again = EventCodec.encode(event, after: .zero).bytes
    let decoded = again.withUnsafeBytes { try? EventCodec.decode($0) }
    precondition(decoded == event, "an event does not survive encoding")
    return 0
}
