/// The one order of strings in what Tasklog writes: by their UTF-8 bytes, as `memcmp` orders them
/// (object keys in the binary codec and in serialized JSON, list ids in snapshots, ledger keys).
///
/// The same answer as `lhs.utf8.lexicographicallyPrecedes(rhs.utf8)`, without its per-byte
/// iterator where both strings are stored contiguously (native strings are).
func utf8Precedes(_ lhs: String, _ rhs: String) -> Bool {
    let contiguous = lhs.utf8.withContiguousStorageIfAvailable { left in
        rhs.utf8.withContiguousStorageIfAvailable { right in
            let common = min(left.count, right.count)
            for index in 0..<common where left[index] != right[index] {
                return left[index] < right[index]
            }
            return left.count < right.count
        }
    }
    if let contiguous, let result = contiguous {
        return result
    }
    return lhs.utf8.lexicographicallyPrecedes(rhs.utf8)
}
