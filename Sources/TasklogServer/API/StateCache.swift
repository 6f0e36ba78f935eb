import Synchronization
import TasklogCore

/// The last few states built for past points, by seq: moving the slider asks for the tasks, the
/// graph and the workflows at one seq at once, and each would otherwise replay from a snapshot.
/// The log never changes below its end, so a state at a seq never goes stale.
final class StateCache: Sendable {
    private let capacity: Int
    /// By seq, and by list for a state that holds one list only (`nil`: the whole state).
    private let entries = Mutex<[(seq: UInt64, list: String?, state: TasklogState)]>([])

    init(capacity: Int = 8) {
        self.capacity = capacity
    }

    /// The state at `seq` (of `list` alone, when given), built by `build` unless it is cached.
    func state(at seq: UInt64, list: String? = nil, build: () throws -> TasklogState) rethrows -> TasklogState {
        if let hit = entries.withLock({ entries in entries.first { $0.seq == seq && $0.list == list }?.state }) {
            return hit
        }
        let state = try build()
        entries.withLock { entries in
            entries.removeAll { $0.seq == seq && $0.list == list }
            entries.append((seq, list, state))
            if entries.count > capacity { entries.removeFirst(entries.count - capacity) }
        }
        return state
    }
}
