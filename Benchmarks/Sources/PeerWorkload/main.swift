import BenchmarkSupport
import Foundation
import LMDB
import Tasklog
import TasklogCore

// The Tasklog side of `tools/bench-peers`: the peer workload (one JSON-lines file of task
// commands, which the Python peers read too) run against real stores in a folder, medians printed
// as one JSON document. Every command of the workload is one event in Tasklog.
//
//     PeerWorkload --workload W.jsonl --dir DIR --sizes 10000,100000,1000000 --main-size 100000 \
//         [--appends 1000] [--batch 100] [--reps 5] [--picks 1000] [--list list-0] [--out results.json]
//         [--only appends|stores]
//
// Rows (see BENCHMARKS.md, "Peers"):
// - append: the first `appends` commands, one durable `execute` per command, into a new store
//   (full durability); and the same commands in batches of `batch` commands of one list, one
//   `executeInOneTransaction` (one commit) per batch.
// - for each size N: a store holding the first N commands (built in memory with the Decider and
//   the Reducer, then `importEvents` + `snapshot()`); `fullReplay()` (decode + fold of the whole
//   log) and a cold open (new environment, the newest snapshot: at the last event): alone, then
//   with every list loaded (`state()`), then with one list's tasks (`tasks(in:)`).
// - at the main size: the rebuild of one task from its events (`get(_:in:at:)` at the last seq:
//   the task's index, every event of it decoded and folded), `get` of one task (from the folded
//   state), and the listing of one list.

struct Arguments {
    var workload = ""
    var directory = NSTemporaryDirectory() + "tasklog-peers"
    var sizes = [10_000, 100_000, 1_000_000]
    var mainSize = 100_000
    var appends = 1_000
    var batch = 100
    var reps = 5
    var picks = 1_000
    var list = "list-0"
    var out: String?
    /// `appends` or `stores`: only those rows (tools/bench-peers runs the appends in turns with the
    /// peers', so that all of them see the same disk).
    var only: String?

    init() throws {
        var rest = CommandLine.arguments.dropFirst()[...]
        func value(_ name: String) throws -> String {
            guard let value = rest.popFirst() else { throw FixtureError("\(name) needs a value") }
            return value
        }
        func int(_ name: String) throws -> Int {
            guard let number = Int(try value(name)) else { throw FixtureError("\(name) needs a number") }
            return number
        }
        while let flag = rest.popFirst() {
            switch flag {
            case "--workload": workload = try value(flag)
            case "--dir": directory = try value(flag)
            case "--sizes": sizes = try value(flag).split(separator: ",").compactMap { Int($0) }
            case "--main-size": mainSize = try int(flag)
            case "--appends": appends = try int(flag)
            case "--batch": batch = try int(flag)
            case "--reps": reps = try int(flag)
            case "--picks": picks = try int(flag)
            case "--list": list = try value(flag)
            case "--out": out = try value(flag)
            case "--only": only = try value(flag)
            default: throw FixtureError("unknown argument \(flag)")
            }
        }
        guard !workload.isEmpty else { throw FixtureError("--workload FILE is required") }
    }
}

/// One line of the workload: a command on a task list, by an actor.
struct WorkloadCommand {
    var list: String
    var actor: String
    var command: TaskCommand
    /// The id the workload gives a created task (Tasklog must give it the same).
    var createdID: Int?

    init(_ line: JSONValue) throws {
        guard let list = line["list"]?.stringValue, let actor = line["actor"]?.stringValue,
            let op = line["op"]?.stringValue, let id = line["id"]?.intValue.map(Int.init)
        else { throw FixtureError("a workload line lacks list, actor, op or id: \(line)") }
        self.list = list
        self.actor = actor
        switch op {
        case "create":
            command = .create(
                NewTask(
                    subject: line["subject"]?.stringValue ?? "",
                    description: line["description"]?.stringValue ?? "",
                    activeForm: line["activeForm"]?.stringValue,
                    metadata: line["metadata"]?.objectValue ?? [:]
                )
            )
            createdID = id
        case "update":
            let changes = line["changes"]
            command = .update(
                id: id,
                TaskChanges(
                    status: changes?["status"]?.stringValue.flatMap { TaskStatus(name: $0) },
                    owner: changes?["owner"]?.stringValue,
                    addBlockedBy: changes?["addBlockedBy"]?.arrayValue?.compactMap { $0.intValue.map(Int.init) } ?? [],
                    metadata: changes?["metadata"]?.objectValue
                )
            )
        default:
            throw FixtureError("unknown op \(op)")
        }
    }
}

