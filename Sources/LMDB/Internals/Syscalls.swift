public import CLMDB

// One thin Swift function per `mdb_*` call, so that the whole C surface of Tasklog can be read
// on one page. Nothing outside this module imports CLMDB.

@usableFromInline typealias EnvPointer = OpaquePointer
@usableFromInline typealias TxnPointer = OpaquePointer
@usableFromInline typealias CursorPointer = OpaquePointer

@usableFromInline
enum Syscalls {
    static func envCreate() throws(LMDBError) -> EnvPointer {
        var env: EnvPointer?
        try check(mdb_env_create(&env), "mdb_env_create")
        return env!
    }

    static func envSetMapSize(_ env: EnvPointer, _ size: Int) throws(LMDBError) {
        try check(mdb_env_set_mapsize(env, size), "mdb_env_set_mapsize")
    }

    static func envSetMaxDatabases(_ env: EnvPointer, _ count: UInt32) throws(LMDBError) {
        try check(mdb_env_set_maxdbs(env, MDB_dbi(count)), "mdb_env_set_maxdbs")
    }

    static func envSetMaxReaders(_ env: EnvPointer, _ count: UInt32) throws(LMDBError) {
        try check(mdb_env_set_maxreaders(env, count), "mdb_env_set_maxreaders")
    }

    static func envOpen(_ env: EnvPointer, _ path: String, _ flags: UInt32, _ mode: mdb_mode_t) throws(LMDBError) {
        try check(mdb_env_open(env, path, flags, mode), "mdb_env_open")
    }

    static func envClose(_ env: EnvPointer) {
        mdb_env_close(env)
    }

    static func envInfo(_ env: EnvPointer) throws(LMDBError) -> MDB_envinfo {
        var info = MDB_envinfo()
        try check(mdb_env_info(env, &info), "mdb_env_info")
        return info
    }

    static func envStat(_ env: EnvPointer) throws(LMDBError) -> MDB_stat {
        var stat = MDB_stat()
        try check(mdb_env_stat(env, &stat), "mdb_env_stat")
        return stat
    }

    static func envSync(_ env: EnvPointer, force: Bool) throws(LMDBError) {
        try check(mdb_env_sync(env, force ? 1 : 0), "mdb_env_sync")
    }

    static func readerCheck(_ env: EnvPointer) throws(LMDBError) -> Int {
        var dead: Int32 = 0
        try check(mdb_reader_check(env, &dead), "mdb_reader_check")
        return Int(dead)
    }

    static func txnBegin(_ env: EnvPointer, readOnly: Bool) throws(LMDBError) -> TxnPointer {
        var txn: TxnPointer?
        try check(mdb_txn_begin(env, nil, readOnly ? UInt32(MDB_RDONLY) : 0, &txn), "mdb_txn_begin")
        return txn!
    }

    static func txnCommit(_ txn: TxnPointer) throws(LMDBError) {
        if let code = FaultInjection.take(.commit, txn: txn) {
            mdb_txn_abort(txn)
            throw LMDBError(code: code, call: "mdb_txn_commit")
        }
        try check(mdb_txn_commit(txn), "mdb_txn_commit")
    }

    static func txnAbort(_ txn: TxnPointer) {
        mdb_txn_abort(txn)
    }

    static func dbiOpen(
        _ txn: TxnPointer,
        _ name: String,
        create: Bool,
        duplicates: Bool = false
    )
        throws(LMDBError) -> UInt32
    {
        var dbi: MDB_dbi = 0
        var flags = create ? UInt32(MDB_CREATE) : 0
        if duplicates { flags |= UInt32(MDB_DUPSORT) | UInt32(MDB_DUPFIXED) }
        try check(mdb_dbi_open(txn, name, flags, &dbi), "mdb_dbi_open")
        return dbi
    }

    /// Opens the database `name` if it exists (`nil` if not).
    static func dbiOpenIfPresent(_ txn: TxnPointer, _ name: String) throws(LMDBError) -> UInt32? {
        var dbi: MDB_dbi = 0
        let rc = mdb_dbi_open(txn, name, 0, &dbi)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_dbi_open")
        return dbi
    }

    static func dbiStat(_ txn: TxnPointer, _ dbi: UInt32) throws(LMDBError) -> MDB_stat {
        var stat = MDB_stat()
        try check(mdb_stat(txn, dbi, &stat), "mdb_stat")
        return stat
    }

    /// Empties the database, or also deletes it from the environment (`delete`).
    static func drop(_ txn: TxnPointer, _ dbi: UInt32, delete: Bool = false) throws(LMDBError) {
        try check(mdb_drop(txn, dbi, delete ? 1 : 0), "mdb_drop")
    }

