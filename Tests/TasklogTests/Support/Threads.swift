import Foundation

// Threads of their own for tests: blocking work (a loop of blocking calls, a wait for a held
// commit) must not hold one of the shared pool's few threads, which the other tests' async calls need.

extension TestFolder {
    /// Runs `body` on a thread of its own and waits at most `seconds` for it; `nil` if it did not
    /// return by then (it is left running).
    static func onThread<R: Sendable>(
        within seconds: Double,
        _ body: @escaping @Sendable () throws -> R
    ) -> Result<
        R, any Error
    >? {
        let done = DispatchSemaphore(value: 0)
        let box = ResultBox<R>()
        Thread.detachNewThread {
            box.set(Result { try body() })
            done.signal()
        }
        guard done.wait(timeout: .now() + seconds) == .success else { return nil }
        return box.get()
    }
}

private final class ResultBox<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<R, any Error>?
    func set(_ value: Result<R, any Error>) { lock.withLock { result = value } }
    func get() -> Result<R, any Error>? { lock.withLock { result } }
}

extension Thread {
    /// Runs `body` on a new thread; its result is awaited without holding a thread of the shared pool.
    static func detached<R: Sendable>(_ body: @escaping @Sendable () throws -> R) -> DetachedThread<R> {
        DetachedThread(body)
    }
}

/// The result of a body run on a thread of its own.
final class DetachedThread<R: Sendable>: @unchecked Sendable {
    private let lock = NSLock()
    private var result: Result<R, any Error>?
    private var waiter: CheckedContinuation<R, any Error>?
    private let finished = DispatchSemaphore(value: 0)

    init(_ body: @escaping @Sendable () throws -> R) {
        Thread.detachNewThread { [self] in
            let outcome = Result { try body() }
            let waiting: CheckedContinuation<R, any Error>? = lock.withLock {
                result = outcome
                defer { waiter = nil }
                return waiter
            }
            finished.signal()
            waiting?.resume(with: outcome)
        }
    }

    /// Waits for the body on this thread (a test's own thread, never the shared pool's).
    func join() throws -> R {
        finished.wait()
        finished.signal()
        return try lock.withLock { result! }.get()
    }

    var value: R {
        get async throws {
            try await withCheckedThrowingContinuation { continuation in
                let finished: Result<R, any Error>? = lock.withLock {
                    if result == nil { waiter = continuation }
                    return result
                }
                if let finished { continuation.resume(with: finished) }
            }
        }
    }
}

/// Runs a test's blocking body (processes it waits for, sleeps, a server's restart) on a thread of
/// its own and awaits it, so that it never holds one of the shared pool's few threads for long:
/// the other tests' async calls (an MCP client's reads, say) need them. An expectation that fails
/// on that thread still fails the run, reported under «unknown» with its file and line.
func offThePool<R: Sendable>(_ body: @escaping @Sendable () throws -> R) async throws -> R {
    try await Thread.detached(body).value
}
