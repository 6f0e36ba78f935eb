import ArgumentParser
import Foundation
import TasklogCore

/// Runs a command that walks the whole store (`verify`, `export`) in a child process: this same
/// binary, with the same arguments, standard input, output and error.
///
/// LMDB has no page checksums: a flipped bit in a B-tree page can send it reading outside the
/// map, and the process dies by a signal. In the child, that death is the child's; the parent
/// reports it as a damaged store (exit 76) with the way to salvage what is intact.
enum ChildWalk {
    /// Set in the child's environment: the walk runs there, in-process.
    static let variable = "TASKLOG_CHILD_WALK"

    /// The signals of a process that crashed (rather than one stopped from outside, like SIGPIPE
    /// when the reader of `export` goes away): reading a damaged page ends with one of these.
    static let crashes: Set<Int32> = [SIGSEGV, SIGBUS, SIGILL, SIGTRAP, SIGFPE, SIGABRT]

    /// Whether this process is the child that does the walk.
    static var isChild: Bool { ProcessInfo.processInfo.environment[variable] == "1" }

    /// Runs this command again in a child process and ends as it ended: returns if it succeeded,
    /// throws its exit code if it failed (it printed its own error), and throws a damaged-store
    /// error if it died by a signal.
    static func run(_ command: String) throws {
        let process = Process()
        process.executableURL = Bundle.main.executableURL ?? URL(fileURLWithPath: CommandLine.arguments[0])
        process.arguments = Array(CommandLine.arguments.dropFirst())
        var environment = ProcessInfo.processInfo.environment
        environment[variable] = "1"
        environment["SWIFT_BACKTRACE"] = "enable=no"  // the parent says what a crash means, in one line
        process.environment = environment
        do {
            try process.run()
        } catch {
            throw TasklogError(.storage, "cannot start the \(command) process (\(error)); retry")
        }
        process.waitUntilExit()
        let status = process.terminationStatus
        switch process.terminationReason {
        case .exit where status == 0:
            return
        case .exit:
            throw ExitCode(status)
        case .uncaughtSignal where !crashes.contains(status):
            // Ended from outside (a closed pipe, Ctrl-C, kill): this process ends the same way.
            signal(status, SIG_DFL)
            raise(status)
            throw ExitCode(128 + status)
        case .uncaughtSignal:
            throw TasklogError(
                .corrupt,
                "\(command) died reading the store (signal \(status)): a page of data.mdb is damaged, which LMDB does not detect (it has no page checksums); restore the store from a backup, or salvage the events before the damage with `tasklog export --through SEQ` (see the README on salvage)"
            )
        @unknown default:
            throw ExitCode(status)
        }
    }
}
