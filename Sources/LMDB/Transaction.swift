public import CLMDB

/// What every transaction can do: read values in place.
///
/// Values are handed to closures as `RawSpan`, which cannot escape the closure: they point into
/// the memory map and are valid only while the transaction is open.
public protocol ReadableTransaction: ~Copyable {
    /// The LMDB handle; for the LMDB module's own use.
    var _pointer: OpaquePointer { get }
}

extension ReadableTransaction where Self: ~Copyable {
    /// Calls `body` with the value stored under `key`, or returns `nil` when there is none.
    @inlinable
    public func withValue<R>(
        in database: Database,
        key: UnsafeRawBufferPointer,
        _ body: (RawSpan) throws -> R
    ) throws -> R? {
        guard let value = try Syscalls.get(_pointer, database.dbi, key) else { return nil }
        return try body(unsafe RawSpan(_unsafeBytes: value))
    }

    /// Calls `body` with the value stored under the big-endian `key`, or returns `nil`.
    @inlinable
    public func withValue<R>(in database: Database, key: UInt64, _ body: (RawSpan) throws -> R) throws -> R? {
        var big = key.bigEndian
        return try withUnsafeBytes(of: &big) { try withValue(in: database, key: $0, body) }
    }

    /// Calls `body` with the value stored under `key`, or returns `nil`.
    @inlinable
    public func withValue<R>(in database: Database, key: [UInt8], _ body: (RawSpan) throws -> R) throws -> R? {
        try key.withUnsafeBytes { try withValue(in: database, key: $0, body) }
    }

    /// Walks the entries in key order from the first key `>= start` (or from the first key),
    /// or backwards from the last key `<= start` (or from the last key) when `reverse` is set.
    /// `body` returns `false` to stop.
    @inlinable
    public func forEach(
        in database: Database,
        from start: [UInt8]? = nil,
        reverse: Bool = false,
        _ body: (_ key: RawSpan, _ value: RawSpan) throws -> Bool
    ) throws {
        try withCursor(in: database) { cursor in
            var entry: (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
            if let start {
                entry = try start.withUnsafeBytes { try cursor.get(.setRange, seek: $0) }
                if reverse {
                    if let found = entry {
                        // setRange lands on the first key >= start; step back unless it is equal.
                        let equal = start.withUnsafeBytes { $0.elementsEqual(found.key) }
                        if !equal { entry = try cursor.get(.prev, seek: nil) }
                    } else {
                        entry = try cursor.get(.last, seek: nil)
                    }
                }
            } else {
                entry = try cursor.get(reverse ? .last : .first, seek: nil)
            }
            while let (key, value) = entry {
                let more = try body(unsafe RawSpan(_unsafeBytes: key), unsafe RawSpan(_unsafeBytes: value))
                guard more else { return }
                entry = try cursor.get(reverse ? .prev : .next, seek: nil)
            }
        }
    }

    /// Walks the values stored under `key` in a database of duplicates, in order from the first
    /// value `>= start`, or backwards from the last value `<= start` when `reverse` is set.
    /// `body` returns `false` to stop.
    @inlinable
    public func forEachDuplicate(
        in database: Database,
        key: UnsafeRawBufferPointer,
        from start: UnsafeRawBufferPointer,
        reverse: Bool = false,
        _ body: (_ value: RawSpan) throws -> Bool
    ) throws {
        try withCursor(in: database) { cursor in
            var value = try cursor.get(.getBothRange, seek: key, value: start)?.value
            if reverse {
                if let found = value {
                    // getBothRange lands on the first value >= start; step back unless it is equal.
                    if !start.elementsEqual(found) { value = try cursor.get(.previousDuplicate, seek: nil)?.value }
                } else if try cursor.get(.set, seek: key) != nil {
                    value = try cursor.get(.lastDuplicate, seek: nil)?.value  // every value < start
                }
            }
            while let found = value {
                guard try body(unsafe RawSpan(_unsafeBytes: found)) else { return }
                value = try cursor.get(reverse ? .previousDuplicate : .nextDuplicate, seek: nil)?.value
            }
        }
    }

    /// Whether a database of duplicates holds `value` under `key`.
    @inlinable
    public func contains(
        in database: Database,
        key: UnsafeRawBufferPointer,
        value: UnsafeRawBufferPointer
    ) throws
        -> Bool
    {
        try withCursor(in: database) { cursor in try cursor.get(.getBoth, seek: key, value: value) != nil }
    }

    /// The last key and value of `database`, passed to `body`; `nil` when it is empty.
    @inlinable
    public func withLast<R>(
        in database: Database,
        _ body: (_ key: RawSpan, _ value: RawSpan) throws -> R
    ) throws
        -> R?
    {
        try withCursor(in: database) { cursor in
            guard let (key, value) = try cursor.get(.last, seek: nil) else { return nil }
            return try body(unsafe RawSpan(_unsafeBytes: key), unsafe RawSpan(_unsafeBytes: value))
        }
    }

    /// Whether the environment holds a database named `name` (opening a handle to it, which LMDB
    /// allows in any transaction of the one process that opens the environment's databases).
    package func containsDatabase(named name: String) throws -> Bool {
        try Syscalls.dbiOpenIfPresent(_pointer, name) != nil
    }

    /// The number of entries in `database`.
    public func count(in database: Database) throws -> Int {
        try Syscalls.dbiStat(_pointer, database.dbi).ms_entries
    }

    /// Pages used by `database` (branch, leaf and overflow), times the page size, in bytes.
    public func bytesUsed(in database: Database) throws -> Int {
        let stat = try Syscalls.dbiStat(_pointer, database.dbi)
        return (stat.ms_branch_pages + stat.ms_leaf_pages + stat.ms_overflow_pages) * Int(stat.ms_psize)
    }

    @usableFromInline
    func withCursor<R>(in database: Database, _ body: (borrowing Cursor) throws -> R) throws -> R {
        let cursor = Cursor(try Syscalls.cursorOpen(_pointer, database.dbi))
        return try body(cursor)
    }
}

/// A read-only transaction, alive for the closure of ``Environment/read(_:)``.
public struct ReadTransaction: ~Copyable, ReadableTransaction {
    public let _pointer: OpaquePointer

