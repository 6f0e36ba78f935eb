public import Foundation

/// The package's executables as the build made them, in the build folder that holds the test bundle.
public enum BuiltExecutable {
    /// The user's CLI, `tasklog`.
    public static let tasklog: URL = find("tasklog")

    /// The test rigs, `tasklog-rigs` (writers and workers for crash, contention and workflow tests).
    public static let rigs: URL = find("tasklog-rigs")

    /// The executable `name` in the build folder: the first of the test bundle's ancestors that holds it.
    public static func find(_ name: String) -> URL {
        var url = URL(fileURLWithPath: CommandLine.arguments[0]).standardizedFileURL.resolvingSymlinksInPath()
        for _ in 0..<6 {
            url.deleteLastPathComponent()
            let candidate = url.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            if FileManager.default.fileExists(atPath: candidate.path, isDirectory: &isDirectory),
                !isDirectory.boolValue,
                FileManager.default.isExecutableFile(atPath: candidate.path)
            {
                return candidate
            }
        }
        fatalError(
            "cannot find the \(name) binary near \(CommandLine.arguments[0]); build it with `swift build --build-tests`"
        )
    }

    /// A clean environment for a child: the inherited one without any TASKLOG_* or CLAUDE_CODE_*
    /// variable (so the caller's store or session never leaks in), plus `extra`.
    public static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var environment = ProcessInfo.processInfo.environment.filter { key, _ in
            !key.hasPrefix("TASKLOG_") && !key.hasPrefix("CLAUDE_CODE_")
        }
        environment.merge(extra) { _, new in new }
        return environment
    }
}
