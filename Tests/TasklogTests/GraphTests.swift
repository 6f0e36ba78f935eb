import Foundation
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogCore

#if canImport(FoundationXML)
import FoundationXML
#endif

/// `tasklog graph` and the ``TaskGraph`` it draws, on a real store through the real binary;
/// and the progress bar's silence when nobody is watching a terminal.
@Suite("tasklog graph and progress output")
struct GraphTests {
    static let workflow = "build-task-20260213T1430"

    /// Runs `tasklog arguments --store <folder's store>`.
    static func run(
        _ arguments: [String],
        _ folder: TestFolder,
        environment: [String: String] = [:]
    ) throws -> CLI.Result {
        try CLI.run(arguments + ["--store", folder.storePath], in: folder, environment: environment)
    }

    /// Runs a command that must succeed.
    @discardableResult
    static func ok(
        _ arguments: [String],
        _ folder: TestFolder,
        sourceLocation: SourceLocation = #_sourceLocation
    ) throws
        -> CLI.Result
    {
        let result = try run(arguments, folder)
        #expect(
            result.status == 0,
            "tasklog \(arguments.joined(separator: " ")): \(result)",
            sourceLocation: sourceLocation
        )
        return result
    }

    /// The seq of the last event.
    static func lastSeq(_ folder: TestFolder) throws -> Int {
        try #require(try ok(["stats", "--json"], folder).object()["events"] as? Int)
    }

    /// A build-task run through the CLI: a design task, two parallel builders, a review that waits
    /// for both and for a task outside the run, and a deleted task. Returns the seq at which #1
    /// was in progress and #2 still pending.
    static func makeRun(_ folder: TestFolder) throws -> Int {
        try ok(["workflow", "start", "build-task", "--id", workflow], folder)
        func metadata(_ fields: String) -> String { "{\"workflow\": \"\(workflow)\", \(fields)}" }
        try ok(["create", "Plan the work", "--metadata", metadata("\"phase\": \"design\", \"step\": 1")], folder)
        let builder = metadata("\"phase\": \"build\", \"parallel_group\": \"workers\", \"step\": 4")
        try ok(["create", "Build \"core\" [v2]", "--metadata", builder], folder)
        try ok(["create", "Build <ui> & {css} in C:\\tmp", "--metadata", builder], folder)
        try ok(["create", "Review\nnaïve ✓ 日本", "--metadata", metadata("\"phase\": \"review\", \"step\": 7")], folder)
        try ok(["create", "Unrelated chore"], folder)
        try ok(["create", "Dropped", "--metadata", metadata("\"phase\": \"design\"")], folder)
        try ok(["update", "2", "--add-blocked-by", "1"], folder)
        try ok(["update", "3", "--add-blocked-by", "1"], folder)
        try ok(["update", "4", "--add-blocked-by", "2", "--add-blocked-by", "3", "--add-blocked-by", "5"], folder)
        try ok(["update", "6", "--status", "deleted"], folder)
        try ok(["update", "1", "--status", "in_progress", "--owner", "alice"], folder)
        let earlier = try lastSeq(folder)
        try ok(["update", "1", "--status", "completed", "--actor", "alice"], folder)
        try ok(["update", "2", "--status", "in_progress", "--owner", "bob"], folder)
        return earlier
    }

    // MARK: Pictures of a workflow run

    @Test func dotOfAWorkflowRunIsExact() throws {
        try TestFolder.with("graph-dot") { folder in
            _ = try Self.makeRun(folder)
            let result = try Self.ok(["graph", "--workflow", Self.workflow], folder)
            #expect(result.stderr == "")
            #expect(
                result.stdout == #"""
                    digraph tasks {
                      graph [label="workflow build-task-20260213T1430 in list default", labelloc=t, rankdir=LR, fontname="Helvetica"];
                      node [shape=box, style="rounded,filled", fontname="Helvetica"];
                      edge [color="#555555"];
                      subgraph cluster_1 {
                        label="phase design";
                        style=rounded; color="#999999";
                        t1 [label="#1 Plan the work\nowner: alice", fillcolor="#b6d7a8", color="#38761d", tooltip="completed"];
                      }
                      subgraph cluster_2 {
                        label="phase build";
                        style=rounded; color="#999999";
                        subgraph cluster_3 {
                          label="parallel group workers";
                          style=dashed; color="#999999";
                          t2 [label="#2 Build \"core\" [v2]\nowner: bob", fillcolor="#ffe599", color="#bf9000", tooltip="in_progress"];
                          t3 [label="#3 Build <ui> &amp; {css} in C:\\tmp", fillcolor="#eeeeee", color="#666666", tooltip="pending"];
                        }
                      }
                      subgraph cluster_4 {
                        label="phase review";
                        style=rounded; color="#999999";
                        t4 [label="#4 Review\nnaïve ✓ 日本", fillcolor="#eeeeee", color="#666666", tooltip="pending"];
                      }
                      t1 -> t2;
                      t1 -> t3;
                      t2 -> t4;
                      t3 -> t4;
                    }

                    """#,
                "\(result)"
            )
        }
    }

    @Test func mermaidOfAWorkflowRunIsExact() throws {
        try TestFolder.with("graph-mermaid") { folder in
            _ = try Self.makeRun(folder)
            let result = try Self.ok(["graph", "--workflow", Self.workflow, "--format", "mermaid"], folder)
            #expect(
                result.stdout == #"""
                    flowchart LR
                      subgraph c1["phase design"]
                        t1["#35;1 Plan the work<br/>owner: alice"]
                      end
                      subgraph c2["phase build"]
                        subgraph c3["parallel group workers"]
                          t2["#35;2 Build #quot;core#quot; [v2]<br/>owner: bob"]
                          t3["#35;3 Build #lt;ui#gt; #amp; {css} in C:\tmp"]
                        end
                      end
                      subgraph c4["phase review"]
                        t4["#35;4 Review<br/>naïve ✓ 日本"]
                      end
                      t1 --> t2
                      t1 --> t3
                      t2 --> t4
                      t3 --> t4
                      classDef pending fill:#eeeeee,stroke:#666666,color:#000000
                      class t3,t4 pending
                      classDef in_progress fill:#ffe599,stroke:#bf9000,color:#000000
                      class t2 in_progress
                      classDef completed fill:#b6d7a8,stroke:#38761d,color:#000000
                      class t1 completed
                      style c3 stroke-dasharray: 5 5

                    """#,
                "\(result)"
            )
        }
    }

    @Test func theWholeListBoxesTheRunAndLeavesOtherTasksOutside() throws {
        try TestFolder.with("graph-list") { folder in
            _ = try Self.makeRun(folder)
            let dot = try Self.ok(["graph"], folder).stdout
            #expect(dot.contains(##"graph [label="list default""##))
            #expect(dot.contains("  subgraph cluster_1 {\n    label=\"workflow \(Self.workflow)\";\n"))
            #expect(dot.contains("    subgraph cluster_2 {\n      label=\"phase design\";\n"))
            #expect(dot.contains("\n  t5 [label=\"#5 Unrelated chore\", fillcolor=\"#eeeeee\""))
            #expect(dot.contains("  t5 -> t4;\n"))
            #expect(!dot.contains("t6"), "a deleted task is left out")

            let graph = try Self.ok(["graph", "--json"], folder).object()
            #expect(graph["list"] as? String == "default")
            #expect(graph["workflow"] is NSNull)
            let nodes = try #require(graph["nodes"] as? [[String: Any]])
            #expect(nodes.map { $0["id"] as? String } == ["1", "2", "3", "4", "5"])
            #expect(
                nodes.map { $0["status"] as? String } == ["completed", "in_progress", "pending", "pending", "pending"]
            )
            #expect(nodes.map { $0["phase"] as? String } == ["design", "build", "build", "review", nil])
            #expect(nodes.map { $0["group"] as? String } == [nil, "workers", "workers", nil, nil])
            #expect(nodes[4]["workflow"] is NSNull)
            let edges = try #require(graph["edges"] as? [[String: String]])
            #expect(
                edges == [
                    ["from": "1", "to": "2"], ["from": "1", "to": "3"], ["from": "2", "to": "4"],
                    ["from": "3", "to": "4"], ["from": "5", "to": "4"],
                ]
            )

            // Restricted to the run: the edge from the task outside it is gone.
            let run = try Self.ok(["graph", "--workflow", Self.workflow, "--json"], folder).object()
            #expect(run["workflow"] as? String == Self.workflow)
            #expect((run["edges"] as? [[String: String]])?.count == 4)
        }
    }

    @Test func atAnEarlierPointShowsTheEarlierStatuses() throws {
        try TestFolder.with("graph-at") { folder in
            let earlier = try Self.makeRun(folder)
            let graph = try Self.ok(["graph", "--workflow", Self.workflow, "--at", String(earlier), "--json"], folder)
                .object()
            let nodes = try #require(graph["nodes"] as? [[String: Any]])
            #expect(nodes.map { $0["status"] as? String } == ["in_progress", "pending", "pending", "pending"])
            #expect(nodes.map { $0["owner"] as? String } == ["alice", nil, nil, nil])
            let dot = try Self.ok(["graph", "--workflow", Self.workflow, "--at", String(earlier)], folder).stdout
            #expect(dot.contains(##"t1 [label="#1 Plan the work\nowner: alice", fillcolor="#ffe599""##))
            #expect(dot.contains(##"t2 [label="#2 Build \"core\" [v2]", fillcolor="#eeeeee""##))

            // Before the first task: the run is known, its tasks are not there yet.
            let start = try Self.ok(["graph", "--workflow", Self.workflow, "--at", "1", "--json"], folder).object()
            #expect((start["nodes"] as? [Any])?.isEmpty == true)
            // Before the run started it is unknown.
            let before = try Self.run(["graph", "--workflow", Self.workflow, "--at", "0"], folder)
            #expect(before.status == 66, "\(before)")
        }
    }

    // MARK: SVG through Graphviz

    static var graphvizInstalled: Bool {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? ""
        return path.split(separator: ":").contains { FileManager.default.isExecutableFile(atPath: "\($0)/dot") }
    }

    @Test(.enabled(if: graphvizInstalled, "Graphviz's dot is not installed"))
    func svgIsValidSVG() throws {
        try TestFolder.with("graph-svg") { folder in
            _ = try Self.makeRun(folder)
            let result = try Self.ok(["graph", "--format", "svg"], folder)
            #expect(result.stderr == "")
            #expect(result.stdout.contains("<svg"))
            #expect(result.stdout.hasSuffix("</svg>\n"))
            // Well-formed XML whose root is an svg element, with every task's node in it.
            let parser = XMLParser(data: Data(result.stdout.utf8))
            let collector = ElementCollector()
            parser.delegate = collector
            #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
            #expect(collector.root == "svg")
            #expect(collector.titles.isSuperset(of: ["t1", "t2", "t3", "t4", "t5", "t1->t2", "t5->t4"]))
            #expect(collector.titles.contains("cluster_1"))
        }
    }

    @Test func svgWithoutGraphvizSaysWhatToDo() throws {
        try TestFolder.with("graph-no-dot") { folder in
            _ = try Self.makeRun(folder)
            let result = try Self.run(
                ["graph", "--format", "svg"],
                folder,
                environment: ["PATH": folder.file("empty-bin")]
            )
            #expect(result.status == 1, "\(result)")
            #expect(result.stdout == "")
            #expect(
                result.stderr
                    == "tasklog: error: --format svg needs Graphviz's dot, which is not on the PATH; install graphviz (apt-get install graphviz, brew install graphviz) or use --format dot\n"
            )
        }
    }

    // MARK: Refusals

    struct Failure: Sendable, CustomTestStringConvertible {
        var name: String
        var arguments: [String]
        var status: Int32
        var mentions: String
        var testDescription: String { name }
    }

    static let failures: [Failure] = [
        Failure(
            name: "bad format",
            arguments: ["graph", "--format", "png"],
            status: 64,
            mentions: "'dot', 'mermaid' or 'svg'"
        ),
        Failure(
            name: "unknown workflow",
            arguments: ["graph", "--workflow", "nope-20260101T0000"],
            status: 66,
            mentions: "workflow nope-20260101T0000 not found in list default"
        ),
        Failure(
            name: "bad point",
            arguments: ["graph", "--at", "yesterday"],
            status: 65,
            mentions: "yesterday is not a point in time"
        ),
        Failure(
            name: "point past the end",
            arguments: ["graph", "--at", "9999"],
            status: 66,
            mentions: "seq 9999 is past the end of the log"
        ),
    ]

    @Test("A refusal has its exit code and one error line", arguments: failures)
    func refusals(_ failure: Failure) throws {
        try TestFolder.with("graph-refusal") { folder in
            try Self.ok(["create", "One"], folder)
            let result = try Self.run(failure.arguments, folder)
            #expect(result.status == failure.status, "\(result)")
            #expect(result.stdout == "")
            #expect(result.stderr.hasPrefix("tasklog: error: "), "\(result)")
            #expect(result.stderr.split(separator: "\n", omittingEmptySubsequences: false).count == 2, "\(result)")
            #expect(result.stderr.contains(failure.mentions), "\(result)")
        }
    }

    @Test func noStoreYetIsAnEmptyGraph() throws {
        try TestFolder.with("graph-empty") { folder in
            let graph = try Self.ok(["graph", "--json"], folder).object()
            #expect((graph["nodes"] as? [Any])?.isEmpty == true)
            #expect(!FileManager.default.fileExists(atPath: folder.storePath))
        }
    }

    // MARK: The model, without a store

    static func task(
        _ id: Int,
        _ subject: String,
        blockedBy: [Int] = [],
        _ metadata: [String: JSONValue] = [:]
    ) -> TaskRecord {
        TaskRecord(
            id: id,
            subject: subject,
            blockedBy: blockedBy,
            metadata: metadata,
            createdAt: Timestamp(rawValue: 0),
            updatedAt: Timestamp(rawValue: 0)
        )
    }

    @Test func aGroupAcrossPhasesIsDrawnInEachAndTwoRunsGetTwoBoxes() throws {
        var list = TaskListState()
        let tasks = [
            Self.task(1, "a", ["workflow": "w-1", "phase": "p", "parallel_group": "g"]),
            Self.task(2, "b", ["workflow": "w-1", "phase": "q", "parallel_group": "g"]),
            Self.task(3, "c", ["workflow": "w-1", "parallel_group": "g"]),
            Self.task(4, "d", blockedBy: [1], ["workflow": "w-2", "phase": "p"]),
            Self.task(5, "e", ["phase": "p", "parallel_group": "g"]),
        ]
        for task in tasks { list.tasks[task.id] = task }
        list.tasks[1]?.blocks = [4]
        let graph = try TaskGraph(list: list, listID: "default", workflow: nil)
        #expect(graph.nodes.map(\.phase) == ["p", "q", nil, "p", nil], "phase and group count only inside a run")
        #expect(graph.edges == [TaskGraph.Edge(from: "1", to: "4")])
        let (loose, clusters) = graph.clusters
        #expect(loose == ["5"])
        typealias C = TaskGraph.Cluster
        #expect(
            clusters == [
                C(
                    kind: .workflow,
                    name: "w-1",
                    nodeIDs: [],
                    children: [
                        C(kind: .phase, name: "p", children: [C(kind: .group, name: "g", nodeIDs: ["1"])]),
                        C(kind: .phase, name: "q", children: [C(kind: .group, name: "g", nodeIDs: ["2"])]),
                        C(kind: .group, name: "g", nodeIDs: ["3"]),
                    ]
                ),
                C(kind: .workflow, name: "w-2", children: [C(kind: .phase, name: "p", nodeIDs: ["4"])]),
            ]
        )
        #expect(throws: TasklogError.self) { try TaskGraph(list: list, listID: "default", workflow: "w-3") }
        let run = try TaskGraph(list: list, listID: "default", workflow: "w-2")
        #expect(run.nodes.map(\.id) == ["4"] && run.edges.isEmpty)
    }

    @Test(arguments: [
        ("plain", "plain", "plain"),
        ("say \"hi\"", ##"say \"hi\""##, "say #quot;hi#quot;"),
        (##"back\slash \n"##, ##"back\\slash \\n"##, ##"back\slash \n"##),
        ("[x] {y} (z) <b>&amp;</b>", "[x] {y} (z) <b>&amp;amp;</b>", "[x] {y} (z) #lt;b#gt;#amp;amp;#lt;/b#gt;"),
        ("#1; `code`", "#1; `code`", "#35;1; #96;code#96;"),
        ("tab\tbell\u{7}", "tab bell ", "tab bell "),
        ("naïve ✓ 日本 👩‍💻", "naïve ✓ 日本 👩‍💻", "naïve ✓ 日本 👩‍💻"),
    ])
    func labelsAreEscaped(_ text: String, _ dot: String, _ mermaid: String) {
        #expect(TaskGraph.dotString([text]) == "\"\(dot)\"")
        #expect(TaskGraph.mermaidString([text]) == "\"\(mermaid)\"")
    }

    @Test func lineBreaksOfEveryKindBecomeLabelLineBreaks() throws {
        var list = TaskListState()
        list.tasks[1] = Self.task(1, "one\ntwo\r\nthree\rfour\u{2028}five")
        let graph = try TaskGraph(list: list, listID: "default", workflow: nil)
        #expect(graph.dot().contains(##"t1 [label="#1 one\ntwo\nthree\nfour\nfive", "##))
        #expect(graph.mermaid().contains(##"t1["#35;1 one<br/>two<br/>three<br/>four<br/>five"]"##))
    }

    @Test(.enabled(if: graphvizInstalled, "Graphviz's dot is not installed"))
    func graphvizReadsEveryEscapedLabelBack() throws {
        let subjects = [
            "say \"hi\"", ##"back\slash \"##, "[x] {y} <b>&amp;</b>", "#1; `code`", "tab\tbell\u{7}", "naïve ✓ 日本 👩‍💻",
            "a\nb",
        ]
        var list = TaskListState()
        for (index, subject) in subjects.enumerated() { list.tasks[index + 1] = Self.task(index + 1, subject) }
        let dot = try TaskGraph(list: list, listID: "default", workflow: nil).dot()
        try TestFolder.with("graph-escape") { folder in
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments = ["dot", "-Tplain"]
            let input = folder.file("graph.dot")
            try Data(dot.utf8).write(to: URL(fileURLWithPath: input))
            process.standardInput = try FileHandle(forReadingFrom: URL(fileURLWithPath: input))
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            let plain = String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
            process.waitUntilExit()
            #expect(process.terminationStatus == 0, "\(dot)")
            // -Tplain prints each node's label as dot read it (quoted when it has spaces).
            #expect(plain.contains(##""#1 say \"hi\"""##), "\(plain)")
            #expect(plain.contains(##""#2 back\\slash \\""##), "\(plain)")
            #expect(plain.contains(##""#3 [x] {y} <b>&amp;</b>""##), "\(plain)")
            #expect(plain.contains(##""#4 #1; `code`""##), "\(plain)")
            #expect(plain.contains(##""#7 a\nb""##), "\(plain)")
            #expect(plain.contains(##""#6 naïve ✓ 日本 👩‍💻""##), "\(plain)")
        }
    }

    // MARK: Progress

    /// Runs `tasklog arguments` with stdout and stderr on pipes, as a script would.
    static func throughPipes(_ arguments: [String], _ folder: TestFolder) throws -> CLI.Result {
        let process = Process()
        process.executableURL = CLI.executable
        process.arguments = arguments + ["--store", folder.storePath]
        process.currentDirectoryURL = folder.url
        process.environment = CLI.environment(folder: folder)
        let output = Pipe()
        let errors = Pipe()
        process.standardOutput = output
        process.standardError = errors
        process.standardInput = FileHandle.nullDevice
        try process.run()
        // The bar is the only thing that could fill stderr's pipe, and it must not be drawn here:
        // reading stdout to its end first cannot block on a full stderr.
        let stdout = output.fileHandleForReading.readDataToEndOfFile()
        let stderr = errors.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return CLI.Result(
            status: process.terminationStatus,
            stdout: String(decoding: stdout, as: UTF8.self),
            stderr: String(decoding: stderr, as: UTF8.self)
        )
    }

    @Test func longWorkThroughAPipePrintsNoProgress() throws {
        try TestFolder.with("graph-progress") { folder in
            _ = try Self.makeRun(folder)
            let export = try Self.throughPipes(["export"], folder)
            #expect(export.status == 0, "\(export)")
            let file = folder.file("events.jsonl")
            try Data(export.stdout.utf8).write(to: URL(fileURLWithPath: file))
            let copy = try TestFolder.make("graph-progress-copy")
            defer { copy.remove() }
            let runs = [
                (export, folder),
                (try Self.throughPipes(["import", file], copy), copy),
                (try Self.throughPipes(["verify"], copy), copy),
                (try Self.throughPipes(["verify", "--json"], copy), copy),
                (try Self.throughPipes(["replay", "--workflow", Self.workflow], copy), copy),
                (try Self.throughPipes(["export", "--from", "3"], copy), copy),
            ]
            for (result, _) in runs {
                #expect(result.status == 0, "\(result)")
                #expect(result.stderr == "", "\(result)")
                let control = result.stdout.unicodeScalars.filter { $0 == "\r" || $0 == "\u{1B}" || $0 == "\u{8}" }
                #expect(control.isEmpty, "\(result)")
            }
            #expect(runs[1].0.stdout == "Imported \(try Self.lastSeq(folder)) events\n")
        }
    }
}

/// The root element and every `<title>` of an SVG document (Graphviz titles each node, edge and
/// cluster with its name).
private final class ElementCollector: NSObject, XMLParserDelegate, @unchecked Sendable {
    var root: String?
    var titles: Set<String> = []
    private var inTitle = false
    private var text = ""

    func parser(
        _ parser: XMLParser,
        didStartElement name: String,
        namespaceURI: String?,
        qualifiedName: String?,
        attributes: [String: String] = [:]
    ) {
        if root == nil { root = name }
        if name == "title" {
            inTitle = true
            text = ""
        }
    }

    func parser(_ parser: XMLParser, foundCharacters string: String) {
        if inTitle { text += string }
    }

    func parser(_ parser: XMLParser, didEndElement name: String, namespaceURI: String?, qualifiedName: String?) {
        if name == "title" {
            inTitle = false
            titles.insert(text)
        }
    }
}
