public import Tasklog
public import TasklogCore

/// The answers of the JSON API, as values: each endpoint of `tasklog serve` is one method here,
/// from the query parameters to the JSON document of its schema in `schemas/api/`. No HTTP in
/// here, so that the answers can be tested and reused without a server.
///
/// Every query reads; nothing here writes to the store.
///
/// ## Topics
/// - ``range()``, ``lists(at:)``, ``tasks(list:at:)``, ``graph(list:at:workflow:)``,
///   ``workflows(list:at:)``, ``timeline(list:at:workflow:)``
public struct ServerAPI: Sendable {
    /// The store, opened by the caller.
    public let store: TaskStore
    /// The list the page shows first (`--list`).
    public let defaultList: String

    /// States at past points, shared by the requests of one slider move.
    let cache = StateCache()

    public init(store: TaskStore, defaultList: String = "default") {
        self.store = store
        self.defaultList = defaultList
    }

    // MARK: Points

    /// Parses `at` as the CLI parses `--at`: a seq or a UTC time; absent means now.
    static func point(_ text: String?) throws -> Point? {
        guard let text, !text.isEmpty, text != "now" else { return nil }
        return try Point(parsing: text)
    }

    /// The state at `at` (now when absent).
    func state(at text: String?) throws -> TasklogState {
        guard let point = try Self.point(text) else { return try store.state() }
        return try state(at: point)
    }

    /// The state at a past point, through the cache (the present is the store's own state).
    func state(at point: Point) throws -> TasklogState {
        let seq = try store.seq(at: point)
        let now = try store.state()
        if seq == now.lastSeq { return now }
        return try cache.state(at: seq) { try store.state(at: .seq(seq)) }
    }

    /// List `id` alone at `at` (now when absent), in a state that says where it stands: one list
    /// is read (its snapshot body and events), not the whole store.
    func listState(_ id: String, at text: String?) throws -> TasklogState {
        let point = try Self.point(text)
        let (seq, time) = try store.position(at: point)
        func build() throws -> TasklogState {
            var state = TasklogState()
            state.lists[id] = try point == nil ? store.list(id) : store.list(id, at: .seq(seq))
            state.lastSeq = seq
            state.lastTimestamp = time ?? Timestamp(rawValue: 0)
            return state
        }
        guard point != nil else { return try build() }
        return try cache.state(at: seq, list: id, build: build)
    }

    /// The seq and time a state stands for: `{"seq": N, "time": "…"|null}`.
    static func position(_ state: TasklogState) -> JSONValue {
        ["seq": .int(Int64(state.lastSeq)), "time": state.lastSeq > 0 ? .string(state.lastTimestamp.iso8601) : .null]
    }

    /// A sanitised list id, refused when no event ever named it (up to now).
    func listID(_ text: String) throws -> String {
        let list = try TaskListID.sanitized(text)
        let lists = try store.listIDs()
        guard lists.contains(list) else {
            let known = lists.joined(separator: ", ")
            throw APIError.notFound(
                "there is no task list \(list) in this store"
                    + (known.isEmpty ? "; it holds no events yet" : "; lists: \(known)")
            )
        }
        return list
    }

    /// The workflow ids of a list: those started by events, and those its tasks name.
    static func workflowIDs(_ list: TaskListState) -> [String] {
        var ids = Set(list.workflows.keys)
        for task in list.tasks {
            if case .string(let workflow)? = task.metadata("workflow") { ids.insert(workflow) }
        }
        return ids.sorted()
    }

    // MARK: Endpoints

    /// `/api/range`: the first and last event, for the slider.
    public func range() throws -> JSONValue {
        let now = try store.state()
        var first: Event?
        try store.events(from: 1) { event in
            first = event
            return false
        }
        func point(_ seq: UInt64?, _ time: Timestamp?) -> JSONValue {
            guard let seq, let time else { return .null }
            return ["seq": .int(Int64(seq)), "time": .string(time.iso8601)]
        }
        return [
            "events": .int(Int64(now.lastSeq)),
            "first": point(first?.seq, first?.timestamp),
            "last": point(now.lastSeq > 0 ? now.lastSeq : nil, now.lastTimestamp),
        ]
    }

    /// `/api/lists?at=`: the task lists with their counts by status and their workflows.
    public func lists(at: String?) throws -> JSONValue {
        let state = try state(at: at)
        let lists = state.lists.keys.sorted().map { id -> JSONValue in
            let list = state.lists[id]!
            var byStatus: [String: JSONValue] = ["pending": 0, "in_progress": 0, "completed": 0]
            for task in list.tasks where task.status != .deleted {
                byStatus[task.status.name] = .int((byStatus[task.status.name]?.intValue ?? 0) + 1)
            }
            return [
                "id": .string(id),
                "tasks": .int(Int64(list.tasks.filter { $0.status != .deleted }.count)),
                "byStatus": .object(byStatus),
                "workflows": .array(Self.workflowIDs(list).map(JSONValue.string)),
            ]
        }
        return ["at": Self.position(state), "defaultList": .string(defaultList), "lists": .array(lists)]
    }

    /// `/api/lists/{list}/tasks?at=`: the list's tasks (`schemas/task.schema.json`), in id order.
    public func tasks(list: String, at: String?) throws -> JSONValue {
        let list = try listID(list)
        let state = try listState(list, at: at)
        let tasks = state.list(list).sortedTasks.filter { $0.status != .deleted }
        return ["list": .string(list), "at": Self.position(state), "tasks": .array(tasks.map(\.json))]
    }

    /// `/api/lists/{list}/graph?at=&workflow=`: the dependency graph (``TaskGraph``), of the whole
    /// list or of one workflow run. A run that exists now but had not started at `at` has an empty graph.
    public func graph(list: String, at: String?, workflow: String?) throws -> JSONValue {
        let list = try listID(list)
        let workflow = workflow.flatMap { $0.isEmpty ? nil : $0 }
        let state = try listState(list, at: at)
        let graph: TaskGraph
        if let workflow, WorkflowView(id: workflow, in: state.list(list)) == nil {
            // Unknown now: TaskGraph's own 404. Known now but not started then: nothing to draw yet.
            _ = try TaskGraph(list: store.list(list), listID: list, workflow: workflow)
            graph = TaskGraph(list: list, workflow: workflow, nodes: [], edges: [])
        } else {
            graph = try TaskGraph(list: state.list(list), listID: list, workflow: workflow)
        }
        guard case .object(var object) = graph.json else { return graph.json }
        object["at"] = Self.position(state)
        return .object(object)
    }

    /// `/api/lists/{list}/workflows?at=`: each workflow run of the list as `tasklog workflow show
    /// --json` prints it (steps, phases, parallel groups, checkpoints, tasks).
    public func workflows(list: String, at: String?) throws -> JSONValue {
        let list = try listID(list)
        let state = try listState(list, at: at)
        // As `workflow show` does: the store's step numbering, and groups with their deleted members.
        let listState = state.list(list)
        let views = try Self.workflowIDs(listState).compactMap {
            try store.workflow($0, in: list, state: listState, until: at == nil ? nil : .seq(state.lastSeq))
        }
        return ["list": .string(list), "at": Self.position(state), "workflows": .array(views.map(\.json))]
    }
}
