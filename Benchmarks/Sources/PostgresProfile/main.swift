import BenchmarkSupport
import Foundation
import LMDB
import PostgresNIO
import Synchronization
import Tasklog
import TasklogCore

#if canImport(Glibc)
import Glibc
#endif

// The PostgreSQL backend measured against the LMDB backend and against a plain SQL event table on
// the same server (the peer a team would write itself), in one run, rounds alternated (issue 16):
//
//     swift build -c release --product PostgresProfile
//     URL=$(tools/postgres start /tmp/pgbench-cluster)
//     TASKLOG_BENCH_DIR=/tmp/pgbench-fixtures Benchmarks/.build/release/PostgresProfile all "$URL"
//
// Modes (the first argument; the second is the server's URL, without `?schema=`):
// - appends ROUNDS SINGLES BATCHES: single durable appends (one create per commit), then batches of
//   100 commands in one commit, on the three systems in turns (single appends also on the plain
//   table in 10 and in 4 statements a commit, to tell the round trips' cost from the engine's);
// - writers ROUNDS PER_WRITER: 8 writers across 2 processes (4 threads each, single commands);
// - follow EVENTS RATE: one process commits at RATE a second, another follows the store; the
//   delay from the commit's return to the follower's sight of the event;
// - open ROUNDS: a 100k-event store (the benchmark fixture, copied to PostgreSQL) opened in a new
//   process, plus the first read of its biggest list;
// - all: each of them with the default counts.
// The children (`writer-child`, `follower-child`, `open-child`) are this executable again.

/// The command line: the mode, the server's URL, counts.
enum Run {
    static let arguments = Array(CommandLine.arguments.dropFirst())
    static let server = arguments.count > 1 ? arguments[1] : ""

    static func argument(_ index: Int, _ fallback: Int) -> Int {
        arguments.count > index ? Int(arguments[index]) ?? fallback : fallback
    }
}

/// The systems compared.
enum System: String, CaseIterable {
    case postgres = "Tasklog on PostgreSQL"
    case plain = "plain SQL event table"
    case lmdb = "Tasklog on LMDB"
    /// The plain table's event in a transaction of as many statements as Tasklog's commit sends
    /// (single appends only): what the round trips cost, without the engine.
    case plainShaped = "plain SQL event table, in Tasklog's 10 statements"
    /// The same in 4 statements: what the backend could send (see BENCHMARKS.md, "PostgreSQL").
    case plainShapedFour = "plain SQL event table, in 4 statements"

    /// The systems every measurement compares.
    static let compared: [System] = [.postgres, .plain, .lmdb]

    var tag: String {
        switch self {
        case .postgres: "postgres"
        case .plain: "plain"
        case .lmdb: "lmdb"
        case .plainShaped: "plain10"
        case .plainShapedFour: "plain4"
        }
    }

    init(tag: String) {
        self = Self.allCases.first { $0.tag == tag }!
    }
}

/// The systems in the order of round `round`: each goes first in turn.
func order(_ systems: [System], round: Int) -> [System] {
    let first = round % systems.count
    return Array(systems[first...]) + Array(systems[..<first])
}

/// The wall clock (seconds since 1970), which every process of the machine shares.
func wallClock() -> Double {
    var now = timespec()
    clock_gettime(CLOCK_REALTIME, &now)
    return Double(now.tv_sec) + Double(now.tv_nsec) / 1e9
}

func median(_ values: [Double]) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[sorted.count / 2]
}

func percentile(_ values: [Double], _ p: Double) -> Double {
    let sorted = values.sorted()
    return sorted.isEmpty ? .nan : sorted[min(sorted.count - 1, Int((Double(sorted.count) * p).rounded(.up)) - 1)]
}

func format(_ value: Double, _ digits: Int = 0) -> String { String(format: "%.\(digits)f", value) }

func report(_ line: String) {
    FileHandle.standardOutput.write(Data((line + "\n").utf8))
}

/// The URL of the store in schema `schema` of the server.
func storeURL(_ schema: String) -> String { "\(Run.server)?schema=\(schema)" }

