import Foundation
import Synchronization
public import TasklogCore

extension TaskStore {
    /// The events from seq `start` on, as they are appended by any process: first those already
    /// in the log, then each new one as it is committed. It ends when the consumer stops.
    ///
    /// No busy polling: a thread of its own sleeps until the backend says a commit may have added
    /// events (``TasklogCore/StorageBackend/watchChanges()``: on LMDB, the process's one inotify
    /// watcher, shared by every follower, so that a server with thousands of event streams holds
    /// one inotify instance, not one each) or the consumer ends, and at the latest after `idle`
    /// seconds; it reads the log only when told of a commit. A backend that cannot tell is polled
    /// every 50 ms.
    public func follow(from start: UInt64 = 1, idle: Double = 0.5) -> AsyncThrowingStream<Event, any Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingNewest(100_000)) { continuation in
            let watch = core.backend.watchChanges()
            let stopped = StopFlag(watch)
            continuation.onTermination = { _ in stopped.stop() }
            let thread = Thread { [self] in
                defer { watch?.cancel() }
                var next = max(start, 1)
                var seen: UInt64?
                while !stopped.isStopped {
                    // The count of commits is taken before reading, so that a commit during the
                    // read is noticed at the wait.
                    let writes = watch?.changes()
                    if writes != seen || writes == nil {
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
                    if let watch, let writes {
                        watch.wait(after: writes, seconds: idle) { stopped.isStopped }
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

/// A follower's end, told by its consumer.
final class StopFlag: Sendable {
    private let stopped = Atomic(false)
    private let watch: (any ChangeWatch)?

    init(_ watch: (any ChangeWatch)?) { self.watch = watch }

    var isStopped: Bool { stopped.load(ordering: .acquiring) }

    /// Stops, and wakes the follower's wait for a commit, so that it ends at once.
    func stop() {
        stopped.store(true, ordering: .releasing)
        watch?.wake()
    }
}
