import Hummingbird
import Tasklog
import TasklogCore

/// `/api/events`: the follow stream as server-sent events. Each appended event is one message,
/// `id: <seq>` and `data: <the event's JSON (schemas/event.schema.json)>`, so that a reconnecting
/// `EventSource` resumes after the last one it saw (`Last-Event-ID`).
enum EventStream {
    /// How often a comment line is sent when nothing happens, so that a dead connection is noticed.
    static let heartbeat: Duration = .seconds(15)

    /// How long a follower sleeps without a write: it is woken by each write and when its client
    /// leaves, so this is only a safety net, kept long so that idle streams cost nothing.
    static let followIdle: Double = 10

    /// The response that streams the events from seq `start` on until the client goes away.
    ///
    /// `requestBody` tells when the client closes the connection, so that its follow thread ends
    /// at once rather than at the next failed write.
    static func response(store: TaskStore, from start: UInt64, requestBody: RequestBody) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "retry: 2000\n: following from seq \(start)\n\n"))
            let (frames, sink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(10_000))
            try await requestBody.consumeWithInboundCloseHandler(
                { _ in try await send(store: store, from: start, frames: frames, sink: sink, to: &writer) },
                onInboundClosed: { sink.finish() }
            )
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// Follows the log into `sink` (with heartbeats) and writes what comes out of `frames`, until
    /// `frames` ends: the client left, or the log could not be read.
    private static func send(
        store: TaskStore,
        from start: UInt64,
        frames: AsyncStream<String>,
        sink: AsyncStream<String>.Continuation,
        to writer: inout any ResponseBodyWriter
    ) async throws {
        try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                do {
                    for try await event in store.follow(from: start, idle: followIdle) { sink.yield(frame(event)) }
                } catch {
                    sink.yield("event: error\ndata: \(APIError(error).json.serialized())\n\n")
                }
                sink.finish()
            }
            group.addTask {
                while true {
                    try await Task.sleep(for: heartbeat)
                    sink.yield(": keep-alive\n\n")
                }
            }
            for await text in frames {
                try await writer.write(ByteBuffer(string: text))
            }
            group.cancelAll()
        }
    }

    /// One event as a server-sent event.
    static func frame(_ event: Event) -> String {
        "id: \(event.seq)\ndata: \(event.json.serialized())\n\n"
    }
}
