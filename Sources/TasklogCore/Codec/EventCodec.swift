/// The binary form of a stored event (format 1), documented in `schemas/binary-format.md`.
///
/// ```
/// format u8 (1) · type u8 · seq varint · timestamp zigzag · list string · actor string? ·
/// idempotency key string? · payload · link 16 bytes · checksum 8 bytes (XXH64, little-endian)
/// ```
///
/// The link chains the event to its predecessor (see ``ChainLink``); the checksum covers every
/// byte before it, so a flipped bit is found on decode.
public enum EventCodec {
    /// The format byte written now.
    public static let format: UInt8 = 1
    /// Link and checksum.
    public static let trailerSize = 24

    enum TypeCode: UInt8 {
        case taskCreated = 1
        case taskUpdated = 2
        case taskDeleted = 3
        case dependencyAdded = 4
        case dependencyRemoved = 5
        case workflowStarted = 10
        case checkpointRecorded = 11
        case workflowCompleted = 12
        case workflowFailed = 13
        case workflowForked = 14
    }

    /// Encodes `event` chained after `previous`; returns the bytes and the event's own link.
    public static func encode(_ event: Event, after previous: ChainLink) -> (bytes: [UInt8], link: ChainLink) {
        var writer = ByteWriter(capacity: 96)
        writer.byte(format)
        writeEnvelopeAndPayload(event, to: &writer)
        var body = writer.bytes
        let link = body.withUnsafeBytes { ChainLink.following(previous, body: $0) }
        writer.link(link)
        body = writer.bytes
        let checksum = body.withUnsafeBytes { XXH64.hash($0) }
        writer.fixed64(checksum)
        return (writer.bytes, link)
    }

