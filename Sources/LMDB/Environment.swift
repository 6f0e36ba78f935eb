import CLMDB
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An LMDB environment: one store directory holding named databases.
///
/// The rules (see `Concurrency.md` in `Sources/Tasklog/Tasklog.docc`):
/// 1. A store directory is opened once per process. ``open(path:options:)`` keeps a registry keyed
///    by device and inode and hands out the environment that is already open.
/// 2. Transactions are closure-scoped (``read(_:)``, ``write(_:)``); the values they read are valid
///    only inside the closure and are handed out as `RawSpan`, which cannot escape it.
/// 3. Never hold a transaction across `await`. A write transaction blocks on a lock shared between
///    processes: begin one only on a thread of your own, never on the shared concurrency pool.
///
/// The map grows by itself: a write that meets `MDB_MAP_FULL` is aborted, the map is doubled and
/// the write closure runs again. Growth made by another process (`MDB_MAP_RESIZED`) is adopted.
public final class Environment: @unchecked Sendable {
    /// How durable a commit is.
    public enum Durability: String, Sendable, CaseIterable {
        /// Two fsyncs per commit: nothing acknowledged is ever lost (the default).
        case full
        /// Skips the fsync of the meta page: a system crash may lose the last commit.
        case lastCommitAtRiskOnSystemCrash
        /// No fsync at all: the store stays intact, but a system crash may lose recent commits.
        case recentCommitsAtRiskOnSystemCrash
    }

    /// Settings used when the environment is first opened in this process.
    public struct Options: Sendable {
        /// The initial map size in bytes; the map grows by doubling when it fills.
        public var mapSize: Int = 256 << 20
        /// The most named databases.
        public var maxDatabases: UInt32 = 32
        /// The size of the reader lock table (processes and threads reading at once).
        public var maxReaders: UInt32 = 1024
        /// How durable a commit is.
        public var durability: Durability = .full
        /// The named databases to open (and create) at start-up, in one write transaction.
        public var databases: [String] = []
        /// Those of ``databases`` that hold many 8-byte values under a key (`MDB_DUPSORT` with
        /// `MDB_DUPFIXED`): each value is stored once, in order, without its key again.
        public var duplicateDatabases: Set<String> = []

        public init() {}
    }

    /// The store directory.
    public let path: String
    /// The named databases opened at start-up, by name.
    public let databases: [String: Database]
    /// Stale reader slots (of processes that died while reading) cleared when this process opened it.
    public let staleReadersCleared: Int
    /// What the checks of the store's files found worth telling when this process opened it: a
    /// directory or file that other users can write.
    public let warnings: [String]

    let env: EnvPointer
    private let fileID: FileID
    /// Held shared by every transaction of this process, exclusively to resize the map.
    private let resizeLock: UnsafeMutablePointer<pthread_rwlock_t>

    private init(path: String, fileID: FileID, options: Options, warnings: [String]) throws(LMDBError) {
        self.path = path
        self.fileID = fileID
        self.warnings = warnings
        env = try Syscalls.envCreate()
        resizeLock = .allocate(capacity: 1)
        pthread_rwlock_init(resizeLock, nil)
        var flags = EnvFlag.noTLS | EnvFlag.noReadAhead
        switch options.durability {
        case .full: break
        case .lastCommitAtRiskOnSystemCrash: flags |= EnvFlag.noMetaSync
        case .recentCommitsAtRiskOnSystemCrash: flags |= EnvFlag.noSync
        }
        do throws(LMDBError) {
            // A map already twice the data file, so that opening a big store is not followed by
            // a remap at its first write (the map grows once it is three quarters full).
            var file = stat()
            let existing = stat(path + "/data.mdb", &file) == 0 ? Int(file.st_size) : 0
            let doubled = (existing * 2 + (1 << 20) - 1) & ~((1 << 20) - 1)
            try Syscalls.envSetMapSize(env, max(options.mapSize, doubled))
            try Syscalls.envSetMaxDatabases(env, options.maxDatabases)
            try Syscalls.envSetMaxReaders(env, options.maxReaders)
            try Syscalls.envOpen(env, path, flags, 0o600)
            staleReadersCleared = try Syscalls.readerCheck(env)
            var opened: [String: Database] = [:]
            let txn = try Syscalls.txnBegin(env, readOnly: false)
            do throws(LMDBError) {
                for name in options.databases {
                    let duplicates = options.duplicateDatabases.contains(name)
                    let dbi = try Syscalls.dbiOpen(txn, name, create: true, duplicates: duplicates)
                    opened[name] = Database(name: name, dbi: dbi)
                }
                try Syscalls.txnCommit(txn)
            } catch {
                Syscalls.txnAbort(txn)
                throw error
            }
            databases = opened
        } catch {
            Syscalls.envClose(env)
            pthread_rwlock_destroy(resizeLock)
            resizeLock.deallocate()
            throw error
        }
    }

