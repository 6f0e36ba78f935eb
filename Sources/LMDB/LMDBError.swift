import CLMDB

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// An error returned by LMDB: its return code, the call that failed and LMDB's own message.
///
/// Match a code in `catch` with the named constants:
///
/// ```swift
/// catch let error as LMDBError where error.code == .mapFull { … }
/// ```
public struct LMDBError: Error, Sendable, Equatable, CustomStringConvertible {
    /// An LMDB return code. Codes can grow with LMDB; match the named constants.
    public struct Code: RawRepresentable, Sendable, Hashable {
        public var rawValue: Int32
        public init(rawValue: Int32) { self.rawValue = rawValue }

        /// `MDB_KEYEXIST`: the key is already there (or, with append, out of order).
        public static let keyExists = Code(rawValue: MDB_KEYEXIST)
        /// `MDB_NOTFOUND`: no such key.
        public static let notFound = Code(rawValue: MDB_NOTFOUND)
        /// `MDB_PAGE_NOTFOUND`: a requested page was not found; the file is damaged.
        public static let pageNotFound = Code(rawValue: MDB_PAGE_NOTFOUND)
        /// `MDB_CORRUPTED`: the located page was of the wrong type; the file is damaged.
        public static let corrupted = Code(rawValue: MDB_CORRUPTED)
        /// `MDB_PANIC`: an update of meta page failed or the environment had a fatal error.
        public static let panic = Code(rawValue: MDB_PANIC)
        /// `MDB_VERSION_MISMATCH`: the environment was written by an incompatible LMDB version.
        public static let versionMismatch = Code(rawValue: MDB_VERSION_MISMATCH)
        /// `MDB_INVALID`: the file is not an LMDB data file.
        public static let invalid = Code(rawValue: MDB_INVALID)
        /// `MDB_MAP_FULL`: the map size limit was reached.
        public static let mapFull = Code(rawValue: MDB_MAP_FULL)
        /// `MDB_DBS_FULL`: too many named databases.
        public static let databasesFull = Code(rawValue: MDB_DBS_FULL)
        /// `MDB_READERS_FULL`: the reader lock table is full.
        public static let readersFull = Code(rawValue: MDB_READERS_FULL)
        /// `MDB_TXN_FULL`: the transaction has too many dirty pages.
        public static let transactionFull = Code(rawValue: MDB_TXN_FULL)
        /// `MDB_MAP_RESIZED`: another process grew the map beyond this one's size.
        public static let mapResized = Code(rawValue: MDB_MAP_RESIZED)
        /// `MDB_BAD_TXN`: the transaction must abort, has a child, or is invalid.
        public static let badTransaction = Code(rawValue: MDB_BAD_TXN)
        /// `MDB_BAD_DBI`: the database handle was closed or changed unexpectedly.
        public static let badDatabase = Code(rawValue: MDB_BAD_DBI)
        /// `EINVAL`.
        public static let invalidArgument = Code(rawValue: 22)
        /// `ENOSPC`: no space left on the device.
        public static let noSpace = Code(rawValue: 28)
        /// `EIO`: an input or output error of the device.
        public static let io = Code(rawValue: 5)
        /// `EACCES`: permission denied.
        public static let accessDenied = Code(rawValue: 13)
        /// `ENOENT`: no such file or directory.
        public static let noSuchFile = Code(rawValue: 2)
        /// `ELOOP`: a store file is a symbolic link, which is refused.
        public static let linkRefused = Code(rawValue: ELOOP)
    }

    /// The return code.
    public var code: Code
    /// The `mdb_*` call that returned it.
    public var call: String
    /// What the checks made before LMDB opens a store found, in one sentence that says what to do
    /// (`nil` for an error of LMDB itself).
    public var detail: String?

    public init(code: Code, call: StaticString, detail: String? = nil) {
        self.code = code
        self.call = "\(call)"
        self.detail = detail
    }

    /// The detail of a check, else LMDB's message for the code (`mdb_strerror`), which covers
    /// `errno` values too.
    public var message: String { detail ?? Syscalls.errorString(code.rawValue) }

    /// Whether the code says the data file is damaged rather than a passing condition.
    public var meansDamage: Bool {
        code == .corrupted || code == .pageNotFound || code == .invalid || code == .panic
            || code == .versionMismatch
    }

    public var description: String { "\(call) failed: \(message) (code \(code.rawValue))" }
}
