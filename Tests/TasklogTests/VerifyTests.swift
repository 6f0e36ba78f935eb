import Foundation
import LMDB
import TasklogCore
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogLMDB

@Suite("Verify, damage and salvage (LMDB files)")
struct VerifyTests {
    static func subject(_ number: Int) -> String {
        let digits = String(number)
        return "SUBJECT-" + String(repeating: "0", count: max(0, 4 - digits.count)) + digits + "-XYZ"
    }

    /// The seq whose event gets damaged; it creates the task of the same id.
    static let damagedSeq = 42

    /// How the damaged store is laid out.
    enum Layout: String, CaseIterable, Sendable, CustomTestStringConvertible {
        /// No snapshot: opening replays the damaged event.
        case noSnapshot
        /// Task 42 is deleted, then a snapshot is taken: it does not hold the damaged subject, so
        /// the store opens from it.
        case snapshotPastTheDamage
        /// A snapshot that holds task 42's subject too: the flip damages it as well.
        case snapshotAlsoDamaged

        var snapshot: Bool { self != .noSnapshot }
        var deletesTask: Bool { self == .snapshotPastTheDamage }
        var testDescription: String { rawValue }
    }

    /// Creates tasks 1…60 (event n creates task n, subject `SUBJECT-000n-XYZ`); event 61 deletes
    /// task 42 or edits task 41; a snapshot at 61 if the layout has one; then three more creates.
    /// Returns the events as written.
    static func populate(_ path: String, _ layout: Layout) throws -> [Event] {
        let store = try TaskStore.open(at: path, options: .testing())
        for number in 1...60 {
            let task = try store.create(NewTask(subject: subject(number), description: "d\(number)"), actor: "writer")
            #expect(task.id == number)
        }
        if layout.deletesTask {
            _ = try store.update(damagedSeq, TaskChanges(status: .deleted), actor: "writer")
        } else {
            _ = try store.update(damagedSeq - 1, TaskChanges(description: "edited"), actor: "writer")
        }
        if layout.snapshot { #expect(try store.snapshot() == 61) }
        for number in 61...63 { _ = try store.create(NewTask(subject: subject(number)), actor: "writer") }
        #expect(try store.lastSeq() == 64)
        return try store.allEvents()
    }

    /// Flips one bit of one byte inside the subject of event `damagedSeq`, in every copy of it in
    /// data.mdb (LMDB's copy-on-write leaves stale copies in free pages). The flip turns
    /// `SUBJECT-0042-XYZ` into `SUBJECT-0052-XYZ`: a plausible value that only the checksum can catch.
    static func damage(_ path: String) throws {
        let bytes = try DataFile.read(path)
        let offsets = DataFile.offsets(of: Array(subject(damagedSeq).utf8), in: bytes)
        try #require(!offsets.isEmpty, "the subject of event \(damagedSeq) is not in data.mdb")
        for offset in offsets {
            let position = offset + "SUBJECT-00".utf8.count
            try DataFile.overwrite(path, at: position, with: [bytes[position] ^ 0x01])
        }
    }

    @Test func healthyStoreVerifies() throws {
        try TestFolder.with("verify-healthy") { folder in
            _ = try Self.populate(folder.storePath, .snapshotAlsoDamaged)  // undamaged here: one snapshot
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            let report = try store.verify()
            #expect(report.isHealthy, "\(report.problems)")
            #expect(report.events == 64)
            #expect(report.snapshots == 1)
            #expect(report.firstBadSeq == nil)

            let cli = try CLI.run(["verify", "--store", folder.storePath], in: folder)
            #expect(cli.status == 0, "\(cli)")
            #expect(
                cli.stdout
                    == "ok: 64 events, checksums and hash chain intact; 1 snapshots and the state equal a full replay\n"
            )
            #expect(cli.stderr.isEmpty)
            let json = try CLI.run(["verify", "--store", folder.storePath, "--json"], in: folder).object()
            #expect(json["healthy"] as? Bool == true)
            #expect(json["events"] as? Int == 64)
            #expect(json["firstBadSeq"] is NSNull)
        }
    }

