#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Folds stored events into a ``TasklogState`` straight from their bytes: the path of recovery,
/// of loading a list and of a full replay.
///
/// It folds exactly as ``Reducer/apply(_:to:)`` does (the same function folds each payload), but
/// it decodes less: the actor and the idempotency key are stepped over, and an event's list is
/// found by comparing its name's bytes with the lists met so far, held in an array while the fold
/// runs, so that no name is decoded or hashed per event.
public struct Replayer {
    private var names: [[UInt8]] = []
    private var ids: [String] = []
    private var lists: [TaskListState] = []
    private var last = 0
    private var lastSeq: UInt64
    private var lastTimestamp: Timestamp

    /// A fold that continues from `state`. The lists are moved out of it, so that the fold
    /// changes them in place rather than copying them (copy on write).
    public init(_ state: consuming TasklogState = TasklogState()) {
        lastSeq = state.lastSeq
        lastTimestamp = state.lastTimestamp
        var taken = state.lists
        state.lists = [:]
        for id in Array(taken.keys) {
            ids.append(id)
            names.append(Array(id.utf8))
            lists.append(taken.removeValue(forKey: id)!)
        }
        if ids.count > Self.scanned { for (index, id) in ids.enumerated() { byID[id] = index } }
    }

    /// The seq of the last event folded in.
    public var seq: UInt64 { lastSeq }

    /// Folds one stored event; returns its seq. The checksum is checked.
    @discardableResult
    public mutating func apply(encoded bytes: UnsafeRawBufferPointer) throws(CodecError) -> UInt64 {
        let (seq, timestamp, list, payload) = try EventCodec.foldable(bytes)
        let index = try listIndex(UnsafeRawBufferPointer(rebasing: bytes[list]))
        switch consume payload {
        case .created(let task):
            Reducer.insert(created: task, into: &lists[index])
        case .updated(let id, let status, let owner, let patch):
            try lists[index].tasks.modify(id) { task throws(CodecError) in
                Reducer.update(&task, status: status, owner: owner, at: timestamp)
                if let patch { try task.mergeMetadata(patch: UnsafeRawBufferPointer(rebasing: bytes[patch])) }
            }
        case .other(let payload, let patch):
            Reducer.apply(payload, at: timestamp, to: &lists[index])
            // The reducer saw the update without its patch.
            if let patch, case .taskUpdated(let updated) = payload {
                try lists[index].tasks.modify(updated.id) { task throws(CodecError) in
                    try task.mergeMetadata(patch: UnsafeRawBufferPointer(rebasing: bytes[patch]))
                }
            }
        }
        lastSeq = seq
        lastTimestamp = timestamp
        return seq
    }

    /// The state folded so far.
    public consuming func finish() -> TasklogState {
        var state = TasklogState()
        state.lastSeq = lastSeq
        state.lastTimestamp = lastTimestamp
        state.lists.reserveCapacity(ids.count)
        for (id, list) in zip(ids, lists) { state.lists[id] = list }
        return state
    }

    /// The index of the list named `name`: the last one used, else one met before (by a scan
    /// while there are few, by a hash past that), else a new one.
    private mutating func listIndex(_ name: UnsafeRawBufferPointer) throws(CodecError) -> Int {
        if last < names.count, Self.same(names[last], name) { return last }
        if names.count <= Self.scanned {
            if let found = names.firstIndex(where: { Self.same($0, name) }) {
                last = found
                return found
            }
        } else if let found = byID[String(decoding: name, as: UTF8.self)] {
            last = found
            return found
        }
        var reader = ByteReader(name)
        let id = try reader.utf8(length: name.count)  // checked once per list
        names.append(Array(name))
        ids.append(id)
        lists.append(TaskListState())
        last = lists.count - 1
        if names.count > Self.scanned {
            if byID.isEmpty { for (index, id) in ids.enumerated() { byID[id] = index } } else { byID[id] = last }
        }
        return last
    }

    /// Whether `stored` holds the same bytes as `name` (a memcmp, not a generic comparison).
    @inline(__always)
    public static func same(_ stored: [UInt8], _ name: UnsafeRawBufferPointer) -> Bool {
        stored.count == name.count
            && stored.withUnsafeBytes { stored in
                name.isEmpty || memcmp(stored.baseAddress!, name.baseAddress!, name.count) == 0
            }
    }

    /// Up to this many lists, a list is found by comparing names; past it, by a dictionary.
    private static let scanned = 16
    private var byID: [String: Int] = [:]
}
