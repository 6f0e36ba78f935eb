import ArgumentParser
import Tasklog
import TasklogCore

/// `tasklog config check`: the one command that fails on a configuration problem. Every other
/// command goes on with the defaults and a warning, since tracking must never block the work.
struct ConfigCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "config",
        abstract: "Check the configuration (.tasklog.yml and the TASKLOG_* variables).",
        subcommands: [Check.self]
    )

    struct Check: ParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Read the configuration strictly: exit 65 naming the first problem, else print what applies.",
            discussion: "Other commands leave a broken file or variable out with one warning and go on."
        )

        @OptionGroup var global: StoreOptions

        func run() throws {
            try tasklog.run {
                let (config, source) = try global.loadConfigStrictly()
                let ledger = try config.resolvedLedgerPath(source)
                if global.json {
                    Output.json([
                        "file": source.file.map(JSONValue.string) ?? .null,
                        "enabled": .bool(config.trackingEnabled), "ledger": .bool(config.ledgerEnabled),
                        "ledgerPath": .string(ledger), "autoCleanup": .bool(config.autoCleanup),
                        "oneTaskPerAgent": .bool(config.oneTaskPerAgent),
                    ])
                } else {
                    Output.line("ok: \(source.file ?? "no configuration file (the defaults and the environment)")")
                    Output.line(
                        "  enabled: \(config.trackingEnabled)  ledger: \(config.ledgerEnabled)  auto_cleanup: \(config.autoCleanup)"
                    )
                    Output.line("  ledger_path: \(ledger)  one_task_per_agent: \(config.oneTaskPerAgent)")
                }
            }
        }
    }
}
