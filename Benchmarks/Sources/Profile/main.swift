import BenchmarkSupport
import Foundation
import LMDB
import Tasklog
import TasklogCore

// A small release executable to profile Tasklog outside the benchmark harness (callgrind, perf):
//
//     swift build -c release --product Profile
//     TASKLOG_BENCH_DIR=/tmp/tasklog-profile valgrind --tool=callgrind .build/release/Profile 10000 3 replay
//
// Arguments: events (for replay and open: the fixture's size; for append: commands), rounds, mode:
// - replay: open the fixture without snapshots, then `fullReplay()` `rounds` times;
// - scan: the raw LMDB cursor scan of the fixture's `events`, `rounds` times;
// - open / open-snapshot: cold-open the fixture without / with snapshots `rounds` times;
// - processesN: `events` creates by N writer processes on one store (this executable again, as
//   each child), one durable create per call;
// - append / appendN: `events` creates into a new store, by 1 caller or N concurrent callers
//   (async API), with full durability (set TASKLOG_PROFILE_NOSYNC to leave out the fsyncs; set
//   TASKLOG_PROFILE_BATCH=100 to make each call a batch of 100 creates in one transaction).
// valgrind cannot read the DWARF of these binaries: profile a copy made with `objcopy --strip-debug`.

let arguments = Array(CommandLine.arguments.dropFirst())
let count = arguments.first.flatMap { Int($0) } ?? 100_000
let rounds = arguments.count > 1 ? Int(arguments[1]) ?? 3 : 3
let mode = arguments.count > 2 ? arguments[2] : "replay"
let clock = ContinuousClock()