    deinit {
        // Closed under the registry's lock, and only then forgotten: an open of the same directory
        // waits until this one is closed, because closing a file descriptor drops every POSIX lock
        // the process holds on the file, a second environment's included.
        FaultInjection.disarm(env)
        Environment.registry.withLock { registry in
            Syscalls.envClose(env)
            registry[fileID] = nil
        }
        pthread_rwlock_destroy(resizeLock)
        resizeLock.deallocate()
    }

    // MARK: Opening once per process

    struct FileID: Hashable {
        var device: UInt64
        var inode: UInt64
    }

    private struct WeakEntry {
        weak var environment: Environment?
    }

    private static let registry = Mutex<[FileID: WeakEntry]>([:])

    /// Opens the store directory at `path`, creating it (mode 0700, files 0600) if needed.
    ///
    /// Before LMDB opens the files, they are checked (see `StoreFiles`): links, an emptied data
    /// file, meta pages that disagree and a truncated file are refused, so that LMDB never maps
    /// what would crash the process or serve an old state.
    ///
    /// If this process already has it open, the open environment is returned and `options` are
    /// ignored, except that databases it lacks are opened.
    public static func open(path: String, options: Options = Options()) throws(LMDBError) -> Environment {
        if mkdir(path, 0o700) != 0 && errno != EEXIST {
            throw LMDBError(code: .init(rawValue: errno), call: "mkdir")
        }
        var info = stat()
        guard stat(path, &info) == 0 else { throw LMDBError(code: .init(rawValue: errno), call: "stat") }
        guard (info.st_mode & S_IFMT) == S_IFDIR else { throw LMDBError(code: .init(rawValue: ENOTDIR), call: "stat") }
        let id = FileID(device: UInt64(info.st_dev), inode: UInt64(info.st_ino))
        while true {
            let found = try registry.withLock { registry throws(LMDBError) -> Environment? in
                if let entry = registry[id] {
                    // Still registered but gone: it is being closed; wait for that.
                    guard let existing = entry.environment else { return nil }
                    let missing = options.databases.filter { existing.databases[$0] == nil }
                    precondition(missing.isEmpty, "the store at \(path) is open already without databases \(missing)")
                    return existing
                }
                let warnings = try StoreFiles.check(path)
                let environment = try Environment(path: path, fileID: id, options: options, warnings: warnings)
                registry[id] = WeakEntry(environment: environment)
                return environment
            }
            if let found { return found }
            usleep(200)
        }
    }

    /// The database opened at start-up under `name`.
    public func database(_ name: String) -> Database {
        guard let database = databases[name] else {
            preconditionFailure("database \(name) was not opened at start-up")
        }
        return database
    }

    // MARK: Transactions

    /// Runs `body` in a read-only transaction, which sees one consistent state of the store.
    @inlinable
    public func read<R>(_ body: (borrowing ReadTransaction) throws -> R) throws -> R {
        try withTransactionLock { () throws -> R in
            let txn = try beginAdoptingResize(readOnly: true)
            let transaction = ReadTransaction(txn)
            return try body(transaction)
        }
    }

