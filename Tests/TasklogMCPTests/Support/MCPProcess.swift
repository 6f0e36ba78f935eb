import Foundation
import Synchronization
import TasklogCore
import TasklogTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// A temporary folder for one test, removed at the end.
struct Scratch: Sendable {
    let path: String

    var store: String { path + "/store" }

    static func with<R>(_ label: String, _ body: (Scratch) async throws -> R) async throws -> R {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("tasklog-mcp-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: path) }
        return try await body(Scratch(path: path))
    }
}

/// The real `tasklog` binary, built beside the test bundle.
enum Binary {
    /// Runs `tasklog arguments` to the end, with `input` on its stdin (else nothing); returns its exit
    /// status, stdout and stderr.
    static func run(
        _ arguments: [String],
        environment extra: [String: String] = [:],
        input: String? = nil
    ) throws -> (Int32, String, String) {
        let run = try ChildRun.run(
            BuiltExecutable.tasklog,
            arguments,
            environment: BuiltExecutable.environment(extra),
            stdin: input
        )
        return (run.status, run.stdout, run.stderr)
    }
}

/// `tasklog mcp` running as a child process, spoken to in JSON-RPC lines over its stdin and stdout.
final class MCPProcess: @unchecked Sendable {
    let process = Process()
    private let input = Pipe()
    private let output = Pipe()
    private let errors = Pipe()
    private let lines = Mutex<[String]>([])
    private let stderrText = Mutex<String>("")
    private let nextID = Mutex<Int>(100)

    /// How the client reads the server's output: `chunk` bytes a read, then a pause (a slow client).
    struct Reading: Sendable {
        var chunk = 65536
        var pause: Duration = .zero
    }

    /// Starts `tasklog mcp arguments`.
    init(_ arguments: [String], environment: [String: String] = [:], reading: Reading = Reading()) throws {
        process.executableURL = BuiltExecutable.tasklog
        process.arguments = ["mcp"] + arguments
        process.environment = BuiltExecutable.environment(environment)
        process.standardInput = input
        process.standardOutput = output
        process.standardError = errors
        try process.run()
        let outFD = output.fileHandleForReading.fileDescriptor
        let errFD = errors.fileHandleForReading.fileDescriptor
        Thread.detachNewThread { [self] in readLines(outFD, reading) }
        Thread.detachNewThread { [self] in readAll(errFD) }
    }

    /// Starts a server and completes `initialize` as client `name`.
    static func started(
        _ arguments: [String],
        client name: String = "swift-test",
        environment: [String: String] = [:],
        reading: Reading = Reading()
    )
        async throws -> MCPProcess
    {
        let server = try MCPProcess(arguments, environment: environment, reading: reading)
        let result = try await server.request(
            "initialize",
            [
                "protocolVersion": "2025-06-18", "capabilities": [:],
                "clientInfo": ["name": .string(name), "version": "1.0"],
            ]
        )
        #expect(result["result"]?["serverInfo"]?["name"] == "tasklog")
        try server.send(["jsonrpc": "2.0", "method": "notifications/initialized"])
        return server
    }

    private func readLines(_ fd: Int32, _ reading: Reading) {
        var pending: [UInt8] = []
        var buffer = [UInt8](repeating: 0, count: reading.chunk)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            if reading.pause > .zero { Thread.sleep(forTimeInterval: Double(reading.pause / .microseconds(1)) / 1e6) }
            pending += buffer[..<count]
            while let newline = pending.firstIndex(of: UInt8(ascii: "\n")) {
                let line = String(decoding: pending[..<newline], as: UTF8.self)
                pending.removeSubrange(...newline)
                lines.withLock { $0.append(line) }
            }
        }
    }

    private func readAll(_ fd: Int32) {
        var buffer = [UInt8](repeating: 0, count: 65536)
        while true {
            let count = buffer.withUnsafeMutableBytes { read(fd, $0.baseAddress, $0.count) }
            if count < 0 && errno == EINTR { continue }
            if count <= 0 { return }
            let text = String(decoding: buffer[..<count], as: UTF8.self)
            stderrText.withLock { $0 += text }
        }
    }

