import NIOCore
import PostgresNIO
import TasklogCore

/// A transaction of a ``PostgresBackend``, read-only or writing, over one connection.
///
/// A write keeps the events, index entries and meta records it is given and sends them at once
/// (one statement for all three tables and the notification) before it reads anything, before
/// any other statement and before it commits: an append of a batch is a few round trips, not one
/// per row, and every read still sees the transaction's own writes.
final class PostgresTransaction: StorageWriter {
    let connection: PostgresConnection
    let schema: PostgresSchema
    /// Events read per round trip by ``forEachEvent(from:_:)``.
    static let eventsPerRead = 2_000

    private var events: (seqs: [Int64], bodies: [ByteBuffer]) = ([], [])
    private var entries: (kinds: [String], lists: [String], names: [ByteBuffer], seqs: [Int64]) = ([], [], [], [])
    private var pendingMeta: [String: ByteBuffer] = [:]
    /// What the first read of the last event also brought (the head record, the newest snapshot's
    /// seq), kept current by this transaction's own writes: nobody else writes them meanwhile (a
    /// read sees one state of the store; a write holds the writer lock), and the engine asks for
    /// them in every commit, which would be two round trips more.
    private var known = Known()
    private struct Known {
        var meta: [String: ByteBuffer?] = [:]
        var lastSnapshotSeq: UInt64??
    }
    /// The last event appended in this transaction: its bytes tell whether a commit cut off by a
    /// lost connection landed.
    private(set) var lastAppended: (seq: UInt64, body: ByteBuffer)?

    init(connection: PostgresConnection, schema: PostgresSchema) {
        self.connection = connection
        self.schema = schema
    }

    private func table(_ name: String) -> String { schema.table(name) }

    /// Runs `query` after sending what is kept.
    private func rows(_ query: PostgresQuery) throws -> [PostgresRow] {
        try flush()
        return try connection.rows(query)
    }

    private func run(_ query: PostgresQuery) throws {
        try flush()
        try connection.run(query)
    }

    /// Sends the kept events, index entries and meta records in one statement (a data-modifying
    /// `WITH` per table), which also notifies the store's channel of the new head when it appends:
    /// PostgreSQL delivers the notification when the transaction commits, and not if it does not.
    func flush() throws {
        guard !events.seqs.isEmpty || !entries.seqs.isEmpty || !pendingMeta.isEmpty else { return }
        let (seqs, bodies) = events
        let (kinds, lists, names, entrySeqs) = entries
        let meta = pendingMeta
        let head = seqs.isEmpty ? nil : lastAppended.map { String($0.seq) }
        events = ([], [])
        entries = ([], [], [], [])
        pendingMeta = [:]
        try connection.run(
            """
            WITH appended AS (INSERT INTO \(unescaped: table("events")) (seq, body) \
            SELECT * FROM unnest(\(seqs)::bigint[], \(bodies)::bytea[])), \
            indexed AS (INSERT INTO \(unescaped: table("index_entries")) (kind, list, name, seq) \
            SELECT * FROM unnest(\(kinds)::text[], \(lists)::text[], \(names)::bytea[], \(entrySeqs)::bigint[])), \
            noted AS (INSERT INTO \(unescaped: table("meta")) (name, value) \
            SELECT * FROM unnest(\(Array(meta.keys))::text[], \(Array(meta.values))::bytea[]) \
            ON CONFLICT (name) DO UPDATE SET value = EXCLUDED.value) \
            SELECT pg_notify(\(schema.channel), \(head)::text) WHERE \(head)::text IS NOT NULL
            """
        )
    }

    // MARK: Reading