switch mode {
case "open", "open-snapshot":
    let path = try Fixtures.store(events: count, snapshots: mode == "open-snapshot")
    for _ in 0..<rounds {
        let started = clock.now
        var store: TaskStore? = try TaskStore.open(at: path, options: Fixtures.quietOptions)
        let elapsed = clock.now - started
        // The first answer from the biggest list, which loads that list (its snapshot body and
        // tail), unless TASKLOG_PROFILE_OPEN_ONLY is set.
        if ProcessInfo.processInfo.environment["TASKLOG_PROFILE_OPEN_ONLY"] == nil {
            _ = try store!.get(1, in: "default")
        }
        let answered = clock.now - started
        print("open: \(elapsed), first get in the biggest list after \(answered), recovery \(store!.recovery!)")
        weak let environment = try Environment.open(path: path)
        store = nil
        try Fixtures.waitUntilClosed { environment }
    }
case _ where mode.hasPrefix("append"):
    var options = Fixtures.quietOptions
    if ProcessInfo.processInfo.environment["TASKLOG_PROFILE_NOSYNC"] != nil {
        options.durability = .recentCommitsAtRiskOnSystemCrash
    }
    let store = try TaskStore.open(at: Fixtures.scratch("profile-\(mode)"), options: options)
    let callers = Int(mode.dropFirst("append".count)) ?? 1
    // `batch`: each call is a batch of 100 creates, committed in one transaction.
    let batch = ProcessInfo.processInfo.environment["TASKLOG_PROFILE_BATCH"].flatMap { Int($0) } ?? 1
    for _ in 0..<rounds {
        let started = clock.now
        try await withThrowingTaskGroup(of: Void.self) { group in
            for caller in 1...callers {
                group.addTask {
                    if batch > 1 {
                        for call in 0..<count / callers / batch {
                            let commands = (0..<batch).map { n in
                                TaskCommand.create(
                                    NewTask(
                                        subject: "Task \(call * batch + n) of agent-\(caller)",
                                        description: "Profiled append."
                                    )
                                )
                            }
                            _ = try await store.executeInOneTransaction(
                                commands,
                                in: "list-\(caller % 16)",
                                actor: "agent-\(caller)"
                            )
                        }
                    } else {
                        for n in 0..<count / callers {
                            _ = try await store.create(
                                NewTask(subject: "Task \(n) of agent-\(caller)", description: "Profiled append."),
                                in: "list-\(caller % 16)",
                                actor: "agent-\(caller)"
                            )
                        }
                    }
                }
            }
            try await group.waitForAll()
        }
        let elapsed = clock.now - started
        print("\(count) appends by \(callers) callers: \(elapsed), \(Int(Double(count) / seconds(elapsed))) appends/s")
    }
case _ where mode.hasPrefix("processes"):
    // N writer processes on one store, each `count / N` durable creates (one per call, sync API):
    // each process's own writer, and LMDB's lock between them. This executable, run again as each
    // child (mode `child`), so that nothing but the appends is timed.
    let processes = Int(mode.dropFirst("processes".count)) ?? 2
    for round in 0..<rounds {
        let path = Fixtures.scratch("profile-processes-\(round)")
        let started = clock.now
        let children = try (0..<processes).map { index in
            let child = Process()
            child.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
            child.arguments = [String(count / processes), "1", "child", path, "agent-\(index)"]
            try child.run()
            return child
        }
        for child in children {
            child.waitUntilExit()
            guard child.terminationStatus == 0 else { throw FixtureError("a writer process failed") }
        }
        let elapsed = clock.now - started
        let written = try TaskStore.open(at: path, options: Fixtures.quietOptions).lastSeq()
        guard written == UInt64(count / processes * processes) else { throw FixtureError("\(written) events written") }
        print(
            "\(written) appends by \(processes) processes: \(elapsed), \(Int(Double(written) / seconds(elapsed))) appends/s"
        )
    }
case "child":
    let (path, actor) = (arguments[3], arguments[4])
    let store = try TaskStore.open(at: path, options: Fixtures.quietOptions)
    for n in 0..<count {
        _ = try store.create(
            NewTask(subject: "Task \(n) of \(actor)", description: "Profiled append."),
            in: "list-\(actor)",
            actor: actor
        )
    }
case "paired":
    // One durable Tasklog append, then one durable raw LMDB put commit (the same value size) on
    // the same disk, in turns: `count` pairs; medians of each and their ratio.
    let store = try TaskStore.open(at: Fixtures.scratch("profile-paired"), options: Fixtures.quietOptions)
    var rawOptions = Environment.Options()
    rawOptions.databases = ["events"]
    let raw = try Environment.open(path: Fixtures.scratch("profile-paired-raw"), options: rawOptions)
    let database = raw.database("events")
    let value = [UInt8](repeating: 0x5A, count: 180)
    var key: UInt64 = 0
    for _ in 0..<rounds {
        var appends: [Double] = []
        var puts: [Double] = []
        for n in 0..<count {
            let started = clock.now
            _ = try store.create(
                NewTask(subject: "Task \(n)", description: "Profiled append."),
                in: "list-\(n / 1000)",
                actor: "agent-1"
            )
            let appended = clock.now
            key += 1
            try value.withUnsafeBytes { bytes in
                try raw.write { txn in try txn.append(in: database, key: key, value: bytes) }
            }
            let committed = clock.now
            appends.append(seconds(appended - started))
            puts.append(seconds(committed - appended))
        }
        appends.sort()
        puts.sort()
        let append = appends[appends.count / 2]
        let put = puts[puts.count / 2]
        print(
            String(
                format: "paired: Tasklog append %.0f µs, raw put commit %.0f µs, ratio (rate) %.2f",
                append * 1e6,
                put * 1e6,
                put / append
            )
        )
    }
case "scan":
    let path = try Fixtures.store(events: count, snapshots: false)
    var options = Environment.Options()
    options.databases = ["events", "snapshots", "meta", "idempotency"]
    let environment = try Environment.open(path: path, options: options)
    let events = environment.database("events")
    for _ in 0..<rounds {
        let started = clock.now
        var entries = 0
        var touched: UInt64 = 0
        try environment.read { txn in
            try txn.forEach(in: events) { _, value in
                touched &+= UInt64(value.unsafeLoad(fromByteOffset: 0, as: UInt8.self))
                touched &+= UInt64(value.unsafeLoad(fromByteOffset: value.byteCount - 1, as: UInt8.self))
                entries += 1
                return true
            }
        }
        let elapsed = clock.now - started
        print(
            "scan of \(entries) entries (\(touched)): \(elapsed), \(Int(Double(entries) / seconds(elapsed))) entries/s"
        )
    }
default:
    let path = try Fixtures.store(events: count, snapshots: false)
    let store = try TaskStore.open(at: path, options: Fixtures.quietOptions)
    for _ in 0..<rounds {
        let started = clock.now
        let state = try store.fullReplay()
        let elapsed = clock.now - started
        print("replay of \(state.lastSeq) events: \(elapsed), \(Int(Double(count) / seconds(elapsed))) events/s")
    }
}
