import Dispatch
import HTTPTypes
public import Hummingbird
import Logging
import NIOCore
public import Tasklog
import TasklogCore

/// The web server of `tasklog serve`: a page with the lists, workflows, dependency graph and
/// timeline of a store, a slider through its history, and the JSON API under `/api` that the
/// page reads (`schemas/api/`). Read-only: no route writes to the store.
///
/// ```swift
/// let server = TasklogServer(store: try TaskStore.open(at: ".tasklog"), configuration: .init(port: 0))
/// try await server.run { url in print("Serving at \(url)") }
/// ```
public struct TasklogServer: Sendable {
    /// Where to listen.
    public struct Configuration: Sendable {
        /// The address to listen on; a non-loopback one needs ``allowRemote``.
        public var host: String
        /// The port; 0 picks a free one.
        public var port: Int
        /// Allow a non-loopback ``host``, and requests that name any host.
        public var allowRemote: Bool

        public init(host: String = "127.0.0.1", port: Int = 8080, allowRemote: Bool = false) {
            self.host = host
            self.port = port
            self.allowRemote = allowRemote
        }
    }

    public let api: ServerAPI
    public let configuration: Configuration

    public init(store: TaskStore, defaultList: String = "default", configuration: Configuration = Configuration()) {
        api = ServerAPI(store: store, defaultList: defaultList)
        self.configuration = configuration
    }

    /// Listens until the task is cancelled; `onRunning` gets the page's URL once the socket is bound.
    ///
    /// - Throws: ``APIError`` with code `refused` (status 0) for a host that ``HostPolicy`` refuses,
    ///   or the socket's error when the address cannot be bound.
    public func run(onRunning: @escaping @Sendable (_ url: String) async -> Void = { _ in }) async throws {
        if let refusal = HostPolicy.refusal(host: configuration.host, allowRemote: configuration.allowRemote) {
            throw APIError(status: 0, code: "refused", message: refusal)
        }
        var logger = Logger(label: "tasklog.serve") { StreamLogHandler.standardError(label: $0) }
        logger.logLevel = .warning
        let host = configuration.host
        let app = Application(
            router: makeRouter(),
            configuration: ApplicationConfiguration(address: .hostname(host, port: configuration.port)),
            onServerRunning: { [port = configuration.port] channel in
                let bound = channel.localAddress?.port ?? port
                await onRunning("http://\(host.contains(":") ? "[\(host)]" : host):\(bound)/")
            },
            logger: logger
        )
        try await app.run()
    }

    /// The routes: the page and its assets at `/`, the API under `/api`.
    public func makeRouter() -> Router<BasicRequestContext> {
        let router = Router(options: .autoGenerateHeadEndpoints)
        router.add(middleware: GuardMiddleware(allowRemote: configuration.allowRemote))
        router.get("/") { _, _ in Self.asset(Assets.indexHTML, type: "text/html; charset=utf-8") }
        router.get("/app.js") { _, _ in Self.asset(Assets.appJS, type: "text/javascript; charset=utf-8") }
        router.get("/app.css") { _, _ in Self.asset(Assets.appCSS, type: "text/css; charset=utf-8") }

        let api = self.api
        router.get("/api/range") { _, _ in await Self.answer { try api.range() } }
        router.get("/api/lists") { request, _ in
            let at = request.query("at")
            return await Self.answer { try api.lists(at: at) }
        }
        router.get("/api/lists/:list/tasks") { request, context in
            let (list, at) = (context.parameters.get("list") ?? "", request.query("at"))
            return await Self.answer { try api.tasks(list: list, at: at) }
        }
        router.get("/api/lists/:list/graph") { request, context in
            let (list, at, workflow) = (
                context.parameters.get("list") ?? "", request.query("at"), request.query("workflow")
            )
            return await Self.answer { try api.graph(list: list, at: at, workflow: workflow) }
        }
        router.get("/api/lists/:list/workflows") { request, context in
            let (list, at) = (context.parameters.get("list") ?? "", request.query("at"))
            return await Self.answer { try api.workflows(list: list, at: at) }
        }
        router.get("/api/lists/:list/timeline") { request, context in
            let (list, at, workflow) = (
                context.parameters.get("list") ?? "", request.query("at"), request.query("workflow")
            )
            return await Self.answer { try api.timeline(list: list, at: at, workflow: workflow) }
        }
        router.get("/api/events") { request, _ in
            let from = request.query("from")
            let lastID = request.headers[lastEventID]
            do {
                let start = try await Self.offload { () throws -> UInt64 in
                    if let lastID, let seq = UInt64(lastID) {
                        guard seq < .max else {
                            throw APIError.badRequest(
                                "Last-Event-ID: \(lastID) is past any seq the log can hold; reconnect without it"
                            )
                        }
                        return seq + 1
                    }
                    if let from {
                        guard let seq = UInt64(from) else {
                            throw APIError.badRequest("from=\(from) is not a seq; give an event seq like 1200")
                        }
                        return max(seq, 1)
                    }
                    return try api.store.lastSeq() + 1
                }
                return EventStream.response(store: api.store, from: start, requestBody: request.body)
            } catch {
                return Self.json(APIError(error))
            }
        }
        router.get("/api/**") { request, _ in
            Self.json(APIError.notFound("there is no endpoint \(request.uri.path); see docs/Serve.md for the API"))
        }
        return router
    }

    // MARK: Responses

    /// Runs a query off Swift's shared pool (LMDB reads and replays block) and answers its JSON,
    /// or the error's JSON with its status.
    static func answer(_ body: @escaping @Sendable () throws -> JSONValue) async -> Response {
        do {
            return json(try await offload(body))
        } catch {
            return json(APIError(error))
        }
    }

    static func offload<T: Sendable>(_ body: @escaping @Sendable () throws -> T) async throws -> T {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global().async { continuation.resume(with: Result { try body() }) }
        }
    }

    static func json(_ value: JSONValue, status: Int = 200) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = "application/json; charset=utf-8"
        headers[.cacheControl] = "no-store"
        return Response(
            status: HTTPResponse.Status(code: status),
            headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: value.serialized() + "\n"))
        )
    }

    static func json(_ error: APIError) -> Response {
        json(error.json, status: error.status)
    }

    static func asset(_ bytes: [UInt8], type: String) -> Response {
        var headers = HTTPFields()
        headers[.contentType] = type
        headers[.cacheControl] = "no-cache"
        return Response(status: .ok, headers: headers, body: ResponseBody(byteBuffer: ByteBuffer(bytes: bytes)))
    }
}

/// The header a reconnecting `EventSource` sends.
private let lastEventID = HTTPField.Name("Last-Event-ID")!

extension Request {
    /// A query parameter, percent-decoded; `nil` when absent.
    func query(_ name: String) -> String? {
        uri.queryParameters.get(name).map { String($0) }
    }
}
