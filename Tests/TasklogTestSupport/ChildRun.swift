public import Foundation

/// One run of a child process to its end: how it ended and what it printed.
public struct ChildRun: Sendable {
    public var status: Int32
    public var stdout: String
    public var stderr: String

    public init(status: Int32, stdout: String, stderr: String) {
        self.status = status
        self.stdout = stdout
        self.stderr = stderr
    }

    /// Runs `executable arguments` in `directory` with `environment` and `stdin` (else nothing)
    /// and waits for it.
    ///
    /// stdout, stderr and stdin are files in `scratch` (the temporary folder when nil), removed at
    /// the end: no pipe can fill up and block the child, and the input is all there, and ended,
    /// when the child starts (as from `printf … | tasklog`).
    public static func run(
        _ executable: URL,
        _ arguments: [String],
        in directory: String? = nil,
        environment: [String: String],
        stdin: String? = nil,
        scratch: String? = nil
    ) throws -> ChildRun {
        let folder = URL(fileURLWithPath: scratch ?? FileManager.default.temporaryDirectory.path)
        let id = UUID().uuidString.prefix(8)
        let outURL = folder.appendingPathComponent(".child-\(id).out")
        let errURL = folder.appendingPathComponent(".child-\(id).err")
        let inURL = folder.appendingPathComponent(".child-\(id).in")
        defer {
            for url in [outURL, errURL, inURL] { try? FileManager.default.removeItem(at: url) }
        }
        _ = FileManager.default.createFile(atPath: outURL.path, contents: nil)
        _ = FileManager.default.createFile(atPath: errURL.path, contents: nil)
        let out = try FileHandle(forWritingTo: outURL)
        let err = try FileHandle(forWritingTo: errURL)
        let process = Process()
        process.executableURL = executable
        process.arguments = arguments
        if let directory { process.currentDirectoryURL = URL(fileURLWithPath: directory) }
        process.environment = environment
        process.standardOutput = out
        process.standardError = err
        if let stdin {
            _ = FileManager.default.createFile(atPath: inURL.path, contents: Data(stdin.utf8))
            process.standardInput = try FileHandle(forReadingFrom: inURL)
        } else {
            process.standardInput = FileHandle.nullDevice
        }
        try process.run()
        process.waitUntilExit()
        try out.close()
        try err.close()
        return ChildRun(
            status: process.terminationStatus,
            stdout: String(decoding: try Data(contentsOf: outURL), as: UTF8.self),
            stderr: String(decoding: try Data(contentsOf: errURL), as: UTF8.self)
        )
    }
}
