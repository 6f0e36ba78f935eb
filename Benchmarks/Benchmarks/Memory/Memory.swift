import Benchmark
import BenchmarkHarness
import BenchmarkSupport
import Foundation
import LMDB
import Tasklog
import TasklogCore

// Memory: what a full replay costs in resident memory and allocations, and what an open store
// keeps resident for each live task (its folded state).
//
// Every benchmark runs one iteration, without warm-up, in a process of its own (as the driver
// runs them): the figures are those of a fresh process, which later iterations would blur (the
// allocator keeps freed pages). The fixtures are Recovery's (EventMix, 10k / 100k / 1M events).
// The driver runs the benchmarks in the order of their names: `Memory/fixture/N` builds the store
// first, in a process of its own, so that `openStore` and `replay` find it built (a process that
// built one holds the memory it freed, which would hide the growth measured). Run it too when you
// filter (`--filter 'Memory/(fixture|replay)/1M'`).
//
// - `.peakMemoryResident` is the process's resident set (sampled every 10 ms by the harness): it
//   counts the LMDB pages the process touched (file-backed, mapped read-only) as well as its heap.
// - `resident bytes per live task`: the growth of `RssAnon` (/proc/self/status: the resident
//   memory that is not a mapped file, so not LMDB's pages) across the fold, divided by the live
//   tasks of the state it leaves: the state's own size per task, as the process holds it.

let residentBytesPerLiveTask = BenchmarkMetric.custom(
    "resident bytes per live task",
    polarity: .prefersSmaller,
    useScalingFactor: false
)
let liveTasks = BenchmarkMetric.custom("live tasks", polarity: .prefersSmaller, useScalingFactor: false)

/// `RssAnon` of /proc/self/status in bytes (0 where there is no /proc).
func anonymousResident() -> Int {
    guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
    for line in status.split(separator: "\n") where line.hasPrefix("RssAnon:") {
        return (Int(line.split(separator: " ").dropFirst().first ?? "") ?? 0) * 1024
    }
    return 0
}

/// Records the per-task figures of a state that `fold` builds (and returns, alive).
func measureState(_ benchmark: Benchmark, _ fold: () throws -> TasklogState) rethrows -> TasklogState {
    let anonymous = anonymousResident()
    let state = try fold()
    let anonymousGrowth = anonymousResident() - anonymous
    benchmark.stopMeasurement()
    let tasks = max(state.taskCount, 1)
    benchmark.measurement(liveTasks, state.taskCount)
    benchmark.measurement(residentBytesPerLiveTask, anonymousGrowth / tasks)
    return state
}

let benchmarks: @Sendable () -> Void = {
    Benchmark.defaultConfiguration.timeUnits = .milliseconds
    let units: [BenchmarkMetric: BenchmarkUnits] = [residentBytesPerLiveTask: .count, liveTasks: .count]
    let once = Benchmark.Configuration(
        metrics: [
            .wallClock, .peakMemoryResident, .peakMemoryResidentDelta, .mallocCountTotal, residentBytesPerLiveTask,
            liveTasks,
        ],
        units: units,
        warmupIterations: 0,
        maxDuration: .seconds(120),
        maxIterations: 1
    ).smokeAware

    for count in Fixtures.sizes {
        let label = Fixtures.label(count)

        // Builds the fixture (unless this run already has it), so that the others do not.
        Benchmark(
            "Memory/fixture/\(label)",
            configuration: .init(
                metrics: [.wallClock],
                warmupIterations: 0,
                maxDuration: .seconds(300),
                maxIterations: 1
            )
        ) { _ in
            blackHole(try Fixtures.store(events: count, snapshots: true))
        }

        // A full replay (decode + fold of every event) in a process whose store holds no state:
        // opened with `loadStateAtOpen = false`, so the fold's state is the only one.
        Benchmark("Memory/replay/\(label)", configuration: once) { (benchmark: Benchmark, store: TaskStore) throws in
            let state = try measureState(benchmark) { try store.fullReplay() }
            guard state.lastSeq == UInt64(count) else { throw FixtureError("replayed \(state.lastSeq) events") }
            withExtendedLifetime(state) {}
        } setup: {
            var options = Fixtures.quietOptions
            options.loadStateAtOpen = false
            return try TaskStore.open(at: Fixtures.store(events: count, snapshots: true), options: options)
        }

        // An open store (the newest snapshot, at the last event): what an application that keeps a
        // store open holds in memory. The state is read once after the open, inside the measure.
        Benchmark("Memory/openStore/\(label)", configuration: once) { (benchmark: Benchmark, path: String) throws in
            var store: TaskStore?
            let state = try measureState(benchmark) {
                store = try TaskStore.open(at: path, options: Fixtures.quietOptions)
                return try store!.state()
            }
            guard state.lastSeq == UInt64(count) else { throw FixtureError("opened at \(state.lastSeq)") }
            weak let environment = try Environment.open(path: path)
            store = nil
            try Fixtures.waitUntilClosed { environment }
        } setup: {
            try Fixtures.store(events: count, snapshots: true)
        }
    }
}
