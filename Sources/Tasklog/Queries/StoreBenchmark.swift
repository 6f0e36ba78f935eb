import TasklogCore

/// Recovery and query speed measured on a real store, the user's own: the figures people pick
/// Tasklog for (a cold open, the first read of a list, a full replay, `verify`, a list as of a
/// past point), each over repeated runs, next to the raw scan of the same log on the same
/// backend in the same run, so that a replay reads as a share of what the storage allows.
///
/// It only reads: it is safe on a live store (other processes may write meanwhile; the figures
/// are of the log as each run finds it).
public struct StoreBenchmark: Sendable {
    /// How much to measure.
    public struct Options: Sendable {
        /// Runs of each measurement (a new store each, for the opens and first reads).
        public var rounds = 5
        /// Random points (a list and a seq) at which a list's past state is read.
        public var points = 20
        /// The lists whose first read is measured, at most (in id order).
        public var maxLists = 50
        /// The seed of the random points, so that two runs ask the same questions.
        public var seed: UInt64 = 1

        public init() {}
    }

    /// One operation's runs.
    public struct Measurement: Sendable, Equatable {
        /// What was measured (`full replay`, say).
        public var name: String
        /// Each run's duration, in the order run.
        public var samples: [Duration]
        /// Events each run went through, for a rate (the scan and the replay).
        public var events: Int?

        /// The middle run (the mean of the two middle ones for an even count).
        public var median: Duration { Self.percentile(samples, 0.5) }
        /// The run that 99% of the runs are no slower than (nearest rank).
        public var p99: Duration { Self.percentile(samples, 0.99) }
        /// Events per second at the median, when the operation went through events.
        public var eventsPerSecond: Double? {
            events.map { Double($0) / max(median.seconds, 1e-9) }
        }

        static func percentile(_ samples: [Duration], _ fraction: Double) -> Duration {
            let sorted = samples.sorted()
            guard !sorted.isEmpty else { return .zero }
            if fraction == 0.5 && sorted.count.isMultiple(of: 2) {
                return (sorted[sorted.count / 2 - 1] + sorted[sorted.count / 2]) / 2
            }
            let rank = Int((fraction * Double(sorted.count)).rounded(.up))
            return sorted[min(max(rank, 1), sorted.count) - 1]
        }
    }

    /// What a run found.
    public struct Report: Sendable {
        /// Events in the log when the run began.
        public var events: UInt64
        /// Task lists in the store.
        public var lists: Int
        public var measurements: [Measurement]

        /// The full replay's speed as a share of the raw scan's (1/13 reads 0.077).
        public var replayShareOfScan: Double? {
            guard let scan = measurement("raw scan of the log")?.median,
                let replay = measurement("full replay")?.median, replay > .zero
            else { return nil }
            return scan.seconds / replay.seconds
        }

        public func measurement(_ name: String) -> Measurement? {
            measurements.first { $0.name == name }
        }
    }

    public var options: Options

    public init(options: Options = Options()) {
        self.options = options
    }

    /// Measures the store that `open` opens (afresh at each call: the opens and first reads are
    /// cold for this process, though not for the operating system's page cache).
    ///
    /// - Parameter progress: runs done and runs in all, as it goes.
    public func run(
        opening open: () throws -> TaskStore,
        progress: ((Int, Int) -> Void)? = nil
    ) throws -> Report {
        let rounds = max(options.rounds, 1)
        let clock = ContinuousClock()
        var measurements: [Measurement] = []

        var opens: [Duration] = []
        var store: TaskStore!
        opens.append(try clock.measure { store = try open() })
        let events = try store.lastSeq()
        let lists = Array(try store.listIDs().sorted().prefix(max(options.maxLists, 0)))
        let measuresPoints = events > 0 && !lists.isEmpty && options.points > 0
        let total = 1 + rounds * 4 + (measuresPoints ? options.points : 0)
        var done = 1
        func step() {
            done += 1
            progress?(done, total)
        }
        measurements.append(Measurement(name: "open (the first in this process)", samples: opens))

        var laterOpens: [Duration] = []
        var firstReads: [Duration] = []
        for _ in 0..<rounds {
            var fresh: TaskStore!
            laterOpens.append(try clock.measure { fresh = try open() })
            for list in lists {
                firstReads.append(try clock.measure { _ = try fresh.list(list) })
            }
            fresh.close()
            step()
        }
        measurements.append(Measurement(name: "open", samples: laterOpens))
        if !firstReads.isEmpty {
            measurements.append(Measurement(name: "first read of a list", samples: firstReads))
        }

        var scanned = 0
        let scans = try (0..<rounds).map { _ in
            defer { step() }
            return try clock.measure { scanned = try rawScan(store) }
        }
        measurements.append(Measurement(name: "raw scan of the log", samples: scans, events: scanned))
        let replays = try (0..<rounds).map { _ in
            defer { step() }
            return try clock.measure { _ = try store.fullReplay() }
        }
        measurements.append(Measurement(name: "full replay", samples: replays, events: Int(events)))
        let verifies = try (0..<rounds).map { _ in
            defer { step() }
            return try clock.measure { _ = try store.verify() }
        }
        measurements.append(Measurement(name: "verify", samples: verifies, events: Int(events)))

        if measuresPoints {
            var random = SeededRandom(seed: options.seed)
            let points = try (0..<options.points).map { _ in
                let list = lists[random.below(lists.count)]
                let seq = 1 + random.next() % events
                defer { step() }
                return try clock.measure { _ = try store.list(list, at: .seq(seq)) }
            }
            measurements.append(Measurement(name: "a list as of a random point", samples: points))
        }
        store.close()
        return Report(events: events, lists: lists.count, measurements: measurements)
    }

    /// Reads every event's stored bytes once, in one read transaction, without decoding them:
    /// what the backend itself can deliver. Returns the events read.
    private func rawScan(_ store: TaskStore) throws -> Int {
        try store.core.read { txn in
            var count = 0
            try txn.forEachEvent(from: 1) { _, _ in
                count += 1
                return true
            }
            return count
        }
    }
}
