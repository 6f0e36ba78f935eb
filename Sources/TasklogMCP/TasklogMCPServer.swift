import Dispatch
import Foundation
import MCP
public import Tasklog
import TasklogCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// `tasklog mcp`: the agent task tools over MCP on standard input and output.
///
/// Built on the official Swift SDK's `Server`, over a stdio transport of our own
/// (``StdioLineTransport``: whole messages in order, lines of at most 16 MiB). One server process is one
/// session of one agent; several processes (one per agent) share a store safely, since every
/// claim is a compare-and-set inside the store's write transaction.
///
/// ```swift
/// let store = try TaskStore.open(at: ".tasklog")
/// let server = try TasklogMCPServer(store: store, configuration: .init(list: "default"))
/// try await server.run()   // returns when standard input closes, or on SIGTERM / SIGINT
/// ```
public final class TasklogMCPServer: Sendable {
    /// How a server runs.
    public struct Configuration: Sendable {
        /// The task list the tools work on.
        public var list: String
        /// The actor to write as, from `--actor` or `TASKLOG_ACTOR`; `nil` takes the client's name.
        public var actor: String?
        /// How long a session's lease on its claims lasts without renewal (300 s by default).
        public var leaseSeconds: Double
        /// Renew the lease while the process lives, not only on tool calls (on by default).
        public var heartbeat: Bool
        /// Where notices go: standard error by default (standard output is the protocol's).
        public var log: @Sendable (String) -> Void
        /// With task tracking disabled (configuration), every tool call succeeds and does nothing.
        public var trackingEnabled = true
        /// Completing a workflow completes its remaining tasks (`task_tracking.auto_cleanup`).
        public var autoCleanup = true
        /// A claim by an agent that already holds a task in progress is refused
        /// (`task_tracking.one_task_per_agent`).
        public var oneTaskPerAgent = false

        public init(
            list: String,
            actor: String? = nil,
            leaseSeconds: Double = 300,
            heartbeat: Bool = true,
            log: @escaping @Sendable (String) -> Void = TasklogMCPServer.standardError
        ) {
            self.list = list
            self.actor = actor
            self.leaseSeconds = leaseSeconds
            self.heartbeat = heartbeat
            self.log = log
        }
    }

    /// The version `initialize` reports.
    public static let version = "0.1.0"

    /// What a client may show a model about the server.
    public static let instructions = """
        Tasklog: a durable task list shared with other agents. Plan with TaskCreate, link tasks with \
        TaskUpdate (addBlockedBy, addBlocks), see what can be claimed with TaskReady, claim with \
        TaskUpdate status in_progress (refused while blockers are open or another agent holds it), \
        finish with status completed. Your claims are released when this session ends.
        """

    public let store: TaskStore
    public let configuration: Configuration
    let tools: TaskTools
    let session: ClaimSession

    public init(store: TaskStore, configuration: Configuration) throws {
        guard configuration.leaseSeconds > 0, configuration.leaseSeconds.isFinite else {
            throw TasklogError(.invalidInput, "the lease must last a positive number of seconds")
        }
        if let actor = configuration.actor {
            guard !actor.isEmpty, actor.utf8.count <= Limits.actor, !actor.utf8.contains(0) else {
                throw TasklogError(.invalidInput, "the actor must be 1 to \(Limits.actor) bytes, without NUL")
            }
        }
        self.store = store
        self.configuration = configuration
        tools = try TaskTools(
            store: store,
            list: configuration.list,
            autoCleanup: configuration.autoCleanup,
            oneTaskPerAgent: configuration.oneTaskPerAgent
        )
        session = ClaimSession(
            store: store,
            list: tools.list,
            configuration: .init(
                explicitActor: configuration.actor,
                leaseSeconds: configuration.leaseSeconds,
                heartbeat: configuration.heartbeat,
                log: configuration.log
            )
        )
    }