let arguments = try Arguments()
let clock = ContinuousClock()
let log: (String) -> Void = { FileHandle.standardError.write(Data("PeerWorkload: \($0)\n".utf8)) }

// MARK: The workload

let runAppends = arguments.only != "stores"
let runStores = arguments.only != "appends"
let needed = runStores ? max(arguments.sizes.max() ?? 0, arguments.mainSize, arguments.appends) : arguments.appends
var commands: [WorkloadCommand] = []
do {
    let text = try String(contentsOfFile: arguments.workload, encoding: .utf8)
    for line in text.split(separator: "\n", omittingEmptySubsequences: true) {
        if commands.count == needed { break }
        commands.append(try WorkloadCommand(try JSONValue(parsing: String(line))))
    }
}
guard commands.count >= needed else {
    throw FixtureError("the workload has \(commands.count) commands, \(needed) needed")
}
log("\(commands.count) commands read from \(arguments.workload)")

try? FileManager.default.removeItem(atPath: arguments.directory)
try FileManager.default.createDirectory(atPath: arguments.directory, withIntermediateDirectories: true)

func median(_ samples: [Double]) -> Double {
    let sorted = samples.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

func result(_ samples: [Double], _ extra: [String: Any] = [:]) -> [String: Any] {
    extra.merging(["seconds": median(samples), "samples": samples]) { a, _ in a }
}

var quiet = TaskStore.Options()
quiet.log = { _ in }

/// Keeps `value` from being optimised away.
@inline(never) func blackHole<T>(_ value: T) { withExtendedLifetime(value) {} }

/// Drops `store` and waits until its environment is gone, so that the next open is a cold one.
func close(_ store: inout TaskStore?, at path: String) throws {
    weak let environment = try Environment.open(path: path)
    store = nil
    try Fixtures.waitUntilClosed { environment }
}

func check(_ outcome: CommandOutcome, _ command: WorkloadCommand) throws {
    if let id = command.createdID, outcome.task?.id != id {
        throw FixtureError("created task \(String(describing: outcome.task?.id)), the workload says \(id)")
    }
}

// MARK: Durable appends, one command per call, then in batches

var output: [String: Any] = [
    "durability": "LMDB, default (full): fsync of the data and the meta page at every commit",
    "commands": commands.count,
]
var rows: [String: Any] = [:]
if runAppends {
    let appends = Array(commands.prefix(arguments.appends))
    var single: [Double] = []
    var batched: [Double] = []
    for rep in 0..<arguments.reps {
        let path = arguments.directory + "/append-\(rep)"
        var store: TaskStore? = try TaskStore.open(at: path, options: quiet)
        let started = clock.now
        for command in appends {
            try check(try store!.execute(command.command, in: command.list, actor: command.actor), command)
        }
        single.append(seconds(clock.now - started) / Double(appends.count))
        try close(&store, at: path)
        try FileManager.default.removeItem(atPath: path)

        // The same commands, grouped by list (their order within a list kept), `batch` a commit.
        let batchPath = arguments.directory + "/batch-\(rep)"
        var batchStore: TaskStore? = try TaskStore.open(at: batchPath, options: quiet)
        let batches = peerBatches(appends, size: arguments.batch)
        let batchStarted = clock.now
        for batch in batches {
            let results = try await batchStore!.executeInOneTransaction(
                batch.map { ($0.command, $0.actor) },
                in: batch[0].list
            )
            for (outcome, command) in zip(results, batch) { try check(try outcome.get(), command) }
        }
        batched.append(seconds(clock.now - batchStarted) / Double(appends.count))
        try close(&batchStore, at: batchPath)
        try FileManager.default.removeItem(atPath: batchPath)
    }
    rows["append"] = result(single, ["commands": appends.count, "unit": "per command"])
    rows["append_batch"] = result(
        batched,
        ["commands": appends.count, "batch": arguments.batch, "unit": "per command"]
    )
    log("append: \(median(single) * 1e6) µs a command; in batches of \(arguments.batch): \(median(batched) * 1e6) µs")
}

/// The batches of the batch row: the commands grouped by list in order of first appearance, each
/// list's commands in their order, cut into runs of `size` (the Python peers cut the same).
func peerBatches(_ commands: [WorkloadCommand], size: Int) -> [[WorkloadCommand]] {
    var order: [String] = []
    var byList: [String: [WorkloadCommand]] = [:]
    for command in commands {
        if byList[command.list] == nil { order.append(command.list) }
        byList[command.list, default: []].append(command)
    }
    return order.flatMap { list in
        stride(from: 0, to: byList[list]!.count, by: size).map {
            Array(byList[list]![$0..<min($0 + size, byList[list]!.count)])
        }
    }
}

// MARK: Stores of N events

/// A store holding the first `count` commands: folded in memory by the Decider and the Reducer
/// (the events the engine would append), imported in one transaction (a snapshot every 10,000
/// events, as the default), then a snapshot at the last event.
@MainActor func buildStore(_ count: Int) throws -> (path: String, state: TasklogState) {
    let path = arguments.directory + "/store-\(count)"
    var state = TasklogState()
    var events: [Event] = []
    events.reserveCapacity(count)
    var now: Int64 = 1_767_225_600_000_000
    for command in commands.prefix(count) {
        now += 250_000
        let payloads = try Decider.decide(
            command.command,
            in: state.list(command.list),
            actor: command.actor,
            now: Timestamp(rawValue: now)
        )
        for payload in payloads {
            let event = Event(
                seq: UInt64(events.count + 1),
                timestamp: Timestamp(rawValue: now),
                list: command.list,
                actor: command.actor,
                payload: payload
            )
            Reducer.apply(event, to: &state)
            events.append(event)
        }
    }
    guard events.count == count else { throw FixtureError("\(count) commands made \(events.count) events") }
    var options = quiet
    options.durability = .recentCommitsAtRiskOnSystemCrash
    options.initialMapSize = 4 << 30
    var store: TaskStore? = try TaskStore.open(at: path, options: options)
    try store!.importEvents(events)
    try store!.snapshot()
    guard try store!.state() == state else {
        throw FixtureError("the store of \(count) does not fold to the generated state")
    }
    try Environment.open(path: path).sync()
    try close(&store, at: path)
    return (path, state)
}

@MainActor func repetitions(_ count: Int) -> Int {
    count >= 1_000_000 ? min(arguments.reps, 3) : count >= 100_000 ? arguments.reps : max(arguments.reps, 10)
}

var sizes: [String: Any] = [:]
for count in runStores ? Set(arguments.sizes + [arguments.mainSize]).sorted() : [] {
    let built = clock.now
    let (path, state) = try buildStore(count)
    let bytes =
        (try? FileManager.default.attributesOfItem(atPath: path + "/data.mdb")[.size] as? NSNumber)?.intValue ?? 0
    log("store of \(count) events (\(state.taskCount) live tasks, \(bytes >> 20) MiB) built in \(clock.now - built)")

    var replays: [Double] = []
    var opens: [Double] = []
    var recoveries: [Double] = []
    do {
        let store = try TaskStore.open(at: path, options: quiet)
        for _ in 0..<repetitions(count) {
            let started = clock.now
            let replayed = try store.fullReplay()
            replays.append(seconds(clock.now - started))
            guard replayed.lastSeq == UInt64(count) else { throw FixtureError("replayed \(replayed.lastSeq) events") }
        }
    }
    // Cold opens: the open alone (which may load lists lazily), the open and every list loaded
    // (`state()`: the whole state, as the peers' scans give it), the open and one list's tasks.
    var opensAll: [Double] = []
    var opensList: [Double] = []
    for _ in 0..<repetitions(count) {
        var started = clock.now
        var store: TaskStore? = try TaskStore.open(at: path, options: quiet)
        opens.append(seconds(clock.now - started))
        recoveries.append(store?.recovery?.seconds ?? .nan)
        try close(&store, at: path)

        started = clock.now
        store = try TaskStore.open(at: path, options: quiet)
        guard try store!.state().taskCount == state.taskCount else { throw FixtureError("the open store lacks tasks") }
        opensAll.append(seconds(clock.now - started))
        try close(&store, at: path)

        started = clock.now
        store = try TaskStore.open(at: path, options: quiet)
        blackHole(try store!.tasks(in: arguments.list).count)
        opensList.append(seconds(clock.now - started))
        try close(&store, at: path)
    }
    var entry: [String: Any] = [
        "events": count, "live_tasks": state.taskCount, "bytes": bytes,
        "replay": result(replays), "cold_open": result(opens), "recovery": result(recoveries),
        "cold_open_all": result(opensAll), "cold_open_list": result(opensList, ["list": arguments.list]),
    ]
    log("\(count): replay \(median(replays)) s, cold open \(median(opens)) s, with every list \(median(opensAll)) s")

    if count == arguments.mainSize {
        // The same picks as the peers: the tasks in order of creation, every 7919th (mod their count).
        let created = commands.prefix(count).compactMap { command in command.createdID.map { (command.list, $0) } }
        let picks = (0..<arguments.picks).map { created[($0 * 7919) % created.count] }
        let store = try TaskStore.open(at: path, options: quiet)
        // A rebuild from events: the task as of the last seq, folded from its own events (its
        // index, every event decoded), not read from the folded state.
        let last = try store.lastSeq()
        var rebuilds: [Double] = []
        var events = 0
        for (list, id) in picks {
            let started = clock.now
            guard try store.get(id, in: list, at: .seq(last)) != nil else {
                throw FixtureError("no task \(list)#\(id)")
            }
            rebuilds.append(seconds(clock.now - started))
            events += try store.history(HistoryQuery(list: list, taskID: id, limit: 1_000)).entries.count
        }
        var gets: [Double] = []
        for (list, id) in picks {
            let started = clock.now
            guard try store.get(id, in: list) != nil else { throw FixtureError("no task \(list)#\(id)") }
            gets.append(seconds(clock.now - started))
        }
        var listings: [Double] = []
        var listed = 0
        for _ in 0..<max(arguments.reps * 10, 20) {
            let started = clock.now
            listed = try store.tasks(in: arguments.list).count
            listings.append(seconds(clock.now - started))
        }
        rows["rebuild"] = result(
            rebuilds,
            ["picks": picks.count, "events_per_task": Double(events) / Double(picks.count), "events": count]
        )
        rows["get"] = result(gets, ["picks": picks.count, "events": count])
        rows["list"] = result(listings, ["tasks": listed, "list": arguments.list, "events": count])
        entry["main"] = true
        log(
            "rebuild \(median(rebuilds) * 1e6) µs, get \(median(gets) * 1e6) µs, list of \(listed): \(median(listings) * 1e3) ms"
        )
    }
    sizes[String(count)] = entry
    try FileManager.default.removeItem(atPath: path)
}
output["rows"] = rows
output["sizes"] = sizes

let json = try JSONSerialization.data(withJSONObject: output, options: [.prettyPrinted, .sortedKeys])
if let out = arguments.out {
    try json.write(to: URL(fileURLWithPath: out))
} else {
    FileHandle.standardOutput.write(json)
    print()
}
