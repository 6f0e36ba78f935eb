import Foundation
import LMDB
import Testing

/// A fresh directory under the temporary folder, removed by `cleanup()`.
struct TemporaryDirectory {
    let path: String

    init() {
        path = FileManager.default.temporaryDirectory.appendingPathComponent("lmdb-test-\(UUID().uuidString)").path
    }

    func cleanup() { try? FileManager.default.removeItem(atPath: path) }
}

@Suite struct EnvironmentTests {
    func open(_ directory: TemporaryDirectory, mapSize: Int = 1 << 20) throws -> Environment {
        var options = Environment.Options()
        options.mapSize = mapSize
        options.databases = ["events", "meta"]
        return try Environment.open(path: directory.path, options: options)
    }

    @Test func putGetAndDelete() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let env = try open(directory)
        let meta = env.database("meta")
        try env.write { txn in try txn.put(in: meta, key: Array("name".utf8), value: Array("tasklog".utf8)) }
        let value = try env.read { txn in
            try txn.withValue(in: meta, key: Array("name".utf8)) { span in
                span.withUnsafeBytes { String(decoding: $0, as: UTF8.self) }
            }
        }
        #expect(value == "tasklog")
        let missing = try env.read { txn in try txn.withValue(in: meta, key: Array("other".utf8)) { _ in true } }
        #expect(missing == nil)
        let deleted = try env.write { txn in try txn.delete(in: meta, key: Array("name".utf8)) }
        #expect(deleted)
        #expect(try env.read { txn in try txn.count(in: meta) } == 0)
    }

    @Test func appendRefusesAKeyOutOfOrder() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let env = try open(directory)
        let events = env.database("events")
        try env.write { txn in
            for seq in UInt64(1)...3 {
                try [UInt8](repeating: UInt8(seq), count: 10).withUnsafeBytes {
                    try txn.append(in: events, key: seq, value: $0)
                }
            }
        }
        #expect {
            try env.write { txn in try [UInt8(1)].withUnsafeBytes { try txn.append(in: events, key: 2, value: $0) } }
        } throws: { ($0 as? LMDBError)?.code == .keyExists }
        // The failed write left nothing behind.
        #expect(try env.read { txn in try txn.count(in: events) } == 3)
    }

    @Test func cursorsWalkForwardAndBackwardFromAKey() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let env = try open(directory)
        let events = env.database("events")
        try env.write { txn in
            for seq in stride(from: UInt64(10), through: 50, by: 10) {
                try [UInt8(seq)].withUnsafeBytes { try txn.append(in: events, key: seq, value: $0) }
            }
        }
        func keys(from start: UInt64?, reverse: Bool) throws -> [UInt64] {
            var keys: [UInt64] = []
            try env.read { txn in
                try txn.forEach(in: events, from: start.map(Key.uint64), reverse: reverse) { key, _ in
                    keys.append(Key.uint64(from: key))
                    return true
                }
            }
            return keys
        }
        #expect(try keys(from: nil, reverse: false) == [10, 20, 30, 40, 50])
        #expect(try keys(from: 25, reverse: false) == [30, 40, 50])
        #expect(try keys(from: 25, reverse: true) == [20, 10])
        #expect(try keys(from: 30, reverse: true) == [30, 20, 10])
        #expect(try keys(from: 99, reverse: true) == [50, 40, 30, 20, 10])
        #expect(try keys(from: nil, reverse: true) == [50, 40, 30, 20, 10])
        let last = try env.read { txn in try txn.withLast(in: events) { key, _ in Key.uint64(from: key) } }
        #expect(last == 50)
    }

    @Test func theMapGrowsWhenItFills() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let env = try open(directory, mapSize: 1 << 20)
        let events = env.database("events")
        let value = [UInt8](repeating: 7, count: 4000)
        // 16 MiB through a map that starts at 1 MiB, some of it in transactions larger than the map.
        for batch in 0..<8 {
            try env.write { txn in
                for index in 0..<512 {
                    try value.withUnsafeBytes {
                        try txn.append(in: events, key: UInt64(batch * 512 + index + 1), value: $0)
                    }
                }
            }
        }
        #expect(env.mapSize > 16 << 20)
        #expect(try env.read { txn in try txn.count(in: events) } == 4096)
    }

    @Test func oneEnvironmentPerDirectoryPerProcess() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let first = try open(directory)
        let second = try open(directory)
        #expect(first === second)
    }

    @Test func theDirectoryAndFilesArePrivate() throws {
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let env = try open(directory)
        _ = env
        let manager = FileManager.default
        let directoryMode = try manager.attributesOfItem(atPath: directory.path)[.posixPermissions] as? Int
        let fileMode = try manager.attributesOfItem(atPath: directory.path + "/data.mdb")[.posixPermissions] as? Int
        #expect(directoryMode == 0o700)
        #expect(fileMode == 0o600)
    }

    @Test func aValueCannotBeReadOutsideItsTransaction() throws {
        // RawSpan is non-escapable: the compiler refuses to let a value outlive its closure.
        // This test documents the shape that is allowed: copy out what you need inside.
        let directory = TemporaryDirectory()
        defer { directory.cleanup() }
        let env = try open(directory)
        let meta = env.database("meta")
        try env.write { txn in try txn.put(in: meta, key: [1], value: [1, 2, 3]) }
        let copied = try env.read { txn in try txn.withValue(in: meta, key: [1]) { $0.withUnsafeBytes { Array($0) } } }
        #expect(copied == [1, 2, 3])
    }
}