    /// Serves on standard input and output until standard input closes (or SIGTERM / SIGINT),
    /// then ends the session: its claims go back to pending, as events.
    public func run() async throws {
        let server = Server(
            name: "tasklog",
            version: Self.version,
            title: "Tasklog",
            instructions: Self.instructions,
            capabilities: .init(tools: .init(listChanged: false))
        )
        await register(on: server)
        // A client gone while we write must not kill us before the claims are released.
        signal(SIGPIPE, SIG_IGN)
        let stops = [SIGTERM, SIGINT].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler { Task { await server.stop() } }
            source.resume()
            return source
        }
        defer { for source in stops { source.cancel() } }
        let session = session
        let transport = StdioLineTransport()
        try await server.start(transport: transport) { client, _ in
            await session.clientConnected(name: client.name)
        }
        await server.waitUntilCompleted()
        // The input ended: answer what was read before it did (the SDK handles each request in a
        // task of its own), then end the session.
        let unanswered = await transport.waitUntilAnswered()
        if unanswered > 0 {
            configuration.log("input ended; \(unanswered) request(s) still unanswered after 30 s, ending anyway")
        }
        await session.end()
    }

    /// Registers `tools/list` and `tools/call`.
    func register(on server: Server) async {
        // With tracking disabled every call answers {tracking, done}, which no output schema describes.
        let listed = Self.mcpTools(announcingOutputSchemas: configuration.trackingEnabled)
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: listed) }
        await server.withMethodHandler(RawToolCall.self) { [self] parameters in
            try await call(parameters.value)
        }
    }

    /// One `tools/call`: malformed parameters and unknown tools are protocol errors (invalid
    /// params); everything about the arguments and the store is a tool result.
    func call(_ parameters: Value) async throws -> CallTool.Result {
        guard case .object(let members) = parameters else {
            throw MCPError.invalidParams("tools/call needs params: an object with the tool's name and arguments")
        }
        guard case .string(let name)? = members["name"] else {
            throw MCPError.invalidParams("tools/call needs params.name, the tool's name as a string")
        }
        var arguments: JSONValue?
        switch members["arguments"] {
        case nil, .null?: arguments = nil
        case .object(let object)?: arguments = JSONValue(MCP.Value.object(object))
        case let other?:
            throw MCPError.invalidParams(
                "the arguments of \(name) must be an object, not \(JSONValue(other as MCP.Value).typeName)"
            )
        }
        guard ToolCatalog.tool(named: name) != nil else {
            throw MCPError.invalidParams(TaskTools.UnknownTool(name: name).description)
        }
        guard configuration.trackingEnabled else {
            return Self.mcpResult(
                ToolResult(
                    text: "Task tracking is disabled (task_tracking.enabled is false); nothing was done",
                    structured: ["tracking": "disabled", "done": false],
                    isError: false
                )
            )
        }
        guard let actor = await session.beginCall() else {
            throw MCPError.invalidRequest("the session has ended")
        }
        defer { Task { await session.callFinished() } }
        do {
            let (tools, arguments) = (tools, arguments)
            return Self.mcpResult(
                try await session.guardingClaims(name, arguments: arguments, actor: actor) {
                    () async throws(TaskTools.UnknownTool) -> ToolResult in
                    try await tools.call(name, arguments: arguments, actor: actor)
                }
            )
        } catch {
            throw MCPError.invalidParams(error.description)
        }
    }

    /// The tools as `tools/list` gives them: with their output schemas, which the structured
    /// content of every result that is not an error follows, unless `announcingOutputSchemas` is false.
    static func mcpTools(announcingOutputSchemas: Bool = true) -> [Tool] {
        ToolCatalog.tools.map { tool in
            Tool(
                name: tool.name,
                title: tool.title,
                description: tool.description,
                inputSchema: Value(tool.inputSchema),
                annotations: .init(
                    title: tool.title,
                    readOnlyHint: tool.readOnly,
                    destructiveHint: tool.readOnly ? nil : tool.name == "TaskUpdate",
                    idempotentHint: tool.readOnly ? nil : false,
                    openWorldHint: false
                ),
                outputSchema: announcingOutputSchemas ? Value(tool.outputSchema) : nil
            )
        }
    }

    static func mcpResult(_ result: ToolResult) -> CallTool.Result {
        CallTool.Result(
            content: [.text(text: result.text, annotations: nil, _meta: nil)],
            structuredContent: result.structured.map(Value.init),
            isError: result.isError
        )
    }

    /// Writes `tasklog: message` to standard error.
    public static let standardError: @Sendable (String) -> Void = { message in
        FileHandle.standardError.write(Data("tasklog mcp: \(message)\n".utf8))
    }
}
