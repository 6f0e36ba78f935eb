import Foundation
import TasklogCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#endif

/// The lines of a file, read a chunk at a time: `import` holds a chunk of its file, not the file.
///
/// Lines are found with `memchr` (`Data.split` had cost a quarter of an import); a line longer
/// than a chunk grows the buffer to hold it.
final class LineReader {
    private let descriptor: Int32
    private var buffer: [UInt8]
    /// The bytes read and not handed out yet: `buffer[start..<end]`.
    private var start = 0
    private var end = 0
    private var atEnd = false
    /// The number of the line last handed out (1 for the first).
    private(set) var lineNumber = 0

    /// Opens `path` for reading.
    init(path: String, chunk: Int = 1 << 20) throws(TasklogError) {
        descriptor = open(path, O_RDONLY | O_CLOEXEC)
        guard descriptor >= 0 else {
            throw TasklogError(
                .notFound,
                "cannot read \(path): \(String(cString: strerror(errno))); check the path and its permissions"
            )
        }
        buffer = [UInt8](repeating: 0, count: chunk)
    }

    deinit { close(descriptor) }

    /// Calls `body` with the next line, without its newline; `false` after the last line.
    func next(_ body: (UnsafeRawBufferPointer) throws -> Void) throws -> Bool {
        while true {
            let found = buffer.withUnsafeBytes { bytes in
                memchr(bytes.baseAddress! + start, Int32(UInt8(ascii: "\n")), end - start).map {
                    bytes.baseAddress!.distance(to: UnsafeRawPointer($0))
                }
            }
            if found != nil || (atEnd && start < end) {
                let lineEnd = found ?? end
                lineNumber += 1
                try buffer.withUnsafeBytes { try body(UnsafeRawBufferPointer(rebasing: $0[start..<lineEnd])) }
                start = min(lineEnd + 1, end)
                return true
            }
            if atEnd { return false }
            try fill()
        }
    }

    /// Moves the bytes not handed out to the front, growing the buffer if they fill it, and reads
    /// more after them.
    private func fill() throws {
        if start > 0 {
            buffer.withUnsafeMutableBytes { bytes in
                bytes.baseAddress!.copyMemory(from: bytes.baseAddress! + start, byteCount: end - start)
            }
            end -= start
            start = 0
        }
        if end == buffer.count { buffer += [UInt8](repeating: 0, count: buffer.count) }
        let count = buffer.withUnsafeMutableBytes { bytes in
            read(descriptor, bytes.baseAddress! + end, bytes.count - end)
        }
        guard count >= 0 else {
            if errno == EINTR { return }
            throw TasklogError(.storage, "reading the file failed: \(String(cString: strerror(errno)))")
        }
        if count == 0 { atEnd = true }
        end += count
    }

    /// Whether a line holds nothing but spaces and carriage returns (skipped, as blank).
    static func isBlank(_ line: UnsafeRawBufferPointer) -> Bool {
        line.allSatisfy { $0 == UInt8(ascii: " ") || $0 == UInt8(ascii: "\r") }
    }
}