/// A new LMDB store directory (in the fixtures' folder: `TASKLOG_BENCH_DIR`, or `$TMPDIR`).
func lmdbPath(_ name: String) -> String { Fixtures.scratch("pg-\(name)") }

/// The task every append creates: the same subject and description on every system.
func newTask(_ n: Int, _ writer: String) -> NewTask {
    NewTask(subject: "Task \(n) of \(writer)", description: "Profiled append.")
}

// MARK: The plain event table

/// The peer a team would write itself: one table of events, one autocommitted `INSERT` per event
/// through postgres-nio, the event's JSON as `jsonb`. Used from one thread at a time, blocking on
/// each query as the backend does.
final class PlainTable: @unchecked Sendable {
    static let logger: Logger = {
        var logger = Logger(label: "bench.plain")
        logger.logLevel = .critical
        return logger
    }()
    let connection: PostgresConnection

    init() throws {
        guard let url = URLComponents(string: Run.server), let host = url.host, let user = url.user else {
            throw FixtureError("\(Run.server) is not a postgres:// URL")
        }
        let configuration = PostgresConnection.Configuration(
            host: host,
            port: url.port ?? 5432,
            username: user,
            password: url.password,
            database: String(url.path.dropFirst()),
            tls: .disable
        )
        connection = try PostgresConnection.connect(
            on: MultiThreadedEventLoopGroup.singleton.any(),
            configuration: configuration,
            id: 1,
            logger: Self.logger
        ).wait()
    }

    deinit {
        try? connection.close().wait()
    }

    @discardableResult
    func run(_ query: PostgresQuery) throws -> [PostgresRow] {
        let result: EventLoopFuture<PostgresQueryResult> = connection.query(query, logger: Self.logger)
        return try result.wait().rows
    }

    /// A new, empty table (its schema dropped first).
    static func create() throws {
        let table = try PlainTable()
        try table.run("DROP SCHEMA IF EXISTS plain CASCADE")
        try table.run("CREATE SCHEMA plain")
        try table.run(
            """
            CREATE TABLE plain.events (seq bigserial PRIMARY KEY, stream text NOT NULL, type text NOT NULL, \
            actor text, data jsonb NOT NULL, created_at timestamptz NOT NULL DEFAULT now())
            """
        )
        try table.run("CREATE INDEX ON plain.events (stream)")
    }

    func append(_ event: PlainEvent) throws {
        try run(
            """
            INSERT INTO plain.events (stream, type, actor, data) \
            VALUES (\(event.stream), \(event.type), \(event.actor), \(event.json)::jsonb)
            """
        )
    }

    /// `event` in a transaction of the statements a Tasklog commit sends, each a round trip: the
    /// lock, two reads, the insert, three more statements, the notification.
    func appendInTasklogShape(_ event: PlainEvent) throws {
        try run("BEGIN ISOLATION LEVEL READ COMMITTED")
        try run("SELECT pg_advisory_xact_lock(1)")
        try run("SELECT seq FROM plain.events ORDER BY seq DESC LIMIT 1")
        try run("SELECT 1")
        try append(event)
        try run("SELECT 2")
        try run("SELECT 3")
        try run("SELECT 4")
        try run("SELECT pg_notify('plain', '1')")
        try run("COMMIT")
    }

    /// `event` in the 4 statements a Tasklog commit could be: the lock with the reads the engine
    /// makes after it, then the writes with the notification in one statement.
    func appendInFourStatements(_ event: PlainEvent) throws {
        try run("BEGIN ISOLATION LEVEL READ COMMITTED")
        try run("SELECT pg_advisory_xact_lock(1), (SELECT seq FROM plain.events ORDER BY seq DESC LIMIT 1), (SELECT 1)")
        try run(
            """
            WITH appended AS (INSERT INTO plain.events (stream, type, actor, data) \
            VALUES (\(event.stream), \(event.type), \(event.actor), \(event.json)::jsonb) RETURNING seq) \
            SELECT pg_notify('plain', seq::text) FROM appended
            """
        )
        try run("COMMIT")
    }

