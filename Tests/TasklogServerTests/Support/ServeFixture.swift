import Foundation
import TasklogTestSupport
import Testing

#if canImport(FoundationNetworking)
import FoundationNetworking
#endif
#if canImport(Glibc)
import Glibc
#endif

/// A temporary folder with a store, driven through the real `tasklog` binary, removed at the end.
struct ServeFixture: Sendable {
    static let workflow = "build-task-20260101T0900"
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().deletingLastPathComponent()

    let folder: String
    var store: String { folder + "/store" }

    static func with<R>(_ label: String, _ body: (ServeFixture) async throws -> R) async throws -> R {
        let folder = FileManager.default.temporaryDirectory
            .appendingPathComponent("tasklog-serve-\(label)-\(getpid())-\(UUID().uuidString.prefix(8))").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        return try await body(ServeFixture(folder: folder))
    }

    /// Runs `tasklog arguments --store STORE`; returns the exit status, stdout and stderr.
    @discardableResult
    func tasklog(
        _ arguments: [String],
        actor: String = "orchestrator",
        expect status: Int32? = 0
    ) throws
        -> (status: Int32, stdout: String, stderr: String)
    {
        let arguments = arguments + ["--store", store] + (arguments.first == "serve" ? [] : ["--actor", actor])
        let run = try ChildRun.run(
            BuiltExecutable.tasklog,
            arguments,
            in: folder,
            environment: BuiltExecutable.environment(),
            scratch: folder
        )
        let result = (run.status, run.stdout, run.stderr)
        if let status {
            #expect(result.0 == status, "tasklog \(arguments.joined(separator: " ")): exit \(result.0), \(result.2)")
        }
        return result
    }

    /// The last seq of the store.
    func lastSeq() throws -> Int {
        let stats = try tasklog(["stats", "--json"]).stdout
        let object = try JSONSerialization.jsonObject(with: Data(stats.utf8)) as? [String: Any]
        return try #require(object?["events"] as? Int)
    }

    /// The known run: five tasks in three phases (two reviewers in a parallel group), chained
    /// 1 → 2 → 3 → {4, 5}. Returns the seq right after #3 was claimed; at the end #1…#3 are
    /// completed, #4 is in progress and #5 pending.
    func buildWorkflow() throws -> Int {
        let workflow = Self.workflow
        try tasklog(["workflow", "start", "build-task", "--id", workflow])
        let tasks: [(String, String)] = [
            ("Workspace setup", #""step":1,"phase":"setup""#),
            ("Read the task", #""step":2,"phase":"setup""#),
            ("Implement the change", #""step":3,"phase":"build""#),
            ("Review: security", #""step":4,"phase":"review","parallel_group":"reviewers""#),
            ("Review: style", #""step":4,"phase":"review","parallel_group":"reviewers""#),
        ]
        for (subject, metadata) in tasks {
            try tasklog(["create", subject, "--metadata", #"{"workflow":"\#(workflow)",\#(metadata)}"#])
        }
        for (blocked, blocker) in [(2, 1), (3, 2), (4, 3), (5, 3)] {
            try tasklog(["update", String(blocked), "--add-blocked-by", String(blocker)])
        }
        for id in ["1", "2"] {
            try tasklog(["update", id, "--status", "in_progress"], actor: "agent-a")
            try tasklog(["update", id, "--status", "completed"], actor: "agent-a")
        }
        try tasklog(["update", "3", "--status", "in_progress"], actor: "agent-b")
        let earlier = try lastSeq()
        try tasklog(["update", "3", "--status", "completed"], actor: "agent-b")
        try tasklog(["update", "4", "--status", "in_progress"], actor: "reviewer-1")
        return earlier
    }

    /// Validates a JSON document with tools/validate-api (Python jsonschema) against a schema of
    /// schemas/api/ (or schemas/).
    func validate(_ json: Data, against schema: String) throws {
        let file = folder + "/\(schema)-\(UUID().uuidString.prefix(8)).json"
        try json.write(to: URL(fileURLWithPath: file))
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            "python3", Self.repository.appendingPathComponent("tools/validate-api").path, schema, file,
        ]
        let errors = Pipe()
        process.standardError = errors
        try process.run()
        let message = String(decoding: errors.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self)
        process.waitUntilExit()
        #expect(process.terminationStatus == 0, "the answer does not match schemas/api/\(schema): \(message)")
    }
}

/// `tasklog serve --port 0` on a fixture's store, stopped at the end.
final class ServeProcess: @unchecked Sendable {
    let process = Process()
    /// The page's URL, from the first line printed.
    let url: URL
    let firstLine: String

    init(_ fixture: ServeFixture, arguments: [String] = []) throws {
        process.executableURL = BuiltExecutable.tasklog
        process.arguments = ["serve", "--store", fixture.store, "--port", "0"] + arguments
        process.currentDirectoryURL = URL(fileURLWithPath: fixture.folder)
        process.environment = BuiltExecutable.environment()
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        var line = Data()
        let reader = output.fileHandleForReading
        while true {
            let byte = reader.readData(ofLength: 1)
            if byte.isEmpty || byte == Data("\n".utf8) { break }
            line.append(byte)
        }
        firstLine = String(decoding: line, as: UTF8.self)
        guard firstLine.hasPrefix("Serving "), let range = firstLine.range(of: " at ", options: .backwards),
            let url = URL(string: String(firstLine[range.upperBound...]))
        else {
            process.terminate()
            throw ServeError(message: "tasklog serve printed \(firstLine.debugDescription) first")
        }
        self.url = url
    }

    deinit { stop() }

    func stop() {
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
    }

    struct ServeError: Error, CustomStringConvertible {
        var message: String
        var description: String { message }
    }
}

/// A real HTTP client: Foundation's URLSession.
enum HTTP {
    struct Answer: Sendable {
        var status: Int
        var headers: [String: String]
        var body: Data

        var text: String { String(decoding: body, as: UTF8.self) }

        func object() throws -> [String: Any] {
            try #require(try JSONSerialization.jsonObject(with: body) as? [String: Any], "not a JSON object: \(text)")
        }

        func header(_ name: String) -> String? {
            headers.first { $0.key.lowercased() == name.lowercased() }?.value
        }
    }

    static func get(
        _ url: URL,
        _ path: String,
        method: String = "GET",
        headers: [String: String] = [:]
    ) async throws -> Answer {
        var request = URLRequest(url: URL(string: path, relativeTo: url)!)
        request.httpMethod = method
        for (name, value) in headers { request.setValue(value, forHTTPHeaderField: name) }
        request.timeoutInterval = 30
        let (data, response) = try await URLSession.shared.data(for: request)
        let http = try #require(response as? HTTPURLResponse)
        var headers: [String: String] = [:]
        for (key, value) in http.allHeaderFields {
            if let key = key as? String, let value = value as? String { headers[key] = value }
        }
        return Answer(status: http.statusCode, headers: headers, body: data)
    }
}
