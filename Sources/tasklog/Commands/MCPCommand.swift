import ArgumentParser
import Foundation
import Tasklog
import TasklogCore
import TasklogMCP

struct MCPServe: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mcp",
        abstract: "Serve the agent task tools over MCP on standard input and output.",
        discussion: """
            Tools: \(ToolCatalog.tools.map(\.name).joined(separator: ", ")) (the first four with the \
            agents' own names and shapes); input and output schemas in schemas/mcp/. Events are written as \
            --actor (or $TASKLOG_ACTOR) if given, else as the client's name from initialize, made \
            unique among live sessions (name, name#2, …). The session's claims go back to pending \
            when it ends; if the process is killed, when its lease runs out (any later session, or \
            `tasklog release-expired`, releases them).
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Seconds a session's lease on its claims lasts without renewal.")
    var leaseSeconds: Double = 300

    @Flag(
        inversion: .prefixedNo,
        help:
            "Renew the lease while the server lives (else only tool calls renew it, and an idle session loses its claims)."
    )
    var leaseHeartbeat = true

    /// The longest lease: a year. Longer ones overflow the clock arithmetic and mean "never".
    static let longestLease: Double = 365 * 24 * 3600

    func validate() throws {
        guard leaseSeconds.isFinite, leaseSeconds > 0, leaseSeconds <= Self.longestLease else {
            throw ValidationError(
                "--lease-seconds must be more than 0 and at most \(Int(Self.longestLease)) (a year), not \(leaseSeconds)"
            )
        }
    }

    func run() async throws {
        try await tasklog.runAsync {
            let store = try global.open()
            let actor =
                global.actor ?? ProcessInfo.processInfo.environment["TASKLOG_ACTOR"].flatMap { $0.isEmpty ? nil : $0 }
            var configuration = TasklogMCPServer.Configuration(
                list: global.listID,
                actor: actor,
                leaseSeconds: leaseSeconds,
                heartbeat: leaseHeartbeat
            )
            let config = try global.base.loadConfig().config
            configuration.trackingEnabled = config.trackingEnabled
            configuration.autoCleanup = config.autoCleanup
            configuration.oneTaskPerAgent = config.oneTaskPerAgent
            let server = try TasklogMCPServer(store: store, configuration: configuration)
            try await server.run()
        }
    }
}

struct ReleaseExpired: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "release-expired",
        abstract: "Release the claims of MCP sessions whose leases ran out (a server killed with SIGKILL).",
        discussion: """
            Every task list of the store: an owner whose every lease has run out gets its \
            in-progress tasks moved back to pending, one event each. Any running `tasklog mcp` \
            does the same on each tool call; this is for when none is running.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() async throws {
        try await tasklog.runAsync {
            let store = try global.open(create: false)
            let releases = try await store.releaseExpiredLeases(actor: global.actorName)
            if global.json {
                Output.json([
                    "released": .array(
                        releases.map { release in
                            [
                                "list": .string(release.list), "owner": .string(release.owner),
                                "tasks": .array(release.released.map { .string(String($0)) }),
                            ]
                        }
                    )
                ])
                return
            }
            let released = releases.filter { !$0.released.isEmpty }
            if released.isEmpty { Output.line("No claims held under an expired lease") }
            for release in released {
                Output.line(
                    "Released \(Output.ids(release.released)) of \(release.owner) (list \(release.list)) back to pending: "
                        + "its lease ran out"
                )
            }
        }
    }
}
