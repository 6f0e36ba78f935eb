import Foundation
import LMDB
import Synchronization
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogLMDB

/// An import reads its events as it writes them (``ImportSource``), in one transaction: all of
/// them or none, and read again from the first when the backend runs the transaction again.
@Suite("Streamed import")
struct StreamedImportTests {
    /// Events of random commands over several lists, and the snapshots they left.
    static func history(_ options: TaskStore.Options, commands: Int = 150) throws -> ([Event], TasklogState) {
        try TestFolder.with("streamed-source") { folder in
            let original = try folder.open(.inMemory, options: options)
            var random = SeededRandom(seed: 11)
            for _ in 0..<commands { LazyListTests.randomCommand(original, &random) }
            return (try original.allEvents(), try original.state())
        }
    }

    /// How many times a source was read.
    final class Reads: Sendable {
        let count = Atomic(0)
    }

    /// A source over `events` that does not say how many there are, and counts its reads.
    static func uncounted(_ events: [Event], reads: Reads) -> ImportSource {
        ImportSource(count: nil) {
            reads.count.add(1, ordering: .relaxed)
            return try ImportSource.events(events).open()
        }
    }

    @Test(arguments: TestBackend.allCases)
    func anUncountedSourceEndsWithTheSnapshotsOfOneByOne(_ backend: TestBackend) throws {
        let options = TaskStore.Options.testing(snapshotInterval: 5)
        let (events, _) = try Self.history(options)
        let written = try TestFolder.with("one-by-one") { folder in
            let original = try folder.open(.inMemory, options: options)
            _ = try original.importEvents(events)
            return try RecoveryTests.snapshotStates(original)
        }
        try TestFolder.with("uncounted") { folder in
            let reads = Reads()
            let store = try folder.open(backend, options: options)
            #expect(try store.importEvents(from: Self.uncounted(events, reads: reads)) == events.count)
            #expect(reads.count.load(ordering: .relaxed) == 1)
            #expect(try RecoveryTests.snapshotStates(store) == written)
            #expect(try store.verify().isHealthy)
        }
    }

    /// 400 tasks of about a page each: more than a 1 MiB map holds.
    static let pageSizedEvents: [Event] = {
        let description = String(repeating: "a page of its own ", count: 200)
        return (1...400).map { index in
            Event(
                seq: UInt64(index),
                timestamp: Timestamp(rawValue: Int64(index) * 1_000),
                list: "default",
                actor: "planner",
                payload: .taskCreated(TaskCreated(id: index, subject: "Task \(index)", description: description))
            )
        }
    }()

    @Test func anImportThatGrowsTheMapReadsItsEventsAgainAndLosesNone() throws {
        try TestFolder.with("streamed-growth") { folder in
            var options = TaskStore.Options.testing()
            options.initialMapSize = 1 << 20
            let events = Self.pageSizedEvents
            let reads = Reads()
            let store = try TaskStore.open(at: folder.storePath, options: options)
            #expect(try store.importEvents(from: Self.uncounted(events, reads: reads)) == events.count)
            #expect(reads.count.load(ordering: .relaxed) > 1, "the map was expected to grow during the import")
            #expect(try store.allEvents() == events)
            #expect(try store.verify().isHealthy)
        }
    }

    /// A source that says its size has the map grown for it before the import starts: the
    /// events are read once.
    @Test func anImportOfAKnownSizeGrowsTheMapOnceAndReadsItsEventsOnce() throws {
        try TestFolder.with("streamed-reserved") { folder in
            var options = TaskStore.Options.testing()
            options.initialMapSize = 1 << 20
            let events = Self.pageSizedEvents
            let reads = Reads()
            let uncounted = Self.uncounted(events, reads: reads)
            let size = events.reduce(0) { $0 + $1.json.serialized().utf8.count + 1 }
            let source = ImportSource(count: nil, size: size, open: uncounted.open)
            let store = try TaskStore.open(at: folder.storePath, options: options)
            #expect(try store.importEvents(from: source) == events.count)
            #expect(reads.count.load(ordering: .relaxed) == 1, "the map grew during the import")
            #expect((store.backend as! LMDBBackend).environment.mapSize >= size * 2)
            #expect(try store.allEvents() == events)
            #expect(try store.verify().isHealthy)
        }
    }

    @Test(arguments: TestBackend.allCases)
    func aRefusalLateInTheImportLeavesTheStoreEmptyAndUsable(_ backend: TestBackend) throws {
        let options = TaskStore.Options.testing(snapshotInterval: 7)
        let (events, _) = try Self.history(options)
        var refused = events
        // The last event made to create a task its list has already.
        let last = refused.removeLast()
        refused.append(
            Event(
                seq: last.seq,
                timestamp: last.timestamp,
                list: "default",
                payload: .taskCreated(TaskCreated(id: 1, subject: "Again"))
            )
        )
        try TestFolder.with("streamed-refusal") { folder in
            let store = try folder.open(backend, options: options)
            let error = #expect(throws: TasklogError.self) {
                try store.importEvents(refused, naming: { "line \($0 + 1) of the file" })
            }
            #expect(error?.code == .invalidInput)
            #expect(error?.message.contains("line \(refused.count) of the file (seq \(last.seq))") == true)
            #expect(error?.message.contains("nothing was imported") == true)
            #expect(try store.allEvents().isEmpty)
            #expect(try store.state() == TasklogState())
            #expect(try store.create(NewTask(subject: "After")).id == 1)
            let reopened = try folder.open(backend, options: options)
            #expect(try reopened.allEvents().count == 1)
        }
    }

    @Test func theCommandLineImportsAFileLargerThanItsReadBuffer() throws {
        try TestFolder.with("streamed-cli") { folder in
            // Lines of about 3 KB, over 2 MiB: several of the reader's 1 MiB chunks, lines across
            // their edges, blank lines between.
            let description = String(repeating: "x", count: 3_000)
            var lines: [String] = []
            for id in 1...800 {
                lines.append(
                    ImportValidationTests.created(id, id: String(id), subject: "Task \(id)", description: description)
                )
                if id % 97 == 0 { lines.append("  ") }
            }
            try (lines.joined(separator: "\n") + "\n").write(
                toFile: folder.file("events.jsonl"),
                atomically: true,
                encoding: .utf8
            )
            let result = try CLITests.ok(["import", folder.file("events.jsonl"), "--json"], folder).object()
            #expect(result["imported"] as? Int == 800)
            let stats = try CLITests.ok(["stats", "--json"], folder).object()
            #expect(stats["tasks"] as? Int == 800)
            #expect(try CLITests.ok(["verify"], folder).status == 0)
        }
    }
}