    /// `events` in one transaction: one multi-row `INSERT`.
    func append(batch events: [PlainEvent]) throws {
        try run("BEGIN")
        try run(
            """
            INSERT INTO plain.events (stream, type, actor, data) \
            SELECT * FROM unnest(\(events.map(\.stream))::text[], \(events.map(\.type))::text[], \
            \(events.map { $0.actor ?? "" })::text[], \(events.map(\.json))::jsonb[])
            """
        )
        try run("COMMIT")
    }

    static func dropSchema(_ name: String) throws {
        try PlainTable().run(PostgresQuery(unsafeSQL: "DROP SCHEMA IF EXISTS \(name) CASCADE"))
    }
}

/// An event as the plain table stores it: the JSON Tasklog itself gives the same create
/// (`event.json.serialized()`), its stream the task (`list/id`).
struct PlainEvent {
    var stream: String
    var type: String
    var actor: String?
    var json: String
}

/// The events of `count` creates by `writer` into `list`, as Tasklog writes them (through an
/// in-memory store, outside any timing); each task its own stream.
func plainEvents(_ count: Int, writer: String, list: String) throws -> [PlainEvent] {
    let store = try TaskStore.open(backend: InMemoryBackend(), options: Fixtures.quietOptions)
    var events: [PlainEvent] = []
    for n in 0..<count {
        let task = try store.create(newTask(n, writer), in: list, actor: writer)
        try store.events(from: try store.lastSeq(), through: nil) { event in
            events.append(
                PlainEvent(
                    stream: "\(list)/\(task.id)",
                    type: event.payload.typeName,
                    actor: writer,
                    json: event.json.serialized()
                )
            )
            return true
        }
    }
    return events
}

// MARK: 1, 2. Appends

