#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The checks made on an environment's files before LMDB opens and maps them.
///
/// LMDB trusts its files: it has no page checksums, it maps `data.mdb` whatever its length (a page
/// past the end of a truncated file kills the process with SIGBUS), it takes a zero-length file
/// for a new environment, it follows symbolic links, and of its two meta pages it uses the one
/// with the higher transaction id, even when a flipped bit made that the older one. So before
/// LMDB sees them:
///
/// - `data.mdb` and `lock.mdb` must be regular files, not links (a link would let anyone who can
///   write the directory make LMDB write elsewhere);
/// - an empty or missing `data.mdb` beside a `lock.mdb` that LMDB initialised is a store that lost
///   its data, unless it is being created right now (its creator writes the meta pages within
///   moments);
/// - the two meta pages must have transaction ids one apart (or both 0, before the first
///   commit): LMDB writes them in turn, one per commit;
/// - the file must hold every page up to the last one the newer meta page counts.
///
/// The directory and files writable by other users are reported as ``warnings``, not refused.
enum StoreFiles {
    /// What a meta page says (see `MDB_meta` in LMDB's `mdb.c`).
    struct Meta: Equatable {
        var pageSize: UInt32
        var lastPage: UInt64
        var transaction: UInt64
    }

    /// Checks the files of the environment in `directory`; returns warnings about its permissions.
    static func check(_ directory: String) throws(LMDBError) -> [String] {
        let data = directory + "/data.mdb"
        let lock = directory + "/lock.mdb"
        var warnings = writableByOthers(directory, what: "the store directory")
        for path in [data, lock] {
            var info = stat()
            guard lstat(path, &info) == 0 else { continue }
            let kind = info.st_mode & S_IFMT
            guard kind == S_IFREG else {
                throw LMDBError(
                    code: kind == S_IFLNK ? .linkRefused : .invalid,
                    call: "lstat",
                    detail: kind == S_IFLNK
                        ? "\(path) is a symbolic link; a store's files must be regular files (a link would make Tasklog write where it points): replace the link by the file itself"
                        : "\(path) is not a regular file; move it away, or pass another --store"
                )
            }
            warnings += writableByOthers(path, what: "the store file")
        }
        try checkData(data, opened: lockFileWasOpened(lock))
        return warnings
    }

    /// Whether LMDB ever opened the environment of lock file `path`: its first opener writes the
    /// lock magic at the start. A lock file of zeros was made ahead of LMDB (Tasklog reserves its
    /// blocks before a new store is created, so that a full disk cannot kill LMDB through it).
    static func lockFileWasOpened(_ path: String) -> Bool {
        let descriptor = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard descriptor >= 0 else { return false }
        defer { close(descriptor) }
        var magic: UInt32 = 0
        let read = withUnsafeMutableBytes(of: &magic) { pread(descriptor, $0.baseAddress, $0.count, 0) }
        return read == 4 && magic != 0
    }

    /// The meta pages of `path`, its size, and their agreement, re-read while a commit of another
    /// process changes them (a damaged page stays the same from one read to the next). `opened`:
    /// LMDB initialised the lock file, so the store was opened before, or is being created right
    /// now (LMDB sets up the lock file first).
    private static func checkData(_ path: String, opened: Bool) throws(LMDBError) {
        var previous: (Meta, Meta, Int)?
        var waited = 0
        while true {
            let read = try readMetas(path)
            guard let (first, second, size) = read else {
                // Missing, empty, or shorter than its two meta pages.
                var info = stat()
                let length = lstat(path, &info) == 0 ? Int(info.st_size) : 0
                if !opened && length == 0 { return }  // a new store: LMDB writes its first pages
                guard opened, waited < 200 else {
                    throw damaged(
                        length == 0
                            ? "\(path) is empty but its lock file shows the store was opened before: its data is lost"
                            : "\(path) is \(length) bytes, too short to hold LMDB's two meta pages: it was truncated"
                    )
                }
                waited += 1
                usleep(10_000)
                continue
            }
            if let problem = problem(first, second, size: size) {
                if let previous, previous == (first, second, size) { throw damaged("\(path): \(problem)") }
                guard waited < 200 else { throw damaged("\(path): \(problem)") }
                previous = (first, second, size)
                waited += 1
                usleep(2_000)
                continue
            }
            return
        }
    }

