import Foundation
import TasklogCore

/// Graphviz's `dot`, run as a child process to turn dot text into a picture.
enum Graphviz {
    /// `dot` rendered as SVG by `dot -Tsvg`.
    ///
    /// - Throws: ``TasklogError/Code/unavailable`` when `dot` is not on the PATH or fails.
    static func svg(_ dot: String) throws -> String {
        guard let executable = executable() else {
            throw TasklogError(
                .unavailable,
                "--format svg needs Graphviz's dot, which is not on the PATH; install graphviz (apt-get install graphviz, brew install graphviz) or use --format dot"
            )
        }
        // Input and errors go through files: the one pipe left (the SVG) is read to its end here,
        // so the child never blocks on a pipe nobody reads.
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("tasklog-graph-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("graph.dot")
        let errors = folder.appendingPathComponent("errors.txt")
        try Data(dot.utf8).write(to: input)
        _ = FileManager.default.createFile(atPath: errors.path, contents: nil)

        let process = Process()
        process.executableURL = executable
        process.arguments = ["-Tsvg", input.path]
        let output = Pipe()
        let errorHandle = try FileHandle(forWritingTo: errors)
        defer { try? errorHandle.close() }
        process.standardOutput = output
        process.standardError = errorHandle
        process.standardInput = FileHandle.nullDevice
        do {
            try process.run()
        } catch {
            throw TasklogError(
                .unavailable,
                "cannot run \(executable.path): \(error.localizedDescription); install graphviz or use --format dot"
            )
        }
        let svg = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0 else {
            let message = (try? String(contentsOf: errors, encoding: .utf8)) ?? ""
            let first = message.split(whereSeparator: \.isNewline).first.map { ": \($0)" } ?? ""
            throw TasklogError(
                .unavailable,
                "Graphviz's dot failed with exit \(process.terminationStatus)\(first); try --format dot"
            )
        }
        return String(decoding: svg, as: UTF8.self)
    }

    /// The first `dot` on the PATH.
    private static func executable() -> URL? {
        let path = ProcessInfo.processInfo.environment["PATH"] ?? "/usr/local/bin:/usr/bin:/bin"
        for folder in path.split(separator: ":") where !folder.isEmpty {
            let candidate = URL(fileURLWithPath: String(folder)).appendingPathComponent("dot")
            if FileManager.default.isExecutableFile(atPath: candidate.path) { return candidate }
        }
        return nil
    }
}

extension TasklogError.Code {
    /// A tool the command needs is missing or failed (exit code 1).
    static let unavailable = TasklogError.Code(rawValue: "unavailable")
}