/// Single durable appends, then batches of 100 in one commit, on the three systems in turns.
func appends(rounds: Int, singles: Int, batches: Int) throws {
    report("== appends: \(rounds) rounds of \(singles) single appends and \(batches) batches of 100 per system")
    try PlainTable.dropSchema("bench_appends")
    try PlainTable.create()
    let postgres = try TaskStore.open(at: storeURL("bench_appends"), options: Fixtures.quietOptions)
    let lmdb = try TaskStore.open(at: lmdbPath("appends"), options: Fixtures.quietOptions)
    let plain = try PlainTable()
    let perRound = singles + batches * 100
    let events = try plainEvents(perRound * rounds, writer: "agent-1", list: "bench")
    let shapedEvents = try plainEvents(singles * rounds, writer: "agent-2", list: "bench")
    var singleRates: [System: [Double]] = [:]
    var singleLatencies: [System: [Double]] = [:]
    var batchRates: [System: [Double]] = [:]
    var ratios: (single: [Double], batch: [Double], singleLMDB: [Double], shaped: [Double], four: [Double]) = (
        [], [], [], [], []
    )
    for round in 0..<rounds {
        var single: [System: Double] = [:]
        var batch: [System: Double] = [:]
        let base = round * perRound
        for system in order(System.allCases, round: round) {
            var latencies: [Double] = []
            let started = wallClock()
            for n in 0..<singles {
                let t0 = wallClock()
                switch system {
                case .postgres: _ = try postgres.create(newTask(base + n, "agent-1"), in: "bench", actor: "agent-1")
                case .lmdb: _ = try lmdb.create(newTask(base + n, "agent-1"), in: "bench", actor: "agent-1")
                case .plain: try plain.append(events[base + n])
                case .plainShaped: try plain.appendInTasklogShape(shapedEvents[round * singles + n])
                case .plainShapedFour: try plain.appendInFourStatements(shapedEvents[round * singles + n])
                }
                latencies.append(wallClock() - t0)
            }
            single[system] = Double(singles) / (wallClock() - started)
            singleLatencies[system, default: []] += latencies
        }
        for system in order(System.compared, round: round + 1) {
            let started = wallClock()
            for b in 0..<batches {
                let first = base + singles + b * 100
                switch system {
                case .postgres, .lmdb:
                    let store = system == .postgres ? postgres : lmdb
                    let commands = (first..<first + 100).map { TaskCommand.create(newTask($0, "agent-1")) }
                    let results = try runBlocking {
                        try await store.executeInOneTransaction(commands, in: "bench", actor: "agent-1")
                    }
                    for result in results { _ = try result.get() }
                case .plain, .plainShaped, .plainShapedFour:
                    try plain.append(batch: Array(events[first..<first + 100]))
                }
            }
            batch[system] = Double(batches * 100) / (wallClock() - started)
        }
        for system in System.allCases { singleRates[system, default: []].append(single[system]!) }
        for system in System.compared { batchRates[system, default: []].append(batch[system]!) }
        ratios.single.append(single[.postgres]! / single[.plain]!)
        ratios.batch.append(batch[.postgres]! / batch[.plain]!)
        ratios.singleLMDB.append(single[.postgres]! / single[.lmdb]!)
        ratios.shaped.append(single[.plainShaped]! / single[.plain]!)
        ratios.four.append(single[.plainShapedFour]! / single[.plain]!)
        report(
            "round \(round + 1): single "
                + System.allCases.map { "\($0.tag) \(format(single[$0]!))/s" }.joined(separator: ", ")
                + "; batches of 100 "
                + System.compared.map { "\($0.tag) \(format(batch[$0]!))/s" }.joined(separator: ", ")
        )
    }
    report("single durable appends, events/s (median of \(rounds) rounds; per append: p50, p99):")
    for system in System.allCases {
        let latencies = singleLatencies[system]!
        report(
            "  \(system.rawValue): \(format(median(singleRates[system]!))) (p50 \(format(median(latencies) * 1e6)) µs, p99 \(format(percentile(latencies, 0.99) * 1e6)) µs)"
        )
    }
    report("batches of 100 in one commit, events/s (median of \(rounds) rounds):")
    for system in System.compared {
        report("  \(system.rawValue): \(format(median(batchRates[system]!)))")
    }
    report(
        "ratios, PostgreSQL / plain table (median of the rounds' ratios): single \(format(median(ratios.single), 2)), batches \(format(median(ratios.batch), 2)); PostgreSQL / LMDB single \(format(median(ratios.singleLMDB), 2)); the plain table in 10 statements / in 1: \(format(median(ratios.shaped), 2)), in 4 / in 1: \(format(median(ratios.four), 2))"
    )
    postgres.close()
    lmdb.close()
}

/// Runs `body` on Swift's pool and waits for it on this thread.
func runBlocking<R: Sendable>(_ body: @escaping @Sendable () async throws -> R) throws -> R {
    let done = DispatchSemaphore(value: 0)
    nonisolated(unsafe) var result: Result<R, any Error>!
    Task {
        do { result = .success(try await body()) } catch { result = .failure(error) }
        done.signal()
    }
    done.wait()
    return try result.get()
}

// MARK: 3. Concurrent writers

/// Runs this executable again with `arguments`, its output into a file; returns the process and
/// the file.
func child(_ arguments: [String]) throws -> (Process, String) {
    let output = NSTemporaryDirectory() + "pgprofile-child-\(getpid())-\(UUID().uuidString.prefix(8))"
    _ = FileManager.default.createFile(atPath: output, contents: nil)
    let process = Process()
    process.executableURL = URL(fileURLWithPath: CommandLine.arguments[0])
    process.arguments = arguments
    process.standardOutput = FileHandle(forWritingAtPath: output)
    try process.run()
    return (process, output)
}

func lines(of path: String) -> [String] {
    ((try? String(contentsOfFile: path, encoding: .utf8)) ?? "").split(separator: "\n").map(String.init)
}

