import Foundation
import MCP
import Synchronization

/// Which requests the transport has read and not yet answered, so that the server can answer them
/// all before it exits when its input ends.
///
/// A request read counts until a response with its id is written, or the client cancels it
/// (`notifications/cancelled`, after which the SDK sends no response). The ids are read with
/// ``JSONRPCEnvelope``; a request whose id the SDK cannot read either (neither a string nor an
/// integer) is not counted, since its error response carries another id.
final class RequestLedger: Sendable {
    private struct State {
        /// Open requests by id, with how many share the id.
        var open: [ID: Int] = [:]
        /// The output failed or the transport was disconnected: nothing more will be answered.
        var closed = false
        /// When a request was last read or answered.
        var progress = ContinuousClock.now
    }

    private let state = Mutex(State())

    /// How many requests are open.
    var openCount: Int { state.withLock { $0.open.values.reduce(0, +) } }

    /// A message was read.
    func received(_ message: UnsafeRawBufferPointer) {
        var opened: [ID] = []
        var cancelled: ID?
        for envelope in JSONRPCEnvelope.scanAll(message) {
            guard let method = envelope.method else { continue }
            if let id = envelope.id.flatMap({ Self.id(message, $0) }) {
                opened.append(id)
            } else if JSONRPCEnvelope.bytes(message, in: method, equal: "\"notifications/cancelled\"") {
                cancelled = try? JSONDecoder().decode(Cancellation.self, from: Data(message)).params.requestId
            }
        }
        state.withLock { state in
            for id in opened { state.open[id, default: 0] += 1 }
            if let cancelled { Self.close(cancelled, in: &state) }
            state.progress = .now
        }
    }

    /// A message was written.
    func sent(_ message: UnsafeRawBufferPointer) {
        let answered = JSONRPCEnvelope.scanAll(message).compactMap { envelope in
            envelope.method == nil ? envelope.id.flatMap { Self.id(message, $0) } : nil
        }
        guard !answered.isEmpty else { return }
        state.withLock { state in
            for id in answered { Self.close(id, in: &state) }
            state.progress = .now
        }
    }

    /// Nothing more will be answered: the output failed or the server stopped.
    func close() {
        state.withLock { $0.closed = true }
    }

    /// Waits until every request read is answered, the ledger is closed, or nothing was read or
    /// answered for `patience` (a request the SDK never answers must not keep the process alive).
    /// Returns how many requests are left unanswered.
    func waitUntilAnswered(patience: Duration) async -> Int {
        while true {
            let (open, closed, progress) = state.withLock { ($0.open.values.reduce(0, +), $0.closed, $0.progress) }
            if open == 0 || closed || progress.duration(to: .now) > patience { return open }
            try? await Task.sleep(for: .milliseconds(5))
        }
    }

    private static func close(_ id: ID, in state: inout State) {
        guard let count = state.open[id] else { return }
        state.open[id] = count > 1 ? count - 1 : nil
    }

    /// The id written at `range`, as the SDK reads it.
    private static func id(_ message: UnsafeRawBufferPointer, _ range: Range<Int>) -> ID? {
        try? JSONDecoder().decode(ID.self, from: Data(message[range]))
    }

    /// `notifications/cancelled`: the request the client gave up.
    private struct Cancellation: Decodable {
        struct Parameters: Decodable {
            var requestId: ID
        }
        var params: Parameters
    }
}
