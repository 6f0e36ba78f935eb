import Foundation
import Synchronization
public import TasklogCore
import TasklogLMDB
import TasklogPostgres

/// A Tasklog store: an event log, folded into task lists, kept by a storage backend (an LMDB
/// directory or a PostgreSQL database, see ``open(at:options:)``; any
/// ``TasklogCore/StorageBackend`` with ``open(backend:options:)``).
///
/// Open it once and share it: it is safe from many threads and tasks, and several processes may
/// open the same directory at once. Every command becomes events appended in one write
/// transaction on the store's own writer thread; the call returns once they are durable.
///
/// ```swift
/// let store = try TaskStore.open(at: ".tasklog")
/// let plan = try store.create(NewTask(subject: "Write the plan"))
/// let build = try store.create(NewTask(subject: "Build it"))
/// _ = try store.update(build.id, TaskChanges(addBlockedBy: [plan.id]))
/// _ = try store.update(plan.id, TaskChanges(status: .inProgress, owner: "agent-1"))
/// print(try store.ready().map(\.subject))
/// ```
///
/// ## Topics
/// - Commands: ``create(_:in:actor:idempotencyKey:)``, ``update(_:_:in:actor:idempotencyKey:)``,
///   ``release(owner:in:actor:)``, ``execute(_:in:actor:idempotencyKey:)``
/// - Queries: ``get(_:in:)``, ``tasks(in:)``, ``ready(in:)``, ``state()``
/// - The store: ``snapshot()``, ``verify(progress:)``, ``stats()``, ``events(from:through:progress:_:)``, ``importEvents(_:progress:naming:)``, ``importEvents(from:progress:)``
public final class TaskStore: Sendable {
    /// Where the store is: its directory, or the backend's ``TasklogCore/StorageBackend/location``.
    public let path: String
    let core: StoreCore
    let writer: Writer

    private init(path: String, core: StoreCore) {
        self.path = path
        self.core = core
        writer = Writer(maxBatch: core.options.maxBatch, name: "tasklog-writer") { [core] jobs in core.process(jobs) }
    }

    deinit {
        writer.stop()
    }

    /// Opens the store at `path`, creating it unless told not to: an LMDB store directory on this
    /// machine (made 0700, its files 0600), or a PostgreSQL store shared by many hosts, named by
    /// URL (`postgres://USER:PASSWORD@HOST:PORT/DATABASE?schema=NAME`, see `PostgresStoreURL`).
    ///
    /// Opening reads the directory of the newest usable snapshot and the envelopes of the events
    /// after it; each list is loaded (its body in the snapshot, plus its events since) the first
    /// time it is used.
    public static func open(at path: String, options: Options = Options()) throws -> TaskStore {
        if isURL(path) {
            var postgres = PostgresBackend.Options()
            postgres.createIfMissing = options.createIfMissing
            return try open(
                backend: try PostgresBackend.open(url: path, options: postgres),
                owned: true,
                options: options
            )
        }
        var lmdb = LMDBBackend.Options()
        lmdb.durability = options.durability
        lmdb.initialMapSize = options.initialMapSize
        lmdb.createIfMissing = options.createIfMissing
        lmdb.log = options.log
        return try open(backend: try LMDBBackend.open(at: path, options: lmdb), owned: true, options: options)
    }

    /// Whether `location` names a store on a server (a `postgres://` URL) rather than a directory.
    public static func isURL(_ location: String) -> Bool {
        PostgresStoreURL.isURL(location)
    }

    /// `location` as a message may show it: a URL without its password.
    public static func displayed(_ location: String) -> String {
        isURL(location) ? PostgresStoreURL.redacted(location) : location
    }

    /// Opens the store that `backend` holds, making it a store first if it is empty.
    ///
    /// The caller owns the backend: ``close()`` leaves it open, and several stores may share it.
    ///
    /// ```swift
    /// let store = try TaskStore.open(backend: InMemoryBackend())
    /// ```
    public static func open(backend: any StorageBackend, options: Options = Options()) throws -> TaskStore {
        try open(backend: backend, owned: false, options: options)
    }

    private static func open(backend: any StorageBackend, owned: Bool, options: Options) throws -> TaskStore {
        let indexVersion = try EventLog.prepare(backend) { UUID().uuidString.lowercased() }
        let core = StoreCore(backend: backend, ownsBackend: owned, options: options)
        if options.loadStateAtOpen { _ = try core.withState { _ in () } }
        let store = TaskStore(path: backend.location, core: core)
        if indexVersion != EventLog.indexVersion(on: backend) {
            options.log("building the audit indexes of \(backend.location) (written by an older Tasklog)")
            try store.rebuildIndexes()
        }
        return store
    }

    /// Finishes the commands already queued, then closes the store: later commands and queries
    /// fail with a `storage` error that says it is closed. Closing twice does nothing. A backend
    /// given to ``open(backend:options:)`` stays open (its owner closes it).
    ///
    /// A store also closes when its last reference goes; `close()` says when.
    public func close() {
        writer.stop()
        core.close()
    }

