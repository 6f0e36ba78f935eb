import TasklogCore

extension TaskStore {
    /// Refuses events that the commands would have refused, folding them one by one: each one's
    /// list id must be clean, its actor and idempotency key within bounds, and its payload one
    /// that ``TasklogCore/Decider/check(recorded:in:)`` accepts on the state before it.
    ///
    /// - Throws: ``TasklogError`` with code `invalid_input`, naming the event (`naming`) and what
    ///   was wrong; nothing is written.
    static func checkImport(_ events: [Event], naming: (Int) -> String) throws(TasklogError) {
        var state = TasklogState()
        for (index, event) in events.enumerated() {
            do throws(TasklogError) {
                let list = try checked(list: event.list, actor: event.actor, key: event.idempotencyKey)
                guard list == event.list else {
                    throw TasklogError(
                        .invalidInput,
                        "the list id \(event.list.debugDescription) has characters a list id cannot hold (it would be \(list))"
                    )
                }
                try Decider.check(recorded: event.payload, in: state.list(list))
            } catch {
                throw TasklogError(
                    .invalidInput,
                    "\(naming(index)) (seq \(event.seq)) is refused: \(error.message); nothing was imported"
                )
            }
            Reducer.apply(event, to: &state)
        }
    }
}
