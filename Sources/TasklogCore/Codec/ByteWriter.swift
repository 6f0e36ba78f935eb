/// Appends the primitives of Tasklog's binary formats to a byte array.
///
/// Integers are LEB128 varints (signed ones zigzag-encoded first); strings are a varint length
/// and UTF-8 bytes; an optional string is its length plus one, 0 meaning absent.
package struct ByteWriter: Sendable {
    package var bytes: [UInt8]

    package init(capacity: Int = 128) {
        bytes = []
        bytes.reserveCapacity(capacity)
    }

    @inlinable
    package mutating func byte(_ value: UInt8) {
        bytes.append(value)
    }

    @inlinable
    package mutating func varint(_ value: UInt64) {
        var value = value
        while value >= 0x80 {
            bytes.append(UInt8(truncatingIfNeeded: value) | 0x80)
            value >>= 7
        }
        bytes.append(UInt8(value))
    }

    @inlinable
    package mutating func varint(_ value: Int) {
        varint(UInt64(value))
    }

    @inlinable
    package mutating func zigzag(_ value: Int64) {
        varint(UInt64(bitPattern: (value << 1) ^ (value >> 63)))
    }

    @inlinable
    package mutating func fixed64(_ value: UInt64) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    @inlinable
    package mutating func fixed32(_ value: UInt32) {
        withUnsafeBytes(of: value.littleEndian) { bytes.append(contentsOf: $0) }
    }

    package mutating func string(_ value: String) {
        var value = value
        value.withUTF8 { utf8 in
            varint(utf8.count)
            bytes.append(contentsOf: utf8)
        }
    }

    package mutating func optionalString(_ value: String?) {
        guard var value else {
            byte(0)
            return
        }
        value.withUTF8 { utf8 in
            varint(utf8.count + 1)
            bytes.append(contentsOf: utf8)
        }
    }

    package mutating func ids(_ ids: [Int]) {
        varint(ids.count)
        for id in ids { varint(id) }
    }

    package mutating func link(_ link: ChainLink) {
        withUnsafeBytes(of: (link.high.bigEndian, link.low.bigEndian)) { bytes.append(contentsOf: $0) }
    }

    /// An object: its entry count, then key and value pairs in key order (by UTF-8 bytes).
    package mutating func object(_ object: [String: JSONValue]) {
        varint(object.count)
        for key in object.keys.sorted(by: utf8Precedes) {
            string(key)
            json(object[key]!)
        }
    }

    /// A JSON value: a tag byte, then its contents.
    package mutating func json(_ value: JSONValue) {
        switch value {
        case .null: byte(0)
        case .bool(let flag): byte(flag ? 2 : 1)
        case .int(let number):
            byte(3)
            zigzag(number)
        case .double(let number):
            byte(4)
            fixed64(number.bitPattern)
        case .string(let text):
            byte(5)
            string(text)
        case .array(let items):
            byte(6)
            varint(items.count)
            for item in items { json(item) }
        case .object(let object):
            byte(7)
            self.object(object)
        }
    }

    /// Appends the raw `other` bytes.
    package mutating func append(_ other: UnsafeRawBufferPointer) {
        bytes.append(contentsOf: other)
    }
}
