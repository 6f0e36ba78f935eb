/// The tasks of a list as a dependency graph: one node per live task, one edge per dependency,
/// from the blocker to the task it blocks. Pure: built from a folded list, no I/O.
///
/// Nodes carry what a picture groups and colours by: the status, and for tasks of a workflow
/// run the run, its phase (`metadata.phase`) and its parallel group (`metadata.parallel_group`).
/// Renderers are in `TaskGraph+Render.swift`.
///
/// ## Topics
///
/// ### Building
/// - ``init(list:listID:workflow:)``
///
/// ### Parts
/// - ``Node``
/// - ``Edge``
///
/// ### Pictures
/// - ``clusters``
/// - ``Cluster``
/// - ``dot()``
/// - ``mermaid()``
/// - ``colours(of:)``
public struct TaskGraph: Sendable, Equatable, Codable {
    /// One task.
    public struct Node: Sendable, Equatable, Codable {
        /// The task id, as the agent tools spell it: `"3"`.
        public var id: String
        public var subject: String
        /// `pending`, `in_progress` or `completed` (deleted tasks are left out).
        public var status: String
        public var owner: String?
        /// The workflow run the task belongs to (`metadata.workflow`), if any.
        public var workflow: String?
        /// The task's phase in its workflow run; `nil` outside a run.
        public var phase: String?
        /// The task's parallel group in its workflow run; `nil` outside a run.
        public var group: String?

        public init(
            id: String,
            subject: String,
            status: String,
            owner: String? = nil,
            workflow: String? = nil,
            phase: String? = nil,
            group: String? = nil
        ) {
            self.id = id
            self.subject = subject
            self.status = status
            self.owner = owner
            self.workflow = workflow
            self.phase = phase
            self.group = group
        }
    }

    /// A dependency: `from` must complete before `to` can start.
    public struct Edge: Sendable, Equatable, Codable {
        /// The blocker's id.
        public var from: String
        /// The blocked task's id.
        public var to: String

        public init(from: String, to: String) {
            self.from = from
            self.to = to
        }
    }

    /// The task list.
    public var list: String
    /// The workflow run the graph is restricted to, if any.
    public var workflow: String?
    /// In task id order.
    public var nodes: [Node]
    /// Between nodes of the graph only, ordered by blocker then blocked id.
    public var edges: [Edge]

    public init(list: String, workflow: String? = nil, nodes: [Node], edges: [Edge]) {
        self.list = list
        self.workflow = workflow
        self.nodes = nodes
        self.edges = edges
    }

    /// The graph of `list` (whose id is `listID`), or of workflow run `workflow` in it.
    ///
    /// - Throws: ``TasklogError/Code/notFound`` when `workflow` is given and neither the list's
    ///   events nor its tasks name it.
    public init(list: TaskListState, listID: String, workflow: String? = nil) throws(TasklogError) {
        if let workflow, WorkflowView(id: workflow, in: list) == nil {
            throw TasklogError(
                .notFound,
                "workflow \(workflow) not found in list \(listID); each task names its workflow in metadata.workflow"
            )
        }
        let tasks = list.sortedTasks.filter { task in
            task.status != .deleted && (workflow == nil || task.metadata("workflow") == .string(workflow!))
        }
        let included = Set(tasks.map(\.id))
        var pairs = Set<Pair>()
        for task in tasks {
            for blocker in task.blockedBy where included.contains(blocker) {
                pairs.insert(Pair(from: blocker, to: task.id))
            }
            for blocked in task.blocks where included.contains(blocked) {
                pairs.insert(Pair(from: task.id, to: blocked))
            }
        }
        self.init(
            list: listID,
            workflow: workflow,
            nodes: tasks.map(Node.init(task:)),
            edges: pairs.sorted().map { Edge(from: String($0.from), to: String($0.to)) }
        )
    }

    /// The graph as `tasklog graph --json` prints it; absent fields are `null`.
    public var json: JSONValue {
        func optional(_ text: String?) -> JSONValue { text.map(JSONValue.string) ?? .null }
        return [
            "list": .string(list),
            "workflow": optional(workflow),
            "nodes": .array(
                nodes.map {
                    [
                        "id": .string($0.id), "subject": .string($0.subject), "status": .string($0.status),
                        "owner": optional($0.owner), "workflow": optional($0.workflow), "phase": optional($0.phase),
                        "group": optional($0.group),
                    ]
                }
            ),
            "edges": .array(edges.map { ["from": .string($0.from), "to": .string($0.to)] }),
        ]
    }

    /// A dependency as task ids, ordered numerically.
    private struct Pair: Hashable, Comparable {
        var from: Int
        var to: Int

        static func < (lhs: Pair, rhs: Pair) -> Bool { (lhs.from, lhs.to) < (rhs.from, rhs.to) }
    }
}

extension TaskGraph.Node {
    /// The node of `task`; phase and group only where the task belongs to a workflow run.
    init(task: TaskRecord) {
        let workflow = task.metadata("workflow")?.stringValue
        self.init(
            id: String(task.id),
            subject: task.subject,
            status: task.status.name,
            owner: task.owner,
            workflow: workflow,
            phase: workflow == nil ? nil : task.metadata("phase")?.stringValue,
            group: workflow == nil ? nil : task.metadata("parallel_group")?.stringValue
        )
    }
}
