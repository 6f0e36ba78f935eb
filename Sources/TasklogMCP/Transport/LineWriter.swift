import Dispatch
import Foundation
import Synchronization

/// Writes messages to a file descriptor one whole line at a time, in the order they were handed in.
///
/// Every write runs on one serial queue of its own, with blocking calls (``BlockingIO``): a message
/// and its newline go out before the next message starts, however slowly the client reads, and
/// Swift's concurrency pool is never held by a slow reader. Once a write fails (the client closed
/// its end), every later one fails at once with the same error.
final class LineWriter: Sendable {
    private let descriptor: Int32
    private let queue = DispatchQueue(label: "tasklog.mcp.output")
    private let failure = Mutex<StreamError?>(nil)
    private static let newline = Data([UInt8(ascii: "\n")])

    init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Queues `message` and a newline; returns when they are written.
    func write(_ message: Data) async throws(StreamError) {
        let result: Result<Void, StreamError> = await withCheckedContinuation { continuation in
            enqueue(message) { continuation.resume(returning: $0) }
        }
        try result.get()
    }

    /// Queues `message` and a newline; `done` is called on the writer's queue once they are written.
    /// Messages are written in the order of the calls.
    func enqueue(_ message: Data, done: @escaping @Sendable (Result<Void, StreamError>) -> Void = { _ in }) {
        queue.async { [self] in
            if let error = failure.withLock({ $0 }) { return done(.failure(error)) }
            let written = [message, Self.newline].reduce(Result<Void, StreamError>.success(())) { result, data in
                result.flatMap {
                    data.withUnsafeBytes { bytes in
                        Result { () throws(StreamError) in try BlockingIO.write(descriptor, bytes) }
                    }
                }
            }
            if case .failure(let error) = written { failure.withLock { $0 = error } }
            done(written)
        }
    }

    /// Waits until everything queued so far is written (or has failed).
    func flush() async {
        await withCheckedContinuation { continuation in queue.async { continuation.resume() } }
    }
}
