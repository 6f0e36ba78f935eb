/// The binary form of a snapshot of ``TasklogState`` (formats 5 and 3; formats 1, 2 and 4 still
/// decode), documented in `schemas/binary-format.md`.
///
/// A store writes format 5: a directory alone, each list's body stored apart under the list and
/// the seq of the snapshot that first held it (``StorageWriter/putSnapshotBody(list:seq:_:)``), so
/// that a list no event changed since is shared with the snapshot before, not written again. A
/// body is stored compressed when that saves room (``BodyCompression``); the directory says so by
/// its length once decompressed:
///
/// ```
/// format u8 (5) · reducer version u32 · seq varint · timestamp zigzag · list count varint ·
/// directory: per list in id order (id string · stored at seq varint · body length varint ·
/// plain length varint (0: stored as it is) · body XXH64 fixed64) · header checksum fixed64
/// (XXH64 of everything before it)
/// ```
///
/// Format 4 is format 5 without the plain length: every body stored as it is.
///
/// Format 3, which ``encode(_:)`` still writes for a snapshot in one value, has the bodies after
/// the directory, in its order, and no stored-at seq:
///
/// ```
/// format u8 (3) · reducer version u32 · seq varint · timestamp zigzag · list count varint ·
/// directory: per list in id order (id string · body length varint · body XXH64 fixed64) ·
/// header checksum fixed64 (XXH64 of everything before it) ·
/// bodies, in the directory's order: high water varint · task count varint · tasks in id order ·
/// workflow count varint · workflows in id order
/// ```
///
/// The directory up front lets a reader decode one list without touching the others: opening a
/// store reads the directory alone, and a list is decoded the first time it is used. Each body has
/// its own checksum, checked when that list is decoded. Formats 1 and 2 were one run of lists
/// with a single checksum at the end.
///
/// Encoding is deterministic: the same state always gives the same bytes.
public enum SnapshotCodec {
    /// The format a store writes now: a directory, the bodies stored apart, compressed.
    public static let format: UInt8 = 5

    /// Whether a snapshot of this format keeps its lists' bodies apart (formats 4 and 5), rather
    /// than in its own bytes.
    public static func keepsBodiesApart(_ bytes: UnsafeRawBufferPointer) -> Bool {
        bytes.first.map { (4...5).contains($0) } ?? false
    }

    /// The snapshot of `state` in one value (format 3), tagged with the current ``Reducer/version``.
    public static func encode(_ state: TasklogState) -> [UInt8] {
        let bodies = state.lists.map { id, list in (id, SnapshotBody(list)) }
        return encode(lastSeq: state.lastSeq, lastTimestamp: state.lastTimestamp, bodies: bodies)
    }

    /// A snapshot in one value (format 3) made of list bodies, some freshly encoded and some
    /// copied from an older snapshot (a list that no event changed since has the same body).
    public static func encode(lastSeq: UInt64, lastTimestamp: Timestamp, bodies: [(String, SnapshotBody)]) -> [UInt8] {
        let sorted = bodies.sorted { utf8Precedes($0.0, $1.0) }
        precondition(sorted.allSatisfy { $0.1.plainLength == nil }, "a snapshot in one value holds plain bodies")
        var writer = ByteWriter(capacity: 64 + sorted.reduce(0) { $0 + $1.1.bytes.count + $1.0.utf8.count + 20 })
        writeHeader(3, lastSeq: lastSeq, lastTimestamp: lastTimestamp, count: sorted.count, to: &writer)
        for (id, body) in sorted {
            writer.string(id)
            writer.varint(body.bytes.count)
            writer.fixed64(body.checksum)
        }
        let checksum = writer.bytes.withUnsafeBytes { XXH64.hash($0) }
        writer.fixed64(checksum)
        for (_, body) in sorted { body.bytes.withUnsafeBytes { writer.append($0) } }
        return writer.bytes
    }

    /// A snapshot of format 5 (or, for a test of an older store, 4): the directory of `lists`,
    /// whose bodies are stored apart (each entry says under which seq,
    /// ``SnapshotDirectory/Entry/storedAt``, and whether compressed).
    public static func encodeDirectory(
        lastSeq: UInt64,
        lastTimestamp: Timestamp,
        lists: [(String, SnapshotDirectory.Entry)],
        format: UInt8 = format
    ) -> [UInt8] {
        precondition(format == 4 || format == 5, "a directory alone is of format 4 or 5")
        let sorted = lists.sorted { utf8Precedes($0.0, $1.0) }
        var writer = ByteWriter(capacity: 64 + sorted.reduce(0) { $0 + $1.0.utf8.count + 34 })
        writeHeader(format, lastSeq: lastSeq, lastTimestamp: lastTimestamp, count: sorted.count, to: &writer)
        for (id, entry) in sorted {
            precondition(entry.storedAt != nil, "an entry of a directory alone says where its body is stored")
            precondition(format == 5 || entry.plainLength == nil, "format 4 holds plain bodies")
            writer.string(id)
            writer.varint(entry.storedAt ?? 0)
            writer.varint(entry.range.count)
            if format == 5 { writer.varint(entry.plainLength ?? 0) }
            writer.fixed64(entry.checksum)
        }
        let checksum = writer.bytes.withUnsafeBytes { XXH64.hash($0) }
        writer.fixed64(checksum)
        return writer.bytes
    }