    /// Decodes a stored event, checking its checksum.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Event {
        try checkTrailer(bytes)
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - trailerSize)]))
        let format = try reader.byte()
        guard format == Self.format else {
            throw CodecError("event format \(format) is not known to this version of Tasklog; upgrade it", at: 0)
        }
        let event = try readEnvelopeAndPayload(&reader)
        guard reader.remaining == 0 else {
            throw CodecError("\(reader.remaining) stray bytes after the payload", at: reader.offset)
        }
        return event
    }

    /// The timestamp of an encoded event, read from its header alone (for time → seq searches).
    public static func timestamp(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> Timestamp {
        var reader = ByteReader(bytes)
        guard try reader.byte() == format else { throw CodecError("unknown event format", at: 0) }
        _ = try reader.byte()
        _ = try reader.varint()
        return Timestamp(rawValue: try reader.zigzag())
    }

    /// The envelope of an encoded event, read without decoding its payload: the seq, the
    /// timestamp and where the list's name lies in `bytes`. The checksum is checked.
    public static func envelope(
        _ bytes: UnsafeRawBufferPointer
    ) throws(CodecError)
        -> (seq: UInt64, timestamp: Timestamp, list: Range<Int>)
    {
        try checkTrailer(bytes)
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - trailerSize)]))
        guard try reader.byte() == format else { throw CodecError("unknown event format", at: 0) }
        _ = try reader.byte()
        let seq = try reader.varint()
        let timestamp = Timestamp(rawValue: try reader.zigzag())
        let length = try reader.count(limit: Int.max)
        let list = reader.offset..<reader.offset + min(length, reader.remaining)
        try reader.skip(length)
        return (seq, timestamp, list)
    }

    /// The link stored in an encoded event (not recomputed).
    public static func storedLink(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> ChainLink {
        guard bytes.count > trailerSize else { throw CodecError("value too short for an event", at: 0) }
        var reader = ByteReader(bytes, offset: bytes.count - trailerSize)
        return try reader.link()
    }

    /// The link recomputed from the event's body and `previous`; compare with ``storedLink(_:)``.
    public static func computedLink(
        _ bytes: UnsafeRawBufferPointer,
        after previous: ChainLink
    ) throws(CodecError)
        -> ChainLink
    {
        guard bytes.count > trailerSize else { throw CodecError("value too short for an event", at: 0) }
        return ChainLink.following(
            previous,
            body: UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - trailerSize)])
        )
    }

    /// Throws unless the checksum matches the bytes.
    public static func checkTrailer(_ bytes: UnsafeRawBufferPointer) throws(CodecError) {
        guard bytes.count > trailerSize + 2 else { throw CodecError("value too short for an event", at: 0) }
        let covered = UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - 8)])
        let stored = UInt64(littleEndian: bytes.loadUnaligned(fromByteOffset: bytes.count - 8, as: UInt64.self))
        guard XXH64.hash(covered) == stored else {
            throw CodecError("checksum mismatch: the stored event is damaged", at: bytes.count - 8)
        }
    }

    // MARK: Body

    static func writeEnvelopeAndPayload(_ event: Event, to writer: inout ByteWriter) {
        let code: TypeCode =
            switch event.payload {
            case .taskCreated: .taskCreated
            case .taskUpdated: .taskUpdated
            case .taskDeleted: .taskDeleted
            case .dependencyAdded: .dependencyAdded
            case .dependencyRemoved: .dependencyRemoved
            case .workflowStarted: .workflowStarted
            case .checkpointRecorded: .checkpointRecorded
            case .workflowCompleted: .workflowCompleted
            case .workflowFailed: .workflowFailed
            case .workflowForked: .workflowForked
            }
        writer.byte(code.rawValue)
        writer.varint(event.seq)
        writer.zigzag(event.timestamp.rawValue)
        writer.string(event.list)
        writer.optionalString(event.actor)
        writer.optionalString(event.idempotencyKey)
        switch event.payload {
        case .taskCreated(let created):
            writer.varint(created.id)
            writer.string(created.subject)
            writer.string(created.description)
            writer.optionalString(created.activeForm)
            writer.optionalString(created.owner)
            writer.object(created.metadata)
        case .taskUpdated(let updated):
            writer.varint(updated.id)
            var mask: UInt8 = 0
            if updated.subject != nil { mask |= UpdateField.subject }
            if updated.description != nil { mask |= UpdateField.description }
            if updated.activeForm != nil { mask |= UpdateField.activeForm }
            if updated.status != nil { mask |= UpdateField.status }
            if updated.owner != nil { mask |= UpdateField.owner }
            if updated.metadataPatch != nil { mask |= UpdateField.metadata }
            if !updated.addBlocks.isEmpty { mask |= UpdateField.addBlocks }
            if !updated.addBlockedBy.isEmpty { mask |= UpdateField.addBlockedBy }
            writer.byte(mask)
            if let subject = updated.subject { writer.string(subject) }
            if let description = updated.description { writer.string(description) }
            if let activeForm = updated.activeForm { writer.string(activeForm) }
            if let status = updated.status { writer.byte(status.rawValue) }
            if let owner = updated.owner { writer.optionalString(owner) }
            if let patch = updated.metadataPatch { writer.object(patch) }
            if !updated.addBlocks.isEmpty { writer.ids(updated.addBlocks) }
            if !updated.addBlockedBy.isEmpty { writer.ids(updated.addBlockedBy) }
        case .taskDeleted(let id):
            writer.varint(id)
        case .dependencyAdded(let blocker, let blocked), .dependencyRemoved(let blocker, let blocked):
            writer.varint(blocker)
            writer.varint(blocked)
        case .workflowStarted(let id, let type):
            writer.string(id)
            writer.string(type)
        case .checkpointRecorded(let workflow, let step, let name, let data):
            writer.string(workflow)
            writer.varint(step)
            writer.string(name)
            writer.object(data)
        case .workflowCompleted(let id):
            writer.string(id)
        case .workflowFailed(let id, let step, let reason):
            writer.string(id)
            writer.varint(step)
            writer.string(reason)
        case .workflowForked(let id, let type, let from, let at):
            writer.string(id)
            writer.string(type)
            writer.string(from)
            writer.varint(at)
        }
    }

    enum UpdateField {
        static let subject: UInt8 = 1 << 0
        static let description: UInt8 = 1 << 1
        static let activeForm: UInt8 = 1 << 2
        static let status: UInt8 = 1 << 3
        static let owner: UInt8 = 1 << 4
        static let metadata: UInt8 = 1 << 5
        static let addBlocks: UInt8 = 1 << 6
        static let addBlockedBy: UInt8 = 1 << 7
    }

    static func readEnvelopeAndPayload(_ reader: inout ByteReader) throws(CodecError) -> Event {
        let typeOffset = reader.offset
        guard let code = TypeCode(rawValue: try reader.byte()) else {
            throw CodecError("unknown event type; this store was written by a newer Tasklog", at: typeOffset)
        }
        let seq = try reader.varint()
        let timestamp = Timestamp(rawValue: try reader.zigzag())
        let list = try reader.string()
        let actor = try reader.optionalString()
        let key = try reader.optionalString()
        let payload = try readPayload(code, &reader)
        return Event(seq: seq, timestamp: timestamp, list: list, actor: actor, idempotencyKey: key, payload: payload)
    }

    /// The payload of an event whose type is `code`, read after the envelope.
    static func readPayload(_ code: TypeCode, _ reader: inout ByteReader) throws(CodecError) -> EventPayload {
        var patch: Range<Int>?
        return try readPayload(code, &reader, deferPatch: false, patch: &patch)
    }

    /// The payload of an event whose type is `code`, read after the envelope. With `deferPatch`,
    /// an update's metadata patch is stepped over, not decoded, and `patch` says where it lies.
    static func readPayload(
        _ code: TypeCode,
        _ reader: inout ByteReader,
        deferPatch: Bool,
        patch: inout Range<Int>?
    ) throws(CodecError) -> EventPayload {
        let payload: EventPayload
        switch code {
        case .taskCreated:
            payload = .taskCreated(
                TaskCreated(
                    id: try reader.count(limit: Int.max),
                    subject: try reader.string(),
                    description: try reader.string(),
                    activeForm: try reader.optionalString(),
                    owner: try reader.optionalString(),
                    metadata: try reader.object()
                )
            )
        case .taskUpdated:
            var updated = TaskUpdated(id: try reader.count(limit: Int.max))
            let mask = try reader.byte()
            if mask & UpdateField.subject != 0 { updated.subject = try reader.string() }
            if mask & UpdateField.description != 0 { updated.description = try reader.string() }
            if mask & UpdateField.activeForm != 0 { updated.activeForm = try reader.string() }
            if mask & UpdateField.status != 0 { updated.status = try reader.taskStatus() }
            if mask & UpdateField.owner != 0 { updated.owner = .some(try reader.optionalString()) }
            if mask & UpdateField.metadata != 0 {
                if deferPatch {
                    let start = reader.offset
                    try reader.skipObject()
                    patch = start..<reader.offset
                } else {
                    updated.metadataPatch = try reader.object()
                }
            }
            if mask & UpdateField.addBlocks != 0 { updated.addBlocks = try reader.ids() }
            if mask & UpdateField.addBlockedBy != 0 { updated.addBlockedBy = try reader.ids() }
            payload = .taskUpdated(updated)
        case .taskDeleted:
            payload = .taskDeleted(id: try reader.count(limit: Int.max))
        case .dependencyAdded:
            payload = .dependencyAdded(
                blocker: try reader.count(limit: Int.max),
                blocked: try reader.count(limit: Int.max)
            )
        case .dependencyRemoved:
            payload = .dependencyRemoved(
                blocker: try reader.count(limit: Int.max),
                blocked: try reader.count(limit: Int.max)
            )
        case .workflowStarted:
            payload = .workflowStarted(id: try reader.string(), type: try reader.string())
        case .checkpointRecorded:
            payload = .checkpointRecorded(
                workflow: try reader.string(),
                step: try reader.count(limit: Int.max),
                name: try reader.string(),
                data: try reader.object()
            )
        case .workflowCompleted:
            payload = .workflowCompleted(id: try reader.string())
        case .workflowFailed:
            payload = .workflowFailed(
                id: try reader.string(),
                step: try reader.count(limit: Int.max),
                reason: try reader.string()
            )
        case .workflowForked:
            payload = .workflowForked(
                id: try reader.string(),
                type: try reader.string(),
                from: try reader.string(),
                at: try reader.varint()
            )
        }
        return payload
    }

    /// What the fold needs of a stored event, read straight from its bytes: its seq, timestamp,
    /// where its list's name lies, and its payload, as ``Foldable`` says. The actor and the
    /// idempotency key are stepped over, not decoded. The checksum is checked.
    static func foldable(
        _ bytes: UnsafeRawBufferPointer
    ) throws(CodecError)
        -> (seq: UInt64, timestamp: Timestamp, list: Range<Int>, payload: Foldable)
    {
        try checkTrailer(bytes)
        var reader = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[..<(bytes.count - trailerSize)]))
        let format = try reader.byte()
        guard format == Self.format else {
            throw CodecError("event format \(format) is not known to this version of Tasklog; upgrade it", at: 0)
        }
        let typeOffset = reader.offset
        guard let code = TypeCode(rawValue: try reader.byte()) else {
            throw CodecError("unknown event type; this store was written by a newer Tasklog", at: typeOffset)
        }
        let seq = try reader.varint()
        let timestamp = Timestamp(rawValue: try reader.zigzag())
        let length = try reader.count(limit: Int.max)
        let list = reader.offset..<reader.offset + min(length, reader.remaining)
        try reader.skip(length)
        try reader.skipOptionalString()  // actor
        try reader.skipOptionalString()  // idempotency key
        let payload: Foldable
        if code == .taskCreated {
            let id = try reader.count(limit: Int.max)
            let strings = try reader.taskStrings()
            let owner = try reader.optionalString()
            let metadata = try reader.objectRange()
            let text = TaskRecord.encodedText(strings: reader.bytes(strings), metadata: reader.bytes(metadata))
            payload = .created(
                TaskRecord(id: id, encodedText: text, owner: owner, createdAt: timestamp, updatedAt: timestamp)
            )
        } else if code == .taskUpdated, let update = try readStatusUpdate(&reader) {
            payload = update
        } else {
            var patch: Range<Int>?
            let other = try readPayload(code, &reader, deferPatch: true, patch: &patch)
            payload = .other(other, patch: patch)
        }
        guard reader.remaining == 0 else {
            throw CodecError("\(reader.remaining) stray bytes after the payload", at: reader.offset)
        }
        return (seq, timestamp, list, payload)
    }

    /// An update's payload, read for the fold if it changes nothing but the status, the owner
    /// and the metadata (a claim, a completion, a patch); otherwise `nil`, and the reader has not
    /// moved.
    private static func readStatusUpdate(_ reader: inout ByteReader) throws(CodecError) -> Foldable? {
        let start = reader.offset
        let id = try reader.count(limit: Int.max)
        let mask = try reader.byte()
        guard mask & ~(UpdateField.status | UpdateField.owner | UpdateField.metadata) == 0 else {
            reader.offset = start
            return nil
        }
        let status = mask & UpdateField.status != 0 ? try reader.taskStatus() : nil
        let owner: String?? = mask & UpdateField.owner != 0 ? .some(try reader.optionalString()) : nil
        let patch = mask & UpdateField.metadata != 0 ? try reader.objectRange() : nil
        return .updated(id: id, status: status, owner: owner, patch: patch)
    }

    /// A payload as the fold from bytes takes it.
    enum Foldable {
        /// A created task, its record built from the event's bytes (its text copied, not decoded).
        case created(TaskRecord)
        /// An update of the status, the owner and the metadata alone; the patch, where there is
        /// one, lies at `patch` (merged into the task straight from its bytes).
        case updated(id: Int, status: TaskStatus?, owner: String??, patch: Range<Int>?)
        /// Any other payload. An update's metadata patch is stepped over, and `patch` says where it
        /// lies: the caller merges it into the task straight from its bytes.
        case other(EventPayload, patch: Range<Int>?)
    }
}
