import Foundation
import LMDB
public import TasklogCore

/// A store in an LMDB directory on this machine: the backend behind `TaskStore.open(at:)`.
///
/// One environment per directory per process, shared by every store opened on it; many processes
/// may open the same directory at once (LMDB's lock file serialises their writes). The layout of
/// its databases is ``LMDBLayout``.
public final class LMDBBackend: StorageBackend {
    /// How the directory is opened.
    public struct Options: Sendable {
        /// How durable a commit is; ``TasklogCore/Durability/full`` loses nothing acknowledged.
        public var durability: Durability = .full
        /// The initial map size; it grows by itself.
        public var initialMapSize: Int = 64 << 20
        /// Create the directory (mode 0700, files 0600) if it does not exist.
        public var createIfMissing = true
        /// Where notices go (files other users can write, stale readers cleared).
        public var log: @Sendable (String) -> Void = { _ in }

        public init() {}
    }

    /// The store directory.
    public let path: String
    public var location: String { path }
    /// The LMDB environment, for tools that inspect the files themselves.
    let environment: Environment
    let layout: LMDBLayout

    private init(path: String, environment: Environment) {
        self.path = path
        self.environment = environment
        layout = LMDBLayout(environment)
    }

    /// Opens (or creates) the store directory at `path`.
    ///
    /// Before LMDB touches the files, they are checked (meta pages, links, permissions) and the
    /// space a new store needs is reserved, so that a damaged file or a full disk is a clear error
    /// rather than a crash; a data file shorter than the pages it claims is refused as truncated.
    public static func open(at path: String, options: Options = Options()) throws -> LMDBBackend {
        var isDirectory: ObjCBool = false
        let exists = FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory)
        if exists && !isDirectory.boolValue {
            throw TasklogError(.invalidInput, "\(path) is a file, not a store directory")
        }
        if !exists && !options.createIfMissing {
            throw TasklogError(.notFound, "there is no store at \(path)")
        }
        if !exists { try checkCreatable(path) }
        var environmentOptions = Environment.Options()
        environmentOptions.mapSize = options.initialMapSize
        environmentOptions.durability = Self.durability(options.durability)
        environmentOptions.databases = LMDBLayout.databaseNames
        environmentOptions.duplicateDatabases = Set(IndexKey.Kind.allCases.map(LMDBLayout.indexName))
        try StoreSpace.reserve(at: path, maxReaders: environmentOptions.maxReaders)
        let environment = try mapped { try Environment.open(path: path, options: environmentOptions) }
        for warning in environment.warnings { options.log(warning) }
        if environment.staleReadersCleared > 0 {
            options.log("cleared \(environment.staleReadersCleared) reader slots left by processes that died")
        }
        let backend = LMDBBackend(path: path, environment: environment)
        if let truncation = backend.truncation() {
            throw TasklogError(
                .corrupt,
                "\(truncation); it cannot be served. Restore it from a backup, or see the README on salvage"
            )
        }
        return backend
    }

    /// Says why a store directory cannot be made at `path`, before LMDB would report both cases
    /// as "does not exist": the folder to hold it is missing, or it cannot be written.
    private static func checkCreatable(_ path: String) throws(TasklogError) {
        let parent = URL(fileURLWithPath: path).deletingLastPathComponent().path
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: parent, isDirectory: &isDirectory) else {
            throw TasklogError(
                .notFound,
                "the folder \(parent) that would hold the store \(path) does not exist; create it first, or pass another store path"
            )
        }
        guard isDirectory.boolValue else {
            throw TasklogError(
                .invalidInput,
                "\(parent) is a file, so the store \(path) cannot be made in it; pass another store path"
            )
        }
        // A probe: the real directory is made by the open, with the same mode.
        guard mkdir(path, 0o700) != 0 else {
            rmdir(path)
            return
        }
        let failure = errno
        guard failure != EEXIST else { return }
        // A folder like /proc answers "no such file" for any new name: it is not writable either.
        let reason = failure == ENOENT ? "" : " (\(String(cString: strerror(failure))))"
        throw TasklogError(
            .storage,
            "the store \(path) cannot be made: its folder \(parent) is not writable\(reason); "
                + "pass a store path in a folder you can write"
        )
    }

    public func read<R>(_ body: (any StorageReader) throws -> R) throws -> R {
        try Self.mapped {
            try environment.read { txn in
                try withUnsafePointer(to: txn) { try body(LMDBReadView(transaction: $0, layout: layout)) }
            }
        }
    }

    public func write<R>(_ body: (any StorageWriter) throws -> R) throws -> R {
        try Self.mapped {
            try environment.write { txn in
                try withUnsafePointer(to: txn) { try body(LMDBWriteView(transaction: $0, layout: layout)) }
            }
        }
    }

    public func watchChanges() -> (any ChangeWatch)? {
        DataFileWatch(file: path + "/data.mdb")
    }

    /// Each index key's seqs as sorted 8-byte duplicates (``LMDBLayout``); a store whose
    /// indexes are one entry per event (before) has them written again when it is opened.
    public var indexLayout: String { "sorted-seqs" }

    /// Grows the map to hold `bytes` more than it uses now, at once.
    public func reserve(_ bytes: Int) {
        environment.grow(atLeast: environment.usedBytes.addingReportingOverflow(bytes).partialValue)
    }

    public func statistics() throws -> StorageStatistics {
        StorageStatistics(
            storedBytes: dataFileSize ?? 0,
            usedBytes: environment.usedBytes,
            capacityBytes: environment.mapSize
        )
    }

    public func storageProblems() -> [String] {
        truncation().map { [$0] } ?? []
    }

    /// The environment is shared by the process and closed when its last user lets go of it.
    public func close() {}

    // MARK: Files

    /// The size of data.mdb, `nil` when it cannot be read. `lstat` itself, like the check of the
    /// files before LMDB opens them: `FileManager.attributesOfItem` builds a dictionary keyed by
    /// `FileAttributeKey`, whose first use in a process costs a scan of every conformance the
    /// process holds, on the first open.
    private var dataFileSize: Int? {
        var info = stat()
        guard lstat(path + "/data.mdb", &info) == 0 else { return nil }
        return Int(info.st_size)
    }

    /// A data file shorter than the pages it claims, said in a sentence; `nil` when it is whole.
    ///
    /// The pages in use first, then the file's size: a commit of another process in between only
    /// makes the file longer (LMDB writes the pages before the meta page that counts them).
    private func truncation() -> String? {
        let used = environment.usedBytes
        guard let size = dataFileSize, size < used else { return nil }
        return "data.mdb in \(path) was truncated (\(size) of \(used) bytes)"
    }

    // MARK: Errors

    private static func durability(_ durability: Durability) -> Environment.Durability {
        switch durability {
        case .full: .full
        case .lastCommitAtRiskOnSystemCrash: .lastCommitAtRiskOnSystemCrash
        case .recentCommitsAtRiskOnSystemCrash: .recentCommitsAtRiskOnSystemCrash
        }
    }

    /// Runs `body`, turning LMDB's errors into ``TasklogError``s that say what to do and keep
    /// the LMDB error as their cause.
    static func mapped<R>(_ body: () throws -> R) throws -> R {
        do {
            return try body()
        } catch let error as LMDBError {
            throw TasklogError(error)
        }
    }
}

