import Benchmark
import BenchmarkHarness
import BenchmarkSupport
import LMDB
import Tasklog
import TasklogCore

// Reading a store back: a full replay (decode + fold) of the log, a cold open with and without
// a snapshot, and, as the baseline, a raw LMDB cursor scan over the same `events` values.
//
// Fixtures (10k, 100k, 1M events of a realistic mix, see EventMix) are built once per run in a
// temporary folder and reused across iterations and benchmarks; see Fixtures.

let eventsPerSecond = BenchmarkMetric.custom("events/s", polarity: .prefersLarger, useScalingFactor: false)
let recoveryMicroseconds = BenchmarkMetric.custom("recovery (µs)", polarity: .prefersSmaller, useScalingFactor: false)

/// Fewer iterations for the big fixtures, so that the whole run stays within minutes: at 1M
/// events a replay or an open without snapshot takes seconds, so those run 3 times, unwarmed
/// (each opens a new environment or rereads the same pages anyway).
func configuration(events count: Int, metrics: [BenchmarkMetric], slow: Bool = false) -> Benchmark.Configuration {
    let units: [BenchmarkMetric: BenchmarkUnits] = [recoveryMicroseconds: .count, eventsPerSecond: .kilo]
    let configuration: Benchmark.Configuration =
        switch count {
        case ..<50_000:
            .init(metrics: metrics, units: units, warmupIterations: 3, maxDuration: .seconds(3), maxIterations: 1_000)
        case ..<500_000:
            .init(
                metrics: metrics,
                units: units,
                warmupIterations: 1,
                maxDuration: .seconds(5),
                maxIterations: slow ? 7 : 50
            )
        default:
            .init(
                metrics: metrics,
                units: units,
                warmupIterations: slow ? 0 : 1,
                maxDuration: .seconds(slow ? 60 : 10),
                maxIterations: slow ? 3 : 5
            )
        }
    return configuration.smokeAware
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.timeUnits = .microseconds

    for count in Fixtures.sizes {
        let label = Fixtures.label(count)

        // MARK: Replay: decode + fold of the whole log through the public API.

        Benchmark(
            "Replay/fullReplay/\(label)",
            configuration: configuration(events: count, metrics: [.wallClock, eventsPerSecond], slow: true)
        ) { benchmark, store in
            let clock = ContinuousClock()
            let started = clock.now
            let state = try store.fullReplay()
            let elapsed = clock.now - started
            benchmark.stopMeasurement()  // freeing the state is not part of a replay
            guard state.lastSeq == UInt64(count) else { throw FixtureError("replayed \(state.lastSeq) events") }
            benchmark.measurement(eventsPerSecond, Int(Double(count) / seconds(elapsed)))
            withExtendedLifetime(state) {}
        } setup: {
            // fullReplay() ignores snapshots; the store with one opens without a replay of its own.
            try TaskStore.open(at: Fixtures.store(events: count, snapshots: true), options: Fixtures.quietOptions)
        }

        if count == Fixtures.sizes[0] {
            // The allocations of a replay, counted apart so that counting does not weigh on the timed replays.
            Benchmark(
                "Replay/allocations/\(label)",
                configuration: .init(metrics: [.mallocCountTotal], warmupIterations: 1, maxIterations: 5).smokeAware
            ) { benchmark, store in
                let state = try store.fullReplay()
                benchmark.stopMeasurement()
                withExtendedLifetime(state) {}
            } setup: {
                try TaskStore.open(at: Fixtures.store(events: count, snapshots: true), options: Fixtures.quietOptions)
            }
        }

        // MARK: Cold open: a new LMDB environment, the newest snapshot's directory (if any), the
        // envelopes of the events after it. Lists load when first used: the second benchmark adds
        // the first read of the biggest list (`default`: 40% of the mix), its body and its events.

        for snapshots in [true, false] {
            for firstRead in [false, true] {
                let name =
                    "ColdOpen/\(snapshots ? "snapshot" : "noSnapshot")\(firstRead ? " + first read of the biggest list" : "")/\(label)"
                Benchmark(
                    name,
                    configuration: configuration(
                        events: count,
                        metrics: [.wallClock, recoveryMicroseconds],
                        slow: !snapshots || firstRead
                    )
                ) { benchmark, path in
                    var store: TaskStore? = try TaskStore.open(at: path, options: Fixtures.quietOptions)
                    if firstRead { _ = try store?.list("default") }
                    benchmark.stopMeasurement()
                    guard let recovery = store?.recovery else { throw FixtureError("no recovery info") }
                    guard recovery.snapshotSeq == (snapshots ? UInt64(count) : nil),
                        recovery.listsLoaded == (firstRead ? 1 : 0)
                    else {
                        throw FixtureError("unexpected recovery \(recovery)")
                    }
                    benchmark.measurement(recoveryMicroseconds, Int(recovery.seconds * 1e6))
                    // Close it for real before the next iteration opens it again.
                    weak let environment = try Environment.open(path: path)
                    store = nil
                    try Fixtures.waitUntilClosed { environment }
                } setup: {
                    try Fixtures.store(events: count, snapshots: snapshots)
                }
            }
        }

        // MARK: Raw LMDB baseline: a cursor scan over the same values, touching each in place.

        Benchmark(
            "RawLMDB/scan/\(label)",
            configuration: configuration(events: count, metrics: [.wallClock, eventsPerSecond])
        ) { (benchmark: Benchmark, environment: Environment) throws in
            let events = environment.database("events")
            let clock = ContinuousClock()
            let started = clock.now
            var entries = 0
            var touched: UInt64 = 0
            try environment.read { txn in
                try txn.forEach(in: events) { _, value in
                    // The first and the last byte of each value: its format byte and checksum.
                    touched &+= UInt64(value.unsafeLoad(fromByteOffset: 0, as: UInt8.self))
                    touched &+= UInt64(value.unsafeLoad(fromByteOffset: value.byteCount - 1, as: UInt8.self))
                    entries += 1
                    return true
                }
            }
            let elapsed = clock.now - started
            benchmark.stopMeasurement()
            guard entries == count else { throw FixtureError("scanned \(entries) entries") }
            blackHole(touched)
            benchmark.measurement(eventsPerSecond, Int(Double(count) / seconds(elapsed)))
        } setup: {
            // The fixture's TaskStore is gone by now (Fixtures.store waits for its environment).
            let path = try Fixtures.store(events: count, snapshots: false)
            var options = Environment.Options()
            options.databases = ["events", "snapshots", "meta", "idempotency"]
            return try Environment.open(path: path, options: options)
        }
    }
}
