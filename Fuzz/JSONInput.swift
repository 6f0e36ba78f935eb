import TasklogCore

// libFuzzer entry: the JSON inputs of the CLI and the MCP tools (metadata, exported events).
// The parser refuses or parses; parsed values serialize and parse back to themselves; an event
// read from JSON is validated or refused. Nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let bytes = UnsafeRawBufferPointer(start: data, count: size)
    guard let value = try? JSONValue(parsing: bytes) else { return 0 }
    let text = value.serialized()
    precondition((try? JSONValue(parsing: text)) == value || text.contains("null"), "JSON does not round-trip")
    if let event = try? Event(json: value) {
        let bytes = EventCodec.encode(event, after: .zero).bytes
        precondition(
            bytes.withUnsafeBytes { try? EventCodec.decode($0) } == event,
            "an imported event does not survive"
        )
    }
    if case .object(let metadata) = value {
        _ = try? Decider.decide(.create(NewTask(subject: "x", metadata: metadata)), in: TaskListState(), actor: nil)
    }
    return 0
}
