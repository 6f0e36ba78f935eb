import LMDB
import TasklogCore

/// How a store lays its records out in LMDB's named databases, and the one definition of each key.
///
/// | database | key | value |
/// | --- | --- | --- |
/// | `events` | seq, 8 bytes big-endian | an encoded event (``EventCodec``) |
/// | `snapshots` | seq, 8 bytes big-endian | a snapshot's directory (``SnapshotCodec``; older formats hold the bodies too) |
/// | `snapshot_bodies` | list · 0 · seq | a list's body, stored for the snapshot at seq and shared by newer ones |
/// | `meta` | a name | `format`, `store-id`, `head` (last seq and link), `index-version` |
/// | `idempotency` | list · 0 · key | the engine's record of the command that used the key |
/// | `leases` | list · 0 · owner · 0 · session | expiry (µs, 8 bytes), pid (4 bytes), length (µs, 8 bytes; absent in older leases), big-endian |
/// | `seqs_by_task` | list · 0 · task id (8 bytes) | the seqs of its events |
/// | `seqs_by_workflow` | list · 0 · workflow · 0 | the seqs of its events |
/// | `seqs_by_actor` | actor · 0 | the seqs of its events |
/// | `seqs_by_type` | type name · 0 | the seqs of its events |
///
/// An index holds, under each key, the seqs of the events it names (8 bytes big-endian), as
/// LMDB's sorted fixed-size duplicates (`MDB_DUPSORT | MDB_DUPFIXED`): each seq takes 8 bytes,
/// without its key again, and the seqs of one key are walked in log order. (Index version 1 kept
/// one entry per event, key and seq together, in `index_task`, `index_workflow`, `index_actor`
/// and `index_type`; a store of that layout has its indexes written again when it is opened, as
/// its `index-version` lacks ``LMDBBackend/indexLayout``.)
///
/// The indexes are picked with a `switch`, not a dictionary keyed by `IndexKey.Kind`: the first
/// dictionary of a key type makes the Swift runtime look up its `Hashable` conformance, a scan of
/// every conformance the process holds, on the first open of the process.
struct LMDBLayout: Sendable {
    static let databaseNames =
        ["events", "snapshots", "snapshot_bodies", "meta", "idempotency", "leases"]
        + IndexKey.Kind.allCases.map(indexName)

    /// The database of the index of `kind`.
    static func indexName(_ kind: IndexKey.Kind) -> String {
        switch kind {
        case .task: "seqs_by_task"
        case .workflow: "seqs_by_workflow"
        case .actor: "seqs_by_actor"
        case .type: "seqs_by_type"
        }
    }

    /// The databases of the indexes of version 1, deleted when the indexes are written again.
    static let formerIndexNames = ["index_task", "index_workflow", "index_actor", "index_type"]

    let events: Database
    let snapshots: Database
    let snapshotBodies: Database
    let meta: Database
    let idempotency: Database
    let leases: Database
    let taskIndex: Database
    let workflowIndex: Database
    let actorIndex: Database
    let typeIndex: Database

    init(_ environment: Environment) {
        events = environment.database("events")
        snapshots = environment.database("snapshots")
        snapshotBodies = environment.database("snapshot_bodies")
        meta = environment.database("meta")
        idempotency = environment.database("idempotency")
        leases = environment.database("leases")
        taskIndex = environment.database(Self.indexName(.task))
        workflowIndex = environment.database(Self.indexName(.workflow))
        actorIndex = environment.database(Self.indexName(.actor))
        typeIndex = environment.database(Self.indexName(.type))
    }

    func index(_ kind: IndexKey.Kind) -> Database {
        switch kind {
        case .task: taskIndex
        case .workflow: workflowIndex
        case .actor: actorIndex
        case .type: typeIndex
        }
    }

    // MARK: Keys

    /// The key under which an index holds the seqs of `key`'s events.
    static func indexKey(_ key: IndexKey) -> [UInt8] {
        switch key {
        case .task(let list, let id): listPrefix(list) + Key.uint64(UInt64(truncatingIfNeeded: id))
        case .workflow(let list, let name): listPrefix(list) + Array(name.utf8) + [0]
        case .actor(let actor): Array(actor.utf8) + [0]
        case .type(let type): Array(type.utf8) + [0]
        }
    }

    /// What every key of list `list` starts with, in the task and workflow indexes, the snapshot
    /// bodies, the idempotency records and the leases.
    static func listPrefix(_ list: String) -> [UInt8] {
        Array(list.utf8) + [0]
    }

    static func snapshotBodyKey(list: String, seq: UInt64) -> [UInt8] {
        listPrefix(list) + Key.uint64(seq)
    }

    static func idempotencyKey(list: String, key: String) -> [UInt8] {
        listPrefix(list) + Array(key.utf8)
    }

    static func leasePrefix(list: String?, owner: String?) -> [UInt8] {
        guard let list else { return [] }
        guard let owner else { return listPrefix(list) }
        return listPrefix(list) + Array(owner.utf8) + [0]
    }

    static func leaseKey(_ lease: (list: String, owner: String, session: String)) -> [UInt8] {
        leasePrefix(list: lease.list, owner: lease.owner) + Array(lease.session.utf8)
    }

    static func leaseValue(_ lease: Lease) -> [UInt8] {
        Key.uint64(UInt64(bitPattern: lease.expires.rawValue))
            + withUnsafeBytes(of: UInt32(bitPattern: lease.pid).bigEndian) { Array($0) }
            + (lease.seconds.map { Key.uint64(UInt64(bitPattern: microseconds($0))) } ?? [])
    }

    /// A lease's length in microseconds, saturated: a lease of any length is stored, none traps.
    private static func microseconds(_ seconds: Double) -> Int64 {
        let micros = (seconds * 1_000_000).rounded()
        guard !micros.isNaN else { return 0 }
        if micros >= Double(Int64.max) { return .max }
        return micros <= 0 ? 0 : Int64(micros)
    }

    static func decodeLease(key: [UInt8], value: [UInt8]) -> Lease? {
        let parts = key.split(separator: 0, maxSplits: 2, omittingEmptySubsequences: false)
        guard parts.count == 3, value.count >= 8 else { return nil }
        let expires = value.prefix(8).reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        let pid = value.count >= 12 ? value[8..<12].reduce(UInt32(0)) { $0 << 8 | UInt32($1) } : 0
        let length = value.count >= 20 ? value[12..<20].reduce(UInt64(0)) { $0 << 8 | UInt64($1) } : nil
        return Lease(
            list: String(decoding: parts[0], as: UTF8.self),
            owner: String(decoding: parts[1], as: UTF8.self),
            session: String(decoding: parts[2], as: UTF8.self),
            expires: Timestamp(rawValue: Int64(bitPattern: expires)),
            pid: Int32(bitPattern: pid),
            seconds: length.map { Double(Int64(bitPattern: $0)) / 1_000_000 }
        )
    }
}