/// 8 writers across 2 processes, 4 threads each, single commands; total events/s.
func writers(rounds: Int, perWriter: Int) throws {
    report("== writers: 2 processes × 4 threads, \(perWriter) single commands each, \(rounds) rounds per system")
    try PlainTable.create()
    var rates: [System: [Double]] = [:]
    var ratios: [Double] = []
    for round in 0..<rounds {
        var rate: [System: Double] = [:]
        for system in order(System.compared, round: round) {
            let target: String
            switch system {
            case .postgres:
                try PlainTable.dropSchema("bench_writers")
                target = storeURL("bench_writers")
                // Made once before the writers start, so that they do not race to create it.
                try TaskStore.open(at: target, options: Fixtures.quietOptions).close()
            case .lmdb:
                target = lmdbPath("writers-\(round)")
                try TaskStore.open(at: target, options: Fixtures.quietOptions).close()
            case .plain, .plainShaped, .plainShapedFour: target = "plain"
            }
            // The writers open their stores first, then start together at `start`.
            let start = wallClock() + 3
            let children = try (0..<2).map { index in
                try child([
                    "writer-child", Run.server, system.tag, target, String(start), String(perWriter), "host-\(index)",
                ])
            }
            var ends: [Double] = []
            for (process, output) in children {
                process.waitUntilExit()
                let found = lines(of: output)
                try? FileManager.default.removeItem(atPath: output)
                guard process.terminationStatus == 0, let ready = found.first(where: { $0.hasPrefix("ready ") }),
                    let end = found.first(where: { $0.hasPrefix("end ") })
                else { throw FixtureError("a writer process failed: \(found)") }
                guard Double(ready.dropFirst(6))! < start else {
                    throw FixtureError("a writer process was not ready at the start; give it more time")
                }
                ends.append(Double(end.dropFirst(4))!)
            }
            rate[system] = Double(8 * perWriter) / (ends.max()! - start)
            if system != .plain {
                let store = try TaskStore.open(at: target, options: Fixtures.quietOptions)
                guard try store.lastSeq() == UInt64(8 * perWriter) else {
                    throw FixtureError("\(try store.lastSeq()) events written by the writers of \(system)")
                }
                store.close()
            }
        }
        for system in System.compared { rates[system, default: []].append(rate[system]!) }
        ratios.append(rate[.postgres]! / rate[.plain]!)
        report(
            "round \(round + 1): " + System.compared.map { "\($0.tag) \(format(rate[$0]!))/s" }.joined(separator: ", ")
        )
    }
    report("8 writers (2 processes × 4 threads), events/s total (median of \(rounds) rounds):")
    for system in System.compared { report("  \(system.rawValue): \(format(median(rates[system]!)))") }
    report("ratio PostgreSQL / plain table (median of the rounds' ratios): \(format(median(ratios), 2))")
}

/// One writer process: 4 threads, each `count` single commands from `start` on.
func writerChild(system: System, target: String, start: Double, count: Int, host: String) throws {
    let store = system == .plain ? nil : try TaskStore.open(at: target, options: Fixtures.quietOptions)
    let tables = system == .plain ? try (0..<4).map { _ in try PlainTable() } : []
    let events = system == .plain ? try (0..<4).map { try plainEvents(count, writer: "\(host)-\($0)", list: host) } : []
    report("ready \(wallClock())")
    let failed = Mutex<[String]>([])
    let finished = DispatchGroup()
    for index in 0..<4 {
        finished.enter()
        Thread {
            defer { finished.leave() }
            let writer = "\(host)-\(index)"
            let wait = start - wallClock()
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
            do {
                for n in 0..<count {
                    if let store {
                        _ = try store.create(newTask(n, writer), in: "list-\(writer)", actor: writer)
                    } else {
                        try tables[index].append(events[index][n])
                    }
                }
            } catch {
                failed.withLock { $0.append("\(writer): \(error)") }
            }
        }.start()
    }
    finished.wait()
    let end = wallClock()
    let errors = failed.withLock { $0 }
    guard errors.isEmpty else { throw FixtureError(errors.joined(separator: "; ")) }
    report("end \(end)")
    store?.close()
}

// MARK: 4. Follow latency

