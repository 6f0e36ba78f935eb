import Foundation
import Testing

@testable import TasklogCore

/// Events written by format 1 must decode the same way in every later version. The golden files
/// were written once; a change of the encoding fails here instead of slipping in. To add a
/// version, add files beside these; never rewrite them (TASKLOG_WRITE_GOLDEN=1 writes missing ones).
@Suite struct GoldenTests {
    static let folder = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Golden")

    /// One event of every kind and shape, in the order they were written.
    static let events: [Event] = {
        let t = Timestamp(rawValue: 1_770_993_000_000_000)  // 2026-02-13T14:30:00Z
        func at(_ seconds: Int64) -> Timestamp { Timestamp(rawValue: t.rawValue + seconds * 1_000_000 + 123_456) }
        return [
            Event(
                seq: 1,
                timestamp: at(0),
                list: "default",
                actor: "lead",
                payload: .taskCreated(TaskCreated(id: 1, subject: "Design the schema", description: "Tables and keys"))
            ),
            Event(
                seq: 2,
                timestamp: at(1),
                list: "default",
                actor: "lead",
                idempotencyKey: "create-2",
                payload: .taskCreated(
                    TaskCreated(
                        id: 2,
                        subject: "Write the migration ✓",
                        description: "",
                        activeForm: "Writing the migration",
                        owner: "agent-b",
                        metadata: [
                            "workflow": "build-task-20260213T1430", "step": 4, "milestone": true, "phase": "build",
                            "parallel_group": "writers", "ratio": 0.25, "tags": ["a", nil, -7],
                            "nested": ["k": ["x": 1]],
                        ]
                    )
                )
            ),
            Event(
                seq: 3,
                timestamp: at(2),
                list: "default",
                actor: nil,
                payload: .taskUpdated(TaskUpdated(id: 2, addBlockedBy: [1]))
            ),
            Event(
                seq: 4,
                timestamp: at(3),
                list: "default",
                actor: "agent-a",
                payload: .taskUpdated(
                    TaskUpdated(
                        id: 1,
                        subject: "Design the schema v2",
                        description: "More tables",
                        activeForm: "Designing",
                        status: .inProgress,
                        owner: .some("agent-a"),
                        metadataPatch: ["phase": "plan", "gone": nil],
                        addBlocks: [3],
                        addBlockedBy: []
                    )
                )
            ),
            Event(
                seq: 5,
                timestamp: at(4),
                list: "default",
                actor: "agent-a",
                payload: .taskUpdated(TaskUpdated(id: 1, status: .completed, owner: .some(nil)))
            ),
            Event(
                seq: 6,
                timestamp: at(5),
                list: "team-b",
                actor: "cli",
                payload: .dependencyAdded(blocker: 1, blocked: 2)
            ),
            Event(
                seq: 7,
                timestamp: at(6),
                list: "team-b",
                actor: "cli",
                payload: .dependencyRemoved(blocker: 1, blocked: 2)
            ),
            Event(seq: 8, timestamp: at(7), list: "default", actor: "cli", payload: .taskDeleted(id: 2)),
        ]
    }()

    static func hex(_ bytes: [UInt8]) -> String { bytes.map { String(format: "%02x", $0) }.joined() }

    static func bytes(_ hex: Substring) -> [UInt8] {
        var bytes: [UInt8] = []
        var index = hex.startIndex
        while index < hex.endIndex {
            let next = hex.index(index, offsetBy: 2)
            bytes.append(UInt8(hex[index..<next], radix: 16)!)
            index = next
        }
        return bytes
    }

    func golden(_ name: String, _ make: () -> String) throws -> String {
        let url = Self.folder.appendingPathComponent(name)
        if !FileManager.default.fileExists(atPath: url.path),
            ProcessInfo.processInfo.environment["TASKLOG_WRITE_GOLDEN"] == "1"
        {
            try make().write(to: url, atomically: true, encoding: .utf8)
        }
        return try String(contentsOf: url, encoding: .utf8)
    }

