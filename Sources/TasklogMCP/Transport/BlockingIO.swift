#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads and writes on a file descriptor that block until done, whatever the descriptor's flags.
///
/// An interrupted call (`EINTR`) is made again; a descriptor in non-blocking mode (another process
/// sharing our standard output may have set `O_NONBLOCK` on it) is waited for with `poll` on
/// `EAGAIN`; a partial write goes on with the bytes left. Never call these on Swift's concurrency
/// pool: they hold their thread for as long as the other end makes them wait.
enum BlockingIO {
    /// Reads what is there, at least one byte, into `buffer`; `0` at the end of the input.
    static func read(_ descriptor: Int32, into buffer: UnsafeMutableRawBufferPointer) throws(StreamError) -> Int {
        while true {
            #if canImport(Glibc)
            let count = Glibc.read(descriptor, buffer.baseAddress, buffer.count)
            #else
            let count = Darwin.read(descriptor, buffer.baseAddress, buffer.count)
            #endif
            if count >= 0 { return count }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(descriptor, for: Int16(POLLIN), reading: true)
            default: throw StreamError(reading: true, errno: errno)
            }
        }
    }

    /// Writes all of `bytes`.
    static func write(_ descriptor: Int32, _ bytes: UnsafeRawBufferPointer) throws(StreamError) {
        var offset = 0
        while offset < bytes.count {
            #if canImport(Glibc)
            let count = Glibc.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            #else
            let count = Darwin.write(descriptor, bytes.baseAddress! + offset, bytes.count - offset)
            #endif
            if count >= 0 {
                offset += count
                continue
            }
            switch errno {
            case EINTR: continue
            case EAGAIN, EWOULDBLOCK: try wait(descriptor, for: Int16(POLLOUT), reading: false)
            default: throw StreamError(reading: false, errno: errno)
            }
        }
    }

    /// Waits until `descriptor` is ready (or its other end is closed, which the next call reports).
    private static func wait(_ descriptor: Int32, for events: Int16, reading: Bool) throws(StreamError) {
        var entry = pollfd(fd: descriptor, events: events, revents: 0)
        while poll(&entry, 1, -1) < 0 {
            guard errno == EINTR else { throw StreamError(reading: reading, errno: errno) }
        }
    }
}

/// Reading standard input or writing standard output failed.
struct StreamError: Error, CustomStringConvertible {
    /// Whether it was the reading side.
    var reading: Bool
    /// The system's error number (`EPIPE`: the client closed its end).
    var errno: Int32

    var description: String {
        let reason = String(cString: strerror(errno))
        return reading
            ? "reading standard input failed: \(reason) (errno \(errno))"
            : "writing standard output failed: \(reason) (errno \(errno)); the client has probably gone"
    }
}
