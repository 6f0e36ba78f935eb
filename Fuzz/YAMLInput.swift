import TasklogCore

// libFuzzer entry: the configuration and ledger parsers refuse with a TasklogError or parse.
// Nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    let text = String(decoding: UnsafeBufferPointer(start: data, count: size), as: UTF8.self)
    _ = try? TasklogConfig.parse(text, file: "fuzz.yml")
    _ = try? LedgerDocument.parse(text, file: "fuzz.yml")
    return 0
}
