import ArgumentParser
import Tasklog
import TasklogCore

struct Heartbeat: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Renew the actor's lease on its claims (taken with `update --status in_progress --lease`).",
        discussion: """
            The lease lasts as long again as it was taken for. Once it runs out, the actor's tasks
            in progress go back to pending at the next command that sweeps leases.
            """
    )

    @OptionGroup var global: GlobalOptions

    func run() throws {
        try tasklog.run {
            let store = try global.openForTasks(create: false)
            guard let lease = try store.renewCommandLineLease(owner: global.actorName, in: global.listID) else {
                throw TasklogError(
                    .notFound,
                    "\(global.actorName) holds no lease in list \(global.listID); take one with `tasklog update ID --status in_progress --lease SECONDS`"
                )
            }
            if global.json {
                Output.json([
                    "owner": .string(lease.owner), "list": .string(lease.list),
                    "seconds": .double(lease.seconds ?? 0), "expires": .string(lease.expires.iso8601),
                ])
            } else {
                Output.line(
                    "Renewed the lease of \(lease.owner) on list \(lease.list) until \(lease.expires.iso8601Seconds)"
                )
            }
        }
    }
}
