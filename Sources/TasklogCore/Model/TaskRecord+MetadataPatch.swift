#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

extension TaskRecord {
    /// Merges an encoded metadata patch into the task, as ``Reducer/merge(_:into:)`` merges a
    /// decoded one: a key set to `null` is removed, any other value replaces the key's.
    ///
    /// Both objects are in key order (``ByteWriter/object(_:)`` writes them so), so the merge
    /// walks their entries side by side and copies bytes: nothing is decoded or allocated but the
    /// new text. A key that is not ASCII (two spellings of one Unicode string are one key once
    /// decoded) or keys out of order take the decoding path instead. `patch` is an encoded object,
    /// checked (``ByteReader/skipObject(depth:)``).
    package mutating func mergeMetadata(patch: UnsafeRawBufferPointer) throws(CodecError) {
        let offset = metadataOffset
        let merged: [UInt8]? = encodedText.withUnsafeBytes { text in
            let metadata = UnsafeRawBufferPointer(rebasing: text[offset...])
            var writer = ByteWriter(capacity: text.count + patch.count)
            writer.append(UnsafeRawBufferPointer(rebasing: text[..<offset]))
            // The count goes before the entries: room for the most there can be, given back after.
            let counted = writer.bytes.count
            let most = Self.entryCount(metadata) + Self.entryCount(patch)
            writer.varint(most)
            let room = writer.bytes.count - counted
            guard let count = Self.merge(metadata, patch, into: &writer) else { return nil }
            if room == 1 {
                writer.bytes[counted] = UInt8(count)  // fewer than 128, as `most` was
            } else {
                var prefix = ByteWriter(capacity: room)
                prefix.varint(count)
                writer.bytes.replaceSubrange(counted..<counted + room, with: prefix.bytes)
            }
            return writer.bytes
        }
        if let merged {
            encodedText = merged
        } else {
            var reader = ByteReader(patch)
            try reader.mergeObject(into: &metadata)
        }
    }

    /// The entry count of an encoded object.
    private static func entryCount(_ object: UnsafeRawBufferPointer) -> Int {
        var reader = ByteReader(object)
        return (try? reader.count(limit: reader.remaining)) ?? 0
    }

    /// Walks the entries of `metadata` and `patch` in key order, appending the entries of the
    /// merge to `writer`; returns how many there are, or `nil` if the walk cannot merge these
    /// objects.
    private static func merge(
        _ metadata: UnsafeRawBufferPointer,
        _ patch: UnsafeRawBufferPointer,
        into writer: inout ByteWriter
    ) -> Int? {
        var mine = EntryWalk(metadata)
        var theirs = EntryWalk(patch)
        var count = 0
        do {
            try mine.next()
            try theirs.next()
            while mine.entry != nil || theirs.entry != nil {
                guard mine.isMergeable, theirs.isMergeable else { return nil }
                let order: Int32 =
                    if let left = mine.entry, let right = theirs.entry {
                        compare(metadata[left.key], patch[right.key])
                    } else {
                        mine.entry == nil ? 1 : -1
                    }
                if order < 0 {
                    writer.append(UnsafeRawBufferPointer(rebasing: metadata[mine.entry!.whole]))
                    count += 1
                    try mine.next()
                } else {
                    if !theirs.entry!.isNull {
                        writer.append(UnsafeRawBufferPointer(rebasing: patch[theirs.entry!.whole]))
                        count += 1
                    }
                    if order == 0 { try mine.next() }
                    try theirs.next()
                }
            }
        } catch {
            return nil
        }
        return count
    }

    /// `memcmp`'s order of two keys' bytes: negative, zero or positive.
    private static func compare(_ lhs: Slice<UnsafeRawBufferPointer>, _ rhs: Slice<UnsafeRawBufferPointer>) -> Int32 {
        let common = min(lhs.count, rhs.count)
        let order =
            common == 0
            ? 0 : memcmp(lhs.base.baseAddress! + lhs.startIndex, rhs.base.baseAddress! + rhs.startIndex, common)
        return order != 0 ? order : lhs.count < rhs.count ? -1 : lhs.count > rhs.count ? 1 : 0
    }

    /// The entries of an encoded object, one at a time, with whether the walk can merge them:
    /// ASCII keys in strictly increasing order.
    private struct EntryWalk: ~Copyable {
        struct Entry {
            var key: Range<Int>
            var whole: Range<Int>
            var isNull: Bool
        }

        private var reader: ByteReader
        private var left: Int
        private(set) var entry: Entry?
        private(set) var isMergeable = true

        init(_ object: UnsafeRawBufferPointer) {
            reader = ByteReader(object)
            left = (try? reader.count(limit: reader.remaining)) ?? 0
        }

        mutating func next() throws(CodecError) {
            guard left > 0 else {
                entry = nil
                return
            }
            left -= 1
            let start = reader.offset
            let length = try reader.count(limit: Int.max)
            let key = reader.offset..<reader.offset + length
            try reader.skip(length)
            let keyBytes = reader.bytes(key)
            let isNull = reader.remaining > 0 && reader.bytes(reader.offset..<reader.offset + 1)[0] == 0
            try reader.skipJSON(depth: 1)
            if let previous = entry?.key, compare(reader.bytes(previous)[...], keyBytes[...]) >= 0 {
                isMergeable = false
            }
            for byte in keyBytes where byte >= 0x80 { isMergeable = false }
            entry = Entry(key: key, whole: start..<reader.offset, isNull: isNull)
        }
    }
}
