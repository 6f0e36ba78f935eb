import Benchmark
import BenchmarkHarness
import BenchmarkSupport
import Foundation
import LMDB
import Synchronization
import Tasklog
import TasklogCore

// Writing: durable appends through TaskStore (one create per call, into lists of up to 1,000
// tasks; the same into a list that holds 10,000; then 8 callers at once, whose commands the writer
// thread commits together: group commit), and, as the baseline, raw LMDB durable commits of one
// put each into an environment of its own (and of 8 puts each). Every store and environment here
// is opened with the default, full durability (two fsyncs per commit).

let appendsPerSecond = BenchmarkMetric.custom("appends/s", polarity: .prefersLarger, useScalingFactor: false)
let putsPerSecond = BenchmarkMetric.custom("puts/s", polarity: .prefersLarger, useScalingFactor: false)
let tasklogAppendMicroseconds = BenchmarkMetric.custom(
    "Tasklog append (µs)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)
let rawCommitMicroseconds = BenchmarkMetric.custom(
    "raw put commit (µs)",
    polarity: .prefersSmaller,
    useScalingFactor: false
)

/// The task each append creates: a realistic size (the encoded event is about as large as the
/// raw baseline's values).
func newTask(_ n: Int) -> NewTask {
    NewTask(
        subject: "Implement the snapshot codec (\(n))",
        description: "Implement the snapshot codec. Keep the change small and covered by tests.",
        activeForm: "Implementing the snapshot codec",
        metadata: ["workflow": .string("build-task-20260213T1430"), "step": .int(4), "phase": .string("implement")]
    )
}

/// The size of the stored event of `newTask`, for the raw baseline's values.
let eventSize: Int = {
    let task = newTask(1_000)
    let event = Event(
        seq: 1_000,
        timestamp: .now(),
        list: "default",
        actor: "agent-1",
        payload: .taskCreated(
            TaskCreated(
                id: 1_000,
                subject: task.subject,
                description: task.description,
                activeForm: task.activeForm,
                metadata: task.metadata
            )
        )
    )
    return EventCodec.encode(event, after: .zero).bytes.count
}()

/// A raw LMDB environment with one database, and the next key to append.
final class RawEnvironment: @unchecked Sendable {
    let environment: Environment
    let database: Database
    let value: [UInt8]
    var next: UInt64 = 1

    init(name: String) throws {
        var options = Environment.Options()
        options.databases = ["events"]
        environment = try Environment.open(path: Fixtures.scratch(name), options: options)
        database = environment.database("events")
        value = (0..<eventSize).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        FileHandle.standardError.write(Data("raw LMDB values of \(eventSize) bytes (an encoded create event)\n".utf8))
    }

    func commit(puts: Int) throws {
        try value.withUnsafeBytes { bytes in
            try environment.write { txn in
                for key in next..<next + UInt64(puts) { try txn.append(in: database, key: key, value: bytes) }
            }
        }
        next += UInt64(puts)
    }
}

let callers = 8
let appendsPerCaller = 25

/// Creates go to lists of at most this many tasks (`bench-0`, `bench-1`, …), so that the figure
/// does not depend on how many iterations ran: a command's cost grew with the size of its list
/// before `8ba3ac3` (BENCHMARKS.md, finding 2). The `list of 10k tasks` benchmark watches that cost.
let tasksPerList = 1_000
let appendCounter = Atomic<Int>(0)

/// The list for the next `count` creates (they stay in one list).
func nextList(count: Int = 1) -> String {
    let first = appendCounter.add(count, ordering: .relaxed).oldValue
    return "bench-\((first + count - 1) / tasksPerList)"
}

/// Runs `caller` for callers 1…`callers` at once (a task group), each appending `appendsEach`
/// events, and records appends/s.
func measureAppends(
    _ benchmark: Benchmark,
    callers: Int,
    appendsEach: Int,
    _ caller: @escaping @Sendable (Int) async throws -> Void
) async throws {
    let clock = ContinuousClock()
    let started = clock.now
    try await withThrowingTaskGroup(of: Void.self) { group in
        for index in 1...callers { group.addTask { try await caller(index) } }
        try await group.waitForAll()
    }
    benchmark.measurement(appendsPerSecond, Int(Double(callers * appendsEach) / seconds(clock.now - started)))
}

/// One `executeInOneTransaction` of `batchSize` creates into one list.
func appendBatch(to store: TaskStore, actor: String) async throws {
    let commands = (0..<batchSize).map { TaskCommand.create(newTask($0)) }
    _ = try await store.executeInOneTransaction(commands, in: nextList(count: batchSize), actor: actor)
}

let batchSize = 100
let manyCallers = 256

/// A store whose list `big` already holds `count` tasks (imported), for appends to a big list.
func storeWithBigList(_ count: Int) throws -> TaskStore {
    let store = try TaskStore.open(at: Fixtures.scratch("append-big"), options: Fixtures.quietOptions)
    let start = Timestamp.now().rawValue
    try store.importEvents(
        (1...count).map { id in
            let task = newTask(id)
            return Event(
                seq: UInt64(id),
                timestamp: Timestamp(rawValue: start + Int64(id)),
                list: "big",
                actor: "agent-1",
                payload: .taskCreated(
                    TaskCreated(
                        id: id,
                        subject: task.subject,
                        description: task.description,
                        activeForm: task.activeForm,
                        metadata: task.metadata
                    )
                )
            )
        }
    )
    return store
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.timeUnits = .microseconds
    let durable = Benchmark.Configuration(
        metrics: [.wallClock, .throughput],
        warmupIterations: 10,
        maxDuration: .seconds(5),
        maxIterations: 100_000
    ).smokeAware

    // The benchmarks of concurrent appends: one iteration is a whole round of callers.
    let groupCommit = Benchmark.Configuration(
        metrics: [.wallClock, appendsPerSecond],
        warmupIterations: 2,
        maxDuration: .seconds(5),
        maxIterations: 1_000
    ).smokeAware

    // MARK: TaskStore

    Benchmark("Append/durable/1 caller", configuration: durable) { benchmark, store in
        blackHole(try store.create(newTask(benchmark.currentIteration), in: nextList(), actor: "agent-1").id)
    } setup: {
        try TaskStore.open(at: Fixtures.scratch("append-1"), options: Fixtures.quietOptions)
    }

    Benchmark("Append/durable/1 caller, list of 10k tasks", configuration: durable) { benchmark, store in
        blackHole(try store.create(newTask(benchmark.currentIteration), in: "big", actor: "agent-1").id)
    } setup: {
        try storeWithBigList(10_000)
    }

    Benchmark(
        "Append/durable/\(callers) concurrent callers (async, task group)",
        configuration: groupCommit
    ) { benchmark, store in
        try await measureAppends(benchmark, callers: callers, appendsEach: appendsPerCaller) { caller in
            for n in 0..<appendsPerCaller {
                _ = try await store.create(newTask(n), in: nextList(), actor: "agent-\(caller)")
            }
        }
    } setup: {
        try TaskStore.open(at: Fixtures.scratch("append-\(callers)"), options: Fixtures.quietOptions)
    }

    // A batch of 100 creates in one call: one transaction, one durable commit.
    Benchmark("Append/durable/batch of \(batchSize) in one call", configuration: groupCommit) { benchmark, store in
        try await measureAppends(benchmark, callers: 1, appendsEach: batchSize) { caller in
            try await appendBatch(to: store, actor: "agent-\(caller)")
        }
    } setup: {
        try TaskStore.open(at: Fixtures.scratch("append-batch"), options: Fixtures.quietOptions)
    }

    // Group commit at its best: concurrent callers, each sending batches of 100, share commits.
    Benchmark(
        "Append/durable/\(callers) concurrent callers, batches of \(batchSize)",
        configuration: groupCommit
    ) { benchmark, store in
        try await measureAppends(benchmark, callers: callers, appendsEach: batchSize) { caller in
            try await appendBatch(to: store, actor: "agent-\(caller)")
        }
    } setup: {
        try TaskStore.open(at: Fixtures.scratch("append-\(callers)-batches"), options: Fixtures.quietOptions)
    }

    // Many callers, one command each: the writer's batches grow with the queue.
    Benchmark(
        "Append/durable/\(manyCallers) concurrent callers (async, task group)",
        configuration: groupCommit
    ) { benchmark, store in
        try await measureAppends(benchmark, callers: manyCallers, appendsEach: 1) { caller in
            _ = try await store.create(newTask(caller), in: nextList(), actor: "agent-\(caller % 16)")
        }
    } setup: {
        try TaskStore.open(at: Fixtures.scratch("append-\(manyCallers)"), options: Fixtures.quietOptions)
    }

    // The relaxed mode: commits without fsync (a system crash may lose the last commits; a
    // process crash loses nothing), for stores that can be rebuilt.
    Benchmark("Append/relaxed durability/1 caller", configuration: durable) { benchmark, store in
        blackHole(try store.create(newTask(benchmark.currentIteration), in: nextList(), actor: "agent-1").id)
    } setup: {
        var options = Fixtures.quietOptions
        options.durability = .recentCommitsAtRiskOnSystemCrash
        return try TaskStore.open(at: Fixtures.scratch("append-relaxed"), options: options)
    }

    // Tasklog and raw LMDB in turns, so that both see the same disk: its fsync latency drifts over
    // seconds on a shared machine, which can skew the ratio of two benchmarks run apart.
    Benchmark(
        "Append/durable/1 caller, paired with a raw LMDB put",
        configuration: .init(
            metrics: [.wallClock, tasklogAppendMicroseconds, rawCommitMicroseconds],
            units: [tasklogAppendMicroseconds: .count, rawCommitMicroseconds: .count],
            warmupIterations: 10,
            maxDuration: .seconds(5),
            maxIterations: 100_000
        ).smokeAware
    ) { benchmark, stores in
        let clock = ContinuousClock()
        let started = clock.now
        blackHole(try stores.0.create(newTask(benchmark.currentIteration), in: nextList(), actor: "agent-1").id)
        let appended = clock.now
        try stores.1.commit(puts: 1)
        let committed = clock.now
        benchmark.measurement(tasklogAppendMicroseconds, Int(seconds(appended - started) * 1e6))
        benchmark.measurement(rawCommitMicroseconds, Int(seconds(committed - appended) * 1e6))
    } setup: {
        (
            try TaskStore.open(at: Fixtures.scratch("append-paired"), options: Fixtures.quietOptions),
            try RawEnvironment(name: "raw-paired")
        )
    }

    // MARK: Raw LMDB baseline

    Benchmark("RawLMDB/put/durable/1 put per commit", configuration: durable) { benchmark, raw in
        try raw.commit(puts: 1)
    } setup: {
        try RawEnvironment(name: "raw-1")
    }

    Benchmark(
        "RawLMDB/put/durable/\(callers) puts per commit",
        configuration: .init(
            metrics: [.wallClock, .throughput, putsPerSecond],
            warmupIterations: 10,
            maxDuration: .seconds(5),
            maxIterations: 100_000
        ).smokeAware
    ) { benchmark, raw in
        let clock = ContinuousClock()
        let started = clock.now
        try raw.commit(puts: callers)
        let elapsed = clock.now - started
        benchmark.measurement(putsPerSecond, Int(Double(callers) / seconds(elapsed)))
    } setup: {
        try RawEnvironment(name: "raw-\(callers)")
    }
}
