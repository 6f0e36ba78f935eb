import Foundation

#if canImport(Glibc)
import Glibc
#endif

/// The process's one inotify instance: it counts the writes to each watched file, and wakes the
/// threads waiting for one. Every follower of every store shares it, since the instances a user
/// may hold are few (128 by default) and a follower without one would have to poll.
///
/// A thread of its own, started with the first watch, blocks on the instance; watches are counted,
/// so that a file is watched once however many followers wait on it.
final class FileWatcher: @unchecked Sendable {
    /// The watcher of this process.
    static let shared = FileWatcher()

    private let condition = NSCondition()
    /// inotify's descriptor; -1 when inotify is not available.
    private var descriptor: Int32 = -1
    private var started = false
    /// Per file: its watch descriptor, how many followers use it, the writes seen so far.
    private var files: [String: (watch: Int32, users: Int, writes: UInt64)] = [:]

    private init() {}

    /// Starts watching `file` for this caller; `false` when it cannot be watched (the caller then
    /// polls). Each `true` is balanced by a ``remove(_:)``.
    func add(_ file: String) -> Bool {
        #if canImport(Glibc)
        condition.lock()
        defer { condition.unlock() }
        if !started {
            started = true
            descriptor = inotify_init1(Int32(IN_CLOEXEC))
            if descriptor >= 0 {
                let thread = Thread { [self] in run() }
                thread.name = "tasklog-watcher"
                thread.start()
            }
        }
        guard descriptor >= 0 else { return false }
        if var known = files[file] {
            known.users += 1
            files[file] = known
            return true
        }
        let watch = inotify_add_watch(descriptor, file, UInt32(IN_MODIFY | IN_CLOSE_WRITE))
        guard watch >= 0 else { return false }
        files[file] = (watch, 1, 0)  // the same file under another name shares the watch descriptor
        return true
        #else
        return false
        #endif
    }

    /// Stops watching `file` for this caller; the watch goes when its last user does.
    func remove(_ file: String) {
        #if canImport(Glibc)
        condition.lock()
        defer { condition.unlock() }
        guard var known = files[file] else { return }
        known.users -= 1
        guard known.users == 0 else {
            files[file] = known
            return
        }
        files[file] = nil
        if !files.values.contains(where: { $0.watch == known.watch }) {
            inotify_rm_watch(descriptor, known.watch)
        }
        #endif
    }

    /// How many writes to `file` were seen since it was first watched.
    func writes(of file: String) -> UInt64 {
        condition.lock()
        defer { condition.unlock() }
        return files[file]?.writes ?? 0
    }

    /// Returns when `file` has had more than `writes` writes, when `stopped` says so (checked
    /// after each ``wakeAll()``), or after `seconds`.
    func wait(for file: String, after writes: UInt64, seconds: Double, unless stopped: () -> Bool) {
        let deadline = Date(timeIntervalSinceNow: min(max(seconds, 0), 3600))
        condition.lock()
        defer { condition.unlock() }
        while (files[file]?.writes ?? 0) == writes && !stopped() {
            if !condition.wait(until: deadline) { return }
        }
    }

    /// Wakes every waiter, to look at its stop condition.
    func wakeAll() {
        condition.lock()
        condition.broadcast()
        condition.unlock()
    }

    #if canImport(Glibc)
    /// The watcher's thread: reads inotify's events as they come, counts them per file, and wakes
    /// every waiter.
    private func run() {
        var buffer = [UInt8](repeating: 0, count: 64 * 1024)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(descriptor, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            guard count > 0 else { return }
            var watches: Set<Int32> = []
            buffer.withUnsafeBytes { bytes in
                var offset = 0
                while offset + MemoryLayout<inotify_event>.size <= count {
                    let event = bytes.loadUnaligned(fromByteOffset: offset, as: inotify_event.self)
                    watches.insert(event.wd)
                    offset += MemoryLayout<inotify_event>.size + Int(event.len)
                }
            }
            condition.lock()
            for (file, known) in files where watches.contains(known.watch) {
                files[file] = (known.watch, known.users, known.writes &+ 1)
            }
            condition.broadcast()
            condition.unlock()
        }
    }
    #endif
}
