import Foundation
import Tasklog
import TasklogCore
import TasklogLMDB
import TasklogPostgres

/// A backend that calls `beforeCommit` after each write's closure and before its commit: a slow
/// fsync, made on purpose, to see what readers are served while a commit waits for the disk.
final class GatedBackend: StorageBackend, @unchecked Sendable {
    let inner: any StorageBackend
    private let lock = NSLock()
    private var hook: (@Sendable () -> Void)?

    init(_ inner: any StorageBackend) { self.inner = inner }

    /// Runs `hook` (on the writer's thread, inside its transaction) before each commit, until
    /// set to `nil`.
    func beforeCommit(_ hook: (@Sendable () -> Void)?) { lock.withLock { self.hook = hook } }

    var location: String { inner.location }

    func read<R>(_ body: (any StorageReader) throws -> R) throws -> R { try inner.read(body) }

    func write<R>(_ body: (any StorageWriter) throws -> R) throws -> R {
        try inner.write { writer in
            let result = try body(writer)
            lock.withLock { hook }?()
            return result
        }
    }

    func watchChanges() -> (any ChangeWatch)? { inner.watchChanges() }
    func statistics() throws -> StorageStatistics { try inner.statistics() }
    func storageProblems() -> [String] { inner.storageProblems() }
    func close() { inner.close() }
}

extension TestFolder {
    /// The folder's store on `backend`, behind a gate before each commit.
    func gated(_ backend: TestBackend) throws -> GatedBackend {
        switch backend {
        case .lmdb:
            var options = LMDBBackend.Options()
            options.initialMapSize = 4 << 20
            return GatedBackend(try LMDBBackend.open(at: storePath, options: options))
        case .inMemory:
            return GatedBackend(inMemoryBackend)
        case .postgres:
            return GatedBackend(try PostgresBackend.open(url: try postgresURL))
        }
    }
}