    /// What the server wrote to stderr so far.
    var stderr: String { stderrText.withLock { $0 } }

    /// Writes one line (a JSON-RPC message, or anything else) to the server's stdin.
    func sendLine(_ text: String) throws {
        try input.fileHandleForWriting.write(contentsOf: Data((text + "\n").utf8))
    }

    func send(_ message: JSONValue) throws {
        try sendLine(message.serialized())
    }

    /// Sends a request and waits for the response with its id.
    func request(_ method: String, _ params: JSONValue?, timeout: Duration = .seconds(20)) async throws -> JSONValue {
        let id = nextID.withLock { value in
            value += 1
            return value
        }
        var message: JSONValue = ["jsonrpc": "2.0", "id": .int(Int64(id)), "method": .string(method)]
        if let params, case .object(var object) = message {
            object["params"] = params
            message = .object(object)
        }
        try send(message)
        return try await response(id: .int(Int64(id)), timeout: timeout)
    }

    /// Waits for the response whose id is `id`.
    func response(id: JSONValue, timeout: Duration = .seconds(20)) async throws -> JSONValue {
        let found = try await poll(timeout: timeout) {
            lines.withLock { lines -> JSONValue? in
                for line in lines {
                    if let value = try? JSONValue(parsing: line), value["id"] == id { return value }
                }
                return nil
            }
        }
        guard let found else {
            Issue.record("no response with id \(id) within \(timeout); stderr: \(stderr)")
            throw CancellationError()
        }
        return found
    }

    /// `look`'s answer, asked every 5 ms until `timeout` and once more after it: on a busy shared
    /// pool (the other tests' blocking work) this task may wake long after its deadline, when what
    /// it waits for has long been there.
    private func poll<T>(timeout: Duration, _ look: () -> T?) async throws -> T? {
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while clock.now < deadline {
            if let found = look() { return found }
            try await Task.sleep(for: .milliseconds(5))
        }
        return look()
    }

    /// The next response that has an error (for a request whose id we could not set).
    func anyError(after count: Int, timeout: Duration = .seconds(20)) async throws -> JSONValue {
        let found = try await poll(timeout: timeout) {
            lines.withLock { lines -> JSONValue? in
                lines.dropFirst(count).compactMap { try? JSONValue(parsing: $0) }.first { $0["error"] != nil }
            }
        }
        guard let found else { throw CancellationError() }
        return found
    }

    /// How many lines the server has written.
    var lineCount: Int { lines.withLock { $0.count } }

    /// The lines the server has written so far.
    var outputLines: [String] { lines.withLock { $0 } }

    /// Calls tool `name`; returns the `result` object (content, structuredContent, isError).
    func call(_ name: String, _ arguments: JSONValue = [:]) async throws -> ToolCall {
        let response = try await request("tools/call", ["name": .string(name), "arguments": arguments])
        guard let result = response["result"] else {
            Issue.record("tools/call \(name) failed: \(response)")
            throw CancellationError()
        }
        return ToolCall(result: result)
    }

    /// Closes stdin (the session ends) and waits for the process to exit.
    func finish(timeout: Duration = .seconds(20)) async throws -> Int32 {
        try input.fileHandleForWriting.close()
        let clock = ContinuousClock()
        let deadline = clock.now + timeout
        while process.isRunning && clock.now < deadline { try await Task.sleep(for: .milliseconds(10)) }
        if process.isRunning {
            process.terminate()
            Issue.record("tasklog mcp did not exit after stdin closed; stderr: \(stderr)")
        }
        process.waitUntilExit()
        return process.terminationStatus
    }

    /// Kills the process with SIGKILL (no cleanup at all).
    func kill() {
        sigkill(process.processIdentifier)
        process.waitUntilExit()
    }
}

/// A tool result.
struct ToolCall: Sendable {
    var result: JSONValue

    var text: String { result["content"]?.arrayValue?.first?["text"]?.stringValue ?? "" }
    var structured: JSONValue { result["structuredContent"] ?? .null }
    var isError: Bool { result["isError"] == .bool(true) }
}

private func sigkill(_ pid: Int32) {
    _ = kill(pid, SIGKILL)
}
