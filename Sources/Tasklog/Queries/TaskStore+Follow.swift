import Foundation
import LMDB
import TasklogCore

#if canImport(Glibc)
import Glibc
#endif

extension TaskStore {
    /// The events from seq `start` on, as they are appended by any process: first those already
    /// in the log, then each new one as it is committed. It ends when the consumer stops.
    ///
    /// No busy polling: a thread of its own sleeps on an inotify watch of the data file (and wakes
    /// at most every `idle` seconds to notice a cancelled consumer).
    public func follow(from start: UInt64 = 1, idle: Double = 0.5) -> AsyncThrowingStream<Event, any Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingNewest(100_000)) { continuation in
            let stopped = StopFlag()
            continuation.onTermination = { _ in stopped.stop() }
            let thread = Thread { [self] in
                let watch = FileWatch(path + "/data.mdb")
                defer { watch.close() }
                var next = max(start, 1)
                while !stopped.isStopped {
                    do {
                        var count = 0
                        try events(from: next) { event in
                            continuation.yield(event)
                            next = event.seq + 1
                            count += 1
                            return !stopped.isStopped
                        }
                        if count == 0 { watch.wait(seconds: idle) }
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                }
                continuation.finish()
            }
            thread.name = "tasklog-follow"
            thread.start()
        }
    }
}

final class StopFlag: @unchecked Sendable {
    private let lock = NSLock()
    private var stopped = false

    var isStopped: Bool { lock.withLock { stopped } }
    func stop() { lock.withLock { stopped = true } }
}

/// Sleeps until a file is written (Linux inotify), or a timeout.
final class FileWatch {
    private var descriptor: Int32 = -1

    init(_ path: String) {
        #if canImport(Glibc)
        descriptor = inotify_init1(Int32(IN_NONBLOCK | IN_CLOEXEC))
        if descriptor >= 0 && inotify_add_watch(descriptor, path, UInt32(IN_MODIFY | IN_CLOSE_WRITE)) < 0 {
            Glibc.close(descriptor)
            descriptor = -1
        }
        #endif
    }

    /// Returns when the file was written since the last call, or after `seconds`.
    func wait(seconds: Double) {
        #if canImport(Glibc)
        if descriptor >= 0 {
            var entry = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
            if poll(&entry, 1, Int32(seconds * 1000)) > 0 {
                var buffer = [UInt8](repeating: 0, count: 4096)
                while read(descriptor, &buffer, buffer.count) > 0 {}
            }
            return
        }
        #endif
        Thread.sleep(forTimeInterval: min(seconds, 0.05))
    }

    func close() {
        #if canImport(Glibc)
        if descriptor >= 0 { Glibc.close(descriptor) }
        #endif
        descriptor = -1
    }
}
