import Foundation
import LMDB
import Tasklog
import TasklogCore

#if canImport(Glibc)
import Glibc
#endif

/// Stores of a known number of events, built once and reused.
///
/// The benchmark driver runs every benchmark in a process of its own, all children of one
/// `BenchmarkTool` process. Fixtures live in a temporary folder named after that parent, so one run
/// of `swift package benchmark` builds each fixture once and every benchmark of the run reuses it,
/// while the next run builds them anew from the code it measures. Folders of earlier runs whose
/// driver is gone are removed. `TASKLOG_BENCH_DIR` names another folder (kept between runs).
public enum Fixtures {
    /// The event counts measured: only 10k in a smoke run (``smoke``).
    public static let sizes = smoke ? [10_000] : [10_000, 100_000, 1_000_000]

    /// A smoke run (`TASKLOG_BENCH_SMOKE=1`, as `tools/bench-smoke` and CI set): the smallest
    /// fixture only and a few short iterations, to check that every benchmark still runs.
    public static let smoke =
        ProcessInfo.processInfo.environment["TASKLOG_BENCH_SMOKE"].map { $0 != "" && $0 != "0" } ?? false

    /// `10k`, `100k`, `1M`.
    public static func label(_ count: Int) -> String {
        count >= 1_000_000 ? "\(count / 1_000_000)M" : "\(count / 1_000)k"
    }

    /// The folder of this run's fixtures.
    public static let root: String = {
        if let configured = ProcessInfo.processInfo.environment["TASKLOG_BENCH_DIR"], !configured.isEmpty {
            try? FileManager.default.createDirectory(atPath: configured, withIntermediateDirectories: true)
            return configured
        }
        let base = NSTemporaryDirectory()
        removeStaleRuns(in: base)
        let path = (base as NSString).appendingPathComponent("tasklog-bench-\(getppid())")
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }()

    private static func removeStaleRuns(in base: String) {
        guard let names = try? FileManager.default.contentsOfDirectory(atPath: base) else { return }
        for name in names where name.hasPrefix("tasklog-bench-") {
            guard let pid = Int32(name.dropFirst("tasklog-bench-".count)), pid != getppid() else { continue }
            if kill(pid, 0) != 0 && errno == ESRCH {
                try? FileManager.default.removeItem(atPath: (base as NSString).appendingPathComponent(name))
            }
        }
    }

    /// A new, empty folder under the run's folder (for append benchmarks and raw environments).
    public static func scratch(_ name: String) -> String {
        let path = (root as NSString).appendingPathComponent("scratch-\(name)-\(getpid())")
        try? FileManager.default.removeItem(atPath: path)
        try? FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        return path
    }

    /// The store directory holding the first `count` events of ``EventMix``, built if needed.
    ///
    /// With `snapshots`: the events imported through ``TaskStore/importEvents(_:)`` (one
    /// transaction) into a store with the default `snapshotInterval` (10,000), then `snapshot()`;
    /// it holds the snapshots Tasklog wrote itself (and kept), the newest at the last event.
    /// Without: a copy of that store's file whose
    /// `snapshots` table is emptied (raw LMDB), which is what a store written with
    /// `snapshotInterval = UInt64.max` holds: the same events, no snapshot, so that opening it
    /// replays the whole log. (Copying is much faster than a second import of 1M events.)
    public static func store(events count: Int, snapshots: Bool) throws -> String {
        let withSnapshot = (root as NSString).appendingPathComponent("snapshots-\(label(count))")
        let path = snapshots ? withSnapshot : (root as NSString).appendingPathComponent("no-snapshots-\(label(count))")
        let marker = (path as NSString).appendingPathComponent("complete")
        if FileManager.default.fileExists(atPath: marker) { return path }
        try? FileManager.default.removeItem(atPath: path)
        if !snapshots {
            let source = try store(events: count, snapshots: true)
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
            try FileManager.default.copyItem(atPath: source + "/data.mdb", toPath: path + "/data.mdb")
            var options = Environment.Options()
            options.databases = ["snapshots"]
            options.mapSize = 4 << 30
            do {
                let environment = try Environment.open(path: path, options: options)
                try environment.write { txn in try txn.removeAll(in: environment.database("snapshots")) }
            }
            try Data("\(count) events, no snapshot\n".utf8).write(to: URL(fileURLWithPath: marker))
            return path
        }

        let clock = ContinuousClock()
        let started = clock.now
        let (events, expected) = EventMix.events(count: count)
        let generated = clock.now
        var options = TaskStore.Options()
        options.snapshotInterval = 10_000
        // Built without fsyncs (the page cache holds it; it is synced before use), with a map
        // large enough that the one import transaction never meets MAP_FULL.
        options.durability = .recentCommitsAtRiskOnSystemCrash
        options.initialMapSize = 4 << 30
        var store: TaskStore? = try TaskStore.open(at: path, options: options)
        weak let environment = try Environment.open(path: path)
        try store!.importEvents(events)
        try store!.snapshot()
        let imported = clock.now
        let state = try store!.state()
        guard state == expected, state.lastSeq == UInt64(count) else {
            throw FixtureError("the store at \(path) does not fold to the generated state")
        }
        try environment?.sync()
        store = nil
        try waitUntilClosed { environment }
        try Data("\(count) events, snapshot at the last\n".utf8).write(to: URL(fileURLWithPath: marker))
        let bytes =
            (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? NSNumber)?.intValue ?? 0
        FileHandle.standardError.write(
            Data(
                "fixture \(path): \(count) events, \(expected.taskCount) live tasks, data.mdb \(bytes >> 20) MiB; generated in \(generated - started), imported (importEvents + snapshot) in \(imported - generated)\n"
                    .utf8
            )
        )
        return path
    }

    /// Waits until the environment `weakEnvironment` returns is gone (after the last reference to
    /// its ``TaskStore`` was dropped: the store's writer thread lets go of it a moment later), so
    /// that the next open of the directory is a real cold open with a new LMDB environment.
    public static func waitUntilClosed(_ weakEnvironment: () -> Environment?) throws {
        let deadline = ContinuousClock.now + .seconds(10)
        while weakEnvironment() != nil {
            guard ContinuousClock.now < deadline else { throw FixtureError("the store's environment did not close") }
            usleep(20)
        }
    }

    /// The environment a ``TaskStore`` opened at `path` uses (this process keeps one per directory).
    public static func environment(of path: String) throws -> Environment {
        try Environment.open(path: path)
    }

    /// Options for opening a store in a benchmark: the defaults, quiet.
    public static var quietOptions: TaskStore.Options {
        var options = TaskStore.Options()
        options.log = { _ in }
        return options
    }
}

public struct FixtureError: Error, CustomStringConvertible {
    public var description: String
    public init(_ description: String) { self.description = description }
}

/// Seconds between two instants of a `ContinuousClock`.
public func seconds(_ duration: Duration) -> Double {
    Double(duration.components.seconds) + Double(duration.components.attoseconds) / 1e18
}
