import TasklogTestSupport
import Testing

@testable import TasklogCore

/// The heart of event sourcing: the state folded step by step equals a full replay of the log,
/// equals any snapshot plus the tail after it; after every single step of random command sequences.
@Suite struct ReducerPropertyTests {
    @Test(arguments: 1...24)
    func incrementalEqualsFullReplayEqualsSnapshotPlusTail(seed: Int) throws {
        var generator = CommandGenerator(seed: UInt64(seed))
        var random = SeededRandom(seed: UInt64(seed) &* 7919)
        var state = TasklogState()
        var log: [Event] = []
        var encoded: [[UInt8]] = []
        var snapshots: [[UInt8]] = [SnapshotCodec.encode(state)]  // snapshots[k]: state after k events
        var link = ChainLink.zero
        var time = Timestamp(rawValue: 1_780_000_000_000_000)
        var refusals: Set<TasklogError.Code> = []

        for _ in 0..<250 {
            let (command, list, actor) = generator.next(for: state)
            let payloads: [EventPayload]
            do {
                payloads = try Decider.decide(command, in: state.list(list), actor: actor)
            } catch {
                refusals.insert(error.code)
                continue
            }
            time = Timestamp(rawValue: time.rawValue + Int64.random(in: 0...2_000_000, using: &random))
            for payload in payloads {
                let event = Event(seq: state.lastSeq + 1, timestamp: time, list: list, actor: actor, payload: payload)
                // The codec round-trips every event, and its chain link is what it stored.
                let (bytes, next) = EventCodec.encode(event, after: link)
                let decoded = try bytes.withUnsafeBytes { try EventCodec.decode($0) }
                #expect(decoded == event)
                #expect(try bytes.withUnsafeBytes { try EventCodec.computedLink($0, after: link) } == next)
                link = next
                encoded.append(bytes)
                Reducer.apply(event, to: &state)
                log.append(event)
                snapshots.append(SnapshotCodec.encode(state))
            }

            let replayed = Reducer.replay(log)
            #expect(replayed == state, "seed \(seed): full replay differs after seq \(state.lastSeq)")
            #expect(SnapshotCodec.encode(replayed) == SnapshotCodec.encode(state), "byte for byte")

            let k = Int.random(in: 0..<snapshots.count, using: &random)
            var recovered = try snapshots[k].withUnsafeBytes { try SnapshotCodec.decode($0) }
            for event in log[k...] { Reducer.apply(event, to: &recovered) }
            #expect(recovered == state, "seed \(seed): snapshot at \(k) plus tail differs")

            // The replay path folds the stored bytes, from the same snapshot, to the same state.
            var replayer = Replayer(try snapshots[k].withUnsafeBytes { try SnapshotCodec.decode($0) })
            for bytes in encoded[k...] { try bytes.withUnsafeBytes { _ = try replayer.apply(encoded: $0) } }
            #expect(replayer.finish() == state, "seed \(seed): the replayer from snapshot \(k) differs")

            try checkInvariants(state)
        }
        #expect(log.count > 60, "the generator should produce mostly valid commands")
        #expect(!refusals.isEmpty, "and some refused ones")
    }

    /// Every random sequence, across all seeds, hits every kind of refusal.
    @Test func randomSequencesExerciseEveryRefusal() {
        var refusals: Set<TasklogError.Code> = []
        for seed in 1...24 {
            var generator = CommandGenerator(seed: UInt64(seed))
            var state = TasklogState()
            for _ in 0..<250 {
                let (command, list, actor) = generator.next(for: state)
                do {
                    for payload in try Decider.decide(command, in: state.list(list), actor: actor) {
                        Reducer.apply(
                            Event(
                                seq: state.lastSeq + 1,
                                timestamp: Timestamp(rawValue: 0),
                                list: list,
                                payload: payload
                            ),
                            to: &state
                        )
                    }
                } catch {
                    refusals.insert(error.code)
                }
            }
        }
        #expect(refusals.isSuperset(of: [.invalidInput, .notFound, .conflict, .blocked, .cycle]))
    }

    private func checkInvariants(_ state: TasklogState) throws {
        for (name, list) in state.lists {
            for task in list.tasks {
                #expect(task.id <= list.highWater)
                #expect(task.blocks == task.blocks.sorted() && Set(task.blocks).count == task.blocks.count)
                for other in task.blocks {
                    #expect(
                        list.tasks[other]?.blockedBy.contains(task.id) == true,
                        "\(name): #\(task.id) blocks #\(other)"
                    )
                }
                for other in task.blockedBy {
                    #expect(
                        list.tasks[other]?.blocks.contains(task.id) == true,
                        "\(name): #\(task.id) blocked by #\(other)"
                    )
                }
                #expect(task.status != .deleted)
                #expect(Decider.cycle(adding: [], to: list) == nil)
            }
            // No cycles: every task's blocks-closure excludes itself.
            for task in list.tasks {
                var seen: Set<Int> = []
                var stack = task.blocks
                while let next = stack.popLast() {
                    #expect(next != task.id, "\(name): #\(task.id) is in a cycle")
                    if seen.insert(next).inserted { stack += list.tasks[next]?.blocks ?? [] }
                }
            }
        }
    }
}