    func encodedEvents() -> [[UInt8]] {
        var link = ChainLink.zero
        return Self.events.map { event in
            let (bytes, next) = EventCodec.encode(event, after: link)
            link = next
            return bytes
        }
    }

    @Test func eventsOfFormat1DecodeAndEncodeUnchanged() throws {
        let text = try golden("events-v1.hex") { encodedEvents().map(Self.hex).joined(separator: "\n") + "\n" }
        let lines = text.split(separator: "\n")
        #expect(lines.count == Self.events.count)
        var link = ChainLink.zero
        for (line, expected) in zip(lines, Self.events) {
            let bytes = Self.bytes(line)
            let decoded = try bytes.withUnsafeBytes { try EventCodec.decode($0) }
            #expect(decoded == expected)
            let stored = try bytes.withUnsafeBytes { try EventCodec.storedLink($0) }
            #expect(try bytes.withUnsafeBytes { try EventCodec.computedLink($0, after: link) } == stored)
            link = stored
        }
        #expect(encodedEvents().map(Self.hex) == lines.map(String.init))
    }

    @Test func snapshotOfFormat1StillDecodes() throws {
        let state = Reducer.replay(Self.events)
        let text = try String(contentsOf: Self.folder.appendingPathComponent("snapshot-v1.hex"), encoding: .utf8)
        let bytes = Self.bytes(text.split(separator: "\n")[0])
        #expect(try bytes.withUnsafeBytes { try SnapshotCodec.decode($0) } == state)
    }

    /// Format 2 adds the workflows of each list.
    static let workflowEvents: [Event] = {
        let t = Timestamp(rawValue: 1_770_993_600_000_000)
        return events + [
            Event(
                seq: 9,
                timestamp: t,
                list: "default",
                actor: "lead",
                payload: .workflowStarted(id: "build-task-20260213T1440", type: "build-task")
            ),
            Event(
                seq: 10,
                timestamp: Timestamp(rawValue: t.rawValue + 60_000_000),
                list: "default",
                actor: "lead",
                payload: .checkpointRecorded(
                    workflow: "build-task-20260213T1440",
                    step: 1,
                    name: "Workspace setup",
                    data: ["branch": "main"]
                )
            ),
            Event(
                seq: 11,
                timestamp: Timestamp(rawValue: t.rawValue + 120_000_000),
                list: "default",
                actor: "lead",
                payload: .workflowFailed(id: "build-task-20260213T1440", step: 4, reason: "tests failed")
            ),
            Event(
                seq: 12,
                timestamp: Timestamp(rawValue: t.rawValue + 180_000_000),
                list: "team-b",
                payload: .workflowCompleted(id: "quality-gate-1")
            ),
        ]
    }()

    @Test func snapshotOfFormat2StillDecodes() throws {
        let state = Reducer.replay(Self.workflowEvents)
        let text = try String(contentsOf: Self.folder.appendingPathComponent("snapshot-v2.hex"), encoding: .utf8)
        let bytes = Self.bytes(text.split(separator: "\n")[0])
        #expect(try bytes.withUnsafeBytes { try SnapshotCodec.decode($0) } == state)
        #expect(state.list("default").workflows["build-task-20260213T1440"]?.status == .failed)
    }

