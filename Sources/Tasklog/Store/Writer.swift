import Foundation
import TasklogCore

/// The store's writer: one batch of jobs at a time, each batch one write transaction.
///
/// Callers queue jobs; whoever leads the next batch takes every job waiting (up to a batch limit,
/// never splitting a group), commits them in one write transaction (group commit: one fsync for
/// all), and only then completes each job, so a returned call means a durable event.
///
/// The leader is the store's own thread, for the async API: write transactions block on a lock
/// shared between processes, so they never run on a thread of Swift's shared pool nor across an
/// `await`. A blocking caller leads a batch itself when none is running (``runHere(_:isDone:)``),
/// so that a lone caller commits on its own thread, with no hand-over to another thread and
/// back; when a batch is running, it waits, and the next batch takes its job with the others.
final class Writer: @unchecked Sendable {
    private let condition = NSCondition()
    /// Groups of jobs, in order; a group is committed in one transaction, never split.
    private var queue: [[Job]] = []
    /// A batch is being processed, by the thread or by a caller.
    private var busy = false
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

    /// Queues `job`; its completion runs once it is committed or refused.
    func submit(_ job: Job) {
        submit(group: [job])
    }

    /// Queues `jobs` to be committed together, in one transaction with whatever else is waiting
    /// (never split across two); each completion runs once it is committed or refused, in order.
    func submit(group jobs: [Job]) {
        condition.lock()
        defer { condition.unlock() }
        guard !stopping else {
            for job in jobs { job.complete(.failure(TasklogError(.storage, "the store is closed; open it again"))) }
            return
        }
        queue.append(jobs)
        condition.broadcast()
    }

    /// Queues `job` and returns once `isDone` says it completed, leading batches on the calling
    /// thread whenever none is running.
    func runHere(_ job: Job, isDone: () -> Bool) {
        condition.lock()
        guard !stopping else {
            condition.unlock()
            job.complete(.failure(TasklogError(.storage, "the store is closed; open it again")))
            return
        }
        queue.append([job])
        while !isDone() {
            if !busy && !queue.isEmpty {
                leadBatch()
            } else {
                condition.wait()
            }
        }
        condition.unlock()
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
        condition.lock()
        while true {
            if !busy && !queue.isEmpty {
                leadBatch()
            } else if stopping && !busy {
                break
            } else {
                condition.wait()
            }
        }
        running = false
        condition.broadcast()
        condition.unlock()
    }

    /// Takes whole groups up to the batch limit (a larger group alone), processes them without
    /// the lock, and wakes every waiter. Called, and returns, with the lock held.
    private func leadBatch() {
        busy = true
        var batch: [Job] = []
        var taken = 0
        // A group with an import is a batch alone: its refusal aborts the whole transaction.
        while taken < queue.count
            && (batch.isEmpty
                || (batch.count + queue[taken].count <= maxBatch && !batch.contains(where: \.isAlone)
                    && !queue[taken].contains(where: \.isAlone)))
        {
            batch += queue[taken]
            taken += 1
        }
        queue.removeFirst(taken)
        condition.unlock()
        process(batch)
        condition.lock()
        busy = false
        condition.broadcast()
    }
}

/// One unit of work for the writer thread.
struct Job: Sendable {
    enum Kind: Sendable {
        case command(TaskCommand, list: String, actor: String?, idempotencyKey: String?)
        case snapshot
        /// Always a batch of its own: its refusal aborts the transaction.
        case importEvents(ImportSource, progress: (@Sendable (Int, Int) -> Void)?)
        case rebuildIndexes
    }

    enum Result: Sendable {
        case outcome(CommandOutcome)
        case snapshot(UInt64)
        case imported(Int)
        case rebuilt(UInt64)
    }

    var kind: Kind
    /// Whether the job is committed in a batch of its own.
    var isAlone: Bool {
        if case .importEvents = kind { true } else { false }
    }
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

    /// Whether ``finish(_:)`` was called.
    var isFinished: Bool {
        condition.lock()
        defer { condition.unlock() }
        return result != nil
    }

    func wait() throws -> Value {
        condition.lock()
        defer { condition.unlock() }
        while result == nil { condition.wait() }
        return try result!.get()
    }
}