    @usableFromInline
    static func get(
        _ txn: TxnPointer,
        _ dbi: UInt32,
        _ key: UnsafeRawBufferPointer
    ) throws(LMDBError)
        -> UnsafeRawBufferPointer?
    {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val()
        let rc = mdb_get(txn, dbi, &k, &v)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_get")
        return UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
    }

    @usableFromInline
    static func put(
        _ txn: TxnPointer,
        _ dbi: UInt32,
        _ key: UnsafeRawBufferPointer,
        _ value: UnsafeRawBufferPointer,
        _ flags: UInt32
    ) throws(LMDBError) {
        if let code = FaultInjection.take(.put, txn: txn) { throw LMDBError(code: code, call: "mdb_put") }
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value.count, mv_data: UnsafeMutableRawPointer(mutating: value.baseAddress))
        try check(mdb_put(txn, dbi, &k, &v, flags), "mdb_put")
    }

    /// Deletes `key` (with all its values), or only its `value` in a database of duplicates.
    static func del(
        _ txn: TxnPointer,
        _ dbi: UInt32,
        _ key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer? = nil
    ) throws(LMDBError) -> Bool {
        var k = MDB_val(mv_size: key.count, mv_data: UnsafeMutableRawPointer(mutating: key.baseAddress))
        var v = MDB_val(mv_size: value?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: value?.baseAddress))
        let rc = value == nil ? mdb_del(txn, dbi, &k, nil) : mdb_del(txn, dbi, &k, &v)
        if rc == MDB_NOTFOUND { return false }
        try check(rc, "mdb_del")
        return true
    }

    static func cursorOpen(_ txn: TxnPointer, _ dbi: UInt32) throws(LMDBError) -> CursorPointer {
        var cursor: CursorPointer?
        try check(mdb_cursor_open(txn, dbi, &cursor), "mdb_cursor_open")
        return cursor!
    }

    static func cursorClose(_ cursor: CursorPointer) {
        mdb_cursor_close(cursor)
    }

    /// One cursor step. `key` is the position to seek for `.setRange`, `.set`, `.getBoth` and
    /// `.getBothRange`, and `value` the value to seek for the last two; ignored otherwise.
    @usableFromInline
    static func cursorGet(
        _ cursor: CursorPointer,
        _ op: CursorOperation,
        seek key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer? = nil
    )
        throws(LMDBError) -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
    {
        var k = MDB_val(mv_size: key?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: key?.baseAddress))
        var v = MDB_val(mv_size: value?.count ?? 0, mv_data: UnsafeMutableRawPointer(mutating: value?.baseAddress))
        let rc = mdb_cursor_get(cursor, &k, &v, op.cValue)
        if rc == MDB_NOTFOUND { return nil }
        try check(rc, "mdb_cursor_get")
        return (
            UnsafeRawBufferPointer(start: k.mv_data, count: k.mv_size),
            UnsafeRawBufferPointer(start: v.mv_data, count: v.mv_size)
        )
    }

    static func errorString(_ code: Int32) -> String {
        String(cString: mdb_strerror(code))
    }

    @usableFromInline
    static func check(_ rc: Int32, _ call: StaticString) throws(LMDBError) {
        guard rc != 0 else { return }
        let code = LMDBError.Code(rawValue: rc)
        // Codes that only a programming mistake can produce are not errors to handle.
        precondition(
            code != .badTransaction && code != .badDatabase && code != .invalidArgument,
            "\(call) failed: \(errorString(rc)); this is a bug in Tasklog's use of LMDB"
        )
        throw LMDBError(code: code, call: call)
    }
}

@usableFromInline
enum CursorOperation {
    case first, last, next, prev, setRange
    /// On a database of duplicates: the key itself (`set`), its value equal to or just after the
    /// one sought (`getBothRange`) or equal to it (`getBoth`), and steps within one key's values.
    case set, getBoth, getBothRange, nextDuplicate, previousDuplicate, lastDuplicate

    @usableFromInline
    var cValue: MDB_cursor_op {
        switch self {
        case .first: MDB_FIRST
        case .last: MDB_LAST
        case .next: MDB_NEXT
        case .prev: MDB_PREV
        case .setRange: MDB_SET_RANGE
        case .set: MDB_SET
        case .getBoth: MDB_GET_BOTH
        case .getBothRange: MDB_GET_BOTH_RANGE
        case .nextDuplicate: MDB_NEXT_DUP
        case .previousDuplicate: MDB_PREV_DUP
        case .lastDuplicate: MDB_LAST_DUP
        }
    }
}

enum PutFlag {
    static let append = UInt32(MDB_APPEND)
    static let noOverwrite = UInt32(MDB_NOOVERWRITE)
}

enum EnvFlag {
    static let noTLS = UInt32(MDB_NOTLS)
    static let noMetaSync = UInt32(MDB_NOMETASYNC)
    static let noSync = UInt32(MDB_NOSYNC)
    static let noReadAhead = UInt32(MDB_NORDAHEAD)
}
