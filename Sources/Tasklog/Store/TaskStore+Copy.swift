import TasklogCore

extension TaskStore {
    /// Copies this store's whole log into `destination`, which must hold no event yet: all of it
    /// or none (one import, one transaction). Afterwards the two logs are compared event by event
    /// and the destination is verified, so that a copy that returns is the same store, seq for
    /// seq and link for link, on another backend (an LMDB directory to PostgreSQL, or back).
    ///
    /// What is not part of the log stays behind: leases (a session renews its own) and the
    /// snapshots, which the destination writes anew from the events as it imports them.
    ///
    /// - Returns: the number of events copied.
    @discardableResult
    public func copy(to destination: TaskStore, progress: (@Sendable (Int, Int) -> Void)? = nil) throws -> Int {
        var events: [Event] = []
        try self.events(from: 1, through: nil) { event in
            events.append(event)
            return true
        }
        let count = try destination.importEvents(events, progress: progress) { index in
            "event \(index + 1) of \(self.path)"
        }
        var index = 0
        var difference: String?
        try destination.events(from: 1, through: nil) { copied in
            guard index < events.count, copied == events[index] else {
                difference = "event \(copied.seq) differs from the original"
                return false
            }
            index += 1
            return true
        }
        if difference == nil && index != events.count {
            difference = "it holds \(index) events of \(events.count)"
        }
        if let difference {
            throw TasklogError(.corrupt, "the copy at \(destination.path) is not the original: \(difference)")
        }
        let report = try destination.verify()
        guard report.isHealthy else {
            throw TasklogError(
                .corrupt,
                "the copy at \(destination.path) does not verify: \(report.problems.map(\.description).joined(separator: "; "))"
            )
        }
        return count
    }
}
