import TasklogCore

// libFuzzer entry: any bytes given to the event decoder are refused with a CodecError or decode;
// a decoded event encodes again and decodes to itself. Nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let event = try? EventCodec.decode(bytes) else { return 0 }
    let again = EventCodec.encode(event, after: .zero).bytes
    let decoded = again.withUnsafeBytes { try? EventCodec.decode($0) }
    precondition(decoded == event, "an event does not survive encoding")
    return 0
}