    @Test("A flipped byte in one event is found, and never served as state", arguments: Layout.allCases)
    func flippedByteIsFound(_ layout: Layout) throws {
        try TestFolder.with("verify-damaged") { folder in
            let events = try Self.populate(folder.storePath, layout)
            let expectedState = Reducer.replay(events)
            try Self.damage(folder.storePath)

            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                // Opening reads a snapshot's directory and the envelopes of the events after it: it
                // fails on a damaged event in that tail, and otherwise finds the damage (a damaged
                // list body, then the damaged event) when a list is loaded, as below.
                #expect(layout != .noSnapshot, "open read past a damaged event")
                let report = try store.verify()
                #expect(!report.isHealthy)
                #expect(report.firstBadSeq == UInt64(Self.damagedSeq), "\(report.problems)")
                #expect(report.events == UInt64(Self.damagedSeq - 1))
                // The state is either refused as corrupt or the true one (from the snapshot); never a wrong one.
                do {
                    let state = try store.state()
                    #expect(state == expectedState)
                } catch let error as TasklogError {
                    #expect(error.code == .corrupt)
                }
                let replay = #expect(throws: TasklogError.self) { try store.fullReplay() }
                #expect(replay?.code == .corrupt)
                #expect(replay?.message.contains("seq \(Self.damagedSeq)") == true, "\(replay?.message ?? "")")
                let read = #expect(throws: TasklogError.self) { try store.allEvents() }
                #expect(read?.code == .corrupt)
            } catch let error as TasklogError {
                #expect(error.code == .corrupt)
                #expect(error.message.contains("seq \(Self.damagedSeq)"), "\(error.message)")
            }

            let cli = try CLI.run(["verify", "--store", folder.storePath], in: folder)
            #expect(cli.status == 76, "\(cli)")
            #expect((cli.stdout + cli.stderr).contains("seq \(Self.damagedSeq)"), "\(cli)")
            // One error line; notices before it (a snapshot skipped) are prefixed "tasklog: " too.
            let stderrLines = cli.stderr.split(separator: "\n")
            #expect(stderrLines.filter { $0.hasPrefix("tasklog: error: ") }.count == 1, "\(cli)")
            #expect(stderrLines.last?.hasPrefix("tasklog: error: ") == true, "\(cli)")
            #expect(stderrLines.allSatisfy { $0.hasPrefix("tasklog: ") }, "\(cli)")
            #expect(!cli.stdout.contains("SUBJECT-0052-XYZ"))
            // Nothing the CLI serves shows the altered subject.
            let get = try CLI.run(["get", "42", "--store", folder.storePath, "--json"], in: folder)
            #expect(!get.stdout.contains("SUBJECT-0052-XYZ"), "\(get)")
        }
    }

    /// The README's salvage procedure: `export --through <last good seq>`, `import` into a new
    /// store, `verify` it.
    @Test(
        "Export through the last good seq, then import, salvages the intact prefix",
        arguments: [Layout.noSnapshot, .snapshotPastTheDamage]
    )
    func salvageThePrefix(_ layout: Layout) throws {
        try TestFolder.with("salvage") { folder in
            let events = try Self.populate(folder.storePath, layout)
            try Self.damage(folder.storePath)
            let last = String(Self.damagedSeq - 1)
            let export = try CLI.run(["export", "--store", folder.storePath, "--through", last], in: folder)
            try #require(export.status == 0, "\(export)")
            #expect(export.stdout.split(separator: "\n").count == Self.damagedSeq - 1)
            let file = folder.file("prefix.jsonl")
            try Data(export.stdout.utf8).write(to: URL(fileURLWithPath: file))

            let salvaged = folder.file("salvaged")
            let imported = try CLI.run(["import", file, "--store", salvaged], in: folder)
            #expect(imported.status == 0, "\(imported)")
            #expect(imported.stdout == "Imported \(last) events\n")
            let verify = try CLI.run(["verify", "--store", salvaged], in: folder)
            #expect(verify.status == 0, "\(verify)")

            let store = try TaskStore.open(at: salvaged, options: .testing())
            let report = try store.verify()
            #expect(report.isHealthy, "\(report.problems)")
            #expect(report.events == UInt64(Self.damagedSeq - 1))
            #expect(try store.state() == Reducer.replay(events.prefix(Self.damagedSeq - 1)))
            #expect(try store.allEvents() == Array(events.prefix(Self.damagedSeq - 1)))
        }
    }

    @Test("Reading events through a bound stops at the bound, short of a damaged event after it")
    func eventsThroughABoundStopThere() throws {
        try TestFolder.with("events-through") { folder in
            let events = try Self.populate(folder.storePath, .snapshotPastTheDamage)
            try Self.damage(folder.storePath)
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            var read: [Event] = []
            let through = UInt64(Self.damagedSeq - 1)
            #expect(throws: Never.self) {
                try store.events(from: 1, through: through) { event in
                    read.append(event)
                    return true
                }
            }
            #expect(read == Array(events.prefix(Self.damagedSeq - 1)))
        }
    }

    @Test("Export and import of a healthy store through the library API keep every event")
    func exportImportRoundTripHealthy() throws {
        try TestFolder.with("salvage-library") { folder in
            let events = try Self.populate(folder.storePath, .noSnapshot)
            let copy = try TaskStore.open(at: folder.file("copy"), options: .testing())
            #expect(try copy.importEvents(Array(events.prefix(41))) == 41)
            #expect(try copy.verify().isHealthy)
            #expect(try copy.state() == Reducer.replay(events.prefix(41)))
            // Import only into an empty store, all or nothing.
            let again = #expect(throws: TasklogError.self) { try copy.importEvents(events) }
            #expect(again?.code == .conflict)
            #expect(try copy.lastSeq() == 41)
        }
    }

    @Test func eventAlteredWithAValidChecksumBreaksTheHashChain() throws {
        try TestFolder.with("verify-altered") { folder in
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                for number in 1...20 { _ = try store.create(NewTask(subject: Self.subject(number))) }
                // Rewrite event 10 as a forger would: another subject, a fresh checksum, the old link.
                let log = (store.backend as! LMDBBackend)
                try log.environment.write { txn in
                    var bytes = try #require(
                        try txn.withValue(in: log.layout.events, key: UInt64(10)) { $0.withUnsafeBytes { Array($0) } }
                    )
                    let offset = try #require(DataFile.offsets(of: Array(Self.subject(10).utf8), in: bytes).first)
                    bytes[offset + 8] = UInt8(ascii: "9")  // SUBJECT-0010 → SUBJECT-9010
                    let checksum = bytes.withUnsafeBytes {
                        XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[..<(bytes.count - 8)]))
                    }
                    withUnsafeBytes(of: checksum.littleEndian) { bytes.replaceSubrange((bytes.count - 8)..., with: $0) }
                    try txn.put(in: log.layout.events, key: Key.uint64(10), value: bytes)
                }
            }
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            let report = try store.verify()
            #expect(report.firstBadSeq == 10, "\(report.problems)")
            #expect(report.problems.first?.message.contains("hash chain") == true, "\(report.problems)")
            let cli = try CLI.run(["verify", "--store", folder.storePath], in: folder)
            #expect(cli.status == 76, "\(cli)")
            #expect(cli.stdout.contains("seq 10"), "\(cli)")
            #expect(cli.stderr.contains("seq 10"), "\(cli)")
        }
    }

    @Test func truncatedDataFileIsRefused() throws {
        // Through the CLI only: a truncated file mapped into this process could fault on access.
        try TestFolder.with("verify-truncated") { folder in
            try StoreFilesTests.populate(folder)
            let file = URL(fileURLWithPath: DataFile.path(of: folder.storePath))
            let size = try #require(try FileManager.default.attributesOfItem(atPath: file.path)[.size] as? Int)
            let handle = try FileHandle(forUpdating: file)
            try handle.truncate(atOffset: UInt64(size / 2))
            try handle.close()

            for command in [["verify"], ["list"], ["create", "After"]] {
                let result = try CLI.run(command + ["--store", folder.storePath], in: folder)
                #expect(result.status == 76, "tasklog \(command): \(result)")
                #expect(result.stderr.hasPrefix("tasklog: error: "), "\(result)")
                #expect(result.stderr.contains("truncated"), "\(result)")
            }
        }
    }

    @Test(
        "A cut-short last event under a snapshot is reported as damage, naming its seq",
        arguments: [5, 20]
    )
    func shortLastEventIsReported(length: Int) throws {
        try TestFolder.with("verify-short") { folder in
            do {
                let store = try TaskStore.open(at: folder.storePath, options: .testing())
                for number in 1...10 { _ = try store.create(NewTask(subject: Self.subject(number))) }
                #expect(try store.snapshot() == 10)
                // Cut the stored value of event 10 short (the snapshot covers it, so opening replays nothing).
                let log = (store.backend as! LMDBBackend)
                try log.environment.write { txn in
                    let bytes = try #require(
                        try txn.withValue(in: log.layout.events, key: UInt64(10)) { $0.withUnsafeBytes { Array($0) } }
                    )
                    try txn.put(in: log.layout.events, key: Key.uint64(10), value: Array(bytes.prefix(length)))
                }
            }
            // Through the CLI: a crash there must not take the test process down.
            for command in [["list"], ["verify"]] {
                let result = try CLI.run(command + ["--store", folder.storePath], in: folder)
                #expect(result.status == 76, "tasklog \(command): \(result)")
                #expect(result.stderr.contains("seq 10"), "tasklog \(command): \(result)")
            }
        }
    }
}
