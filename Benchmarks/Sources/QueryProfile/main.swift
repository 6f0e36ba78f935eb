import BenchmarkSupport
import Foundation
import LMDB
import Tasklog
import TasklogCore

// Query costs on a store of N events (default 1M, the realistic mix): the whole state, one list
// and one task as of a random point,
// history of one task, time → seq, ready work and a list. Medians and p99 over many random picks,
// measured in one run; printed as a table for BENCHMARKS.md.
//
//     swift run -c release QueryProfile [events]

let count = CommandLine.arguments.dropFirst().first.flatMap(Int.init) ?? 1_000_000
let path = try Fixtures.store(events: count, snapshots: true)
let store = try TaskStore.open(at: path, options: Fixtures.quietOptions)
let state = try store.state()
let last = state.lastSeq
var random = SystemRandomNumberGenerator()

func measure(_ name: String, runs: Int, _ body: () throws -> Void) rethrows -> (String, Double, Double) {
    var samples: [Double] = []
    let clock = ContinuousClock()
    for _ in 0..<runs {
        let started = clock.now
        try body()
        samples.append(seconds(clock.now - started))
    }
    samples.sort()
    let median = samples[samples.count / 2]
    let p99 = samples[min(samples.count - 1, Int(Double(samples.count) * 0.99))]
    return (name, median, p99)
}

let lists = state.lists.keys.sorted()
let events = try store.stats()
var rows: [(String, Double, Double)] = []
rows.append(
    try measure("state as of a random seq", runs: 60) {
        _ = try store.state(at: .seq(UInt64.random(in: 1...last, using: &random)))
    }
)
rows.append(
    try measure("one list as of a random seq (list --at)", runs: 200) {
        _ = try store.list(lists.randomElement(using: &random)!, at: .seq(UInt64.random(in: 1...last, using: &random)))
    }
)
rows.append(
    try measure("one task as of a random seq (get --at)", runs: 200) {
        let list = lists.randomElement(using: &random)!
        let id = Int.random(in: 1...state.lists[list]!.highWater, using: &random)
        _ = try store.get(id, in: list, at: .seq(UInt64.random(in: 1...last, using: &random)))
    }
)
let first = events.firstEventTime!.rawValue
let end = events.lastEventTime!.rawValue
rows.append(
    try measure("time → seq (binary search)", runs: 2000) {
        _ = try store.seq(at: .time(Timestamp(rawValue: Int64.random(in: first...end, using: &random))))
    }
)
rows.append(
    try measure("history of one task (all its events)", runs: 500) {
        let list = lists.randomElement(using: &random)!
        let high = state.lists[list]!.highWater
        _ = try store.history(HistoryQuery(list: list, taskID: Int.random(in: 1...high, using: &random), limit: 1000))
    }
)
rows.append(
    try measure("ready work of a list", runs: 50) {
        _ = try store.ready(in: lists.randomElement(using: &random)!)
    }
)
// The list whose size is nearest to 1,000 live tasks.
let thousand = lists.min { abs(state.lists[$0]!.tasks.count - 1_000) < abs(state.lists[$1]!.tasks.count - 1_000) }!
rows.append(
    try measure("list the \(state.lists[thousand]!.tasks.count) tasks of \(thousand)", runs: 500) {
        _ = try store.tasks(in: thousand)
    }
)
rows.append(
    try measure("get one task", runs: 5000) {
        let list = lists.randomElement(using: &random)!
        _ = try store.get(Int.random(in: 1...state.lists[list]!.highWater, using: &random), in: list)
    }
)

print("| query (\(count) events, \(state.taskCount) live tasks, \(lists.count) lists) | median | p99 |")
print("| --- | --- | --- |")
for (name, median, p99) in rows {
    func format(_ seconds: Double) -> String {
        seconds < 1e-3 ? String(format: "%.1f µs", seconds * 1e6) : String(format: "%.2f ms", seconds * 1e3)
    }
    print("| \(name) | \(format(median)) | \(format(p99)) |")
}
