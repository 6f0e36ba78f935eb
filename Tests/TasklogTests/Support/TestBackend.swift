import Synchronization
import Tasklog
import TasklogTestSupport
import Testing

/// The backends the engine's tests run on: the same scenario, the same expectations. PostgreSQL
/// stores are schemas on the test server (``TestPostgres``).
///
/// A test that only makes sense for one backend (a killed writer process, a full disk, a damaged
/// file) opens its store with `TaskStore.open(at:)` and says so in its name.
enum TestBackend: String, CaseIterable, Sendable, CustomTestStringConvertible {
    case lmdb
    case inMemory
    case postgres

    var testDescription: String { rawValue }
}

extension TestFolder {
    /// Opens the folder's store on `backend`: the LMDB directory ``storePath``, or the folder's
    /// in-memory store, which lives as long as the folder and is shared by every store opened on
    /// it (as a directory is shared by every process that opens it), so that reopening recovers
    /// from what the earlier stores wrote.
    func open(_ backend: TestBackend, options: TaskStore.Options = .testing()) throws -> TaskStore {
        switch backend {
        case .lmdb:
            try TaskStore.open(at: storePath, options: options)
        case .inMemory:
            try TaskStore.open(backend: inMemoryBackend, options: options)
        case .postgres:
            try TaskStore.open(at: postgresURL, options: options)
        }
    }

    /// The folder's PostgreSQL store: a schema named after the folder on the test server.
    var postgresURL: String {
        get throws { try TestPostgres.storeURL(path) }
    }

    /// The folder's in-memory store, made on first use.
    var inMemoryBackend: InMemoryBackend {
        Self.inMemoryBackends.withLock { backends in
            if let backend = backends[path] { return backend }
            let backend = InMemoryBackend(name: "in-memory store of \(path)")
            backends[path] = backend
            return backend
        }
    }

    /// Forgets the folder's in-memory store (when the folder is removed).
    func dropInMemoryBackend() {
        _ = Self.inMemoryBackends.withLock { $0.removeValue(forKey: path) }
    }

    private static let inMemoryBackends = Mutex<[String: InMemoryBackend]>([:])
}