    private static func writeHeader(
        _ format: UInt8,
        lastSeq: UInt64,
        lastTimestamp: Timestamp,
        count: Int,
        to writer: inout ByteWriter
    ) {
        writer.byte(format)
        writer.fixed32(Reducer.version)
        writer.varint(lastSeq)
        writer.zigzag(lastTimestamp.rawValue)
        writer.varint(count)
    }

    /// The format and reducer version of a snapshot, read without decoding the rest.
    public static func reducerVersion(of bytes: UnsafeRawBufferPointer) throws(CodecError) -> UInt32 {
        var reader = ByteReader(bytes)
        let format = try reader.byte()
        guard (1...5).contains(format) else {
            throw CodecError("unknown snapshot format \(format); this store was written by a newer Tasklog", at: 0)
        }
        return try reader.fixed32()
    }

    /// The directory of a snapshot: where it stands in the log and where each list's body is,
    /// checking the header's checksum and the reducer version. Formats 1 and 2 have no
    /// directory: they are decoded whole (``decode(_:storedAt:)``).
    ///
    /// With `key`, the seq the snapshot is stored under, a snapshot that says another seq is
    /// refused. With `anyReducerVersion`, a snapshot of another reducer version is read too (for
    /// retention, which must know which bodies a snapshot it drops names).
    public static func directory(
        of bytes: UnsafeRawBufferPointer,
        storedAt key: UInt64? = nil,
        anyReducerVersion: Bool = false
    ) throws(CodecError) -> SnapshotDirectory {
        let version = try reducerVersion(of: bytes)
        let format = bytes[0]
        guard format >= 3 else { throw CodecError("snapshot format \(format) has no directory", at: 0) }
        guard version == Reducer.version || anyReducerVersion else {
            throw CodecError("snapshot of reducer version \(version), not \(Reducer.version)", at: 1)
        }
        var reader = ByteReader(bytes, offset: 5)
        let lastSeq = try reader.varint()
        let lastTimestamp = Timestamp(rawValue: try reader.zigzag())
        let count = try reader.count(limit: reader.remaining)
        var entries: [(id: String, storedAt: UInt64?, length: Int, plainLength: Int?, checksum: UInt64)] = []
        entries.reserveCapacity(count)
        for _ in 0..<count {
            let id = try reader.string()
            let storedAt = format >= 4 ? try reader.varint() : nil
            let length = try reader.count(limit: format >= 4 ? Int.max : reader.remaining)
            let plainLength = format == 5 ? try reader.count(limit: BodyCompression.longest) : 0
            entries.append((id, storedAt, length, plainLength > 0 ? plainLength : nil, try reader.fixed64()))
        }
        let headerEnd = reader.offset
        let stored = try reader.fixed64()
        guard XXH64.hash(UnsafeRawBufferPointer(rebasing: bytes[..<headerEnd])) == stored else {
            throw CodecError("checksum mismatch: the snapshot's directory is damaged", at: headerEnd)
        }
        var lists: [String: SnapshotDirectory.Entry] = [:]
        lists.reserveCapacity(count)
        var offset = reader.offset
        for entry in entries {
            if let storedAt = entry.storedAt {
                guard storedAt <= lastSeq else {
                    throw CodecError("the body of list \(entry.id) is stored past the snapshot", at: headerEnd)
                }
                lists[entry.id] = .init(
                    range: 0..<entry.length,
                    checksum: entry.checksum,
                    storedAt: storedAt,
                    plainLength: entry.plainLength
                )
                continue
            }
            guard entry.length <= bytes.count - offset else {
                throw CodecError("the body of list \(entry.id) runs past the end of the snapshot", at: offset)
            }
            lists[entry.id] = .init(range: offset..<offset + entry.length, checksum: entry.checksum)
            offset += entry.length
        }
        guard offset == bytes.count else { throw CodecError("stray bytes after the snapshot", at: offset) }
        try checkSeq(lastSeq, storedAt: key)
        return SnapshotDirectory(lastSeq: lastSeq, lastTimestamp: lastTimestamp, lists: lists)
    }

