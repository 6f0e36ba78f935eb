import Hummingbird
import Tasklog
import TasklogCore

/// `/api/events`: the follow stream as server-sent events. Each appended event is one message,
/// `id: <seq>` and `data: <the event's JSON (schemas/event.schema.json)>`, so that a reconnecting
/// `EventSource` resumes after the last one it saw (`Last-Event-ID`).
enum EventStream {
    /// How often a comment line is sent when nothing happens, so that a closed connection is noticed.
    static let heartbeat: Duration = .seconds(15)

    /// The response that streams the events from seq `start` on until the client goes away.
    static func response(store: TaskStore, from start: UInt64) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "text/event-stream; charset=utf-8"
        headers[.cacheControl] = "no-cache"
        let body = ResponseBody { writer in
            try await writer.write(ByteBuffer(string: "retry: 2000\n: following from seq \(start)\n\n"))
            let (frames, sink) = AsyncStream.makeStream(of: String.self, bufferingPolicy: .bufferingNewest(10_000))
            try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask {
                    do {
                        for try await event in store.follow(from: start) { sink.yield(frame(event)) }
                    } catch {
                        let message = APIError(error).json.serialized()
                        sink.yield("event: error\ndata: \(message)\n\n")
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
            try await writer.finish(nil)
        }
        return Response(status: .ok, headers: headers, body: body)
    }

    /// One event as a server-sent event.
    static func frame(_ event: Event) -> String {
        "id: \(event.seq)\ndata: \(event.json.serialized())\n\n"
    }
}