    /// Runs `body` in a write transaction and commits it if `body` returns.
    ///
    /// If the map is full, the transaction is aborted, the map grows, and `body` runs again: it
    /// must not leave effects outside the transaction that a second run would repeat, and it must
    /// let ``LMDBError``s it catches propagate unchanged.
    ///
    /// This blocks while another process or thread writes: call it from a thread of your own.
    public func write<R>(_ body: (borrowing WriteTransaction) throws -> R) throws -> R {
        while true {
            growIfNearlyFull()
            do {
                return try withTransactionLock { () throws -> R in
                    let transaction = WriteTransaction(try beginAdoptingResize(readOnly: false))
                    let result = try body(transaction)
                    try transaction.commit()
                    return result
                }
            } catch let error as LMDBError where error.code == .mapFull {
                let before = mapSize
                grow(atLeast: before * 2)
                // A map that cannot grow (no address space, a file size limit) ends the retries.
                guard mapSize > before else { throw error }
            }
        }
    }

    @usableFromInline
    func withTransactionLock<R>(_ body: () throws -> R) rethrows -> R {
        pthread_rwlock_rdlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        return try body()
    }

    @usableFromInline
    func beginAdoptingResize(readOnly: Bool) throws(LMDBError) -> TxnPointer {
        do {
            return try Syscalls.txnBegin(env, readOnly: readOnly)
        } catch  where error.code == .mapResized {
            // Another process grew the map. Adopting its size needs no transaction of ours open,
            // so the lock held shared by the caller is traded for the exclusive one briefly.
            pthread_rwlock_unlock(resizeLock)
            pthread_rwlock_wrlock(resizeLock)
            let adopted = Result { () throws(LMDBError) in try Syscalls.envSetMapSize(env, 0) }
            pthread_rwlock_unlock(resizeLock)
            pthread_rwlock_rdlock(resizeLock)
            try adopted.get()
            return try Syscalls.txnBegin(env, readOnly: readOnly)
        }
    }

    // MARK: The map

    /// The current map size in bytes.
    public var mapSize: Int {
        (try? Syscalls.envInfo(env).me_mapsize) ?? 0
    }

    /// Bytes of the map in use (pages up to the last one written, times the page size).
    public var usedBytes: Int {
        guard let info = try? Syscalls.envInfo(env), let stat = try? Syscalls.envStat(env) else { return 0 }
        return (info.me_last_pgno + 1) * Int(stat.ms_psize)
    }

    /// Grows the map to `size` bytes (rounded up to a MiB) while no transaction of this process is open.
    public func grow(atLeast size: Int) {
        pthread_rwlock_wrlock(resizeLock)
        defer { pthread_rwlock_unlock(resizeLock) }
        let current = (try? Syscalls.envInfo(env).me_mapsize) ?? 0
        guard size > current else { return }
        let rounded = (size + (1 << 20) - 1) & ~((1 << 20) - 1)
        do throws(LMDBError) {
            try Syscalls.envSetMapSize(env, rounded)
        } catch {
            // Growth is retried on the next MDB_MAP_FULL; the write reports it if it persists.
        }
    }

    private func growIfNearlyFull() {
        let size = mapSize
        if usedBytes > size / 4 * 3 { grow(atLeast: size * 2) }
    }

    // MARK: Maintenance

    /// Clears reader slots left by processes that died while reading; returns how many.
    @discardableResult
    public func clearStaleReaders() throws(LMDBError) -> Int {
        try Syscalls.readerCheck(env)
    }

    /// Flushes buffers to disk (needed only with a relaxed ``Durability``).
    public func sync() throws(LMDBError) {
        try Syscalls.envSync(env, force: true)
    }

    /// The page size of the environment.
    public var pageSize: Int {
        Int((try? Syscalls.envStat(env).ms_psize) ?? 4096)
    }
}
