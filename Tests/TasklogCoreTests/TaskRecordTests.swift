import Testing

@testable import TasklogCore

/// `TaskRecord` keeps its text and metadata encoded in one buffer; its API reads as plain fields.
struct TaskRecordTests {
    let time = Timestamp(rawValue: 1_000)

    func record(_ metadata: [String: JSONValue] = ["workflow": "wf-1", "step": 3]) -> TaskRecord {
        TaskRecord(
            id: 7,
            subject: "Run the tests",
            description: "All of them, twice",
            activeForm: "Running the tests",
            metadata: metadata,
            createdAt: time,
            updatedAt: time
        )
    }

    @Test func fieldsReadBackAsWritten() {
        let task = record()
        #expect(task.subject == "Run the tests")
        #expect(task.description == "All of them, twice")
        #expect(task.activeForm == "Running the tests")
        #expect(task.metadata == ["workflow": "wf-1", "step": 3])
        #expect(task.metadata("workflow") == "wf-1")
        #expect(task.metadata("step") == 3)
        #expect(task.metadata("phase") == nil)
    }

    @Test func eachSetterChangesItsFieldAlone() {
        var task = record()
        task.subject = "Ship it"
        task.activeForm = nil
        task.metadata["step"] = 4
        task.metadata["workflow"] = nil
        task.description = ""
        #expect(task.subject == "Ship it")
        #expect(task.description == "")
        #expect(task.activeForm == nil)
        #expect(task.metadata == ["step": 4])
        #expect(task == TaskRecord(id: 7, subject: "Ship it", metadata: ["step": 4], createdAt: time, updatedAt: time))
    }

    @Test func equalityAndHashAreOfTheDecodedFields() {
        // The same subject in two Unicode normalizations: different bytes, equal strings.
        var composed = record()
        composed.subject = "Caf\u{E9}"
        var decomposed = record()
        decomposed.subject = "Cafe\u{301}"
        #expect(composed.encodedText != decomposed.encodedText)
        #expect(composed == decomposed)
        #expect(composed.hashValue == decomposed.hashValue)
        // Metadata whose keys were given in another order encodes the same.
        #expect(record(["a": 1, "b": 2]).encodedText == record(["b": 2, "a": 1]).encodedText)
        #expect(record(["a": 1]) != record(["a": 2]))
        #expect(Set([record(), record(), record(["a": 1])]).count == 2)
    }

    @Test func theFoldFromBytesBuildsTheRecordTheReducerBuilds() throws {
        let created = TaskCreated(
            id: 3,
            subject: "Plan",
            description: "Write the plan down",
            activeForm: "Planning",
            owner: "agent-1",
            metadata: ["workflow": "wf-9", "nested": ["deep": [1, 2.5, "x", nil, true]]]
        )
        let event = Event(seq: 1, timestamp: time, list: "l", actor: "a", payload: .taskCreated(created))
        let stored = EventCodec.encode(event, after: .zero).bytes
        var replayer = Replayer()
        try stored.withUnsafeBytes { _ = try replayer.apply(encoded: $0) }
        let folded = replayer.finish()
        #expect(folded == Reducer.replay([event]))
        let task = try #require(folded.lists["l"]?.tasks[3])
        #expect(task.encodedText == Reducer.replay([event]).lists["l"]?.tasks[3]?.encodedText)
        #expect(task.owner == "agent-1")
        #expect(task.metadata("nested") == ["deep": [1, 2.5, "x", nil, true]])
    }

    @Test func aDamagedStringInACreatedTaskIsRefusedByTheFold() throws {
        let created = TaskCreated(id: 1, subject: "ok", description: "\u{E9}")
        let event = Event(seq: 1, timestamp: time, list: "l", actor: nil, payload: .taskCreated(created))
        var stored = EventCodec.encode(event, after: .zero).bytes
        // The description's second byte made invalid UTF-8, and the checksum made to match again.
        let description = try #require(stored.firstIndex(of: 0xC3))
        stored[description + 1] = 0xFF
        let covered = stored.count - 8
        let checksum = stored[..<covered].withUnsafeBytes { XXH64.hash($0) }
        withUnsafeBytes(of: checksum.littleEndian) { stored.replaceSubrange(covered..., with: $0) }
        var replayer = Replayer()
        #expect(throws: CodecError.self) { try stored.withUnsafeBytes { _ = try replayer.apply(encoded: $0) } }
    }

    /// A patch merged from its bytes (one pass over two sorted objects) gives what the reducer's
    /// merge of the decoded patch gives: random objects over a few keys, some not ASCII, some
    /// values `null`, some nested.
    @Test func aPatchMergedFromItsBytesEqualsTheDecodedMerge() throws {
        var random = SeededRandom(seed: 18)
        let keys = ["a", "b", "step", "workflow", "z", "caf\u{E9}", "cafe\u{301}", ""]
        let values: [JSONValue] = [nil, nil, 1, "x", true, 2.5, ["n": [1, nil]], [], "\u{E9}"]
        func object() -> [String: JSONValue] {
            var object: [String: JSONValue] = [:]
            for _ in 0..<random.below(5) { object[keys[random.below(keys.count)]] = values[random.below(values.count)] }
            return object
        }
        for _ in 0..<500 {
            var task = record(object().filter { $0.value != .null })
            var expected = task.metadata
            let patch = object()
            Reducer.merge(patch, into: &expected)
            var writer = ByteWriter()
            writer.object(patch)
            try writer.bytes.withUnsafeBytes { try task.mergeMetadata(patch: $0) }
            #expect(task.metadata == expected)
            #expect(task.subject == "Run the tests" && task.activeForm == "Running the tests")
        }
    }
}
