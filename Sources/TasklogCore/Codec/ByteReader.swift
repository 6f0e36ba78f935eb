#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// Reads the primitives written by ``ByteWriter`` from bytes in place, checking every bound.
package struct ByteReader: ~Copyable {
    @usableFromInline let base: UnsafeRawBufferPointer
    /// The offset of the next byte to read.
    package var offset: Int

    package init(_ bytes: UnsafeRawBufferPointer, offset: Int = 0) {
        base = bytes
        self.offset = offset
    }

    /// The bytes at `range`, read before.
    package func bytes(_ range: Range<Int>) -> UnsafeRawBufferPointer {
        UnsafeRawBufferPointer(rebasing: base[range])
    }

    /// Bytes not read yet.
    package var remaining: Int { base.count - offset }

    @inlinable
    package mutating func byte() throws(CodecError) -> UInt8 {
        guard offset < base.count else { throw CodecError("truncated value", at: offset) }
        defer { offset += 1 }
        return base[offset]
    }

    @inlinable @inline(__always)
    package mutating func varint() throws(CodecError) -> UInt64 {
        var result: UInt64 = 0
        var shift: UInt64 = 0
        while true {
            guard offset < base.count else { throw CodecError("truncated varint", at: offset) }
            let byte = base[offset]
            offset += 1
            if shift == 63 && byte > 1 { throw CodecError("varint overflows 64 bits", at: offset - 1) }
            result |= UInt64(byte & 0x7F) << shift
            if byte < 0x80 { return result }
            shift += 7
        }
    }

    /// A varint that must fit an `Int` no larger than `limit`.
    @inlinable @inline(__always)
    package mutating func count(limit: Int = Int(Int32.max)) throws(CodecError) -> Int {
        let start = offset
        let value = try varint()
        guard value <= UInt64(limit) else { throw CodecError("count \(value) out of range", at: start) }
        return Int(value)
    }

    @inlinable
    package mutating func zigzag() throws(CodecError) -> Int64 {
        let raw = try varint()
        return Int64(bitPattern: raw >> 1) ^ -Int64(bitPattern: raw & 1)
    }

    @inlinable
    package mutating func fixed64() throws(CodecError) -> UInt64 {
        guard remaining >= 8 else { throw CodecError("truncated value", at: offset) }
        defer { offset += 8 }
        return UInt64(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    @inlinable
    package mutating func fixed32() throws(CodecError) -> UInt32 {
        guard remaining >= 4 else { throw CodecError("truncated value", at: offset) }
        defer { offset += 4 }
        return UInt32(littleEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt32.self))
    }

    // A length is checked against the bytes left once it has been read: `count(limit: remaining)`
    // would measure them before its own varint, letting a length run a few bytes past the end.

    package mutating func string() throws(CodecError) -> String {
        let length = try count(limit: Int.max)
        return try utf8(length: length)
    }

    package mutating func optionalString() throws(CodecError) -> String? {
        let length = try count(limit: Int.max)
        guard length > 0 else { return nil }
        return try utf8(length: length - 1)
    }

    /// Steps over `count` bytes.
    package mutating func skip(_ count: Int) throws(CodecError) {
        guard count <= remaining else { throw CodecError("truncated value", at: offset) }
        offset += count
    }

    /// Steps over an optional string without decoding it (its UTF-8 is not checked).
    package mutating func skipOptionalString() throws(CodecError) {
        let length = try count(limit: Int.max)
        if length > 0 { try skip(length - 1) }
    }

    /// The next `length` bytes as a string, checked to be UTF-8.
    package mutating func utf8(length: Int) throws(CodecError) -> String {
        guard length >= 0, length <= remaining else {
            throw CodecError("a string of \(length) bytes runs past the end of the value", at: offset)
        }
        let start = offset
        let slice = UnsafeBufferPointer(rebasing: base.bindMemory(to: UInt8.self)[start..<start + length])
        // `String(decoding:)` is the standard library's specialized path for contiguous UTF-8; it
        // repairs invalid input, so the bytes it kept are compared with the input (a memcmp).
        // (`String(validating:)` goes through an unspecialized generic: a third of replay time.)
        let text = String(decoding: slice, as: UTF8.self)
        var same = false
        var copy = text
        copy.withUTF8 { utf8 in
            same =
                utf8.count == slice.count
                && (slice.isEmpty || memcmp(utf8.baseAddress!, slice.baseAddress!, slice.count) == 0)
        }
        guard same else { throw CodecError("invalid UTF-8 in a string", at: start) }
        offset += length
        return text
    }

    package mutating func ids() throws(CodecError) -> [Int] {
        let count = try count(limit: remaining)
        var ids: [Int] = []
        ids.reserveCapacity(count)
        for _ in 0..<count { ids.append(try self.count(limit: Int.max)) }
        return ids
    }

    package mutating func link() throws(CodecError) -> ChainLink {
        guard remaining >= 16 else { throw CodecError("truncated chain link", at: offset) }
        defer { offset += 16 }
        return ChainLink(
            high: UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset, as: UInt64.self)),
            low: UInt64(bigEndian: base.loadUnaligned(fromByteOffset: offset + 8, as: UInt64.self))
        )
    }

    package mutating func object(depth: Int = 0) throws(CodecError) -> [String: JSONValue] {
        let count = try count(limit: remaining)
        var object = [String: JSONValue](minimumCapacity: count)
        for _ in 0..<count {
            let key = try string()
            object[key] = try json(depth: depth + 1)
        }
        return object
    }

    /// Steps over an object, checking it as ``object(depth:)`` would (bounds, tags, UTF-8 keys
    /// and strings, depth) without building it.
    package mutating func skipObject(depth: Int = 0) throws(CodecError) {
        let count = try count(limit: remaining)
        for _ in 0..<count {
            try skipString()
            try skipJSON(depth: depth + 1)
        }
    }

    /// Merges an encoded object into `object` as a metadata patch: a key set to `null` is
    /// removed, any other value replaces the key's (``Reducer/merge(_:into:)``, from the bytes).
    package mutating func mergeObject(into object: inout [String: JSONValue]) throws(CodecError) {
        let count = try count(limit: remaining)
        for _ in 0..<count {
            let key = try string()
            let value = try json(depth: 1)
            if value == .null { object[key] = nil } else { object[key] = value }
        }
    }

    /// The value of `key` in an encoded object, or `nil`; the other entries are stepped over.
    package mutating func value(forKey key: String) throws(CodecError) -> JSONValue? {
        let count = try count(limit: remaining)
        for _ in 0..<count {
            let length = try self.count(limit: Int.max)
            let start = offset
            try skip(length)
            if key.utf8.elementsEqual(UnsafeRawBufferPointer(rebasing: base[start..<start + length])) {
                return try json(depth: 1)
            }
            try skipJSON(depth: 1)
        }
        return nil
    }

    /// A task's status, as its byte.
    package mutating func taskStatus() throws(CodecError) -> TaskStatus {
        let start = offset
        guard let status = TaskStatus(rawValue: try byte()) else { throw CodecError("unknown task status", at: start) }
        return status
    }

    /// Steps over the strings of a task's text (subject, description, optional active form),
    /// checking them as ``string()`` would; returns where they lie.
    package mutating func taskStrings() throws(CodecError) -> Range<Int> {
        let start = offset
        try skipString()
        try skipString()
        let length = try count(limit: Int.max)
        if length > 0 { try skipUTF8(length: length - 1) }
        return start..<offset
    }

    /// Steps over an object, checking it (``skipObject(depth:)``); returns where it lies.
    package mutating func objectRange() throws(CodecError) -> Range<Int> {
        let start = offset
        try skipObject()
        return start..<offset
    }

    private mutating func skipString() throws(CodecError) {
        try skipUTF8(length: try count(limit: Int.max))
    }

    private mutating func skipUTF8(length: Int) throws(CodecError) {
        guard length <= remaining else {
            throw CodecError("a string of \(length) bytes runs past the end of the value", at: offset)
        }
        let start = offset
        let slice = UnsafeRawBufferPointer(rebasing: base[start..<start + length])
        guard Self.isUTF8(slice) else { throw CodecError("invalid UTF-8 in a string", at: start) }
        offset += length
    }

    /// Steps over a JSON value, checking it as ``json(depth:)`` would.
    package mutating func skipJSON(depth: Int) throws(CodecError) {
        guard depth <= 64 else { throw CodecError("JSON nested deeper than 64", at: offset) }
        let tagOffset = offset
        switch try byte() {
        case 0, 1, 2: return
        case 3: _ = try varint()
        case 4: _ = try fixed64()
        case 5: try skipString()
        case 6:
            let count = try count(limit: remaining)
            for _ in 0..<count { try skipJSON(depth: depth + 1) }
        case 7: try skipObject(depth: depth)
        case let tag: throw CodecError("unknown JSON tag \(tag)", at: tagOffset)
        }
    }

    /// Whether `bytes` are valid UTF-8 (ASCII checked eight bytes at a time).
    static func isUTF8(_ bytes: UnsafeRawBufferPointer) -> Bool {
        var index = 0
        while index + 8 <= bytes.count {
            if bytes.loadUnaligned(fromByteOffset: index, as: UInt64.self) & 0x8080_8080_8080_8080 != 0 { break }
            index += 8
        }
        while index < bytes.count, bytes[index] < 0x80 { index += 1 }
        guard index < bytes.count else { return true }
        var iterator = UnsafeRawBufferPointer(rebasing: bytes[index...]).makeIterator()
        var decoder = UTF8()
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue: continue
            case .emptyInput: return true
            case .error: return false
            }
        }
    }

    package mutating func json(depth: Int = 0) throws(CodecError) -> JSONValue {
        guard depth <= 64 else { throw CodecError("JSON nested deeper than 64", at: offset) }
        let tagOffset = offset
        switch try byte() {
        case 0: return .null
        case 1: return .bool(false)
        case 2: return .bool(true)
        case 3: return .int(try zigzag())
        case 4: return .double(Double(bitPattern: try fixed64()))
        case 5: return .string(try string())
        case 6:
            let count = try count(limit: remaining)
            var items: [JSONValue] = []
            items.reserveCapacity(count)
            for _ in 0..<count { items.append(try json(depth: depth + 1)) }
            return .array(items)
        case 7: return .object(try object(depth: depth))
        case let tag: throw CodecError("unknown JSON tag \(tag)", at: tagOffset)
        }
    }
}
