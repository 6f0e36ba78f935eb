public import CLMDB

/// A named database inside an ``Environment``, opened once at start-up.
///
/// Keys sort by `memcmp`: encode numbers big-endian (see ``Key``) so that they sort numerically
/// and compose as prefixes.
public struct Database: Sendable, Hashable {
    /// The database's name in the environment.
    public let name: String
    @usableFromInline let dbi: MDB_dbi

    init(name: String, dbi: MDB_dbi) {
        self.name = name
        self.dbi = dbi
    }
}

/// Helpers to build `memcmp`-ordered keys.
package enum Key {
    /// The 8 bytes of `value`, big-endian, so that keys sort like the numbers.
    @inlinable
    package static func uint64(_ value: UInt64) -> [UInt8] {
        withUnsafeBytes(of: value.bigEndian) { Array($0) }
    }

    /// Reads a big-endian `UInt64` from the first 8 bytes of `bytes`.
    @inlinable
    package static func uint64(from bytes: RawSpan) -> UInt64 {
        precondition(bytes.byteCount >= 8, "a UInt64 key needs 8 bytes")
        return UInt64(bigEndian: bytes.unsafeLoadUnaligned(fromByteOffset: 0, as: UInt64.self))
    }
}