extension TasklogError {
    /// The engine's reading of an LMDB error; the error itself is kept as the cause.
    init(_ error: LMDBError) {
        if let detail = error.detail {
            // A check of the files before LMDB opened them: its sentence says what to do.
            self.init(error.meansDamage ? .corrupt : .storage, detail, underlying: error)
            return
        }
        switch error.code {
        case .noSpace:
            self.init(
                .storage,
                "the disk is full; nothing was written, and nothing acknowledged was lost: free space and retry",
                underlying: error
            )
        case .accessDenied:
            self.init(
                .storage,
                "permission denied on the store (\(error.call)); check the owner and mode of its directory",
                underlying: error
            )
        case .readersFull:
            self.init(
                .storage,
                "too many processes are reading the store at once; retry when some have finished",
                underlying: error
            )
        case .noSuchFile:
            self.init(.notFound, "the store directory does not exist", underlying: error)
        case _ where error.meansDamage:
            self.init(
                .corrupt,
                "the store's data file is damaged (\(error.message)); run `tasklog verify` and see the README on salvage",
                underlying: error
            )
        default:
            self.init(
                .storage,
                "the storage failed: \(error); retry, and run `tasklog verify` if it persists",
                underlying: error
            )
        }
    }
}

/// The follower's wait on an LMDB store: the process's one inotify watcher on its data file.
private final class DataFileWatch: ChangeWatch {
    let file: String

    /// `nil` when inotify cannot watch the file: the follower then polls.
    init?(file: String) {
        guard FileWatcher.shared.add(file) else { return nil }
        self.file = file
    }

    func changes() -> UInt64 {
        FileWatcher.shared.writes(of: file)
    }

    func wait(after seen: UInt64, seconds: Double, until stopped: () -> Bool) {
        FileWatcher.shared.wait(for: file, after: seen, seconds: seconds, unless: stopped)
    }

    func wake() { FileWatcher.shared.wakeAll() }

    func cancel() { FileWatcher.shared.remove(file) }
}
