import TasklogCore

extension TaskStore {
    /// Refuses an imported event that the commands would have refused: its list id must be
    /// clean, its actor and idempotency key within bounds, and its payload one that
    /// ``TasklogCore/Decider/check(recorded:in:)`` accepts on `state`, the state before it.
    static func checkImported(_ event: Event, in state: TasklogState) throws(TasklogError) {
        let list = try checked(list: event.list, actor: event.actor, key: event.idempotencyKey)
        guard list == event.list else {
            throw TasklogError(
                .invalidInput,
                "the list id \(event.list.debugDescription) has characters a list id cannot hold (it would be \(list))"
            )
        }
        try Decider.check(recorded: event.payload, in: state.list(list))
    }
}
