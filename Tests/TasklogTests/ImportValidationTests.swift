import Foundation
import TasklogTestSupport
import Testing

/// `tasklog import` lets in nothing that the commands refuse: each file below is refused whole
/// (exit 65), with the line and what was wrong, and the store is left as it was.
@Suite("Import checks what the commands check")
struct ImportValidationTests {
    /// One exported event as a JSON line.
    static func event(_ seq: Int, _ type: String, _ data: String, list: String = "default") -> String {
        #"{"actor":"cli","data":\#(data),"list":"\#(list)","seq":\#(seq),"timestamp":"2026-02-13T14:35:00Z","type":"\#(type)"}"#
    }

    static func created(_ seq: Int, id: String, subject: String = "Task", description: String = "") -> String {
        event(
            seq,
            "task_created",
            #"{"id":"\#(id)","subject":"\#(subject)","description":"\#(description)","metadata":{}}"#
        )
    }

    /// A refused file: its lines, the line refused and a phrase of the reason.
    struct Case: Sendable, CustomStringConvertible {
        var name: String
        var lines: [String]
        var line: Int
        var reason: String
        var description: String { name }
    }

    static let cases: [Case] = [
        Case(
            name: "a description over 64 KiB",
            lines: [created(1, id: "1", description: String(repeating: "x", count: 200_000))],
            line: 1,
            reason: "the description is 200000 bytes"
        ),
        Case(
            name: "a 5,000-byte subject",
            lines: [created(1, id: "1"), created(2, id: "2", subject: String(repeating: "s", count: 5000))],
            line: 2,
            reason: "the subject is 5000 bytes"
        ),
        Case(
            name: "a duplicate id",
            lines: [created(1, id: "1"), created(2, id: "1")],
            line: 2,
            reason: "a new task has id 1, but the next id of its list is 2"
        ),
        Case(
            name: "id Int64.max",
            lines: [created(1, id: String(Int64.max))],
            line: 1,
            reason: "the next id of its list is 1"
        ),
        Case(
            name: "a list id that is not sanitised",
            lines: [event(1, "task_created", #"{"id":"1","subject":"Task","metadata":{}}"#, list: "my list/../x")],
            line: 1,
            reason: "has characters a list id cannot hold"
        ),
        Case(
            name: "a dependency cycle",
            lines: [
                created(1, id: "1"), created(2, id: "2"),
                event(3, "dependency_added", #"{"blocker":"1","blocked":"2"}"#),
                event(4, "task_updated", #"{"id":"2","addBlocks":["1"]}"#),
            ],
            line: 4,
            reason: "would close the cycle"
        ),
        Case(
            name: "an update of a task that does not exist",
            lines: [created(1, id: "1"), event(2, "task_updated", #"{"id":"7","status":"completed"}"#)],
            line: 2,
            reason: "task #7 not found"
        ),
    ]

    @Test(arguments: cases)
    func aFileTheCommandsWouldRefuseIsRefusedWhole(_ refused: Case) throws {
        try TestFolder.with("import-refused") { folder in
            // A blank line first, so that line numbers are file lines, not event numbers.
            try ([""] + refused.lines).joined(separator: "\n").write(
                toFile: folder.file("events.jsonl"),
                atomically: true,
                encoding: .utf8
            )
            let result = try CLITests.run(["import", folder.file("events.jsonl")], folder)
            #expect(result.status == 65, "\(result)")
            #expect(result.stderr.contains("line \(refused.line + 1) (seq \(refused.line))"), "\(result)")
            #expect(result.stderr.contains(refused.reason), "\(result)")
            #expect(result.stderr.contains("nothing was imported"), "\(result)")
            let stats = try CLITests.ok(["stats", "--json"], folder).object()
            #expect(stats["events"] as? Int == 0)
            // The store works as a new one: the next task is #1.
            let next = try CLITests.ok(["create", "After the refusal", "--json"], folder).object()
            #expect(next["id"] as? String == "1")
        }
    }

    @Test func anExportedStoreImportsAsItWas() throws {
        try TestFolder.with("import-roundtrip") { folder in
            for subject in ["Plan", "Build", "Ship"] { _ = try CLITests.ok(["create", subject], folder) }
            _ = try CLITests.ok(["update", "2", "--add-blocked-by", "1"], folder)
            _ = try CLITests.ok(["update", "1", "--status", "in_progress", "--actor", "agent-a"], folder)
            _ = try CLITests.ok(["update", "1", "--owner", "agent-b", "--expect-version", "3"], folder)
            _ = try CLITests.ok(["update", "3", "--status", "deleted"], folder)
            let exported = try CLITests.ok(["export"], folder).stdout
            try exported.write(toFile: folder.file("events.jsonl"), atomically: true, encoding: .utf8)
            let copy = folder.file("copy")
            let imported = try CLI.run(["import", folder.file("events.jsonl"), "--store", copy], in: folder)
            #expect(imported.status == 0, "\(imported)")
            let again = try CLI.run(["export", "--store", copy], in: folder)
            #expect(again.stdout == exported)
        }
    }
}
