import Foundation
import TasklogCore

#if canImport(Glibc)
import Glibc
#endif

/// The disk space a store needs before LMDB touches its files, checked and reserved up front.
///
/// LMDB sizes its lock file with `ftruncate` and then writes it through a shared map: on a full
/// disk the sparse pages cannot be backed and the process dies with SIGBUS, at the first open and
/// at every later one. A new data file is written with `pwrite`, which fails cleanly, but leaves
/// a half-written file behind. So before LMDB opens the directory, the lock file gets all its
/// blocks (`posix_fallocate`: a new one under a temporary name, linked into place only once it
/// has them), and a new data file's first pages must fit; a full disk leaves nothing half-made:
/// the error is exit 74, and the store works once space is freed.
enum StoreSpace {
    /// LMDB's lock file: a header of two cache lines plus one reader slot (`MDB_txninfo`), then a
    /// cache line per further reader (`MDB_reader`), as `mdb_env_setup_locks` sizes it.
    static func lockFileBytes(maxReaders: UInt32) -> Int {
        192 + (Int(max(maxReaders, 1)) - 1) * 64
    }

    /// Room a new data file needs: its meta pages, the named databases and the first commits (a
    /// store with one task takes 52 KiB).
    static let newDataFileBytes = 256 << 10

    /// Checks and reserves the space of the store at `path` (making its directory, mode 0700, if
    /// missing).
    ///
    /// Does nothing where the file system cannot reserve space, and leaves every other failure
    /// (a missing parent, a link, permissions) to LMDB's open, which reports it.
    ///
    /// - Throws: ``TasklogError`` with code `storage` when the disk has no room for the files.
    static func reserve(at path: String, maxReaders: UInt32) throws(TasklogError) {
        #if canImport(Glibc)
        let madeDirectory = mkdir(path, 0o700) == 0
        do throws(TasklogError) {
            try reserveLockFile(path + "/lock.mdb", bytes: lockFileBytes(maxReaders: maxReaders))
            var info = stat()
            if lstat(path + "/data.mdb", &info) != 0 && errno == ENOENT {
                try probe(path + "/data.mdb", bytes: newDataFileBytes, keep: false)
            }
        } catch {
            if madeDirectory { rmdir(path) }  // only when still empty
            throw error
        }
        #endif
    }

    #if canImport(Glibc)

    /// Gives the lock file all its blocks: a new one is made under a temporary name and linked into
    /// place; an existing one whose pages are not all on disk (LMDB leaves it sparse) has its holes
    /// filled in place, which writes nothing, once a probe showed that the space is there.
    private static func reserveLockFile(_ file: String, bytes: Int) throws(TasklogError) {
        var info = stat()
        guard lstat(file, &info) == 0 else {
            if errno == ENOENT { try probe(file, bytes: bytes, keep: true) }
            return
        }
        // Links and other kinds are for open to judge.
        guard (info.st_mode & S_IFMT) == S_IFREG else { return }
        let size = Int(info.st_size)
        guard size == 0 || Int(info.st_blocks) * 512 < size else { return }
        let target = max(size, size == 0 ? bytes : 0)
        // Probed first, so that a full disk is refused before the lock file is touched; but a lock
        // file whose header is on disk is still usable for reading a full disk's store.
        do throws(TasklogError) {
            guard try probe(file, bytes: target, keep: false) else { return }
        } catch {
            if info.st_blocks == 0 { throw error }
            return
        }
        let descriptor = open(file, O_RDWR | O_CLOEXEC | O_NOFOLLOW)
        guard descriptor >= 0 else { return }
        defer { close(descriptor) }
        try allocate(descriptor, bytes: target, for: file)
    }

    /// Allocates `bytes` in a new temporary file beside `file`; with `keep`, links it into place as
    /// `file` (unless another process made `file` meanwhile: its file stands). Returns whether the
    /// space could be allocated (`false` where the file system cannot tell).
    @discardableResult
    private static func probe(_ file: String, bytes: Int, keep: Bool) throws(TasklogError) -> Bool {
        let temporary = file + ".reserve-\(getpid())-\(UInt32.random(in: 0 ... .max))"
        let descriptor = open(temporary, O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0o600)
        guard descriptor >= 0 else { return false }
        defer { unlink(temporary) }
        let allocated: Bool
        do throws(TasklogError) {
            allocated = try allocate(descriptor, bytes: bytes, for: file)
            close(descriptor)
        } catch {
            close(descriptor)
            throw error
        }
        if keep && allocated { _ = link(temporary, file) }
        return allocated
    }

    /// `posix_fallocate`, with a full disk as a storage error; `false` where it cannot allocate.
    @discardableResult
    private static func allocate(_ descriptor: Int32, bytes: Int, for file: String) throws(TasklogError) -> Bool {
        var result: Int32
        repeat { result = posix_fallocate(descriptor, 0, off_t(bytes)) } while result == EINTR
        guard result != 0 else { return true }
        guard result == ENOSPC || result == EDQUOT else { return false }
        throw TasklogError(
            .storage,
            "the disk is full: \(file) needs \(bytes / 1024) KiB; nothing was written: free space and retry"
        )
    }
    #endif
}
