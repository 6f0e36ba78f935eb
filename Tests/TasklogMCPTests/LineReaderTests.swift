import Foundation
import Testing

@testable import TasklogMCP

/// The MCP transport's line splitter, fed by hand.
@Suite struct LineReaderTests {
    /// Everything `reader` hands out for `chunks` read one after the other, then the end of input.
    static func pieces(_ chunks: [[UInt8]], _ reader: LineReader = LineReader()) -> [LineReader.Piece] {
        var reader = reader
        var pieces: [LineReader.Piece] = []
        for chunk in chunks {
            chunk.withUnsafeBytes { reader.consume($0) { pieces.append($0) } }
        }
        reader.finish { pieces.append($0) }
        return pieces
    }

    static func line(_ text: String) -> LineReader.Piece { .line(Array(text.utf8)) }

    @Test func linesSplitAcrossReadsComeOutWhole() {
        let text = Array("{\"a\":1}\r\n\n{\"b\":2}\n\r\n{\"c\":3}".utf8)
        let expected = [Self.line("{\"a\":1}"), Self.line("{\"b\":2}"), Self.line("{\"c\":3}")]
        // One read, one byte a read, and every split into two reads.
        #expect(Self.pieces([text]) == expected)
        #expect(Self.pieces(text.map { [$0] }) == expected)
        for cut in 0...text.count {
            #expect(Self.pieces([Array(text[..<cut]), Array(text[cut...])]) == expected, "cut at \(cut)")
        }
    }

    @Test func aLineOverTheBoundIsDroppedWithItsLengthAndHead() {
        let reader = LineReader(maximumLength: 10, headLength: 4)
        let long = Array(String(repeating: "x", count: 25).utf8)
        let exact = Array("0123456789".utf8)
        // Over the bound within one read, across reads, and at the end of the input.
        #expect(
            Self.pieces([exact + [0x0A] + long + [0x0A] + exact + [0x0A]], reader) == [
                .line(exact), .tooLong(length: 25, head: Array("xxxx".utf8)), .line(exact),
            ]
        )
        #expect(
            Self.pieces([Array("abcdefgh".utf8), Array("ijklmnop\nok\n".utf8)], reader) == [
                .tooLong(length: 16, head: Array("abcd".utf8)), Self.line("ok"),
            ]
        )
        #expect(
            Self.pieces([exact + [0x0A], long], reader) == [
                .line(exact), .tooLong(length: 25, head: Array("xxxx".utf8)),
            ]
        )
    }

    /// A read's cost is the bytes it brings: an 8 MB line in 4 KiB reads (as the SDK reads) takes
    /// milliseconds; searching the whole line again at each read, as before, takes minutes.
    @Test func aLongLineCostsLinearTime() {
        let line = [UInt8](repeating: UInt8(ascii: "a"), count: 8 << 20) + [0x0A]
        let chunks = stride(from: 0, to: line.count, by: 4096).map { Array(line[$0..<min($0 + 4096, line.count)]) }
        let clock = ContinuousClock()
        var pieces: [LineReader.Piece] = []
        let elapsed = clock.measure { pieces = Self.pieces(chunks) }
        #expect(pieces == [.line(Array(line.dropLast()))])
        #expect(elapsed < .seconds(3), "an 8 MB line took \(elapsed)")
    }

    /// A 200 MB line over a 1 MiB bound streams past: it comes out as its length and 4 KiB of head.
    @Test func anOverlongLineIsNotHeld() {
        var reader = LineReader(maximumLength: 1 << 20)
        let chunk = [UInt8](repeating: UInt8(ascii: "z"), count: 1 << 20)
        var pieces: [LineReader.Piece] = []
        for _ in 0..<200 { chunk.withUnsafeBytes { reader.consume($0) { pieces.append($0) } } }
        Array("\n{}\n".utf8).withUnsafeBytes { reader.consume($0) { pieces.append($0) } }
        #expect(pieces == [.tooLong(length: 200 << 20, head: Array(chunk.prefix(4096))), Self.line("{}")])
    }
}