    @usableFromInline
    init(_ pointer: OpaquePointer) { _pointer = pointer }

    deinit { Syscalls.txnAbort(_pointer) }
}

@available(*, unavailable)
extension ReadTransaction: Sendable {}

/// A write transaction, alive for the closure of ``Environment/write(_:)``, which commits it.
public struct WriteTransaction: ~Copyable, ReadableTransaction {
    public let _pointer: OpaquePointer

    init(_ pointer: OpaquePointer) { _pointer = pointer }

    deinit { Syscalls.txnAbort(_pointer) }

    consuming func commit() throws(LMDBError) {
        let pointer = _pointer
        discard self
        // mdb_txn_commit frees the transaction whether or not it succeeds.
        try Syscalls.txnCommit(pointer)
    }

    /// Stores `value` under `key`, replacing what was there.
    @inlinable
    public func put(in database: Database, key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer) throws {
        try Syscalls.put(_pointer, database.dbi, key, value, 0)
    }

    /// Stores `value` under `key`, replacing what was there.
    @inlinable
    public func put(in database: Database, key: [UInt8], value: [UInt8]) throws {
        try key.withUnsafeBytes { k in try value.withUnsafeBytes { v in try put(in: database, key: k, value: v) } }
    }

    /// Appends `value` under the big-endian `key`, which must be greater than every key in
    /// `database` (`MDB_APPEND`); otherwise throws ``LMDBError/Code/keyExists``.
    @inlinable
    public func append(in database: Database, key: UInt64, value: UnsafeRawBufferPointer) throws {
        var big = key.bigEndian
        try withUnsafeBytes(of: &big) { k in try Syscalls.put(_pointer, database.dbi, k, value, UInt32(MDB_APPEND)) }
    }

    /// Appends `value` under `key`, which must sort after every key in `database`.
    @inlinable
    public func append(in database: Database, key: [UInt8], value: [UInt8]) throws {
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in try Syscalls.put(_pointer, database.dbi, k, v, UInt32(MDB_APPEND)) }
        }
    }

    /// Removes the entry under `key` (in a database of duplicates, every value of it); returns
    /// whether there was one.
    @discardableResult
    public func delete(in database: Database, key: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { try Syscalls.del(_pointer, database.dbi, $0) }
    }

    /// Removes `value` from those stored under `key` in a database of duplicates; returns
    /// whether it was there.
    @discardableResult
    public func delete(in database: Database, key: [UInt8], value: [UInt8]) throws -> Bool {
        try key.withUnsafeBytes { k in
            try value.withUnsafeBytes { v in try Syscalls.del(_pointer, database.dbi, k, value: v) }
        }
    }

    /// Removes every entry of `database`.
    public func removeAll(in database: Database) throws {
        try Syscalls.drop(_pointer, database.dbi)
    }

    /// Deletes the database `name` from the environment, if it is there and not one of those
    /// opened at start-up (a database an older layout used).
    public func deleteDatabase(named name: String) throws {
        guard let dbi = try Syscalls.dbiOpenIfPresent(_pointer, name) else { return }
        try Syscalls.drop(_pointer, dbi, delete: true)
    }
}

@available(*, unavailable)
extension WriteTransaction: Sendable {}

/// A cursor, closed when it goes out of scope.
@usableFromInline
struct Cursor: ~Copyable {
    @usableFromInline let pointer: OpaquePointer

    @usableFromInline
    init(_ pointer: OpaquePointer) { self.pointer = pointer }

    deinit { Syscalls.cursorClose(pointer) }

    @inlinable
    func get(
        _ op: CursorOperation,
        seek key: UnsafeRawBufferPointer?,
        value: UnsafeRawBufferPointer? = nil
    ) throws
        -> (key: UnsafeRawBufferPointer, value: UnsafeRawBufferPointer)?
    {
        try Syscalls.cursorGet(pointer, op, seek: key, value: value)
    }
}
