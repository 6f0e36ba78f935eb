import ArgumentParser
import Tasklog
import TasklogCore
import TasklogWorkloads

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store, list and actor of a rig, as `tasklog` takes them.
struct RigOptions: ParsableArguments {
    @Option(help: "The store directory.")
    var store: String

    @Option(help: "The task list.")
    var list = "default"

    @Option(help: "Who is acting, recorded in every event.")
    var actor = "cli"

    /// Opens the store as its configuration (.tasklog.yml beside it, or $TASKLOG_CONFIG) says, as `tasklog` does.
    func open(create: Bool = true, options: TaskStore.Options = TaskStore.Options()) throws -> TaskStore {
        let warn: (String) -> Void = { message in
            var line = "warning: \(message)\n"
            line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        }
        let (config, source) = try TasklogConfig.load(explicit: nil, storePath: store, warn: warn)
        var options = options
        options.createIfMissing = create
        return try TaskStore.open(at: store, configuredBy: config, from: source, options: options, warn: warn)
    }
}

/// Runs a rig's body; a Tasklog error is its message on stderr and exit status 1.
func reportingErrors(_ body: () throws -> Void) throws {
    do {
        try body()
    } catch let error as TasklogError {
        var line = "error: \(error.message)\n"
        line.withUTF8 { _ = write(STDERR_FILENO, $0.baseAddress, $0.count) }
        throw ExitCode.failure
    }
}
