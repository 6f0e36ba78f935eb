import Foundation
import Synchronization
public import TasklogCore

extension TaskStore {
    /// Runs `commands` on `list` in order, in one write transaction: one commit, one fsync, so a
    /// crash leaves all of their events or none. The transaction may hold other callers' commands
    /// too (group commit); these commands are never split across two.
    ///
    /// Each command is still validated on its own against the state the ones before it left, and
    /// a refused one is skipped (its result is the refusal) while the others commit. Callers
    /// that need all-or-nothing validate the whole sequence first against ``state()`` with
    /// ``TasklogCore/Decider`` (as `tasklog import-claude` does), then check every result.
    public func executeInOneTransaction(
        _ commands: [TaskCommand],
        in list: String = "default",
        actor: String? = nil
    )
        async throws -> [Result<CommandOutcome, TasklogError>]
    {
        try await executeInOneTransaction(commands.map { ($0, actor) }, in: list)
    }

    /// Like ``executeInOneTransaction(_:in:actor:)``, each command issued by its own actor: the
    /// commands of several agents (a claim, then the holder's completion) in one commit.
    public func executeInOneTransaction(
        _ commands: [(command: TaskCommand, actor: String?)],
        in list: String = "default"
    )
        async throws -> [Result<CommandOutcome, TasklogError>]
    {
        let kinds = try commands.map { try Self.validated($0.command, list: list, actor: $0.actor, key: nil) }
        guard !kinds.isEmpty else { return [] }
        let results = ResultSlots(count: kinds.count)
        // One group for the writer thread: committed in one transaction, together with whatever
        // other callers have queued (group commit). Jobs complete in order, so the last one's
        // completion finds every slot filled.
        try await withCheckedThrowingContinuation { (continuation: CheckedContinuation<Void, any Error>) in
            let jobs = kinds.enumerated().map { index, kind in
                Job(kind: kind) { result in
                    results.slots.withLock {
                        $0[index] = result.flatMap {
                            if case .outcome(let outcome) = $0 {
                                .success(outcome)
                            } else {
                                .failure(TasklogError(.storage, "the writer returned an unexpected result"))
                            }
                        }
                    }
                    if index == kinds.count - 1 { continuation.resume() }
                }
            }
            writer.submit(group: jobs)
        }
        return try results.slots.withLock { results in
            try results.map { result in
                switch result {
                case .success(let outcome)?: return .success(outcome)
                case .failure(let error as TasklogError)?: return .failure(error)
                case .failure(let error)?: throw error
                case nil: throw TasklogError(.storage, "a command of the transaction got no result")
                }
            }
        }
    }
}

/// One result slot per command of ``TaskStore/executeInOneTransaction(_:in:actor:)``.
private final class ResultSlots: Sendable {
    let slots: Mutex<[Result<CommandOutcome, any Error>?]>

    init(count: Int) { slots = Mutex(Array(repeating: nil, count: count)) }
}
