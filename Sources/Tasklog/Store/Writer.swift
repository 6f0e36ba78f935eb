import Foundation
import TasklogCore

/// The store's own writer thread.
///
/// Write transactions block on a lock shared between processes, so they never run on a thread
/// of Swift's shared pool and never across an `await`. Callers queue jobs; the thread takes every
/// job waiting (up to a batch limit), commits them in one write transaction (group commit: one
/// fsync for all), and only then completes each job, so a returned call means a durable event.
final class Writer: @unchecked Sendable {
    private let condition = NSCondition()
    private var queue: [Job] = []
    private var stopping = false
    private var running = false
    private let maxBatch: Int
    private let process: @Sendable ([Job]) -> Void

    init(maxBatch: Int, name: String, process: @escaping @Sendable ([Job]) -> Void) {
        self.maxBatch = max(1, maxBatch)
        self.process = process
        let thread = Thread { [self] in run() }
        thread.name = name
        thread.stackSize = 8 << 20
        running = true
        thread.start()
    }

    /// Queues `job`; its completion runs on the writer thread once it is committed or refused.
    func submit(_ job: Job) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else {
            job.complete(.failure(TasklogError(.storage, "the store is closed; open it again")))
            return
        }
        queue.append(job)
        condition.signal()
    }

    /// Finishes the queued jobs, then ends the thread and waits for it.
    func stop() {
        condition.lock()
        stopping = true
        condition.broadcast()
        while running { condition.wait() }
        condition.unlock()
    }

    private func run() {
        while true {
            condition.lock()
            while queue.isEmpty && !stopping { condition.wait() }
            if queue.isEmpty && stopping {
                running = false
                condition.broadcast()
                condition.unlock()
                return
            }
            let count = min(queue.count, maxBatch)
            let batch = Array(queue.prefix(count))
            queue.removeFirst(count)
            condition.unlock()
            process(batch)
        }
    }
}

/// One unit of work for the writer thread.
struct Job: Sendable {
    enum Kind: Sendable {
        case command(TaskCommand, list: String, actor: String?, idempotencyKey: String?)
        case snapshot
        case importEvents([Event], progress: (@Sendable (Int, Int) -> Void)?)
        case rebuildIndexes
    }

    enum Result: Sendable {
        case outcome(CommandOutcome)
        case snapshot(UInt64)
        case imported(Int)
        case rebuilt(UInt64)
    }

    var kind: Kind
    var complete: @Sendable (Swift.Result<Result, any Error>) -> Void
}

/// Blocks a caller's thread until a job completes.
final class Waiter<Value: Sendable>: @unchecked Sendable {
    private let condition = NSCondition()
    private var result: Result<Value, any Error>?

    func finish(_ result: Result<Value, any Error>) {
        condition.lock()
        self.result = result
        condition.signal()
        condition.unlock()
    }

    func wait() throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return try result!.get()
    }
}
