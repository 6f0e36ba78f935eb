import TasklogCore

extension TaskStore {
    /// The events that match `query`, each with its changes before → after, a page at a time.
    ///
    /// A task, workflow, actor or type query walks its index (written with each event), so its
    /// cost follows the number of matching events, not the length of the log.
    public func history(_ query: HistoryQuery) throws -> HistoryPage {
        let list = try query.list.map { try TaskListID.sanitized($0) }
        if (query.taskID != nil || query.workflow != nil) && list == nil {
            throw TasklogError(.invalidInput, "a task or workflow history needs its task list")
        }
        guard query.limit > 0 else { throw TasklogError(.invalidInput, "the limit must be at least 1") }
        return try core.read { txn in
            let last = try EventLog.lastSeq(txn)
            var low = try query.since.map { try firstSeq(since: $0, txn) } ?? 1
            var high = try query.until.map { try seq(at: $0.clamped(to: last), txn) } ?? last
            if let cursor = query.cursor {
                // The cursor itself is excluded; a cursor at either end of the seqs leaves nothing.
                guard query.newestFirst ? cursor > 0 : cursor < .max else { return HistoryPage(entries: []) }
                if query.newestFirst { high = min(high, cursor - 1) } else { low = max(low, cursor + 1) }
            }
            low = max(low, 1)
            var events: [Event] = []
            // One more than the page, to know whether there is a next one (a limit of Int.max means all).
            let wanted = query.limit == .max ? query.limit : query.limit + 1
            try walk(query, list: list, low: low, high: high, txn) { event in
                guard matches(event, query, list: list) else { return true }
                events.append(event)
                return events.count < wanted
            }
            let more = events.count == wanted
            if more { events.removeLast() }
            var timelines = Timelines(
                low: events.map(\.seq).min() ?? 1,
                high: events.map(\.seq).max() ?? 0
            )
            let entries = try events.map { event in
                HistoryEntry(event: event, changes: try changes(of: event, &timelines, txn))
            }
            return HistoryPage(entries: entries, nextCursor: more ? events.last?.seq : nil)
        }
    }

    /// How many events changed task `id` of `list` (its own, and links written by others): a walk
    /// of its index, which decodes no event.
    public func eventCount(ofTask id: Int, in list: String) throws -> Int {
        let list = try TaskListID.sanitized(list)
        return try core.read { txn in
            try txn.indexSeqs(.task(list: list, id: id), from: 1, through: .max, newestFirst: false, limit: .max).count
        }
    }

    private func matches(_ event: Event, _ query: HistoryQuery, list: String?) -> Bool {
        (list == nil || event.list == list) && (query.actor == nil || event.actor == query.actor)
            && (query.type == nil || event.payload.typeName == query.type)
    }

    /// Calls `body` with the candidate events in the query's order, through the narrowest index.
    private func walk(
        _ query: HistoryQuery,
        list: String?,
        low: UInt64,
        high: UInt64,
        _ txn: any StorageReader,
        _ body: (Event) throws -> Bool
    ) throws {
        guard low <= high else { return }
        let index: IndexKey? =
            if let id = query.taskID, let list {
                .task(list: list, id: id)
            } else if let workflow = query.workflow, let list {
                .workflow(list: list, name: workflow)
            } else if let actor = query.actor {
                .actor(actor)
            } else if let type = query.type {
                .type(type)
            } else {
                nil
            }
        guard let key = index else {
            // No index narrows it: walk the log itself.
            var seq = query.newestFirst ? high : low
            while seq >= low && seq <= high {
                guard try body(try EventLog.event(at: seq, txn)) else { return }
                seq = query.newestFirst ? seq - 1 : seq + 1
            }
            return
        }
        var from = low
        var to = high
        while from <= to {
            let seqs = try txn.indexSeqs(key, from: from, through: to, newestFirst: query.newestFirst, limit: 256)
            for seq in seqs {
                guard try body(try EventLog.event(at: seq, txn)) else { return }
            }
            guard seqs.count == 256, let next = seqs.last else { return }
            if query.newestFirst { to = next - 1 } else { from = next + 1 }
        }
    }

    // MARK: Before → after

