/// Where a store keeps its log: the seam between the engine and a storage engine.
///
/// The engine (`TaskStore`) talks to this protocol only. It speaks in encoded bytes (events and
/// snapshots, as ``EventCodec`` and ``SnapshotCodec`` write them) and in index entries, never in
/// tasks: a backend knows nothing of task semantics, and every check of what the bytes mean (the
/// hash chain, dense seqs, the head record) stays in the engine, the same on every backend.
///
/// Two backends ship with Tasklog: `LMDBBackend` (module `TasklogLMDB`), a store directory on one
/// machine, and `InMemoryBackend`, for tests and for embedders' own tests. The DocC article
/// "Writing a storage backend" says what a backend must guarantee.
///
/// ## What a backend guarantees
///
/// - **One consistent view per transaction.** Everything a ``StorageReader`` reads inside one
///   ``read(_:)`` or ``write(_:)`` is one state of the store: no commit of another writer (thread,
///   process or host) appears half-way through.
/// - **Writes are serialised and atomic.** Only one ``write(_:)`` runs at a time across every
///   process and host that shares the store, and what it wrote becomes visible all at once when
///   `body` returns, or not at all when it throws. The engine relies on this to catch up to other
///   writers' events inside the write before it decides, and to append an event with its index
///   entries in one step.
/// - **Durable before return.** When ``write(_:)`` returns, what it wrote survives a crash of the
///   process (and, with ``Durability/full``, of the machine).
/// - **Errors carry their cause.** A failure is a ``TasklogError`` whose code says what kind it is
///   (`.storage` for I/O, `.corrupt` for damage, `.notFound`) and whose `underlying` error is the
///   backend's own.
///
/// Calls may block the calling thread (on disk, on a lock shared between processes, on the
/// network): the engine calls them from threads of its own, never from Swift's shared pool.
public protocol StorageBackend: AnyObject, Sendable {
    /// Where the store is, for messages: a directory, or a name.
    var location: String { get }

    /// Runs `body` in a read-only transaction; the reader is valid only inside it.
    func read<R>(_ body: (any StorageReader) throws -> R) throws -> R

    /// Runs `body` in a write transaction and commits it when `body` returns.
    ///
    /// A backend may abort an attempt and run `body` again (LMDB does when its map must grow):
    /// `body` must start from what it reads, and let the backend's errors propagate unchanged.
    func write<R>(_ body: (any StorageWriter) throws -> R) throws -> R

    /// A watch that wakes a follower when a commit (of any process) may have added events, or
    /// `nil` when the backend cannot tell: the follower then polls.
    func watchChanges() -> (any ChangeWatch)?

    /// A name for how the backend lays out the audit indexes, or empty (the default). A store
    /// whose indexes were written in another layout has them written again when it is opened.
    var indexLayout: String { get }

    /// Sizes and counts for `tasklog stats`.
    func statistics() throws -> StorageStatistics

    /// Makes room, before a write of about `bytes` more bytes starts, where the backend has to:
    /// LMDB grows its map once, rather than running a long write again at each doubling. Does
    /// nothing by default.
    func reserve(_ bytes: Int)

    /// Damage in the storage itself that the engine's walk of the log cannot see (a truncated
    /// data file, say), one sentence each, for `tasklog verify`.
    func storageProblems() -> [String]

    /// Releases the backend's resources; later calls fail. Closing twice does nothing.
    func close()
}

extension StorageBackend {
    public var indexLayout: String { "" }

    public func reserve(_ bytes: Int) {}
}

/// What every transaction can read, in encoded bytes. Valid only inside the closure of
/// ``StorageBackend/read(_:)`` or ``StorageBackend/write(_:)`` that passed it; the byte buffers it
/// hands out are valid only inside the closure they are passed to.
public protocol StorageReader {
    /// Calls `body` with the seq and bytes of the last event stored; `nil` when there is none.
    func withLastEvent<R>(_ body: (UInt64, UnsafeRawBufferPointer) throws -> R) throws -> R?

    /// Calls `body` with the bytes of the event stored under `seq`; `nil` when there is none.
    func withEvent<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R?

