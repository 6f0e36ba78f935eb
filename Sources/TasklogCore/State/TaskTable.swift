/// The live tasks of one list, by id, walked in id order.
///
/// A list issues its ids 1, 2, 3, … and never reuses one, so its tasks are kept in an array
/// indexed by id, `slots[id - 1]`, with a hole where a task was deleted: a task costs its record
/// and no hash table, is found without hashing, and the tasks are already in id order for a
/// listing or a snapshot. An id the dense array does not reach cheaply (zero or less, or far past
/// its end, as in a fold of a few tasks picked from a long list) is kept in a dictionary beside
/// it, so that no id makes the table allocate more than about twice what it holds.
///
/// Two tables are equal when they hold equal tasks under the same ids, however they are laid out.
public struct TaskTable: Sendable {
    /// Task `id` at `id - 1`, for ids 1 through `slots.count`; `nil` where there is no such task.
    private var slots: [TaskRecord?] = []
    /// The tasks whose ids lie outside `1...slots.count`.
    private var sparse: [Int: TaskRecord] = [:]
    /// The number of tasks.
    public private(set) var count = 0

    public init() {}

    public var isEmpty: Bool { count == 0 }

    /// Keeps room for tasks with ids up to `count` without growing again.
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
        } else {
            removed = sparse.removeValue(forKey: id)
        }
        if removed != nil { count -= 1 }
        return removed
    }

    /// The ids of the tasks, in order.
    public var ids: [Int] { map(\.id) }

    // MARK: Layout

    /// Where task `id` lies in `slots`, if its id is in the dense range.
    @inline(__always)
    private func slot(of id: Int) -> Int? {
        id >= 1 && id <= slots.count ? id - 1 : nil
    }

    private mutating func insert(_ task: TaskRecord, as id: Int) {
        // The dense range grows up to `id` when the holes that leaves are no more than the tasks.
        if id > slots.count, id - slots.count <= count + Self.slack { grow(through: id) }
        if let slot = slot(of: id) {
            if slots[slot] == nil { count += 1 }
            slots[slot] = task
        } else if sparse.updateValue(task, forKey: id) == nil {
            count += 1
        }
    }

    /// Extends the dense range through `id`, moving in the tasks it now covers from `sparse`.
    private mutating func grow(through id: Int) {
        let start = slots.count + 1
        slots.append(contentsOf: repeatElement(nil, count: id - slots.count))
        guard !sparse.isEmpty else { return }
        for covered in start...id {
            if let task = sparse.removeValue(forKey: covered) { slots[covered - 1] = task }
        }
    }

    /// The holes the dense range may take on growing, past one a task.
    private static let slack = 64
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
                let split = sorted.firstIndex { $0.id > 0 } ?? sorted.count
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
