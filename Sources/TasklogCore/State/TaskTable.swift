/// The live tasks of one list, by id, walked in id order.
///
/// A list issues its ids 1, 2, 3, … and never reuses one, so its tasks are kept in an array
/// indexed by id from the lowest one kept, `slots[id - base]`, with a hole where a task was
/// deleted: a task costs its record and no hash table, is found without hashing, and the tasks
/// are already in id order for a listing or a snapshot.
///
/// The holes are counted. The dense range grows over a gap only while its holes stay no more
/// than its tasks (plus a little), and when deletions leave twice as many holes as tasks the
/// table is laid out again from its lowest live id; so the array is never more than about three
/// times what the table holds, and a long list whose old tasks were deleted does not keep paying
/// for them. An id the dense range does not reach cheaply (below its start, or far past its end,
/// as in a fold of a few tasks picked from a long list) is kept in a dictionary beside it.
///
/// Two tables are equal when they hold equal tasks under the same ids, however they are laid out.
public struct TaskTable: Sendable {
    /// Task `id` at `id - base`, for ids `base ..< base + slots.count`; `nil` for a hole.
    private var slots: [TaskRecord?] = []
    /// The id of `slots[0]`.
    private var base = 1
    /// The `nil` slots.
    private var holes = 0
    /// The tasks whose ids lie outside the dense range.
    private var sparse: [Int: TaskRecord] = [:]
    /// The number of tasks.
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Keeps room for `count` tasks in the dense range without growing again.
    public mutating func reserveCapacity(_ count: Int) {
        slots.reserveCapacity(count)
    }

    /// The task with id `id`; setting `nil` removes it.
    public subscript(id: Int) -> TaskRecord? {
        get {
            if let slot = slot(of: id) { return slots[slot] }
            return sparse.isEmpty ? nil : sparse[id]
        }
        set {
            if let newValue {
                insert(newValue, as: id)
            } else {
                remove(id)
            }
        }
    }

    /// Whether a task has id `id` (without copying it out, as `self[id] != nil` would).
    public func contains(_ id: Int) -> Bool {
        if let slot = slot(of: id) { return slots[slot] != nil }
        return !sparse.isEmpty && sparse.index(forKey: id) != nil
    }

    /// Changes task `id` in place and returns what `change` returns; `nil`, and nothing
    /// changed, when there is no such task.
    @discardableResult
    public mutating func modify<Result, Failure: Error>(
        _ id: Int,
        _ change: (inout TaskRecord) throws(Failure) -> Result
    ) throws(Failure) -> Result? {
        if let slot = slot(of: id) {
            guard slots[slot] != nil else { return nil }
            return try change(&slots[slot]!)
        }
        guard let index = sparse.index(forKey: id) else { return nil }
        return try change(&sparse.values[index])
    }

    /// Takes task `id` out of the table and returns it, if there was one.
    @discardableResult
    public mutating func remove(_ id: Int) -> TaskRecord? {
        let removed: TaskRecord?
        if let slot = slot(of: id) {
            removed = slots[slot].take()
            if removed != nil { holes += 1 }
        } else {
            removed = sparse.removeValue(forKey: id)
        }
        guard removed != nil else { return nil }
        count -= 1
        if holes > 2 * count + Self.slack { layOutAgain() }
        return removed
    }

    /// The ids of the tasks, in order.
    public var ids: [Int] { map(\.id) }

    /// The slots the dense range takes, tasks and holes: what the layout costs, for its tests.
    package var slotCount: Int { slots.count }

    // MARK: Layout

    /// Where task `id` lies in `slots`, if its id is in the dense range.
    @inline(__always)
    private func slot(of id: Int) -> Int? {
        // In two steps, so that no id, however far from `base`, overflows.
        guard id >= base else { return nil }
        let offset = id - base
        return offset < slots.count ? offset : nil
    }

    private mutating func insert(_ task: TaskRecord, as id: Int) {
        // The first task starts the dense range, if its id is an id a list could issue.
        if slots.isEmpty && sparse.isEmpty && id >= 1 && id <= Self.highestBase { base = id }
        let end = base + slots.count
        // The dense range grows up to `id` while its holes (those it has, and the `id - end` it
        // would leave) stay no more than its tasks.
        if id >= end, id - end <= slots.count - 2 * holes + Self.slack { grow(through: id) }
        if let slot = slot(of: id) {
            if slots[slot] == nil {
                count += 1
                holes -= 1
            }
            slots[slot] = task
        } else if sparse.updateValue(task, forKey: id) == nil {
            count += 1
        }
    }

    /// Extends the dense range through `id`, its new slots holes, then moves in the tasks it now
    /// covers from `sparse`.
    private mutating func grow(through id: Int) {
        let start = base + slots.count
        let added = id - start + 1
        slots.append(contentsOf: repeatElement(nil, count: added))
        holes += added
        guard !sparse.isEmpty else { return }
        for covered in start...id {
            if let task = sparse.removeValue(forKey: covered) {
                slots[covered - base] = task
                holes -= 1
            }
        }
    }

    /// Builds the layout again from the tasks in id order, from the lowest one.
    private mutating func layOutAgain() {
        let tasks = Array(self)
        self = TaskTable()
        slots.reserveCapacity(tasks.count)
        for task in tasks { insert(task, as: task.id) }
    }

    /// The holes the dense range may take on growing, past one a task.
    private static let slack = 64
    /// The highest id the dense range starts at, so that `base + slots.count` cannot overflow.
    private static let highestBase = Int.max / 2
}

extension TaskTable: Sequence {
    /// Walks the tasks in id order: the sparse ones below the dense range, the dense range,
    /// then the sparse ones above it.
    public struct Iterator: IteratorProtocol {
        private var below: IndexingIterator<[TaskRecord]>
        private var dense: IndexingIterator<[TaskRecord?]>
        private var above: IndexingIterator<[TaskRecord]>

        fileprivate init(_ table: TaskTable) {
            dense = table.slots.makeIterator()
            if table.sparse.isEmpty {
                below = [].makeIterator()
                above = [].makeIterator()
            } else {
                let sorted = table.sparse.values.sorted { $0.id < $1.id }
                let split = sorted.firstIndex { $0.id >= table.base } ?? sorted.count
                below = Array(sorted[..<split]).makeIterator()
                above = Array(sorted[split...]).makeIterator()
            }
        }

        public mutating func next() -> TaskRecord? {
            if let task = below.next() { return task }
            while let slot = dense.next() {
                if let task = slot { return task }
            }
            return above.next()
        }
    }

    public func makeIterator() -> Iterator { Iterator(self) }

    public var underestimatedCount: Int { count }
}

extension TaskTable: Hashable {
    public static func == (lhs: TaskTable, rhs: TaskTable) -> Bool {
        lhs.count == rhs.count && lhs.elementsEqual(rhs)
    }

    public func hash(into hasher: inout Hasher) {
        hasher.combine(count)
        for task in self { hasher.combine(task) }
    }
}
