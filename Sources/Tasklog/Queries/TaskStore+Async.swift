import Dispatch
public import TasklogCore

extension TaskStore {
    /// Runs `query` on a thread of the store's readers and suspends the caller meanwhile: the async
    /// form of every query, for callers on Swift's shared pool, which must not block.
    ///
    /// A query may wait briefly (for the state's lock while a batch is applied, for a snapshot to
    /// load); here it waits on a thread of its own, never on one of the pool's.
    ///
    /// ```swift
    /// let history = try await store.read { try $0.history(HistoryQuery(list: "run-7", taskID: 3)) }
    /// ```
    public func read<R: Sendable>(_ query: @escaping @Sendable (TaskStore) throws -> R) async throws -> R {
        try await withCheckedThrowingContinuation { continuation in
            Self.readers.async { continuation.resume(with: Result { try query(self) }) }
        }
    }

    /// Task `id` of `list`, or `nil`; suspends instead of blocking the thread.
    public func get(_ id: Int, in list: String = "default") async throws -> TaskRecord? {
        try await read { try $0.get(id, in: list) }
    }

    /// The live tasks of `list`, in id order; suspends instead of blocking the thread.
    public func tasks(in list: String = "default") async throws -> [TaskRecord] {
        try await read { try $0.tasks(in: list) }
    }

    /// The tasks of `list` ready to be claimed; suspends instead of blocking the thread.
    public func ready(in list: String = "default") async throws -> [TaskRecord] {
        try await read { try $0.ready(in: list) }
    }

    /// The events that match `query`, a page at a time; suspends instead of blocking the thread.
    public func history(_ query: HistoryQuery) async throws -> HistoryPage {
        try await read { try $0.history(query) }
    }

    /// The queue the async queries run on: threads of their own, not the shared pool's.
    private static let readers = DispatchQueue(label: "tasklog-readers", attributes: .concurrent)
}