    /// Format 3 puts a directory up front, so that one list decodes without the others.
    @Test func snapshotOfFormat3DecodesAndEncodesUnchanged() throws {
        let state = Reducer.replay(Self.workflowEvents)
        let text = try golden("snapshot-v3.hex") { Self.hex(SnapshotCodec.encode(state)) + "\n" }
        let bytes = Self.bytes(text.split(separator: "\n")[0])
        #expect(SnapshotCodec.encode(state) == bytes)
        #expect(try bytes.withUnsafeBytes { try SnapshotCodec.decode($0) } == state)
        let directory = try bytes.withUnsafeBytes { try SnapshotCodec.directory(of: $0) }
        #expect(directory.lastSeq == state.lastSeq)
        #expect(Set(directory.lists.keys) == Set(state.lists.keys))
        for (id, entry) in directory.lists {
            #expect(try bytes.withUnsafeBytes { try SnapshotCodec.decodeList(entry, in: $0) } == state.lists[id])
        }
        // A body copied from this snapshot into a newer one is the same bytes as one encoded afresh.
        let copied = bytes.withUnsafeBytes { raw in
            directory.lists.map { id, entry in (id, SnapshotCodec.body(entry, in: raw)) }
        }
        #expect(
            SnapshotCodec.encode(lastSeq: state.lastSeq, lastTimestamp: state.lastTimestamp, bodies: copied) == bytes
        )
    }

    /// Format 4 is a directory alone: each entry says under which seq its list's body is stored
    /// (the body is format 3's, byte for byte), its length and its checksum.
    @Test func snapshotDirectoryOfFormat4() throws {
        let state = Reducer.replay(Self.workflowEvents)
        let entries = state.lists.map { id, list in
            let body = SnapshotBody(list)
            // "default" as if shared with an older snapshot, the others stored for this one.
            let storedAt = id == "default" ? state.lastSeq - 3 : state.lastSeq
            return (
                id, SnapshotDirectory.Entry(range: 0..<body.bytes.count, checksum: body.checksum, storedAt: storedAt)
            )
        }
        let encoded = SnapshotCodec.encodeDirectory(
            lastSeq: state.lastSeq,
            lastTimestamp: state.lastTimestamp,
            lists: entries,
            format: 4
        )
        let text = try golden("snapshot-v4.hex") { Self.hex(encoded) + "\n" }
        let bytes = Self.bytes(text.split(separator: "\n")[0])
        #expect(encoded == bytes)
        let directory = try bytes.withUnsafeBytes { try SnapshotCodec.directory(of: $0, storedAt: state.lastSeq) }
        #expect(directory.lastSeq == state.lastSeq && directory.lastTimestamp == state.lastTimestamp)
        #expect(directory.lists == Dictionary(uniqueKeysWithValues: entries))
        for (id, entry) in directory.lists {
            let body = SnapshotBody(try #require(state.lists[id])).bytes
            #expect(try body.withUnsafeBytes { try SnapshotCodec.decodeList(entry, in: $0) } == state.lists[id])
            // A body record of another length, or with a flipped bit, is refused.
            _ = (body + [0]).withUnsafeBytes { raw in
                #expect(throws: CodecError.self) { try SnapshotCodec.decodeList(entry, in: raw) }
            }
            var flipped = body
            flipped[flipped.count / 2] ^= 0x10
            _ = flipped.withUnsafeBytes { raw in
                #expect(throws: CodecError.self) { try SnapshotCodec.decodeList(entry, in: raw) }
            }
        }
        // Its bodies are elsewhere: it does not decode whole, and a flipped bit in it is found.
        _ = bytes.withUnsafeBytes { raw in #expect(throws: CodecError.self) { try SnapshotCodec.decode(raw) } }
        var header = bytes
        header[header.count / 2] ^= 0x01
        _ = header.withUnsafeBytes { raw in
            #expect(throws: CodecError.self) { try SnapshotCodec.directory(of: raw) }
        }
    }

    /// A list big enough to gain is stored compressed: the events of `workflowEvents`, then sixty
    /// tasks in list "default" that repeat their words, as agents' tasks do.
    static let compressibleState: TasklogState = {
        var events = workflowEvents
        let start = events.last!.timestamp
        for index in 1...60 {
            events.append(
                Event(
                    seq: UInt64(events.count + 1),
                    timestamp: Timestamp(rawValue: start.rawValue + Int64(index) * 1_000_000),
                    list: "default",
                    payload: .taskCreated(
                        TaskCreated(
                            id: 100 + index,
                            subject: "Step \(index % 7): review the parser change",
                            description:
                                "Read the diff of the parser, run its tests, and note what \(index % 3) reviewers said",
                            metadata: ["workflow": .string("review-\(index % 4)"), "step": .int(Int64(index % 7))]
                        )
                    )
                )
            )
        }
        return Reducer.replay(events)
    }()

    /// Format 5 is format 4 with each entry's length once decompressed (0: stored as it is); a
    /// body that gains is stored as a Zstandard frame of format 3's body.
    @Test func snapshotDirectoryOfFormat5WithCompressedBodies() throws {
        let state = Self.compressibleState
        let bodies = state.lists.mapValues { SnapshotBody($0, compressed: true) }
        #expect(bodies["default"]?.plainLength == SnapshotBody(state.lists["default"]!).bytes.count)
        #expect(bodies["team-b"]?.plainLength == nil, "a small body is stored as it is")
        let text = try golden("snapshot-v5.hex") {
            let entries = bodies.map { id, body in
                (
                    id,
                    SnapshotDirectory.Entry(
                        range: 0..<body.bytes.count,
                        checksum: body.checksum,
                        storedAt: state.lastSeq,
                        plainLength: body.plainLength
                    )
                )
            }
            let directory = SnapshotCodec.encodeDirectory(
                lastSeq: state.lastSeq,
                lastTimestamp: state.lastTimestamp,
                lists: entries
            )
            let sorted = bodies.keys.sorted(by: utf8Precedes).map { Self.hex(bodies[$0]!.bytes) }
            return ([Self.hex(directory)] + sorted).joined(separator: "\n") + "\n"
        }
        // The pinned directory, then the pinned bodies in id order.
        let lines = text.split(separator: "\n").map { Self.bytes($0) }
        let directory = try lines[0].withUnsafeBytes { try SnapshotCodec.directory(of: $0, storedAt: state.lastSeq) }
        #expect(directory.lastSeq == state.lastSeq && directory.lastTimestamp == state.lastTimestamp)
        let ids = directory.lists.keys.sorted(by: utf8Precedes)
        #expect(ids == state.lists.keys.sorted(by: utf8Precedes))
        for (id, pinned) in zip(ids, lines.dropFirst()) {
            let entry = try #require(directory.lists[id])
            #expect(try pinned.withUnsafeBytes { try SnapshotCodec.decodeList(entry, in: $0) } == state.lists[id])
            // Encoded afresh, the body decodes the same (its compressed bytes may differ with
            // another version of the library; the directory's own bytes may not).
            let fresh = try #require(bodies[id])
            #expect(fresh.plainLength == entry.plainLength)
            let freshEntry = SnapshotDirectory.Entry(
                range: 0..<fresh.bytes.count,
                checksum: fresh.checksum,
                storedAt: entry.storedAt,
                plainLength: fresh.plainLength
            )
            #expect(
                try fresh.bytes.withUnsafeBytes { try SnapshotCodec.decodeList(freshEntry, in: $0) } == state.lists[id]
            )
        }
        let reencoded = SnapshotCodec.encodeDirectory(
            lastSeq: directory.lastSeq,
            lastTimestamp: directory.lastTimestamp,
            lists: Array(directory.lists)
        )
        #expect(reencoded == lines[0])
    }

    /// A compressed body that fails to decompress, or decompresses to another length than its
    /// entry says, is refused as damage even when its checksum matches: nothing crashes.
    @Test func aCompressedBodyThatDoesNotDecompressIsRefused() throws {
        let list = try #require(Self.compressibleState.lists["default"])
        let body = SnapshotBody(list, compressed: true)
        let plainLength = try #require(body.plainLength)
        func entry(for bytes: [UInt8], plainLength: Int) -> SnapshotDirectory.Entry {
            SnapshotDirectory.Entry(
                range: 0..<bytes.count,
                checksum: bytes.withUnsafeBytes { XXH64.hash($0) },
                storedAt: 1,
                plainLength: plainLength
            )
        }
        var garbled = body.bytes
        for index in stride(from: 8, to: garbled.count, by: 5) { garbled[index] ^= 0x5a }
        let cases: [([UInt8], Int)] = [
            (garbled, plainLength),
            (Array(body.bytes.prefix(body.bytes.count / 2)), plainLength),  // cut short
            (body.bytes, plainLength - 1),  // longer than it says
            (body.bytes, plainLength + 1),  // shorter than it says
            (SnapshotBody(list).bytes, plainLength),  // not compressed at all
        ]
        for (bytes, length) in cases {
            let refused = bytes.withUnsafeBytes { raw in
                (try? SnapshotCodec.decodeList(entry(for: bytes, plainLength: length), in: raw)) == nil
            }
            #expect(refused)
        }
        #expect(
            try body.bytes.withUnsafeBytes {
                try SnapshotCodec.decodeList(entry(for: body.bytes, plainLength: plainLength), in: $0)
            }
                == list
        )
    }

    /// A flipped bit in one list's body is found when that list is decoded, and only then; a
    /// flipped bit in the directory is found when the directory is read.
    @Test func format3ChecksumsCoverTheDirectoryAndEachBody() throws {
        let state = Reducer.replay(Self.workflowEvents)
        let bytes = SnapshotCodec.encode(state)
        let directory = try bytes.withUnsafeBytes { try SnapshotCodec.directory(of: $0) }
        let damagedList = try #require(directory.lists["team-b"])
        var damaged = bytes
        damaged[damagedList.range.lowerBound] ^= 0x04
        try damaged.withUnsafeBytes { raw in
            let read = try SnapshotCodec.directory(of: raw)
            #expect(throws: CodecError.self) { try SnapshotCodec.decodeList(read.lists["team-b"]!, in: raw) }
            #expect(try SnapshotCodec.decodeList(read.lists["default"]!, in: raw) == state.lists["default"])
            #expect(throws: CodecError.self) { try SnapshotCodec.decode(raw) }
        }
        var header = bytes
        header[6] ^= 0x01
        _ = header.withUnsafeBytes { raw in
            #expect(throws: CodecError.self) { try SnapshotCodec.directory(of: raw) }
        }
    }

    @Test func workflowEventsDecodeAndEncodeUnchanged() throws {
        var link = ChainLink.zero
        let encoded = Self.workflowEvents.map { event in
            let (bytes, next) = EventCodec.encode(event, after: link)
            link = next
            return Self.hex(bytes)
        }
        let text = try golden("events-workflow-v1.hex") { encoded.joined(separator: "\n") + "\n" }
        #expect(text.split(separator: "\n").map(String.init) == encoded)
        for (line, event) in zip(text.split(separator: "\n"), Self.workflowEvents) {
            #expect(try Self.bytes(line).withUnsafeBytes { try EventCodec.decode($0) } == event)
        }
    }

    /// Event type 14, added after format 1's first types: a fork of a workflow run.
    @Test func aForkEventDecodesAndEncodesUnchanged() throws {
        let event = Event(
            seq: 41,
            timestamp: Timestamp(rawValue: 1_770_993_000_000_000),
            list: "default",
            actor: "orchestrator",
            payload: .workflowForked(
                id: "build-task-20260213T1500",
                type: "build-task",
                from: "build-task-20260213T1430",
                at: 37
            )
        )
        let encoded = Self.hex(EventCodec.encode(event, after: .zero).bytes)
        let text = try golden("event-workflow-forked-v1.hex") { encoded + "\n" }
        #expect(text == encoded + "\n")
        #expect(try Self.bytes(Substring(encoded)).withUnsafeBytes { try EventCodec.decode($0) } == event)
        #expect(try Event(json: event.json) == event)
    }

    @Test func theFoldOfTheGoldenEventsIsWhatTheyMean() throws {
        let state = Reducer.replay(Self.events)
        let list = state.list("default")
        #expect(list.highWater == 2)
        #expect(list.tasks[2] == nil, "deleted")
        let task = try #require(list.tasks[1])
        #expect(task.subject == "Design the schema v2")
        #expect(task.status == .completed && task.owner == nil)
        #expect(task.metadata == ["phase": "plan"])
        #expect(task.blocks.isEmpty && task.blockedBy.isEmpty, "#2 was deleted and #3 never existed")
        #expect(state.list("team-b").tasks.isEmpty)
    }

    @Test(arguments: [0, 1, 5, 20, 40])
    func aFlippedBitIsFoundByTheChecksum(offset: Int) throws {
        var bytes = encodedEvents()[1]
        bytes[offset % bytes.count] ^= 0x10
        #expect(throws: CodecError.self) { try bytes.withUnsafeBytes { try EventCodec.decode($0) } }
    }

    @Test func truncatedAndEmptyValuesAreRefused() {
        let bytes = encodedEvents()[0]
        for length in [0, 1, 10, bytes.count - 1] {
            #expect(throws: CodecError.self) {
                try Array(bytes.prefix(length)).withUnsafeBytes { try EventCodec.decode($0) }
            }
        }
    }

    @Test func anAlteredEventWithAFreshChecksumBreaksTheChain() throws {
        var encoded = encodedEvents()
        // Rewrite event 3's body and give it a valid checksum: decode passes, the chain does not.
        var altered = Self.events[2]
        altered.actor = "mallory"
        let previousLink = try encoded[1].withUnsafeBytes { try EventCodec.storedLink($0) }
        var forged = EventCodec.encode(altered, after: .zero).bytes  // wrong predecessor on purpose
        encoded[2] = forged
        #expect(try forged.withUnsafeBytes { try EventCodec.decode($0) } == altered)
        let stored = try forged.withUnsafeBytes { try EventCodec.storedLink($0) }
        #expect(try forged.withUnsafeBytes { try EventCodec.computedLink($0, after: previousLink) } != stored)
        forged.removeAll()
    }
}