    /// One list's body, copied as it is (for a newer snapshot, when no event changed the list):
    /// from the snapshot's `bytes` (format 3), or a body record's (formats 4 and 5).
    public static func body(_ entry: SnapshotDirectory.Entry, in bytes: UnsafeRawBufferPointer) -> SnapshotBody {
        SnapshotBody(
            bytes: Array(UnsafeRawBufferPointer(rebasing: bytes[entry.range])),
            checksum: entry.checksum,
            plainLength: entry.plainLength
        )
    }

    /// Checks a list's body against its directory entry, its length and its checksum: `bytes` are
    /// the snapshot's (format 3) or, for an entry stored apart (formats 4 and 5), the body
    /// record's, compressed or not.
    public static func checkBody(_ entry: SnapshotDirectory.Entry, in bytes: UnsafeRawBufferPointer) throws(CodecError)
    {
        guard entry.storedAt == nil || bytes.count == entry.range.count else {
            throw CodecError(
                "a list's body is \(bytes.count) bytes where the snapshot says \(entry.range.count): it is damaged",
                at: 0
            )
        }
        guard entry.range.upperBound <= bytes.count,
            XXH64.hash(UnsafeRawBufferPointer(rebasing: bytes[entry.range])) == entry.checksum
        else {
            throw CodecError("checksum mismatch: a list of the snapshot is damaged", at: entry.range.lowerBound)
        }
    }

    /// Decodes one list, checked first (``checkBody(_:in:)``) and decompressed if it is stored
    /// so: `bytes` are the snapshot's (format 3) or, for an entry stored apart (formats 4 and 5),
    /// the body record's.
    public static func decodeList(
        _ entry: SnapshotDirectory.Entry,
        in bytes: UnsafeRawBufferPointer
    ) throws(CodecError)
        -> TaskListState
    {
        try checkBody(entry, in: bytes)
        if let plainLength = entry.plainLength {
            let plain = try BodyCompression.decompress(bytes, length: plainLength)
            let list = plain.withUnsafeBytes { plain in
                Result { () throws(CodecError) in try decodePlainList(at: 0..<plain.count, of: plain) }
            }
            return try list.get()
        }
        return try decodePlainList(at: entry.range, of: bytes)
    }

    /// Decodes the plain list body, already checked, at `range` of `bytes`.
    private static func decodePlainList(
        at range: Range<Int>,
        of bytes: UnsafeRawBufferPointer
    ) throws(CodecError)
        -> TaskListState
    {
        var reader = ByteReader(bytes, offset: range.lowerBound)
        let list = try readList(&reader, format: 3)
        guard reader.offset == range.upperBound else {
            throw CodecError("stray bytes after a list of the snapshot", at: reader.offset)
        }
        return list
    }