/// One process commits `events` creates at `rate` a second; another follows the store. The delay
/// from each commit's return (in the writer) to the follower's sight of its event.
func follow(events: Int, rate: Double) throws {
    report("== follow: \(events) events at \(format(rate))/s, the follower in another process")
    for system in [System.postgres, .lmdb] {
        let target: String
        if system == .postgres {
            try PlainTable.dropSchema("bench_follow")
            target = storeURL("bench_follow")
        } else {
            target = lmdbPath("follow")
        }
        let store = try TaskStore.open(at: target, options: Fixtures.quietOptions)
        _ = try store.create(newTask(0, "agent-1"), in: "follow", actor: "agent-1")
        let from = try store.lastSeq() + 1
        let (process, output) = try child(["follower-child", Run.server, target, String(from), String(events)])
        let deadline = wallClock() + 30
        while !lines(of: output).contains("ready") {
            guard wallClock() < deadline, process.isRunning else { throw FixtureError("the follower did not start") }
            usleep(10_000)
        }
        usleep(500_000)
        var committed: [UInt64: Double] = [:]
        var commits: [Double] = []
        let started = wallClock()
        for n in 1...events {
            let due = started + Double(n - 1) / rate
            let wait = due - wallClock()
            if wait > 0 { usleep(UInt32(wait * 1e6)) }
            let t0 = wallClock()
            let outcome = try store.execute(.create(newTask(n, "agent-1")), in: "follow", actor: "agent-1")
            let t1 = wallClock()
            for seq in outcome.seqs { committed[seq] = t1 }
            commits.append(t1 - t0)
        }
        // The follower ends when it has seen every event; one that has not within 10 s of the
        // last commit is stopped, and what it missed is counted.
        let waitUntil = wallClock() + 10
        while process.isRunning && wallClock() < waitUntil { usleep(10_000) }
        if process.isRunning {
            process.terminate()
            process.waitUntilExit()
        }
        let seen = lines(of: output).compactMap { line -> (UInt64, Double)? in
            let parts = line.split(separator: " ")
            guard parts.count == 2, let seq = UInt64(parts[0]), let time = Double(parts[1]) else { return nil }
            return (seq, time)
        }
        try? FileManager.default.removeItem(atPath: output)
        let delays = seen.compactMap { seq, time in committed[seq].map { time - $0 } }
        guard !delays.isEmpty else { throw FixtureError("the follower saw no event") }
        let missed = events - delays.count
        let late = delays.filter { $0 > 0.04 }.count
        report(
            "\(system.rawValue): commit → seen by the follower: p50 \(format(median(delays) * 1e3, 1)) ms, p99 \(format(percentile(delays, 0.99) * 1e3, 1)) ms, max \(format(delays.max()! * 1e3, 1)) ms, min \(format(delays.min()! * 1e3, 1)) ms (\(delays.count) events; \(late) seen more than 40 ms late; \(missed) not seen within 10 s of the last commit); the commit itself p50 \(format(median(commits) * 1e3, 2)) ms"
        )
        store.close()
    }
}

/// The follower: prints `ready` once it listens, then `seq time` for each event it sees.
func followerChild(target: String, from: UInt64, count: Int) async throws {
    let store = try TaskStore.open(at: target, options: Fixtures.quietOptions)
    let stream = store.follow(from: from)
    report("ready")
    var seen = 0
    for try await event in stream {
        let now = wallClock()
        report("\(event.seq) \(now)")
        seen += 1
        if seen == count { break }
    }
    store.close()
}

// MARK: 5. Opening a 100k-event store on a new host