/// Inputs the fuzzers found, kept so that they stay refused.
@Suite struct FuzzRegressionTests {
    /// An event whose last string claims more bytes than are left, with a checksum made to match:
    /// every reader of events refuses it (a length was once checked before its own varint).
    @Test func aStringRunningPastTheEndIsRefusedEverywhere() throws {
        let event = Event(
            seq: 1,
            timestamp: Timestamp(rawValue: 1_770_000_000_000_000),
            list: "default",
            payload: .workflowCompleted(id: "build-task-1")
        )
        let bytes = EventCodec.encode(event, after: .zero).bytes
        // The payload is the last field: its string's length byte sits just before its 12 bytes.
        let body = bytes.count - EventCodec.trailerSize
        let lengthAt = body - 12 - 1
        #expect(bytes[lengthAt] == 12)
        for overrun in [1, 2, 30] {
            var damaged = bytes
            damaged[lengthAt] = UInt8(12 + overrun)
            let checksum = damaged.withUnsafeBytes {
                XXH64.hash(UnsafeRawBufferPointer(rebasing: $0[..<(damaged.count - 8)]))
            }
            withUnsafeBytes(of: checksum.littleEndian) { damaged.replaceSubrange((damaged.count - 8)..., with: $0) }
            damaged.withUnsafeBytes { raw in
                #expect(throws: CodecError.self) { try EventCodec.decode(raw) }
                #expect(throws: CodecError.self) {
                    var replayer = Replayer()
                    try replayer.apply(encoded: raw)
                }
            }
        }
        bytes.withUnsafeBytes { raw in #expect(throws: Never.self) { try EventCodec.decode(raw) } }
    }

    /// A format-3 snapshot whose directory names a list with an id that runs past the header.
    @Test func snapshotDirectoryWithAnOverlongListID() {
        let bytes = Array(
            Data(
                base64Encoded:
                    "AwEAAAAMgJTACUxSWvn9CGifZmF1bHS9ZGUgdGEsbGVzCkRlc11nbmluAQEJTFJa+f34m59mYU9wdGlvbmFs////////I89pT0R8BQ29IAAAAAiA8LaUwPK6raUG"
            )!
        )
        _ = bytes.withUnsafeBytes { raw in
            #expect(throws: CodecError.self) { try SnapshotCodec.decode(raw) }
        }
    }
}
