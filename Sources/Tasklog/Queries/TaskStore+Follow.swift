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
    /// No busy polling: a thread of its own sleeps until the data file is written, told by the
    /// process's one inotify watcher (``FileWatcher``, shared by every follower, so that a server
    /// with thousands of event streams holds one inotify instance, not one each) or by the
    /// consumer's end, and at the latest after `idle` seconds; it reads the log only when the file
    /// was written.
    public func follow(from start: UInt64 = 1, idle: Double = 0.5) -> AsyncThrowingStream<Event, any Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingNewest(100_000)) { continuation in
            let stopped = StopFlag()
            continuation.onTermination = { _ in stopped.stop() }
            let thread = Thread { [self] in
                let file = path + "/data.mdb"
                let watching = FileWatcher.shared.add(file)
                defer { if watching { FileWatcher.shared.remove(file) } }
                var next = max(start, 1)
                var seen: UInt64?
                while !stopped.isStopped {
                    // The count of writes is taken before reading, so that a write during the
                    // read is noticed at the wait.
                    let writes = FileWatcher.shared.writes(of: file)
                    if writes != seen || !watching {
                        seen = writes
                        do {
                            try events(from: next) { event in
                                continuation.yield(event)
                                next = event.seq + 1
                                return !stopped.isStopped
                            }
                        } catch {
                            continuation.finish(throwing: error)
                            return
                        }
                    }
                    if watching {
                        FileWatcher.shared.wait(for: file, after: writes, seconds: idle) { stopped.isStopped }
                    } else {
                        Thread.sleep(forTimeInterval: min(max(idle, 0), 0.05))
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
    /// Stops, and wakes the followers waiting for a write, so that this one ends at once.
    func stop() {
        lock.withLock { stopped = true }
        FileWatcher.shared.wakeAll()
    }
}
