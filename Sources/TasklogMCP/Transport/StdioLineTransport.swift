import Foundation
import Logging
import MCP

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The MCP stdio transport of `tasklog mcp`: newline-delimited JSON-RPC on standard input and output,
/// in place of the SDK's `StdioTransport`.
///
/// What it guarantees:
/// - **Whole messages, in order.** Each message is written with its newline by blocking writes on one
///   serial queue (``LineWriter``), so a slow reader gets every response whole, never two mixed.
/// - **Bounded lines, linear reading.** Input is split by ``LineReader`` on a thread of its own; a
///   line longer than ``maximumLineLength`` (16 MiB by default) is discarded as it streams past and
///   answered with a JSON-RPC error (`-32600`, with the request's id when its first bytes show it),
///   and the server serves the next line.
/// - **Nothing read is dropped.** When the input ends, the server answers every request it has read
///   before it exits (``waitUntilAnswered(patience:)``).
actor StdioLineTransport: Transport {
    /// Transport notices (none by default: standard output is the protocol's).
    nonisolated let logger: Logger
    /// The longest message read, in bytes without its newline.
    nonisolated let maximumLineLength: Int

    private let input: Int32
    private let writer: LineWriter
    private let ledger = RequestLedger()
    private let messages: AsyncThrowingStream<Data, any Error>
    private let continuation: AsyncThrowingStream<Data, any Error>.Continuation
    private var state = State.idle

    private enum State {
        case idle, connected, disconnected
    }

    /// The JSON-RPC error code of a line over the bound: Invalid Request.
    static let overlongLineCode = -32600

    init(
        input: Int32 = STDIN_FILENO,
        output: Int32 = STDOUT_FILENO,
        maximumLineLength: Int = LineReader.defaultMaximumLength,
        logger: Logger = Logger(label: "tasklog.mcp.transport", factory: { _ in SwiftLogNoOpLogHandler() })
    ) {
        self.input = input
        self.writer = LineWriter(descriptor: output)
        self.maximumLineLength = maximumLineLength
        self.logger = logger
        (messages, continuation) = AsyncThrowingStream.makeStream(of: Data.self)
    }

    /// Starts reading standard input on a thread of its own.
    func connect() async throws {
        guard case .idle = state else { return }
        state = .connected
        let reader = Reader(
            input: input,
            maximumLineLength: maximumLineLength,
            writer: writer,
            ledger: ledger,
            continuation: continuation,
            logger: logger
        )
        Thread.detachNewThread { reader.run() }
    }

    /// Stops: no more messages are delivered, and nothing is waited for.
    func disconnect() async {
        guard case .connected = state else { return }
        state = .disconnected
        ledger.close()
        continuation.finish()
    }

    /// Writes `data` and its newline, whole, after every message sent before it.
    func send(_ data: Data) async throws {
        guard case .connected = state else {
            throw MCPError.internalError("the transport is not connected")
        }
        do {
            try await writer.write(data)
        } catch {
            ledger.close()
            throw MCPError.transportError(error)
        }
        data.withUnsafeBytes { ledger.sent($0) }
    }

    /// The messages read, one per line, until the input ends.
    func receive() -> AsyncThrowingStream<Data, any Error> {
        messages
    }

    /// Waits until every request read has been answered and written, the transport is disconnected,
    /// or nothing has happened for `patience`; returns how many requests were left unanswered.
    func waitUntilAnswered(patience: Duration = .seconds(30)) async -> Int {
        let open = await ledger.waitUntilAnswered(patience: patience)
        await writer.flush()
        return open
    }

    /// The reading side, run on its own thread: blocking reads, lines out to the SDK.
    private struct Reader: Sendable {
        let input: Int32
        let maximumLineLength: Int
        let writer: LineWriter
        let ledger: RequestLedger
        let continuation: AsyncThrowingStream<Data, any Error>.Continuation
        let logger: Logger

        func run() {
            var lines = LineReader(maximumLength: maximumLineLength)
            var buffer = [UInt8](repeating: 0, count: 64 << 10)
            while true {
                let read = buffer.withUnsafeMutableBytes { bytes in
                    Result { () throws(StreamError) in try BlockingIO.read(input, into: bytes) }
                }
                guard case .success(let count) = read else {
                    if case .failure(let error) = read { logger.error("\(error.description)") }
                    break
                }
                if count == 0 { break }
                buffer.withUnsafeBytes { bytes in
                    lines.consume(UnsafeRawBufferPointer(rebasing: bytes[..<count]), deliver)
                }
            }
            lines.finish(deliver)
            continuation.finish()
        }

        private func deliver(_ piece: LineReader.Piece) {
            switch piece {
            case .line(let bytes):
                if let refusal = bytes.withUnsafeBytes({ StdioLineTransport.lineRefusal($0) }) {
                    writer.enqueue(refusal)
                    return
                }
                // Counted before the SDK sees it, so a request is never answered before it is open.
                bytes.withUnsafeBytes { ledger.received($0) }
                continuation.yield(Data(bytes))
            case .tooLong(let length, let head):
                writer.enqueue(
                    StdioLineTransport.overlongLineError(length: length, head: head, limit: maximumLineLength)
                )
            }
        }
    }
}
