// libFuzzer entry: the line reader of `tasklog mcp`'s stdio transport, with the id and method walk
// it uses on every message (compiled with Sources/TasklogMCP/Transport/LineReader.swift and
// JSONRPCEnvelope.swift; see tools/fuzz).
//
// The first two bytes choose the bound and the size of the reads; the rest is the stream. However the
// stream is cut into reads, the reader gives what a plain split on newlines gives: the lines within
// the bound without their `\r`, empty ones skipped, and each longer line as its length and head.
// The walk over each line (and over each head) stays within its bytes, and reads an object the same
// alone and inside a batch. Nothing may crash.
@_cdecl("LLVMFuzzerTestOneInput")
public func fuzz(_ data: UnsafePointer<UInt8>, _ size: Int) -> Int32 {
    guard size >= 2 else { return 0 }
    let maximum = Int(data[0] % 64) + 1
    let chunk = Int(data[1] % 16) + 1
    let stream = UnsafeRawBufferPointer(start: data + 2, count: size - 2)
    let headLength = 8

    var reader = LineReader(maximumLength: maximum, headLength: headLength)
    var pieces: [LineReader.Piece] = []
    var start = 0
    while start < stream.count {
        let end = min(start + chunk, stream.count)
        reader.consume(UnsafeRawBufferPointer(rebasing: stream[start..<end])) { pieces.append($0) }
        start = end
    }
    reader.finish { pieces.append($0) }

    var expected: [LineReader.Piece] = []
    for segment in stream.split(separator: 0x0A, omittingEmptySubsequences: false) {
        if segment.count > maximum {
            expected.append(.tooLong(length: segment.count, head: Array(segment.prefix(headLength))))
        } else {
            var line = Array(segment)
            if line.last == 0x0D { line.removeLast() }
            if !line.isEmpty { expected.append(.line(line)) }
        }
    }
    precondition(pieces == expected, "the reader's lines differ from a plain split")

    for piece in pieces {
        let bytes: [UInt8]
        switch piece {
        case .line(let line): bytes = line
        case .tooLong(_, let head): bytes = head
        }
        bytes.withUnsafeBytes { raw in
            for envelope in JSONRPCEnvelope.scanAll(raw) {
                for range in [envelope.id, envelope.method].compactMap({ $0 }) {
                    precondition(range.lowerBound >= 0 && range.upperBound <= raw.count && !range.isEmpty)
                }
            }
            // The same object as the first of a batch has the same members, one byte further on.
            let alone = JSONRPCEnvelope.scan(raw)
            if raw.first(where: { $0 != 0x20 && $0 != 0x09 && $0 != 0x0A && $0 != 0x0D }) == UInt8(ascii: "{") {
                let batch = ([UInt8(ascii: "[")] + bytes).withUnsafeBytes { JSONRPCEnvelope.scanAll($0).first }
                let shifted = batch.map { envelope in
                    JSONRPCEnvelope(
                        id: envelope.id.map { $0.lowerBound - 1..<$0.upperBound - 1 },
                        method: envelope.method.map { $0.lowerBound - 1..<$0.upperBound - 1 }
                    )
                }
                precondition(shifted == alone, "an object reads differently inside a batch")
            }
        }
    }
    return 0
}
