import Foundation
import Synchronization
public import TasklogTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Runs the real `tasklog` binary built beside the test bundle.
enum CLI {
    /// What one run printed and how it ended.
    typealias Result = ChildRun

    /// The `tasklog` executable: in the build folder that holds the test bundle.
    static var executable: URL { BuiltExecutable.tasklog }

    /// A clean environment (``BuiltExecutable/environment(_:)``), with TMPDIR set to `folder` so
    /// that nothing the binary makes escapes it.
    static func environment(_ extra: [String: String] = [:], folder: TestFolder? = nil) -> [String: String] {
        var base: [String: String] = [:]
        if let folder { base["TMPDIR"] = folder.path }
        return BuiltExecutable.environment(base.merging(extra) { _, new in new })
    }

    /// Runs `tasklog arguments` in `folder` and waits for it.
    static func run(
        _ arguments: [String],
        in folder: TestFolder,
        environment extra: [String: String] = [:],
        stdin: String? = nil
    ) throws -> Result {
        try ChildRun.run(
            executable,
            arguments,
            in: folder.path,
            environment: environment(extra, folder: folder),
            stdin: stdin,
            scratch: folder.path
        )
    }

    /// Runs `tasklog export --store store` with its stdout a pipe whose reader is gone before the
    /// first line; returns how the process ended and what it wrote to stderr.
    static func exportToAClosedPipe(
        store: String,
        in folder: TestFolder
    ) throws -> (reason: Process.TerminationReason, status: Int32, errors: String) {
        let process = Process()
        process.executableURL = executable
        process.arguments = ["export", "--store", store]
        process.environment = environment(folder: folder)
        let pipe = Pipe()
        let errors = folder.file("export.err")
        _ = FileManager.default.createFile(atPath: errors, contents: nil)
        process.standardOutput = pipe
        process.standardError = try FileHandle(forWritingTo: URL(fileURLWithPath: errors))
        try pipe.fileHandleForReading.close()
        try process.run()
        process.waitUntilExit()
        return (
            process.terminationReason, process.terminationStatus, try String(contentsOfFile: errors, encoding: .utf8)
        )
    }

    /// Runs `tasklog-rigs arguments` in `folder` and waits for it.
    static func runRig(_ arguments: [String], in folder: TestFolder) throws -> Result {
        try ChildRun.run(
            BuiltExecutable.rigs,
            arguments,
            in: folder.path,
            environment: environment(folder: folder),
            scratch: folder.path
        )
    }
}

extension ChildRun: CustomStringConvertible {
    /// The stdout lines, without the final empty one.
    var lines: [String] {
        let lines = stdout.split(separator: "\n", omittingEmptySubsequences: false).map(String.init)
        return lines.last == "" ? Array(lines.dropLast()) : lines
    }

    /// stdout parsed as one JSON document.
    func json() throws -> Any {
        try JSONSerialization.jsonObject(with: Data(stdout.utf8), options: [.fragmentsAllowed])
    }

    /// stdout parsed as a JSON object.
    func object() throws -> [String: Any] {
        try #require(try json() as? [String: Any], "stdout is not a JSON object: \(stdout)")
    }

    /// stdout parsed as a JSON array of objects.
    func array() throws -> [[String: Any]] {
        try #require(try json() as? [[String: Any]], "stdout is not a JSON array of objects: \(stdout)")
    }

    public var description: String { "exit \(status)\n--- stdout\n\(stdout)--- stderr\n\(stderr)" }
}

/// A `tasklog-rigs append` writer running in the background, whose acknowledgements are read as they come.
final class AppendProcess: @unchecked Sendable {
    /// One acknowledged event: its seq and the task it touched.
    struct Ack: Hashable, Sendable {
        var seq: UInt64
        var taskID: Int
    }

    let process = Process()
    private let pipe = Pipe()
    private let output = Mutex<[UInt8]>([])
    private let done = DispatchSemaphore(value: 0)

    /// Starts `tasklog-rigs append --store store arguments…`.
    init(store: String, arguments: [String], folder: TestFolder) throws {
        process.executableURL = BuiltExecutable.rigs
        process.arguments = ["append", "--store", store] + arguments
        process.currentDirectoryURL = folder.url
        process.environment = CLI.environment(folder: folder)
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        process.standardInput = FileHandle.nullDevice
        try process.run()
        let reader = pipe.fileHandleForReading
        let thread = Thread { [self] in
            let fd = reader.fileDescriptor
            var buffer = [UInt8](repeating: 0, count: 1 << 16)
            while true {
                let count = buffer.withUnsafeMutableBytes { posixRead(fd, $0.baseAddress, $0.count) }
                if count < 0 && errno == EINTR { continue }
                if count <= 0 { break }
                output.withLock { $0.append(contentsOf: buffer[0..<count]) }
            }
            done.signal()
        }
        thread.start()
    }

    /// The complete lines printed so far, parsed.
    var acks: [Ack] {
        let bytes = output.withLock { $0 }
        let text = String(decoding: bytes, as: UTF8.self)
        var lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        lines.removeLast()  // an unterminated last line (or the empty rest) was not fully printed
        return lines.compactMap { line in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let seq = UInt64(parts[0]), let id = Int(parts[1]) else { return nil }
            return Ack(seq: seq, taskID: id)
        }
    }

    /// Waits until at least one acknowledgement was printed or the process ended; returns whether one was.
    func waitForFirstAck(timeout: TimeInterval = 20) -> Bool {
        let deadline = Date().addingTimeInterval(timeout)
        while Date() < deadline {
            if output.withLock({ $0.contains(UInt8(ascii: "\n")) }) { return true }
            if !process.isRunning { return output.withLock { $0.contains(UInt8(ascii: "\n")) } }
            Thread.sleep(forTimeInterval: 0.002)
        }
        return false
    }

    /// SIGKILLs the process and waits for it and for the end of its output.
    func kill() {
        if process.isRunning { posixKill(process.processIdentifier, SIGKILL) }
        finish()
    }

    /// Waits for the process to exit and for its output to end; returns its termination status.
    @discardableResult
    func finish() -> Int32 {
        process.waitUntilExit()
        done.wait()
        done.signal()  // so a second call does not wait forever
        return process.terminationStatus
    }
}

private func posixRead(_ fd: Int32, _ buffer: UnsafeMutableRawPointer?, _ count: Int) -> Int {
    read(fd, buffer, count)
}

private func posixKill(_ pid: Int32, _ signal: Int32) {
    _ = kill(pid, signal)
}