    /// Decodes a whole snapshot held in one value (formats 1 to 3), checking its checksums and its
    /// reducer version (and, with `key`, that it says the seq it is stored under). A snapshot of
    /// format 4 or 5 has its bodies stored apart: its lists are decoded one by one with
    /// ``decodeList(_:in:)``.
    public static func decode(
        _ bytes: UnsafeRawBufferPointer,
        storedAt key: UInt64? = nil
    ) throws(CodecError)
        -> TasklogState
    {
        guard bytes.count >= 14 else { throw CodecError("value too short for a snapshot", at: 0) }
        if keepsBodiesApart(bytes) {
            throw CodecError("a snapshot of format \(bytes[0]) keeps its lists apart; decode them one by one", at: 0)
        }
        if bytes[0] == 3 {
            let directory = try directory(of: bytes, storedAt: key)
            var state = TasklogState()
            state.lastSeq = directory.lastSeq
            state.lastTimestamp = directory.lastTimestamp
            for (id, entry) in directory.lists { state.lists[id] = try decodeList(entry, in: bytes) }
            return state
        }
        let covered = UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 8)])
        let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
        guard XXH64.hash(covered) == stored else {
            throw CodecError("checksum mismatch: the snapshot is damaged", at: bytes.count - 8)
        }
        let version = try reducerVersion(of: covered)
        guard version == Reducer.version else {
            throw CodecError("snapshot of reducer version \(version), not \(Reducer.version)", at: 1)
        }
        let format = covered[0]
        var reader = ByteReader(covered, offset: 5)
        var state = TasklogState()
        state.lastSeq = try reader.varint()
        state.lastTimestamp = Timestamp(rawValue: try reader.zigzag())
        let listCount = try reader.count(limit: reader.remaining)
        state.lists.reserveCapacity(listCount)
        for _ in 0..<listCount {
            let id = try reader.string()
            state.lists[id] = try readList(&reader, format: format)
        }
        guard reader.remaining == 0 else { throw CodecError("stray bytes after the snapshot", at: reader.offset) }
        try checkSeq(state.lastSeq, storedAt: key)
        return state
    }

    private static func checkSeq(_ seq: UInt64, storedAt key: UInt64?) throws(CodecError) {
        guard let key, seq != key else { return }
        throw CodecError("it says seq \(seq) but is stored under seq \(key)", at: 5)
    }

    static func writeList(_ list: TaskListState, to writer: inout ByteWriter) {
        writer.varint(list.highWater)
        writer.varint(list.tasks.count)
        for task in list.tasks { write(task, to: &writer) }
        writer.varint(list.workflows.count)
        for workflowID in list.workflows.keys.sorted(by: utf8Precedes) {
            write(list.workflows[workflowID]!, to: &writer)
        }
    }

    static func readList(_ reader: inout ByteReader, format: UInt8) throws(CodecError) -> TaskListState {
        var list = TaskListState()
        list.highWater = try reader.count(limit: Int.max)
        let taskCount = try reader.count(limit: reader.remaining)
        list.tasks.reserveCapacity(taskCount)
        for _ in 0..<taskCount {
            let task = try read(&reader)
            list.tasks[task.id] = task
        }
        if format >= 2 {
            let workflowCount = try reader.count(limit: reader.remaining)
            for _ in 0..<workflowCount {
                let workflow = try readWorkflow(&reader)
                list.workflows[workflow.id] = workflow
            }
        }
        return list
    }

    /// A task: its id, its text's strings, its status, owner and links, its metadata, version and
    /// times. The text is copied as the record keeps it (``TaskRecord/encodedText``).
    static func write(_ task: TaskRecord, to writer: inout ByteWriter) {
        writer.varint(task.id)
        let metadataOffset = task.metadataOffset
        task.encodedText.withUnsafeBytes { text in
            writer.append(UnsafeRawBufferPointer(rebasing: text[..<metadataOffset]))
        }
        writer.byte(task.status.rawValue)
        writer.optionalString(task.owner)
        writer.ids(task.blocks)
        writer.ids(task.blockedBy)
        task.encodedText.withUnsafeBytes { text in
            writer.append(UnsafeRawBufferPointer(rebasing: text[metadataOffset...]))
        }
        writer.varint(task.version)
        writer.zigzag(task.createdAt.rawValue)
        writer.zigzag(task.updatedAt.rawValue)
    }

    static func write(_ workflow: WorkflowState, to writer: inout ByteWriter) {
        writer.string(workflow.id)
        writer.string(workflow.type)
        writer.zigzag(workflow.startedAt.rawValue)
        writer.byte(workflow.status.rawValue)
        writer.varint(workflow.checkpoints.count)
        for checkpoint in workflow.checkpoints {
            writer.varint(checkpoint.step)
            writer.string(checkpoint.name)
            writer.zigzag(checkpoint.completedAt.rawValue)
            writer.object(checkpoint.data)
        }
        writer.varint(workflow.failedStep.map { $0 + 1 } ?? 0)
        writer.optionalString(workflow.failureReason)
        if let ended = workflow.endedAt {
            writer.byte(1)
            writer.zigzag(ended.rawValue)
        } else {
            writer.byte(0)
        }
    }

    static func readWorkflow(_ reader: inout ByteReader) throws(CodecError) -> WorkflowState {
        var workflow = WorkflowState(
            id: try reader.string(),
            type: try reader.string(),
            startedAt: Timestamp(rawValue: try reader.zigzag())
        )
        let statusOffset = reader.offset
        guard let status = WorkflowStatus(rawValue: try reader.byte()) else {
            throw CodecError("unknown workflow status", at: statusOffset)
        }
        workflow.status = status
        let count = try reader.count(limit: reader.remaining)
        for _ in 0..<count {
            workflow.checkpoints.append(
                Checkpoint(
                    step: try reader.count(limit: Int.max),
                    name: try reader.string(),
                    completedAt: Timestamp(rawValue: try reader.zigzag()),
                    data: try reader.object()
                )
            )
        }
        let failed = try reader.count(limit: Int.max)
        workflow.failedStep = failed > 0 ? failed - 1 : nil
        workflow.failureReason = try reader.optionalString()
        if try reader.byte() == 1 { workflow.endedAt = Timestamp(rawValue: try reader.zigzag()) }
        return workflow
    }

    static func read(_ reader: inout ByteReader) throws(CodecError) -> TaskRecord {
        let id = try reader.count(limit: Int.max)
        let strings = try reader.taskStrings()
        let status = try reader.taskStatus()
        let owner = try reader.optionalString()
        let blocks = try reader.ids()
        let blockedBy = try reader.ids()
        let metadata = try reader.objectRange()
        return TaskRecord(
            id: id,
            encodedText: TaskRecord.encodedText(strings: reader.bytes(strings), metadata: reader.bytes(metadata)),
            status: status,
            owner: owner,
            blocks: blocks,
            blockedBy: blockedBy,
            version: try reader.count(limit: Int.max),
            createdAt: Timestamp(rawValue: try reader.zigzag()),
            updatedAt: Timestamp(rawValue: try reader.zigzag())
        )
    }
}