    /// What is wrong with a pair of meta pages and a file of `size` bytes, or `nil`.
    static func problem(_ first: Meta, _ second: Meta, size: Int) -> String? {
        let (low, high) = first.transaction < second.transaction ? (first, second) : (second, first)
        guard high.transaction == 0 || high.transaction - low.transaction == 1 else {
            return
                "its two meta pages name transactions \(first.transaction) and \(second.transaction), not one apart: one of them is damaged, and LMDB would open an old or unknown state"
        }
        let pageSize = UInt64(first.pageSize)
        guard pageSize >= 512, pageSize <= 65_536, pageSize & (pageSize - 1) == 0 else {
            return "its meta page gives a page size of \(pageSize) bytes: the page is damaged"
        }
        // A damaged page may count any number of pages: no arithmetic here may trap.
        let (pages, past) = high.lastPage.addingReportingOverflow(1)
        let (needed, overflow) = pages.multipliedReportingOverflow(by: pageSize)
        guard !past, !overflow, needed <= UInt64(size) else {
            return
                "the file is \(size) bytes but its pages reach \(past || overflow ? "past any file" : "\(needed) bytes"): it was truncated"
        }
        return nil
    }

    /// Both meta pages and the file's size, read in that order (a commit writes its pages before
    /// the meta page that counts them), or `nil` if the file does not hold them yet.
    private static func readMetas(_ path: String) throws(LMDBError) -> (Meta, Meta, Int)? {
        let fd = open(path, O_RDONLY | O_NOFOLLOW | O_CLOEXEC)
        guard fd >= 0 else {
            if errno == ENOENT { return nil }
            throw LMDBError(code: .init(rawValue: errno), call: "open")
        }
        defer { close(fd) }
        guard let first = try meta(fd, at: 0) else { return nil }
        guard first.pageSize >= 512, first.pageSize <= 65_536 else {
            throw damaged("\(path): its first meta page gives a page size of \(first.pageSize) bytes: it is damaged")
        }
        guard let second = try meta(fd, at: off_t(first.pageSize)) else { return nil }
        var info = stat()
        guard fstat(fd, &info) == 0 else { throw LMDBError(code: .init(rawValue: errno), call: "fstat") }
        return (first, second, Int(info.st_size))
    }

    /// The meta page at `offset`: page header (16 bytes), then `MDB_meta`: magic, version, address,
    /// map size, two `MDB_db` of 48 bytes (the first's leading 4 bytes hold the page size), the
    /// last page and the transaction id. `nil` if the file ends before it.
    private static func meta(_ fd: Int32, at offset: off_t) throws(LMDBError) -> Meta? {
        var page = [UInt8](repeating: 0, count: 152)
        let count = page.withUnsafeMutableBytes { pread(fd, $0.baseAddress, $0.count, offset) }
        guard count >= 0 else { throw LMDBError(code: .init(rawValue: errno), call: "pread") }
        guard count == page.count else { return nil }
        return page.withUnsafeBytes { bytes -> Meta in
            Meta(
                pageSize: bytes.loadUnaligned(fromByteOffset: 40, as: UInt32.self),
                lastPage: bytes.loadUnaligned(fromByteOffset: 136, as: UInt64.self),
                transaction: bytes.loadUnaligned(fromByteOffset: 144, as: UInt64.self)
            )
        }
    }

    private static func damaged(_ what: String) -> LMDBError {
        LMDBError(
            code: .corrupted,
            call: "mdb_env_open",
            detail:
                "\(what). Tasklog will not open it (LMDB would crash or serve an old state): restore the store directory from a backup, or salvage an intact copy of it with `tasklog export --through SEQ` (see the README on salvage)"
        )
    }

    private static func writableByOthers(_ path: String, what: String) -> [String] {
        var info = stat()
        guard stat(path, &info) == 0, info.st_mode & (S_IWGRP | S_IWOTH) != 0 else { return [] }
        let mode = String(info.st_mode & 0o777, radix: 8)
        return [
            "warning: \(what) \(path) is writable by other users (mode \(mode)): they can rewrite the log; chmod go-w \(path)"
        ]
    }
}
