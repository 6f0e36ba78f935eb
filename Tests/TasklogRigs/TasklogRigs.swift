import ArgumentParser

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The test rigs: processes that tests, tools/crash-torture and the demo's checks start on a real
/// store and kill at will. Built with the package, never installed: `tasklog` itself ships none of them.
@main
struct TasklogRigs: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tasklog-rigs",
        abstract: "Writers and workers for Tasklog's crash, contention and workflow tests.",
        subcommands: [AppendRig.self, ClaimRig.self, RunStepsRig.self]
    )
}

/// Writes `text` straight to stdout (no buffer a SIGKILL could lose): one acknowledgement a line.
func say(_ text: String) {
    var text = text
    text.withUTF8 { _ = write(STDOUT_FILENO, $0.baseAddress, $0.count) }
}
