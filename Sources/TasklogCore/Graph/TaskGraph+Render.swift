extension TaskGraph {
    /// A box drawn around tasks that belong together: a workflow run, a phase of it, or a
    /// parallel group (inside its phase, when its members have one).
    public struct Cluster: Sendable, Equatable {
        /// What holds the cluster together.
        public enum Kind: String, Sendable, Equatable {
            case workflow
            case phase
            case group
        }

        public var kind: Kind
        /// The workflow id, phase name or group id.
        public var name: String
        /// The ids of the nodes directly inside, not in a child cluster.
        public var nodeIDs: [String] = []
        public var children: [Cluster] = []

        /// "workflow build-task-20260213T1430", "phase review", "parallel group reviewers".
        public var label: String {
            switch kind {
            case .workflow: "workflow \(name)"
            case .phase: "phase \(name)"
            case .group: "parallel group \(name)"
            }
        }

        /// Puts node `id` at the end of `path` below this cluster, opening clusters as needed.
        mutating func insert(_ id: String, at path: ArraySlice<(kind: Kind, name: String)>) {
            guard let (kind, name) = path.first else {
                nodeIDs.append(id)
                return
            }
            if let index = children.firstIndex(where: { $0.kind == kind && $0.name == name }) {
                children[index].insert(id, at: path.dropFirst())
            } else {
                var child = Cluster(kind: kind, name: name)
                child.insert(id, at: path.dropFirst())
                children.append(child)
            }
        }
    }

    /// The boxes the renderers draw: workflow runs (unless the graph is of one run), their
    /// phases, and parallel groups inside those; each in order of its first task. `loose` are
    /// the ids of the nodes outside every box.
    ///
    /// A node sits in the innermost box that applies. A group whose members are in different
    /// phases is drawn once inside each of them.
    public var clusters: (loose: [String], clusters: [Cluster]) {
        var root = Cluster(kind: .workflow, name: "")
        for node in nodes {
            var path: [(kind: Cluster.Kind, name: String)] = []
            if let run = node.workflow, workflow == nil { path.append((.workflow, run)) }
            if let phase = node.phase { path.append((.phase, phase)) }
            if let group = node.group { path.append((.group, group)) }
            root.insert(node.id, at: path[...])
        }
        return (root.nodeIDs, root.children)
    }

    /// The fill and border colours of a status, the same in every picture: grey pending, amber
    /// in progress, green completed.
    public static func colours(of status: String) -> (fill: String, border: String) {
        switch status {
        case "completed": ("#b6d7a8", "#38761d")
        case "in_progress": ("#ffe599", "#bf9000")
        default: ("#eeeeee", "#666666")
        }
    }

    /// The lines of a node's label: `#3 Subject` (more lines if the subject has them), then the owner.
    func labelLines(of node: Node) -> [String] {
        let subject = "#\(node.id) \(node.subject)".split(omittingEmptySubsequences: false, whereSeparator: \.isNewline)
        return subject.map(String.init) + (node.owner.map { ["owner: \($0)"] } ?? [])
    }

    /// The title of the whole picture.
    var title: String {
        workflow.map { "workflow \($0) in list \(list)" } ?? "list \(list)"
    }

    // MARK: Graphviz

    /// The graph in Graphviz's dot language, for `dot -Tsvg` and friends.
    ///
    /// Nodes are `t` and the task id; boxes are `cluster_` subgraphs; labels are quoted
    /// strings with `"` and `\` escaped, `&` as `&amp;` (Graphviz decodes entities), line breaks
    /// as `\n` and control characters as spaces.
    public func dot() -> String {
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
        var out = "digraph tasks {\n"
        out += "  graph [label=\(Self.dotString([title])), labelloc=t, rankdir=LR, fontname=\"Helvetica\"];\n"
        out += "  node [shape=box, style=\"rounded,filled\", fontname=\"Helvetica\"];\n"
        out += "  edge [color=\"#555555\"];\n"
        func write(node id: String, indent: String) {
            guard let node = byID[id] else { return }
            let (fill, border) = Self.colours(of: node.status)
            out += "\(indent)t\(node.id) [label=\(Self.dotString(labelLines(of: node))), "
            out += "fillcolor=\"\(fill)\", color=\"\(border)\", tooltip=\"\(node.status)\"];\n"
        }
        var count = 0
        func write(cluster: Cluster, indent: String) {
            count += 1
            out += "\(indent)subgraph cluster_\(count) {\n"
            out += "\(indent)  label=\(Self.dotString([cluster.label]));\n"
            out += "\(indent)  style=\(cluster.kind == .group ? "dashed" : "rounded"); color=\"#999999\";\n"
            for id in cluster.nodeIDs { write(node: id, indent: indent + "  ") }
            for child in cluster.children { write(cluster: child, indent: indent + "  ") }
            out += "\(indent)}\n"
        }
        let (loose, clusters) = self.clusters
        for cluster in clusters { write(cluster: cluster, indent: "  ") }
        for id in loose { write(node: id, indent: "  ") }
        for edge in edges { out += "  t\(edge.from) -> t\(edge.to);\n" }
        out += "}\n"
        return out
    }

    /// A dot string literal of `lines`, joined by `\n` line breaks.
    static func dotString(_ lines: [String]) -> String {
        var out = "\""
        for (index, line) in lines.enumerated() {
            if index > 0 { out += "\\n" }
            for scalar in line.unicodeScalars {
                switch scalar {
                case "\"": out += "\\\""
                case "\\": out += "\\\\"
                case "&": out += "&amp;"  // Graphviz reads entities like &amp; in labels
                default: out.unicodeScalars.append(isControl(scalar) ? " " : scalar)
                }
            }
        }
        return out + "\""
    }

    // MARK: Mermaid

    /// The graph as a Mermaid flowchart, for Markdown that renders Mermaid.
    ///
    /// Nodes are `t` and the task id; boxes are subgraphs `c1`, `c2`, …; labels are quoted, with
    /// `"`, `#`, `&`, `<`, `>` and backquotes as Mermaid entity codes (`#quot;`, `#35;`, …), line
    /// breaks as `<br/>` and control characters as spaces.
    public func mermaid() -> String {
        let byID = Dictionary(uniqueKeysWithValues: nodes.map { ($0.id, $0) })
        var out = "flowchart LR\n"
        func write(node id: String, indent: String) {
            guard let node = byID[id] else { return }
            out += "\(indent)t\(node.id)[\(Self.mermaidString(labelLines(of: node)))]\n"
        }
        var count = 0
        var dashed: [String] = []
        func write(cluster: Cluster, indent: String) {
            count += 1
            out += "\(indent)subgraph c\(count)[\(Self.mermaidString([cluster.label]))]\n"
            if cluster.kind == .group { dashed.append("c\(count)") }
            for id in cluster.nodeIDs { write(node: id, indent: indent + "  ") }
            for child in cluster.children { write(cluster: child, indent: indent + "  ") }
            out += "\(indent)end\n"
        }
        let (loose, clusters) = self.clusters
        for cluster in clusters { write(cluster: cluster, indent: "  ") }
        for id in loose { write(node: id, indent: "  ") }
        for edge in edges { out += "  t\(edge.from) --> t\(edge.to)\n" }
        for status in ["pending", "in_progress", "completed"] {
            let (fill, border) = Self.colours(of: status)
            out += "  classDef \(status) fill:\(fill),stroke:\(border),color:#000000\n"
            let members = nodes.filter { $0.status == status }.map { "t\($0.id)" }
            if !members.isEmpty { out += "  class \(members.joined(separator: ",")) \(status)\n" }
        }
        for id in dashed { out += "  style \(id) stroke-dasharray: 5 5\n" }
        return out
    }

    /// A Mermaid quoted label of `lines`, joined by `<br/>`.
    static func mermaidString(_ lines: [String]) -> String {
        var out = "\""
        for (index, line) in lines.enumerated() {
            if index > 0 { out += "<br/>" }
            for scalar in line.unicodeScalars {
                switch scalar {
                case "\"": out += "#quot;"
                case "#": out += "#35;"
                case "&": out += "#amp;"
                case "<": out += "#lt;"
                case ">": out += "#gt;"
                case "`": out += "#96;"
                default: out.unicodeScalars.append(isControl(scalar) ? " " : scalar)
                }
            }
        }
        return out + "\""
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        switch scalar.properties.generalCategory {
        case .control, .lineSeparator, .paragraphSeparator: true
        default: false
        }
    }
}
