import ArgumentParser
import Dispatch
import Foundation
import Tasklog
import TasklogCore
import TasklogServer

struct Serve: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Serve a web page of the store: lists, workflows, the dependency graph, a timeline, time travel.",
        discussion: """
            The page and its JSON API (under /api, described in schemas/api/) are read-only and \
            follow the store live: events appended by any process appear as they come. The first \
            line on stdout is `Serving STORE at URL`. The server listens on 127.0.0.1 unless \
            --host names another address; a non-loopback one is refused unless --allow-remote is \
            given, because anyone who can reach it sees every task. Ctrl-C stops it. See docs/Serve.md.
            """
    )

    @OptionGroup var global: StoreOptions

    @Option(help: "The address to listen on; a non-loopback one needs --allow-remote.")
    var host = "127.0.0.1"

    @Option(help: "The port to listen on; 0 picks a free one (the URL printed says which).")
    var port = 8080

    @Flag(help: "Allow listening on a non-loopback address (the page shows every task to whoever can reach it).")
    var allowRemote = false

    func run() async throws {
        if let refusal = HostPolicy.refusal(host: host, allowRemote: allowRemote) {
            Output.error(refusal)
            throw ExitCode(64)
        }
        guard (0...65535).contains(port) else {
            Output.error("--port \(port) is not a port; give a number from 1 to 65535, or 0 for a free one")
            throw ExitCode(64)
        }
        try await tasklog.runAsync {
            let store = try global.open(create: false)
            let server = TasklogServer(
                store: store,
                defaultList: try TaskListID.sanitized(global.listID),
                configuration: .init(host: host, port: port, allowRemote: allowRemote)
            )
            let json = global.json
            let storePath = store.path  // a URL without its password
            for signal in [SIGINT, SIGTERM] { stopOnSignal(signal) }
            do {
                try await server.run { url in
                    if json {
                        Output.json(["serving": .string(url), "store": .string(storePath)])
                    } else {
                        Output.line("Serving \(storePath) at \(url)")
                    }
                }
            } catch let error as TasklogError {
                throw error
            } catch {
                throw TasklogError(
                    .storage,
                    "cannot listen on \(host) port \(port): \(error); pass another --port, or 0 for a free one"
                )
            }
        }
    }

    /// Ends the process on `signal`: the server only reads, so nothing is left half done.
    private func stopOnSignal(_ number: Int32) {
        signal(number, SIG_IGN)
        let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
        source.setEventHandler { Foundation.exit(0) }
        source.resume()
        serveSignalSources.append(source)
    }
}

/// The signal sources of `tasklog serve`, kept alive for the life of the process (set up once,
/// on the main thread, before the server starts).
nonisolated(unsafe) private var serveSignalSources: [any DispatchSourceSignal] = []
