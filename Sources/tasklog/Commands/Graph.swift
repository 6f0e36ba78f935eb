import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

struct Graph: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Draw the tasks as a dependency graph: dot, mermaid or svg.",
        discussion: """
            Edges run from a blocker to the task it blocks; nodes are coloured by status (grey pending, \
            amber in progress, green completed) and boxed by workflow run, phase and parallel group. \
            svg runs Graphviz's `dot -Tsvg`. With --json, the graph itself: {list, workflow, nodes, edges}.
            """
    )

    /// The pictures `--format` names.
    enum Format: String, CaseIterable, ExpressibleByArgument {
        case dot
        case mermaid
        case svg
    }

    @OptionGroup var global: StoreOptions

    @Option(help: "Only the tasks of this workflow run (metadata.workflow).")
    var workflow: String?

    @Option(help: "As it was at this POINT: a seq or a UTC time like 2026-02-13T14:35:00Z.")
    var at: String?

    @Option(help: "dot (Graphviz), mermaid, or svg (needs Graphviz's dot installed).")
    var format: Format = .dot

    func run() throws {
        try tasklog.run {
            let point = try at.map { try Point(parsing: $0) }
            let listID = try TaskListID.sanitized(global.listID)
            let graph = try TaskGraph(list: try listState(at: point, list: listID), listID: listID, workflow: workflow)
            if global.json {
                Output.json(graph.json)
                return
            }
            switch format {
            case .dot: write(graph.dot())
            case .mermaid: write(graph.mermaid())
            case .svg: write(try Graphviz.svg(graph.dot()))
            }
        }
    }

    /// Text that already ends with a line break, to stdout.
    private func write(_ text: String) {
        Output.write(text)
    }

    /// The list as of `point`; an empty one when there is no store yet.
    private func listState(at point: Point?, list: String) throws -> TaskListState {
        guard let store = try global.openExisting() else { return TaskListState() }
        return try point.map { try store.list(list, at: $0) } ?? store.list(list)
    }
}