    /// Each task's states along its own events up to the page's last seq, folded once per query
    /// and reused: a page costs its page, not the whole history of its tasks (a task with a long
    /// history starts from its state before the page, read from the nearest snapshot).
    struct Timelines {
        /// The seqs of the page.
        var low: UInt64
        var high: UInt64
        /// Per (list, task): seq → (before, after).
        var folded: [String: [Int: [UInt64: (before: TaskRecord?, after: TaskRecord?)]]] = [:]
        /// Per list: its state just before the page, where the folds of long-lived tasks start.
        var before: [String: TaskListState] = [:]

        /// A task with at most this many events before the page is folded from its first event.
        static let foldedFromTheFirst = 1024
    }

    private func changes(
        of event: Event,
        _ timelines: inout Timelines,
        _ txn: any StorageReader
    ) throws
        -> [HistoryEntry.TaskChange]
    {
        var ids = Set(event.payload.taskIDs)
        if case .taskDeleted(let id) = event.payload,
            let before = try timeline(list: event.list, task: id, &timelines, txn)[event.seq]?.before
        {
            ids.formUnion(before.blocks + before.blockedBy)
        }
        var result: [HistoryEntry.TaskChange] = []
        for id in ids.sorted() {
            guard let step = try timeline(list: event.list, task: id, &timelines, txn)[event.seq] else { continue }
            let fields = FieldChange.between(step.before, step.after)
            if !fields.isEmpty { result.append(.init(taskID: id, fields: fields)) }
        }
        return result
    }

    private func timeline(
        list: String,
        task: Int,
        _ timelines: inout Timelines,
        _ txn: any StorageReader
    )
        throws -> [UInt64: (before: TaskRecord?, after: TaskRecord?)]
    {
        if let known = timelines.folded[list]?[task] { return known }
        // A task with few events before the page is folded from its first; one with many starts
        // from its list's state before the page (read once per list), so that the cost stays
        // that of the page either way.
        var low: UInt64 = 1
        if timelines.low > 1 {
            let earlier = try txn.indexSeqs(
                .task(list: list, id: task),
                from: 1,
                through: timelines.low - 1,
                newestFirst: false,
                limit: Timelines.foldedFromTheFirst + 1
            )
            if earlier.count > Timelines.foldedFromTheFirst {
                low = timelines.low
                if timelines.before[list] == nil {
                    timelines.before[list] = try core.listState(list, at: timelines.low - 1, throughIndexes: true, txn)
                        .0
                }
            }
        }
        let steps = try taskTimeline(
            list: list,
            task: task,
            from: low,
            through: timelines.high,
            startingAt: low > 1 ? timelines.before[list]?.tasks[task] : nil,
            txn
        )
        var bySeq: [UInt64: (before: TaskRecord?, after: TaskRecord?)] = [:]
        for step in steps { bySeq[step.event.seq] = (step.before, step.after) }
        timelines.folded[list, default: [:]][task] = bySeq
        return bySeq
    }

    /// Task `task`'s states along the events that changed it from seq `low` through `high`: a
    /// ``PartialFold`` that starts from the task as it was before `low` (`start`), with a stand-in
    /// for each task an event names (the decider checked that it existed); the index is checked
    /// against the state before the timeline is trusted.
    func taskTimeline(
        list: String,
        task: Int,
        from low: UInt64 = 1,
        through high: UInt64 = .max,
        startingAt start: TaskRecord? = nil,
        _ txn: any StorageReader
    ) throws
        -> [(event: Event, before: TaskRecord?, after: TaskRecord?)]
    {
        guard low <= high else { return [] }
        let seqs = try txn.indexSeqs(
            .task(list: list, id: task),
            from: low,
            through: high,
            newestFirst: false,
            limit: .max
        )
        var startList = TaskListState()
        startList.tasks[task] = start
        var fold = PartialFold(startList, standIns: .whenNamed)
        var steps: [(event: Event, before: TaskRecord?, after: TaskRecord?)] = []
        steps.reserveCapacity(seqs.count)
        for seq in seqs {
            let event = try indexedEvent(at: seq, task: task, in: list, txn)
            let before = fold.list.tasks[task]
            fold.apply(event)
            steps.append((event, before, fold.list.tasks[task]))
        }
        try checkIndex(of: task, in: list, folded: fold.list.tasks[task], through: high, txn)
        return steps
    }
}

extension Point {
    /// A seq point beyond the end of the log means "the end", for the upper bound of a range.
    func clamped(to last: UInt64) -> Point {
        if case .seq(let seq) = self, seq > last { return .seq(last) }
        return self
    }
}
