import Foundation
import TasklogCore
import Testing

/// The stdio stream of the real `tasklog mcp`: whole responses for a slow reader, requests answered
/// when the input ends, lines over the bound refused without being held.
@Suite(.timeLimit(.minutes(2))) struct MCPStreamTests {
    static func toolCall(_ id: Int, _ name: String, _ arguments: JSONValue = [:]) -> JSONValue {
        [
            "jsonrpc": "2.0", "id": .int(Int64(id)), "method": "tools/call",
            "params": ["name": .string(name), "arguments": arguments],
        ]
    }

    static let initialize: JSONValue = [
        "jsonrpc": "2.0", "id": 1, "method": "initialize",
        "params": [
            "protocolVersion": "2025-06-18", "capabilities": [:], "clientInfo": ["name": "pipe", "version": "1"],
        ],
    ]

    /// Waits until the server has written `count` lines.
    static func waitForLines(_ server: MCPProcess, _ count: Int, timeout: Duration = .seconds(60)) async throws {
        let deadline = ContinuousClock.now + timeout
        while server.lineCount < count && ContinuousClock.now < deadline {
            try await Task.sleep(for: .milliseconds(10))
        }
        #expect(server.lineCount >= count, "\(server.lineCount) of \(count) lines; stderr: \(server.stderr)")
    }

    /// 30 pipelined TaskList calls of about 125 KB each, read 16 KiB at a time with pauses: the pipe
    /// is full most of the time, and every answer must still come out whole on a line of its own.
    @Test func aSlowReaderGetsEveryResponseWhole() async throws {
        try await Scratch.with("slow-reader") { scratch in
            let server = try await MCPProcess.started(
                ["--store", scratch.store],
                reading: .init(chunk: 16384, pause: .milliseconds(2))
            )
            let subject = String(repeating: "s", count: 1000)
            let tasks = 60
            for n in 1...tasks {
                try server.send(
                    Self.toolCall(1000 + n, "TaskCreate", ["subject": .string(subject), "description": ""])
                )
            }
            _ = try await server.response(id: .int(Int64(1000 + tasks)))
            let before = server.lineCount
            let ids = 2001...2030
            for id in ids { try server.send(Self.toolCall(id, "TaskList")) }
            try await Self.waitForLines(server, before + ids.count)

            let lines = server.outputLines
            let parsed = lines.compactMap { try? JSONValue(parsing: $0) }
            #expect(parsed.count == lines.count, "\(lines.count - parsed.count) of \(lines.count) lines are not JSON")
            let answers = parsed.filter { $0["id"]?.intValue.map { ids.contains(Int($0)) } == true }
            #expect(Set(answers.compactMap { $0["id"]?.intValue }) == Set(ids.map(Int64.init)))
            for answer in answers {
                #expect(answer["result"]?["structuredContent"]?["tasks"]?.arrayValue?.count == tasks)
            }
            #expect(try await server.finish() == 0)
        }
    }

    /// `printf 'initialize\ninitialized\ncreate…\n' | tasklog mcp`: the input ends at once, and the
    /// server still answers every request and keeps the tasks. Three sessions, one after the other:
    /// whether the answers raced the exit was a matter of timing.
    @Test func requestsReadBeforeTheInputEndsAreAnswered() async throws {
        try await Scratch.with("eof") { scratch in
            let creates = (2...11).map { id in
                Self.toolCall(id, "TaskCreate", ["subject": .string("from a pipe \(id)"), "description": ""])
            }
            let input = [Self.initialize, ["jsonrpc": "2.0", "method": "notifications/initialized"]] + creates
            for session in 1...3 {
                let (status, output, errors) = try Binary.run(
                    ["mcp", "--store", scratch.store],
                    input: input.map { $0.serialized() + "\n" }.joined()
                )
                #expect(status == 0, "\(errors)")
                let responses = output.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0)) }
                #expect(
                    Set(responses.compactMap { $0["id"]?.intValue }) == Set(1...11),
                    "session \(session): \(output)"
                )
                let created = responses.compactMap { $0["result"]?["content"]?.arrayValue?.first?["text"]?.stringValue }
                    .filter { $0.hasPrefix("Task #") && $0.contains("created successfully: from a pipe") }
                #expect(created.count == 10, "session \(session): \(output)")
            }
            let (listed, list, _) = try Binary.run(["list", "--store", scratch.store, "--json"])
            #expect(listed == 0)
            #expect(try JSONValue(parsing: list).arrayValue?.count == 30, "\(list)")
        }
    }

    /// The server's peak resident memory so far, in KiB (Linux).
    static func peakMemory(_ server: MCPProcess) throws -> Int {
        let status = try String(contentsOfFile: "/proc/\(server.process.processIdentifier)/status", encoding: .utf8)
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return try #require(line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") })
    }

    /// A 64 MiB line, over the 16 MiB bound: an Invalid Request error with the request's id, the server
    /// serves the next request, and it never held the line: its peak memory grows by about the bound
    /// (the bytes it must hold before it knows the line is too long), not by the line.
    @Test func anOverlongLineIsRefusedAndTheServerGoesOn() async throws {
        try await Scratch.with("overlong") { scratch in
            let server = try await MCPProcess.started(["--store", scratch.store])
            #if os(Linux)
            let before = try Self.peakMemory(server)
            #endif
            let head = #"{"jsonrpc":"2.0","id":77,"method":"tools/call","params":{"name":"TaskCreate","#
            try server.sendLine(
                head + #""arguments":{"subject":"big","description":""# + String(repeating: "d", count: 64 << 20)
                    + #""}}}"#
            )
            let refused = try await server.response(id: 77)
            #expect(refused["error"]?["code"] == -32600)
            #expect(
                refused["error"]?["message"]?.stringValue?.contains(
                    "more than the limit of 16777216 bytes for one line; it was discarded unread"
                ) == true,
                "\(refused)"
            )
            #expect(
                try await server.call("TaskCreate", ["subject": "small", "description": ""]).text
                    == "Task #1 created successfully: small"
            )
            #if os(Linux)
            let growth = try Self.peakMemory(server) - before
            #expect(growth < 40 << 10, "the server's peak memory grew by \(growth) KiB for a 64 MiB line")
            #endif
            #expect(try await server.finish() == 0)
        }
    }

    /// A 10 MB line within the bound is read in linear time (it took minutes of CPU when every read
    /// searched the whole line again) and answered: here a tool error, the description being too long.
    @Test func aTenMegabyteLineIsReadInLinearTime() async throws {
        try await Scratch.with("long-line") { scratch in
            let server = try await MCPProcess.started(["--store", scratch.store])
            let description = String(repeating: "d", count: 10_000_000)
            let clock = ContinuousClock()
            let start = clock.now
            let result = try await server.call("TaskCreate", ["subject": "long", "description": .string(description)])
            #expect(result.isError)
            #expect(result.text.contains("description"), "\(result.text)")
            #expect(clock.now - start < .seconds(20))
            #expect(try await server.finish() == 0)
        }
    }

    /// A line that is not JSON gets a Parse error with `"id": null` (JSON-RPC 2.0: the id cannot be
    /// known), and JSON that is no message an Invalid Request with `"id": null`; the SDK answered
    /// both with a random id. The server then serves the next request.
    @Test(arguments: [
        (#"{"jsonrpc":"2.0","id":5,"method":"#, -32700),
        ("not json", -32700),
        ("42", -32600),
        ("[]", -32600),
    ])
    func aMessageWhoseIDCannotBeKnownIsAnsweredWithIDNull(line: String, code: Int) async throws {
        try await Scratch.with("parse-error") { scratch in
            let server = try await MCPProcess.started(["--store", scratch.store])
            let count = server.lineCount
            try server.sendLine(line)
            let refused = try await server.anyError(after: count)
            #expect(refused["id"] == JSONValue.null, "\(refused)")
            #expect(refused["error"]?["code"] == .int(Int64(code)), "\(refused)")
            #expect(
                try await server.call("TaskCreate", ["subject": "next", "description": ""]).text
                    == "Task #1 created successfully: next"
            )
            #expect(try await server.finish() == 0)
        }
    }

}