    /// Drops the audit indexes and writes them again from the log; returns the events indexed.
    @discardableResult
    public func rebuildIndexes() throws -> UInt64 {
        try perform(.rebuildIndexes) { if case .rebuilt(let seq) = $0 { seq } else { nil } }
    }

    /// Runs a job and waits for its result, which `extract` reads: on this thread when no batch
    /// is being written, else in the next batch, with the jobs of other callers.
    private func perform<Value: Sendable>(
        _ kind: Job.Kind,
        _ extract: @escaping @Sendable (Job.Result) -> Value?
    )
        throws -> Value
    {
        let waiter = Waiter<Value>()
        let job = Job(kind: kind) { result in
            waiter.finish(
                result.flatMap { value in
                    extract(value).map { .success($0) }
                        ?? .failure(TasklogError(.storage, "the writer returned an unexpected result"))
                }
            )
        }
        writer.runHere(job) { waiter.isFinished }
        return try waiter.wait()
    }

    /// The backend that keeps the store.
    public var backend: any StorageBackend { core.backend }

    /// How the state was loaded when the store was opened (or last reloaded).
    public var recovery: RecoveryInfo? {
        core.loaded.withLock { $0.recovery }
    }

    // MARK: Commands

    /// Runs `command` on the task list `list` and returns once its events are durable.
    ///
    /// - Parameters:
    ///   - actor: who is acting; recorded in every event. A claim without an owner is the actor's.
    ///   - idempotencyKey: a retried command with the same key takes effect once.
    /// - Throws: ``TasklogCore/TasklogError`` with the reason of a refusal or a storage failure.
    public func execute(
        _ command: TaskCommand,
        in list: String = "default",
        actor: String? = nil,
        idempotencyKey: String? = nil
    ) throws -> CommandOutcome {
        try perform(try Self.validated(command, list: list, actor: actor, key: idempotencyKey)) {
            if case .outcome(let outcome) = $0 { outcome } else { nil }
        }
    }

    /// Like ``execute(_:in:actor:idempotencyKey:)``, suspending instead of blocking the thread.
    public func execute(
        _ command: TaskCommand,
        in list: String = "default",
        actor: String? = nil,
        idempotencyKey: String? = nil
    ) async throws -> CommandOutcome {
        let kind = try Self.validated(command, list: list, actor: actor, key: idempotencyKey)
        return try await withCheckedThrowingContinuation { continuation in
            writer.submit(Job(kind: kind) { continuation.resume(with: Self.outcome($0)) })
        }
    }

    /// Creates a pending task; returns it with its new id.
    public func create(
        _ task: NewTask,
        in list: String = "default",
        actor: String? = nil,
        idempotencyKey: String? = nil
    ) throws -> TaskRecord {
        let outcome = try execute(.create(task), in: list, actor: actor, idempotencyKey: idempotencyKey)
        return try Self.existing(outcome)
    }

    /// Creates a pending task; returns it with its new id.
    public func create(
        _ task: NewTask,
        in list: String = "default",
        actor: String? = nil,
        idempotencyKey: String? = nil
    ) async throws -> TaskRecord {
        let outcome = try await execute(.create(task), in: list, actor: actor, idempotencyKey: idempotencyKey)
        return try Self.existing(outcome)
    }

    /// Changes task `id`: fields, status (a claim checks blockers and owner), dependencies, metadata.
    public func update(
        _ id: Int,
        _ changes: TaskChanges,
        in list: String = "default",
        actor: String? = nil,
        idempotencyKey: String? = nil
    ) throws -> CommandOutcome {
        try execute(.update(id: id, changes), in: list, actor: actor, idempotencyKey: idempotencyKey)
    }

    /// Changes task `id`: fields, status (a claim checks blockers and owner), dependencies, metadata.
    public func update(
        _ id: Int,
        _ changes: TaskChanges,
        in list: String = "default",
        actor: String? = nil,
        idempotencyKey: String? = nil
    ) async throws -> CommandOutcome {
        try await execute(.update(id: id, changes), in: list, actor: actor, idempotencyKey: idempotencyKey)
    }

    /// Moves every task `owner` holds in progress back to pending, without an owner; returns their ids.
    public func release(owner: String, in list: String = "default", actor: String? = nil) throws -> [Int] {
        try execute(.release(owner: owner), in: list, actor: actor).releasedTaskIDs
    }

    private static func existing(_ outcome: CommandOutcome) throws -> TaskRecord {
        guard let task = outcome.task else {
            throw TasklogError(.notFound, "the task of this command no longer exists")
        }
        return task
    }

    private static func outcome(_ result: Result<Job.Result, any Error>) -> Result<CommandOutcome, any Error> {
        result.flatMap { value in
            if case .outcome(let outcome) = value { return .success(outcome) }
            return .failure(TasklogError(.storage, "the writer returned an unexpected result"))
        }
    }

