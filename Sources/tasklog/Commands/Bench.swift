import ArgumentParser
import Foundation
import Tasklog
import TasklogCore

struct Bench: ParsableCommand {
    static let configuration = CommandConfiguration(
        abstract: "Measure recovery and queries on this store: opens, first reads, replay, verify, time travel.",
        discussion: """
            Read-only and safe on a live store. Each measurement runs --rounds times (the opens and \
            first reads on a new store each time) and reports its median and p99, and the full replay \
            next to the raw scan of the same log in the same run.
            """
    )

    @OptionGroup var global: GlobalOptions

    @Option(help: "Runs of each measurement.")
    var rounds = 5

    @Option(help: "Random points (a list and a seq) at which a list's past state is read.")
    var points = 20

    func validate() throws {
        guard rounds >= 1 else { throw ValidationError("--rounds must be at least 1") }
        guard points >= 0 else { throw ValidationError("--points must be 0 or more") }
    }

    func run() throws {
        try tasklog.run {
            var options = StoreBenchmark.Options()
            options.rounds = rounds
            options.points = points
            let progress = Progress.bar("bench", json: global.json)
            let report = try StoreBenchmark(options: options).run(
                opening: { try global.open(create: false) },
                progress: progress.map { bar in { done, total in bar.update(done, of: total) } }
            )
            progress?.finish()
            if global.json {
                Output.json(json(report))
            } else {
                print(report)
            }
        }
    }

    private func json(_ report: StoreBenchmark.Report) -> JSONValue {
        func milliseconds(_ duration: Duration) -> JSONValue { .double(duration.seconds * 1000) }
        return [
            "store": .string(TaskStore.displayed(global.storePath)),
            "events": .int(Int64(report.events)),
            "lists": .int(Int64(report.lists)),
            "rounds": .int(Int64(rounds)),
            "replayShareOfScan": report.replayShareOfScan.map(JSONValue.double) ?? .null,
            "measurements": .array(
                report.measurements.map { measurement in
                    [
                        "name": .string(measurement.name),
                        "runs": .int(Int64(measurement.samples.count)),
                        "medianMs": milliseconds(measurement.median),
                        "p99Ms": milliseconds(measurement.p99),
                        "eventsPerSecond": measurement.eventsPerSecond.map(JSONValue.double) ?? .null,
                    ]
                }
            ),
        ]
    }

    private func print(_ report: StoreBenchmark.Report) {
        Output.line(
            "\(TaskStore.displayed(global.storePath)): \(report.events) events in \(report.lists) \(report.lists == 1 ? "list" : "lists"), \(rounds) rounds"
        )
        let rows = report.measurements.map { measurement in
            [
                measurement.name, String(measurement.samples.count), Self.format(measurement.median),
                Self.format(measurement.p99),
                measurement.eventsPerSecond.map { Self.rate($0) } ?? "",
            ]
        }
        let header = ["MEASUREMENT", "RUNS", "MEDIAN", "P99", "EVENTS/S"]
        var widths = header.map(\.count)
        for row in rows { for (index, cell) in row.enumerated() { widths[index] = max(widths[index], cell.count) } }
        for row in [header] + rows {
            Output.line(
                row.enumerated().map { index, cell in
                    index == 0
                        ? cell.padding(toLength: widths[index], withPad: " ", startingAt: 0)
                        : String(repeating: " ", count: widths[index] - cell.count) + cell
                }.joined(separator: "  ").replacing(/\ +$/, with: "")
            )
        }
        if let share = report.replayShareOfScan, share > 0 {
            Output.line("The full replay runs at 1/\(Self.decimal(1 / share)) of the raw scan's speed.")
        }
    }

    static func format(_ duration: Duration) -> String {
        let milliseconds = duration.seconds * 1000
        if milliseconds >= 1000 { return "\(decimal(milliseconds / 1000)) s" }
        if milliseconds >= 1 { return "\(decimal(milliseconds)) ms" }
        return "\(decimal(milliseconds * 1000)) µs"
    }

    static func rate(_ perSecond: Double) -> String {
        perSecond >= 1e6
            ? "\(decimal(perSecond / 1e6))M" : perSecond >= 1e3 ? "\(decimal(perSecond / 1e3))k" : decimal(perSecond)
    }

    /// Three significant digits at most, without a trailing `.0`.
    static func decimal(_ value: Double) -> String {
        let digits = value >= 100 ? 0 : value >= 10 ? 1 : value >= 1 ? 2 : 3
        var text = String(format: "%.\(digits)f", value)
        if text.contains(".") {
            while text.hasSuffix("0") { text.removeLast() }
            if text.hasSuffix(".") { text.removeLast() }
        }
        return text
    }
}
