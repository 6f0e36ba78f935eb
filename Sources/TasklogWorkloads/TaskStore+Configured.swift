package import Tasklog
package import TasklogCore

extension TaskStore {
    /// Opens the store at `path` as its configuration says: the configured snapshot interval
    /// (unless `options` chose its own), milestones and ledger. A ledger path that cannot be
    /// resolved is reported to `warn` and no ledger is written: task tracking never blocks the work.
    package static func open(
        at path: String,
        configuredBy config: TasklogConfig,
        from source: TasklogConfig.Source,
        options: TaskStore.Options,
        warn: (String) -> Void
    ) throws -> TaskStore {
        var options = options
        if let interval = config.snapshotInterval, options.snapshotInterval == TaskStore.Options().snapshotInterval {
            options.snapshotInterval = interval
        }
        options.milestones = config.milestones
        if config.ledgerEnabled {
            do {
                options.ledgerPath = try config.resolvedLedgerPath(source)
            } catch let error as TasklogError {
                warn("\(error.message); no ledger is written")
            }
        }
        return try open(at: path, options: options)
    }
}