/// The 100k-event fixture (LMDB) copied to PostgreSQL, then opened in new processes, in turns:
/// `TaskStore.open(at:)` and the first read of the biggest list.
func open(rounds: Int) throws {
    report("== open: the 100k-event store, opened in a new process, \(rounds) rounds per system")
    let lmdbStore = try Fixtures.store(events: 100_000, snapshots: true)
    try PlainTable.dropSchema("bench_open")
    let url = storeURL("bench_open")
    do {
        let source = try TaskStore.open(at: lmdbStore, options: Fixtures.quietOptions)
        let destination = try TaskStore.open(at: url, options: Fixtures.quietOptions)
        let started = wallClock()
        let copied = try source.copy(to: destination)
        let elapsed = wallClock() - started
        // The fixture has a snapshot at its last event (`snapshot()` after the import): the same here.
        let snapshot = try destination.snapshot()
        report(
            "copied \(copied) events to PostgreSQL in \(format(elapsed, 1)) s (import, compare, verify), snapshot at \(snapshot)"
        )
        source.close()
        destination.close()
    }
    var opens: [System: [Double]] = [:]
    var reads: [System: [Double]] = [:]
    var connects: [System: [Double]] = [:]
    for round in 0..<rounds {
        for system in order([System.postgres, .lmdb], round: round) {
            let (process, output) = try child(["open-child", Run.server, system == .postgres ? url : lmdbStore])
            process.waitUntilExit()
            let found = lines(of: output)
            try? FileManager.default.removeItem(atPath: output)
            guard process.terminationStatus == 0, let line = found.first(where: { $0.hasPrefix("open ") }) else {
                throw FixtureError("an open failed: \(found)")
            }
            let parts = line.split(separator: " ")
            opens[system, default: []].append(Double(parts[1])!)
            reads[system, default: []].append(Double(parts[2])!)
            connects[system, default: []].append(Double(parts[3])!)
            if round == 0 { report("\(system.tag): \(found.joined(separator: " | "))") }
        }
    }
    report("open of the 100k-event store in a new process (median of \(rounds)):")
    for system in [System.postgres, .lmdb] {
        report(
            "  \(system.rawValue): open \(format(median(opens[system]!) * 1e3, 2)) ms, + first read of the biggest list \(format(median(reads[system]!) * 1e3, 1)) ms"
                + (system == .postgres
                    ? "; one more connection in the same process \(format(median(connects[system]!) * 1e3, 1)) ms" : "")
        )
    }
}

/// A new process's open of `target` and its first read of the biggest list (`default`).
func openChild(target: String) throws {
    let started = wallClock()
    let store = try TaskStore.open(at: target, options: Fixtures.quietOptions)
    let opened = wallClock()
    _ = try store.get(1, in: "default")
    let read = wallClock()
    // What one more connection costs (TCP, authentication, startup), now that the process is warm.
    var connect = 0.0
    if TaskStore.isURL(target) {
        let before = wallClock()
        _ = try PlainTable()
        connect = wallClock() - before
    }
    report("open \(opened - started) \(read - started) \(connect)")
    report("recovery: \(store.recovery.map { "\($0)" } ?? "none")")
    store.close()
}

// MARK: The run

let arguments = Run.arguments
guard arguments.count >= 2 else {
    FileHandle.standardError.write(Data("usage: PostgresProfile appends|writers|follow|open|all URL [counts]\n".utf8))
    exit(2)
}
switch arguments[0] {
case "appends": try appends(rounds: Run.argument(2, 7), singles: Run.argument(3, 300), batches: Run.argument(4, 10))
case "writers": try writers(rounds: Run.argument(2, 5), perWriter: Run.argument(3, 150))
case "follow": try follow(events: Run.argument(2, 400), rate: Double(Run.argument(3, 20)))
case "open": try open(rounds: Run.argument(2, 11))
case "all":
    report("PostgresProfile, \(Date()), pid \(getpid())")
    try appends(rounds: 7, singles: 300, batches: 10)
    try writers(rounds: 5, perWriter: 150)
    try follow(events: 400, rate: 20)
    try open(rounds: 11)
case "writer-child":
    try writerChild(
        system: System(tag: arguments[2]),
        target: arguments[3],
        start: Double(arguments[4])!,
        count: Int(arguments[5])!,
        host: arguments[6]
    )
case "follower-child":
    try await followerChild(target: arguments[2], from: UInt64(arguments[3])!, count: Int(arguments[4])!)
case "open-child": try openChild(target: arguments[2])
default:
    FileHandle.standardError.write(Data("unknown mode \(arguments[0])\n".utf8))
    exit(2)
}
