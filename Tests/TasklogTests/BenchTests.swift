import Foundation
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog

/// `tasklog bench` and ``StoreBenchmark``: what they measure on a real store, on every backend.
@Suite("Benchmarks of the user's own store")
struct BenchTests {
    /// Two lists, a few hundred events, a snapshot on the way.
    static func fill(_ store: TaskStore) throws {
        for list in ["default", "build"] {
            for number in 1...60 {
                let task = try store.create(NewTask(subject: "Task \(number)"), in: list)
                if number.isMultiple(of: 3) {
                    _ = try store.update(task.id, TaskChanges(subject: "Task \(number), renamed"), in: list)
                }
            }
        }
    }

    @Test(arguments: TestBackend.allCases)
    func everyMeasurementRunsItsRoundsOnTheStoreAsItIs(_ backend: TestBackend) throws {
        try TestFolder.with("bench") { folder in
            try Self.fill(try folder.open(backend, options: .testing(snapshotInterval: 50)))
            var options = StoreBenchmark.Options()
            options.rounds = 3
            options.points = 7
            var reports: [(Int, Int)] = []
            let report = try StoreBenchmark(options: options).run(
                opening: { try folder.open(backend, options: .testing(snapshotInterval: 50)) },
                progress: { reports.append(($0, $1)) }
            )
            #expect(report.events == 160)
            #expect(report.lists == 2)
            let runs = Dictionary(uniqueKeysWithValues: report.measurements.map { ($0.name, $0.samples.count) })
            #expect(
                runs == [
                    "open (the first in this process)": 1, "open": 3, "first read of a list": 6,
                    "raw scan of the log": 3, "full replay": 3, "verify": 3, "a list as of a random point": 7,
                ]
            )
            #expect(report.measurement("raw scan of the log")?.events == 160)
            #expect(report.measurement("full replay")?.eventsPerSecond ?? 0 > 0)
            #expect(report.replayShareOfScan ?? 0 > 0)
            #expect(report.measurements.allSatisfy { $0.median > .zero && $0.p99 >= $0.median })
            // The progress ends where it said it would, and never goes back.
            #expect(reports.last.map { $0.0 == $0.1 } == true)
            #expect(reports.map(\.0) == reports.map(\.0).sorted())
        }
    }

    @Test func medianAndP99AreTheUsualOnes() {
        let samples: [Duration] = (1...100).map { .milliseconds($0) }
        let measurement = StoreBenchmark.Measurement(name: "x", samples: samples.shuffled())
        #expect(measurement.median == .microseconds(50_500))
        #expect(measurement.p99 == .milliseconds(99))
        #expect(StoreBenchmark.Measurement(name: "one", samples: [.seconds(2)]).p99 == .seconds(2))
    }

    @Test func theCommandPrintsATableOrJSONAndWritesNothing() throws {
        try TestFolder.with("bench-cli") { folder in
            try Self.fill(try TaskStore.open(at: folder.storePath, options: .testing()))
            let before = try CLI.run(["export", "--store", folder.storePath], in: folder).stdout
            let json = try CLI.run(
                ["bench", "--rounds", "2", "--points", "3", "--json", "--store", folder.storePath],
                in: folder
            )
            #expect(json.status == 0, "\(json)")
            let object = try json.object()
            #expect(object["events"] as? Int == 160)
            let names = (object["measurements"] as? [[String: Any]])?.compactMap { $0["name"] as? String }
            #expect(names?.contains("full replay") == true)
            #expect((object["replayShareOfScan"] as? Double ?? 0) > 0)

            let text = try CLI.run(["bench", "--rounds", "1", "--store", folder.storePath], in: folder)
            #expect(text.status == 0, "\(text)")
            #expect(text.stdout.contains("MEASUREMENT"))
            #expect(text.stdout.contains("of the raw scan's speed"))
            #expect(try CLI.run(["export", "--store", folder.storePath], in: folder).stdout == before)

            let refused = try CLI.run(["bench", "--rounds", "0", "--store", folder.storePath], in: folder)
            #expect(refused.status == 64)
            let missing = try CLI.run(["bench", "--store", folder.file("nothing")], in: folder)
            #expect(missing.status == 66, "\(missing)")
        }
    }
}
