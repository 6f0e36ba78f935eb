import ArgumentParser

/// The root `tasklog` with one command in its tree: for the commands that hooks and scripts run
/// most (create, update, get, list), so that they start at once.
///
/// ArgumentParser builds the whole tree of commands for every parse and describes each command
/// type, and the Swift runtime answers the first description of a type by scanning every protocol
/// conformance in the binary (Foundation, NIO and the MCP SDK included): for the full tree of
/// `tasklog` that was a third of the start-up time (BENCHMARKS.md, "Start-up"). A tree of one
/// command parses the same arguments the same way, with the same usage errors; a request for
/// help goes to the full tree.
struct QuickCommand: ParsableCommand {
    /// The commands parsed this way, by name.
    static let commands: [String: any ParsableCommand.Type] = [
        "create": Create.self, "update": Update.self, "get": Get.self, "list": ListTasks.self,
    ]

    /// The command of this process's tree, set once by `main` before parsing.
    nonisolated(unsafe) static var command: any ParsableCommand.Type = Get.self

    static var configuration: CommandConfiguration {
        CommandConfiguration(
            commandName: TasklogCommand.configuration.commandName,
            abstract: TasklogCommand.configuration.abstract,
            discussion: TasklogCommand.configuration.discussion,
            version: TasklogCommand.configuration.version,
            subcommands: [command]
        )
    }

    /// The quick command that `arguments` name, unless they ask for help.
    static func named(by arguments: [String]) -> (any ParsableCommand.Type)? {
        guard let first = arguments.first, let command = commands[first] else { return nil }
        let help: Set = ["-h", "--help", "--help-hidden", "help"]
        return arguments.contains(where: help.contains) ? nil : command
    }
}
