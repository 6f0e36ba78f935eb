import ArgumentParser

@main
struct TasklogCommand: AsyncParsableCommand {
    /// Runs the command; a usage error is one line on stderr, like every other error (CLI.md).
    static func main() async {
        if let (position, shown) = ArgumentEncoding.firstInvalid() {
            Output.error(
                "argument \(position) (\(shown)) is not valid UTF-8; pass text in UTF-8 (nothing was done)"
            )
            exit(withError: ExitCode(65))
        }
        let arguments = Array(CommandLine.arguments.dropFirst())
        if arguments == ["--version"], let version = configuration.version.split(separator: "\n").first {
            Output.line(String(version))
            return
        }
        if let command = QuickCommand.named(by: arguments) {
            QuickCommand.command = command
            await execute(QuickCommand.self, arguments)
        } else {
            await execute(TasklogCommand.self, arguments)
        }
    }

    /// Parses `arguments` with `root`'s tree of commands and runs the one they name.
    private static func execute<Root: ParsableCommand>(_ root: Root.Type, _ arguments: [String]) async {
        do {
            var command = try root.parseAsRoot(arguments)
            if var command = command as? any AsyncParsableCommand {
                try await command.run()
            } else {
                try command.run()
            }
        } catch {
            let code = root.exitCode(for: error)
            if code == .success {
                // --help and --version: the full text, on stdout.
                print(root.fullMessage(for: error))
            } else if !(error is ExitCode) {
                let message = root.message(for: error).split(separator: "\n").first.map(String.init) ?? "\(error)"
                Output.error("\(message); see `tasklog --help` or `tasklog COMMAND --help`")
            }
            exit(withError: code == .success ? nil : ExitCode(code.rawValue))
        }
    }

    static let configuration = CommandConfiguration(
        commandName: "tasklog",
        abstract: "An event-sourced task store for coding agents, on LMDB or PostgreSQL.",
        discussion: """
            Every change is an event appended to a durable log; tasks are folded from it. \
            Start with `tasklog demo`.

            Exit codes: 0 ok, 64 usage, 65 invalid input, 66 not found, 67 conflict, 68 blocked, \
            69 cycle, 74 storage failure, 76 damaged store.
            """,
        version: "0.1.0",
        subcommands: [
            Create.self, Update.self, Get.self, ListTasks.self, Ready.self, Release.self, Heartbeat.self,
            Workflow.self, LedgerCommand.self, Resume.self, ConfigCommand.self,
            History.self, Diff.self, Replay.self, Follow.self, Graph.self,
            Snapshot.self, Verify.self, Reindex.self, Stats.self, Bench.self, Export.self, Import.self, Copy.self,
            Demo.self,
            MCPServe.self, ReleaseExpired.self, ImportClaude.self, ExportClaude.self, Serve.self,
        ]
    )
}