    func withLastEvent<R>(_ body: (UInt64, UnsafeRawBufferPointer) throws -> R) throws -> R? {
        let row = try rows(
            """
            SELECT last.seq, last.body, (SELECT value FROM \(unescaped: table("meta")) WHERE name = 'head'), \
            (SELECT max(seq) FROM \(unescaped: table("snapshots"))) FROM (SELECT 1) AS one \
            LEFT JOIN LATERAL (SELECT seq, body FROM \(unescaped: table("events")) ORDER BY seq DESC LIMIT 1) AS last ON true
            """
        ).first!
        let (seq, bytes, head, snapshot) = try row.decode((Int64?, ByteBuffer?, ByteBuffer?, Int64?).self)
        if known.meta["head"] == nil { known.meta["head"] = .some(head) }
        if known.lastSnapshotSeq == nil { known.lastSnapshotSeq = .some(snapshot.map(UInt64.init)) }
        guard let seq, let bytes else { return nil }
        return try bytes.withUnsafeReadableBytes { try body(UInt64(seq), $0) }
    }

    func withEvent<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard let seq = Int64(exactly: seq) else { return nil }
        let found = try rows("SELECT body FROM \(unescaped: table("events")) WHERE seq = \(seq)")
        guard let row = found.first else { return nil }
        return try row.decode(ByteBuffer.self).withUnsafeReadableBytes(body)
    }

    func forEachEvent(from start: UInt64, _ body: (UInt64, UnsafeRawBufferPointer) throws -> Bool) throws {
        guard var next = Int64(exactly: start) else { return }
        while true {
            let chunk = try rows(
                """
                SELECT seq, body FROM \(unescaped: table("events")) WHERE seq >= \(next) \
                ORDER BY seq LIMIT \(Self.eventsPerRead)
                """
            )
            for row in chunk {
                let (seq, bytes) = try row.decode((Int64, ByteBuffer).self)
                guard try bytes.withUnsafeReadableBytes({ try body(UInt64(seq), $0) }) else { return }
                next = seq + 1
            }
            if chunk.count < Self.eventsPerRead { return }
        }
    }

    func snapshotSeqs() throws -> [UInt64] {
        try rows("SELECT seq FROM \(unescaped: table("snapshots")) ORDER BY seq").map {
            UInt64(try $0.decode(Int64.self))
        }
    }

    func lastSnapshotSeq() throws -> UInt64? {
        if let known = known.lastSnapshotSeq { return known }
        let seq = try rows("SELECT max(seq) FROM \(unescaped: table("snapshots"))").first?.decode(Int64?.self)
            .map(UInt64.init)
        known.lastSnapshotSeq = .some(seq)
        return seq
    }

    func withSnapshot<R>(at seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard let seq = Int64(exactly: seq) else { return nil }
        let found = try rows("SELECT body FROM \(unescaped: table("snapshots")) WHERE seq = \(seq)")
        guard let row = found.first else { return nil }
        return try row.decode(ByteBuffer.self).withUnsafeReadableBytes(body)
    }

    func withSnapshotBody<R>(list: String, seq: UInt64, _ body: (UnsafeRawBufferPointer) throws -> R) throws -> R? {
        guard let seq = Int64(exactly: seq) else { return nil }
        let found = try rows(
            "SELECT body FROM \(unescaped: table("snapshot_bodies")) WHERE list = \(list) AND seq = \(seq)"
        )
        guard let row = found.first else { return nil }
        return try row.decode(ByteBuffer.self).withUnsafeReadableBytes(body)
    }

    func meta(_ name: String) throws -> [UInt8]? {
        if let known = known.meta[name] { return known.map { Array(buffer: $0) } }
        let value = try rows("SELECT value FROM \(unescaped: table("meta")) WHERE name = \(name)").first?
            .decode(ByteBuffer.self)
        known.meta[name] = .some(value)
        return value.map { Array(buffer: $0) }
    }

    func idempotencyRecord(list: String, key: String) throws -> [UInt8]? {
        try rows(
            "SELECT value FROM \(unescaped: table("idempotency")) WHERE list = \(list) AND key = \(Self.bytes(key))"
        ).first
            .map { Array(buffer: try $0.decode(ByteBuffer.self)) }
    }

    func indexSeqs(
        _ key: IndexKey,
        from low: UInt64,
        through high: UInt64,
        newestFirst: Bool,
        limit: Int
    ) throws
        -> [UInt64]
    {
        guard low <= high, limit > 0 else { return [] }
        let (kind, list, name) = Self.columns(key)
        let low = Int64(clamping: low)
        let high = Int64(clamping: high)
        let order = newestFirst ? "DESC" : "ASC"
        return try rows(
            """
            SELECT seq FROM \(unescaped: table("index_entries")) \
            WHERE kind = \(kind) AND list = \(list) AND name = \(name) AND seq BETWEEN \(low) AND \(high) \
            ORDER BY seq \(unescaped: order) LIMIT \(Int64(limit))
            """
        ).map { UInt64(try $0.decode(Int64.self)) }
    }

    /// One query, whatever the budget: the server walks the list's entries of the primary key
    /// `(kind, list, name, seq)`, and one round trip costs more than the log's walk would save.
    func listSeqs(_ list: String, from low: UInt64, through high: UInt64, budget: Int) throws -> [UInt64]? {
        guard low <= high else { return [] }
        let low = Int64(clamping: low)
        let high = Int64(clamping: high)
        return try rows(
            """
            SELECT DISTINCT seq FROM \(unescaped: table("index_entries")) \
            WHERE kind IN (\(IndexKey.Kind.task.rawValue), \(IndexKey.Kind.workflow.rawValue)) AND list = \(list) \
            AND seq BETWEEN \(low) AND \(high)
            """
        ).map { UInt64(try $0.decode(Int64.self)) }
    }

    func containsIndexEntry(_ key: IndexKey, seq: UInt64) throws -> Bool {
        let (kind, list, name) = Self.columns(key)
        let seq = Int64(clamping: seq)
        return try !rows(
            """
            SELECT 1 FROM \(unescaped: table("index_entries")) \
            WHERE kind = \(kind) AND list = \(list) AND name = \(name) AND seq = \(seq)
            """
        ).isEmpty
    }

    func indexEntryCount(_ kind: IndexKey.Kind) throws -> Int {
        Int(
            try rows("SELECT count(*) FROM \(unescaped: table("index_entries")) WHERE kind = \(kind.rawValue)").first?
                .decode(Int64.self) ?? 0
        )
    }

    func leases(in list: String?, owner: String?) throws -> [Lease] {
        try rows(
            """
            SELECT list, owner, session, expires, pid, seconds FROM \(unescaped: table("leases")) \
            WHERE (\(list)::text IS NULL OR list = \(list)) \
            AND (\(owner.map(Self.bytes))::bytea IS NULL OR owner = \(owner.map(Self.bytes))) \
            ORDER BY list COLLATE "C", owner, session
            """
        ).map { row in
            let (list, owner, session, expires, pid, seconds) = try row.decode(
                (String, ByteBuffer, ByteBuffer, Int64, Int32, Double?).self
            )
            return Lease(
                list: list,
                owner: String(buffer: owner),
                session: String(buffer: session),
                expires: Timestamp(rawValue: expires),
                pid: pid,
                seconds: seconds
            )
        }
    }

    /// The columns an index key is stored under: its kind, the list (empty for actors and
    /// types), and the task id, workflow, actor or type.
    static func columns(_ key: IndexKey) -> (kind: String, list: String, name: ByteBuffer) {
        switch key {
        case .task(let list, let id): (key.kind.rawValue, list, bytes(String(id)))
        case .workflow(let list, let name): (key.kind.rawValue, list, bytes(name))
        case .actor(let actor): (key.kind.rawValue, "", bytes(actor))
        case .type(let type): (key.kind.rawValue, "", bytes(type))
        }
    }

    /// Free text (a name, a key, an owner) as the `bytea` it is stored as: PostgreSQL's `text`
    /// refuses NUL and depends on the database's encoding; the stored bytes are the UTF-8 the
    /// engine gave.
    static func bytes(_ text: String) -> ByteBuffer { ByteBuffer(string: text) }

    // MARK: Writing

    func appendEvent(_ seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        let body = ByteBuffer(bytes: bytes)
        events.seqs.append(Int64(clamping: seq))
        events.bodies.append(body)
        lastAppended = (seq, body)
    }

    func addIndexEntry(_ key: IndexKey, seq: UInt64) throws {
        let (kind, list, name) = Self.columns(key)
        entries.kinds.append(kind)
        entries.lists.append(list)
        entries.names.append(name)
        entries.seqs.append(Int64(clamping: seq))
    }

    func removeAllIndexEntries() throws {
        entries = ([], [], [], [])
        try run("DELETE FROM \(unescaped: table("index_entries"))")
    }

    func setIdempotencyRecord(list: String, key: String, _ value: [UInt8]) throws {
        try run(
            """
            INSERT INTO \(unescaped: table("idempotency")) (list, key, value) VALUES (\(list), \(Self.bytes(key)), \(ByteBuffer(bytes: value))) \
            ON CONFLICT (list, key) DO UPDATE SET value = EXCLUDED.value
            """
        )
    }

    func setMeta(_ name: String, _ value: [UInt8]) throws {
        let value = ByteBuffer(bytes: value)
        pendingMeta[name] = value
        known.meta[name] = .some(value)
    }

    func putSnapshot(_ seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        let seq = Int64(clamping: seq)
        try run(
            """
            INSERT INTO \(unescaped: table("snapshots")) (seq, body) VALUES (\(seq), \(ByteBuffer(bytes: bytes))) \
            ON CONFLICT (seq) DO UPDATE SET body = EXCLUDED.body
            """
        )
        if let known = known.lastSnapshotSeq { self.known.lastSnapshotSeq = .some(max(known ?? 0, UInt64(seq))) }
    }

    func deleteSnapshot(_ seq: UInt64) throws {
        let seq = Int64(clamping: seq)
        try run("DELETE FROM \(unescaped: table("snapshots")) WHERE seq = \(seq)")
        if known.lastSnapshotSeq == .some(UInt64(seq)) { known.lastSnapshotSeq = nil }  // ask again
    }

    func putSnapshotBody(list: String, seq: UInt64, _ bytes: UnsafeRawBufferPointer) throws {
        let seq = Int64(clamping: seq)
        try run(
            """
            INSERT INTO \(unescaped: table("snapshot_bodies")) (list, seq, body) \
            VALUES (\(list), \(seq), \(ByteBuffer(bytes: bytes))) \
            ON CONFLICT (list, seq) DO UPDATE SET body = EXCLUDED.body
            """
        )
    }

    func deleteSnapshotBody(list: String, seq: UInt64) throws {
        let seq = Int64(clamping: seq)
        try run("DELETE FROM \(unescaped: table("snapshot_bodies")) WHERE list = \(list) AND seq = \(seq)")
    }

    func putLease(_ lease: Lease) throws {
        try run(
            """
            INSERT INTO \(unescaped: table("leases")) (list, owner, session, expires, pid, seconds) \
            VALUES (\(lease.list), \(Self.bytes(lease.owner)), \(Self.bytes(lease.session)), \(lease.expires.rawValue), \
            \(lease.pid), \(lease.seconds)) \
            ON CONFLICT (list, owner, session) DO UPDATE SET expires = EXCLUDED.expires, pid = EXCLUDED.pid, \
            seconds = EXCLUDED.seconds
            """
        )
    }

    @discardableResult
    func deleteLease(list: String, owner: String, session: String) throws -> Bool {
        try !rows(
            """
            DELETE FROM \(unescaped: table("leases")) WHERE list = \(list) AND owner = \(Self.bytes(owner)) AND session = \(Self.bytes(session)) \
            RETURNING 1
            """
        ).isEmpty
    }
}
