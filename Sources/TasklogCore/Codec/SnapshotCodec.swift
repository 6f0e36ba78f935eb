/// The binary form of a snapshot of ``TasklogState`` (format 2; format 1 still decodes),
/// documented in `schemas/binary-format.md`.
///
/// ```
/// format u8 (1) · reducer version u32 · seq varint · timestamp zigzag · list count varint ·
/// lists in id order (id string · high water varint · task count varint · tasks in id order ·
/// from format 2: workflow count varint · workflows in id order) ·
/// checksum 8 bytes (XXH64 of everything before it)
/// ```
///
/// Encoding is deterministic: the same state always gives the same bytes.
public enum SnapshotCodec {
    /// The format written now; 1 (before workflows) still decodes.
    public static let format: UInt8 = 2

    /// The snapshot of `state`, tagged with the current ``Reducer/version``.
    public static func encode(_ state: TasklogState) -> [UInt8] {
        var writer = ByteWriter(capacity: 64 + state.taskCount * 96)
        writer.byte(format)
        writer.fixed32(Reducer.version)
        writer.varint(state.lastSeq)
        writer.zigzag(state.lastTimestamp.rawValue)
        let ids = state.lists.keys.sorted(by: ByteWriter.utf8Order)
        writer.varint(ids.count)
        for id in ids {
            let list = state.lists[id]!
            writer.string(id)
            writer.varint(list.highWater)
            writer.varint(list.tasks.count)
            for taskID in list.tasks.keys.sorted() { write(list.tasks[taskID]!, to: &writer) }
            writer.varint(list.workflows.count)
            for workflowID in list.workflows.keys.sorted(by: ByteWriter.utf8Order) {
                write(list.workflows[workflowID]!, to: &writer)
            }
        }
        let checksum = writer.bytes.withUnsafeBytes { XXH64.hash($0) }
        writer.fixed64(checksum)
        return writer.bytes
    }

    /// The reducer version a snapshot was folded by, read without decoding the rest.
    public static func reducerVersion(of bytes: UnsafeRawBufferPointer) throws(CodecError) -> UInt32 {
        var reader = ByteReader(bytes)
        let format = try reader.byte()
        guard format == 1 || format == 2 else { throw CodecError("unknown snapshot format \(format)", at: 0) }
        return try reader.fixed32()
    }

    /// Decodes a snapshot, checking its checksum and its reducer version.
    public static func decode(_ bytes: UnsafeRawBufferPointer) throws(CodecError) -> TasklogState {
        guard bytes.count >= 14 else { throw CodecError("value too short for a snapshot", at: 0) }
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
            state.lists[id] = list
        }
        guard reader.remaining == 0 else { throw CodecError("stray bytes after the snapshot", at: reader.offset) }
        return state
    }

    static func write(_ task: TaskRecord, to writer: inout ByteWriter) {
        writer.varint(task.id)
        writer.string(task.subject)
        writer.string(task.description)
        writer.optionalString(task.activeForm)
        writer.byte(task.status.rawValue)
        writer.optionalString(task.owner)
        writer.ids(task.blocks)
        writer.ids(task.blockedBy)
        writer.object(task.metadata)
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
            id: try reader.string(), type: try reader.string(), startedAt: Timestamp(rawValue: try reader.zigzag())
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
                    step: try reader.count(limit: Int.max), name: try reader.string(),
                    completedAt: Timestamp(rawValue: try reader.zigzag()), data: try reader.object()
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
        let subject = try reader.string()
        let description = try reader.string()
        let activeForm = try reader.optionalString()
        let statusOffset = reader.offset
        guard let status = TaskStatus(rawValue: try reader.byte()) else {
            throw CodecError("unknown task status", at: statusOffset)
        }
        return TaskRecord(
            id: id, subject: subject, description: description, activeForm: activeForm, status: status,
            owner: try reader.optionalString(), blocks: try reader.ids(), blockedBy: try reader.ids(),
            metadata: try reader.object(), version: try reader.count(limit: Int.max),
            createdAt: Timestamp(rawValue: try reader.zigzag()), updatedAt: Timestamp(rawValue: try reader.zigzag())
        )
    }
}
