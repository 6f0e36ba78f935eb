import Foundation
import Synchronization
public import TasklogCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The lock the agent tools take around every write of a task directory: an exclusive `flock`
/// on `<dir>/.lock` (made if missing, never removed).
///
/// `import-claude` holds it while it reads the files and imports them, `export-claude` while it
/// writes them, so that Tasklog and a running agent never write the directory at once. Taking it
/// waits a bounded time for another holder, then fails with an error that names the file.
///
/// ```swift
/// let lock = try ClaudeTaskDirectoryLock(directory: path, waiting: 5)
/// defer { lock.release() }
/// ```
public final class ClaudeTaskDirectoryLock: Sendable {
    /// The lock file, `<dir>/.lock`.
    public let file: String
    private let descriptor: Mutex<Int32>

    /// How long to wait for another holder by default, in seconds.
    public static let defaultWait: Double = 5

    /// Takes the lock of `directory`, which must exist, waiting up to `seconds` for another holder.
    ///
    /// - Throws: ``TasklogError`` `notFound` when `directory` is not a directory, `conflict` when
    ///   another process still holds the lock after `seconds`, `storage` when the file cannot be
    ///   opened.
    public init(directory: String, waiting seconds: Double = defaultWait) throws(TasklogError) {
        file = directory + "/.lock"
        var fd = open(file, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        if fd < 0 && (errno == EACCES || errno == EROFS) {
            // A directory we may read but not write: a read-only descriptor locks as well.
            fd = open(file, O_RDONLY | O_CLOEXEC)
        }
        guard fd >= 0 else {
            let reason = errno
            if reason == ENOENT || reason == ENOTDIR {
                throw TasklogError(
                    .notFound,
                    "\(directory) is not a directory of task files; pass the folder that holds 1.json, 2.json, …"
                )
            }
            throw TasklogError(
                .storage,
                "cannot open the lock file \(file): \(String(cString: strerror(reason))); check its permissions"
            )
        }
        let deadline = Date().addingTimeInterval(seconds)
        while flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let reason = errno
            guard reason == EWOULDBLOCK || reason == EINTR else {
                close(fd)
                throw TasklogError(.storage, "cannot lock \(file): \(String(cString: strerror(reason)))")
            }
            guard Date() < deadline else {
                close(fd)
                throw TasklogError(
                    .conflict,
                    "another process holds \(file) (an agent writing its task files); waited \(Self.seconds(seconds)) s "
                        + "and nothing was read or written: retry when it has finished"
                )
            }
            usleep(50_000)
        }
        descriptor = Mutex(fd)
    }

    /// Releases the lock (closing the file releases it); a second call does nothing.
    public func release() {
        descriptor.withLock { fd in
            guard fd >= 0 else { return }
            close(fd)
            fd = -1
        }
    }

    deinit { release() }

    private static func seconds(_ value: Double) -> String {
        value == value.rounded() && abs(value) < 1e9 ? String(Int(value)) : String(value)
    }
}
