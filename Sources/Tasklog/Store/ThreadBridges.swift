import Foundation

// The two bridges between blocking code and Swift concurrency, each on a thread of its own:
// write transactions wait on a lock shared between processes, so they never run on Swift's shared
// pool, and a blocking caller never holds one of the pool's threads while it waits.

/// Runs `body` on a thread of its own (write transactions wait on a lock shared between processes,
/// so they never run on Swift's shared pool) and suspends the caller until it returns.
func onOwnThread<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
    try await withCheckedThrowingContinuation { continuation in
        let thread = Thread { continuation.resume(with: Result { try body() }) }
        thread.name = "tasklog-own-thread"
        thread.start()
    }
}

/// Runs `body` and blocks the calling thread until it returns (call it from a thread of your
/// own, as the command line does, never from Swift's shared pool).
func blocking<R: Sendable>(_ body: @escaping @Sendable () async throws -> R) throws -> R {
    let box = Waiter<R>()
    Task.detached {
        do { box.finish(.success(try await body())) } catch { box.finish(.failure(error)) }
    }
    return try box.wait()
}