    /// Calls `body` with every event stored under a seq ≥ `start`, in seq order, as stored (the
    /// engine checks that seqs are dense); `body` returns `false` to stop.
    func forEachEvent(from start: UInt64, _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws

    /// The seqs of the stored snapshots, oldest first.
    func snapshotSeqs() throws -> [UInt64]

    /// The seq of the newest stored snapshot, `nil` when there is none (asked at every commit).
    func lastSnapshotSeq() throws -> UInt64?

    /// Calls `body` with the bytes of the snapshot stored under `seq`; `nil` when there is none.
    func withSnapshot<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R?

    /// Calls `body` with the bytes of list `list`'s body stored for the snapshot at `seq` (the
    /// directory of a snapshot of format 4 or 5 says where each list's body is); `nil` when there
    /// is none.
    func withSnapshotBody<R>(list: String, seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R?

    /// The value of the meta record `name` (`format`, `store-id`, `head`, `index-version`).
    func meta(_ name: String) throws -> [UInt8]?

    /// The record kept for idempotency key `key` of list `list`.
    func idempotencyRecord(list: String, key: String) throws -> [UInt8]?

    /// The seqs under `key` between `low` and `high` inclusive, in seq order (newest first when
    /// `newestFirst`), at most `limit` of them.
    func indexSeqs(
        _ key: IndexKey,
        from low: UInt64,
        through high: UInt64,
        newestFirst: Bool,
        limit: Int
    ) throws
        -> [UInt64]

    /// The seqs of the events of list `list` between `low` and `high` inclusive, in any order
    /// and repeated as they come: every seq the task and the workflow indexes hold under a key of
    /// that list (so every event of the list, as ``IndexEntries`` indexes each under its tasks or
    /// its workflow).
    ///
    /// `nil` when the backend cannot walk a list's keys, or would step over more than `budget`
    /// entries to answer (a list that grew long after `high`, say); the engine then walks the
    /// log. Asked for a list as of a point far past the snapshot before it, so it should cost
    /// about what the list's own entries cost, not what the log's do.
    func listSeqs(_ list: String, from low: UInt64, through high: UInt64, budget: Int) throws -> [UInt64]?
    /// Whether the index holds `seq` under `key`.
    func containsIndexEntry(_ key: IndexKey, seq: UInt64) throws -> Bool

    /// How many entries the index of `kind` holds.
    func indexEntryCount(_ kind: IndexKey.Kind) throws -> Int

    /// The leases of `owner` in `list` (either `nil`: of every owner or list), in (list, owner,
    /// session) order.
    func leases(in list: String?, owner: String?) throws -> [Lease]
}

extension StorageReader {
    public func listSeqs(_ list: String, from low: UInt64, through high: UInt64, budget: Int) throws -> [UInt64]? {
        nil
    }
}

/// What a write transaction can do besides reading. Valid only inside the closure of
/// ``StorageBackend/write(_:)`` that passed it.
public protocol StorageWriter: StorageReader {
    /// Stores an event under `seq`, which is one past the last event stored.
    func appendEvent(_ seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws

    /// Adds `seq` under `key`; `seq` is past every seq already under it.
    func addIndexEntry(_ key: IndexKey, seq: UInt64) throws

    /// Empties every index (before they are written again from the log).
    func removeAllIndexEntries() throws

    func setIdempotencyRecord(list: String, key: String, _ value: [UInt8]) throws

    func setMeta(_ name: String, _ value: [UInt8]) throws

    /// Stores a snapshot under `seq`, replacing one stored there.
    func putSnapshot(_ seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws

    func deleteSnapshot(_ seq: UInt64) throws

    /// Stores list `list`'s body for the snapshot at `seq`, replacing one stored there. Newer
    /// snapshots of an unchanged list refer to it too.
    func putSnapshotBody(list: String, seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws

    /// Deletes list `list`'s body stored for the snapshot at `seq`, once no snapshot refers to it.
    func deleteSnapshotBody(list: String, seq: UInt64) throws

    /// Stores `lease`, replacing the lease of the same list, owner and session.
    func putLease(_ lease: Lease) throws

    /// Deletes the lease of `session` on `owner` in `list`; returns whether there was one.
    @discardableResult
    func deleteLease(list: String, owner: String, session: String) throws -> Bool
}

/// A follower's wait for new commits (``StorageBackend/watchChanges()``).
public protocol ChangeWatch: Sendable {
    /// A number that grows with every commit seen; read it before reading the log, so that a
    /// commit during the read is noticed by the wait.
    func changes() -> UInt64

    /// Waits until ``changes()`` passes `seen`, `seconds` pass, or `stopped` says so (checked
    /// when ``wake()`` is called).
    func wait(after seen: UInt64, seconds: Double, until stopped: () -> Bool)

    /// Wakes the waits, so that they check whether they were stopped.
    func wake()

    /// Stops watching; the watch is not used again.
    func cancel()
}

/// Sizes and counts a backend reports.
public struct StorageStatistics: Sendable, Hashable {
    /// Bytes the store takes (on disk, or in memory).
    public var storedBytes: Int
    /// Bytes of it in use.
    public var usedBytes: Int
    /// Bytes it may grow to before it must be resized (the LMDB map), or `storedBytes`.
    public var capacityBytes: Int

    public init(storedBytes: Int, usedBytes: Int, capacityBytes: Int) {
        self.storedBytes = storedBytes
        self.usedBytes = usedBytes
        self.capacityBytes = capacityBytes
    }
}
