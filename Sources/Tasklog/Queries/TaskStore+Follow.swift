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
    /// seconds, when it reads the log again (a word of a commit can be lost, or come a moment
    /// before the commit can be read). A backend that cannot tell is polled every 50 ms.
    public func follow(from start: UInt64 = 1, idle: Double = 0.5) -> AsyncThrowingStream<Event, any Error> {
        AsyncThrowingStream(bufferingPolicy: .bufferingNewest(100_000)) { continuation in
            let watch = core.backend.watchChanges()
            let stopped = StopFlag(watch)
            continuation.onTermination = { _ in stopped.stop() }
            let thread = Thread { [self] in
                defer { watch?.cancel() }
                var next = max(start, 1)
                var seen: UInt64?
                // Looks left, a few milliseconds apart, after a word of a commit that the read did
                // not find: LMDB tells of a commit (its data file's write) a moment before readers
                // in other processes can see it.
                var looksLeft = 0
                while !stopped.isStopped {
                    // The count of commits is taken before reading, so that a commit during the
                    // read is noticed at the wait. The log is read after every wait, even one
                    // that ended without a word: a commit is never left unread for more than `idle`.
                    let writes = watch?.changes()
                    var found = false
                    do {
                        try events(from: next) { event in
                            continuation.yield(event)
                            next = event.seq + 1
                            found = true
                            return !stopped.isStopped
                        }
                    } catch {
                        continuation.finish(throwing: error)
                        return
                    }
                    guard let watch, let writes else {
                        Thread.sleep(forTimeInterval: min(max(idle, 0), 0.05))
                        continue
                    }
                    if writes != seen {
                        looksLeft = found || seen == nil ? 0 : 4
                        seen = writes
                    }
                    let pause = looksLeft > 0 ? 0.002 : idle
                    looksLeft = max(looksLeft - 1, 0)
                    watch.wait(after: writes, seconds: pause) { stopped.isStopped }
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