    static func validated(
        _ command: TaskCommand,
        list: String,
        actor: String?,
        key: String?
    ) throws(TasklogError)
        -> Job.Kind
    {
        let list = try checked(list: list, actor: actor, key: key)
        return .command(command, list: list, actor: actor, idempotencyKey: key)
    }

    /// The sanitised list id, once the actor and idempotency key are checked against their limits.
    static func checked(list: String, actor: String?, key: String?) throws(TasklogError) -> String {
        let list = try TaskListID.sanitized(list)
        if let actor {
            guard !actor.isEmpty, actor.utf8.count <= Limits.actor else {
                throw TasklogError(.invalidInput, "the actor must be 1 to \(Limits.actor) bytes")
            }
        }
        if let key {
            guard !key.isEmpty, key.utf8.count <= Limits.idempotencyKey, !key.utf8.contains(0) else {
                throw TasklogError(
                    .invalidInput,
                    "the idempotency key must be 1 to \(Limits.idempotencyKey) bytes, without NUL"
                )
            }
        }
        return list
    }

    // MARK: Queries

    /// Task `id` of `list`, or `nil` if there is none (or it was deleted).
    public func get(_ id: Int, in list: String = "default") throws -> TaskRecord? {
        let list = try TaskListID.sanitized(list)
        return try core.withState(.list(list)) { $0.state.lists[list]?.tasks[id] }
    }

    /// The live tasks of `list`, in id order.
    public func tasks(in list: String = "default") throws -> [TaskRecord] {
        let list = try TaskListID.sanitized(list)
        return try core.withState(.list(list)) { $0.state.lists[list]?.sortedTasks ?? [] }
    }

    /// Pending, unowned tasks of `list` whose blockers are all completed, lowest id first.
    public func ready(in list: String = "default") throws -> [TaskRecord] {
        let list = try TaskListID.sanitized(list)
        return try core.withState(.list(list)) { $0.state.lists[list]?.ready ?? [] }
    }

    /// The folded state of `list`, caught up to the last committed event (empty if it has no events).
    public func list(_ id: String) throws -> TaskListState {
        let id = try TaskListID.sanitized(id)
        return try core.withState(.list(id)) { $0.state.list(id) }
    }

    /// The ids of the lists the log holds, sorted; no list is loaded for it.
    public func listIDs() throws -> [String] {
        try core.withState { engine in Array(engine.state.lists.keys) + Array(engine.unloaded) }.sorted()
    }

    /// The whole folded state, caught up to the last committed event: every list is loaded.
    public func state() throws -> TasklogState {
        try core.withState(.all) { $0.state }
    }

    /// The seq of the last committed event.
    public func lastSeq() throws -> UInt64 {
        try core.withState { $0.state.lastSeq }
    }

    // MARK: The store

    /// Writes a snapshot of the state now (if there are events since the newest); returns its seq.
    @discardableResult
    public func snapshot() throws -> UInt64 {
        try perform(.snapshot) { if case .snapshot(let seq) = $0 { seq } else { nil } }
    }

    /// Appends exported events, seqs 1, 2, 3, …, to an empty store, in one transaction:
    /// all of them or none. Returns how many.
    ///
    /// Each event is first checked as the command that recorded it was
    /// (``TasklogCore/Decider/check(recorded:in:)``, ``checkImported(_:in:)``): an import lets
    /// in nothing that `create` and `update` refuse.
    ///
    /// - Parameters:
    ///   - progress: called with the events appended so far and their number (the transaction
    ///     commits after the last).
    ///   - naming: where event `index` came from, for the refusal (`"line 12 of tasks.jsonl"`).
    /// - Throws: ``TasklogError`` with code `invalid_input` naming the first event refused and why.
    @discardableResult
    public func importEvents(
        _ events: [Event],
        progress: (@Sendable (Int, Int) -> Void)? = nil,
        naming: @escaping (Int) -> String = ImportSource.eventOfTheImport
    ) throws -> Int {
        try importEvents(from: .events(events, naming: naming), progress: progress)
    }

    /// Appends the events `source` reads, as ``importEvents(_:progress:naming:)`` does, holding
    /// one at a time: an import of a file in the memory of its state, not of the file. `progress`
    /// is given 0 for the number of events when ``ImportSource/count`` is unknown.
    @discardableResult
    public func importEvents(from source: ImportSource, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Int {
        // A store takes about 1.2 times its events' JSON; twice that leaves room for the pages
        // that the import's one transaction writes and cannot reuse (the snapshots it drops).
        if let size = source.size { backend.reserve(size.multipliedReportingOverflow(by: 2).partialValue) }
        return try perform(.importEvents(source, progress: progress)) {
            if case .imported(let count) = $0 { count } else { nil }
        }
    }
}
