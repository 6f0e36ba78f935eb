import Foundation
import TasklogTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// The store's files are checked before LMDB maps them: a truncated or emptied data file, meta
/// pages that disagree and links are refused (exit 76, or 74 for a link); a directory other users
/// can write is warned about. Through the real binary: a bad file mapped here could kill the test.
@Suite("Store files (LMDB) checked before LMDB opens them")
struct StoreFilesTests {
    /// A store of 300 events whose data file is several hundred KB.
    static func populate(_ folder: TestFolder) throws {
        let description = String(repeating: "d", count: 2_000)
        for index in 1...3 {
            let result = try run(["create", "Task \(index)", "--description", description], folder)
            #expect(result.status == 0, "\(result)")
        }
        let writer = try AppendProcess(
            store: folder.storePath,
            arguments: ["--count", "600", "--update-every", "0"],
            folder: folder
        )
        #expect(writer.finish() == 0)
    }

    static func run(_ arguments: [String], _ folder: TestFolder, store: String? = nil) throws -> CLI.Result {
        try CLI.run(arguments + ["--store", store ?? folder.storePath], in: folder)
    }

    static func dataFile(_ folder: TestFolder) -> String { DataFile.path(of: folder.storePath) }

    static func size(_ path: String) throws -> Int {
        try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
    }

    static func truncate(_ path: String, to size: Int) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path))
        try handle.truncate(atOffset: UInt64(size))
        try handle.close()
    }

    @Test("A data file cut at any length is refused with exit 76, never a signal", arguments: [100_000, 8_193, 0])
    func truncatedDataFileIsRefused(length: Int) throws {
        try TestFolder.with("files-truncated") { folder in
            try Self.populate(folder)
            let data = Self.dataFile(folder)
            #expect(try Self.size(data) > 200_000)
            try Self.truncate(data, to: length)
            for command in [["verify"], ["create", "After"]] {
                let result = try Self.run(command, folder)
                #expect(result.status == 76, "tasklog \(command): \(result)")
                #expect(result.stderr.contains(length == 0 ? "is empty" : "truncated"), "\(result)")
                #expect(result.stderr.contains("backup"), "the salvage advice: \(result)")
            }
            #expect(try Self.size(data) == length, "nothing was written over the damage")
        }
    }

    @Test(
        "A cut data file without its lock file (a copy of data.mdb alone) is refused too",
        arguments: [100_000, 8_193]
    )
    func truncatedDataFileWithoutLockIsRefused(length: Int) throws {
        try TestFolder.with("files-truncated-nolock") { folder in
            try Self.populate(folder)
            try FileManager.default.removeItem(atPath: folder.storePath + "/lock.mdb")
            try Self.truncate(Self.dataFile(folder), to: length)
            let result = try Self.run(["verify"], folder)
            #expect(result.status == 76, "\(result)")
            #expect(result.stderr.contains("truncated"), "\(result)")
        }
    }

    @Test("Processes creating one new store at once all succeed: an empty file being created is waited for")
    func concurrentCreationOfANewStore() throws {
        try TestFolder.with("files-new") { folder in
            let results = Locked<[CLI.Result]>([])
            DispatchQueue.concurrentPerform(iterations: 6) { index in
                guard let result = try? Self.run(["create", "Task \(index)", "--json"], folder) else { return }
                results.withLock { $0.append(result) }
            }
            #expect(results.value.count == 6)
            for result in results.value { #expect(result.status == 0, "\(result)") }
            let ids = Set(try results.value.map { try $0.object()["id"] as? String })
            #expect(ids.count == 6)
        }
    }

    /// The offset of the transaction id in the meta page `page` (0 or 1) of a 4 KiB-page file,
    /// and the id, read from the file.
    static func transaction(of page: Int, in bytes: [UInt8]) -> (offset: Int, id: UInt64) {
        let offset = page * 4096 + 144
        let id = bytes[offset..<(offset + 8)].reversed().reduce(UInt64(0)) { $0 << 8 | UInt64($1) }
        return (offset, id)
    }

    @Test("A flipped bit in a meta page's transaction id is refused, not read as an older state", arguments: [0, 1])
    func flippedMetaTransactionIsRefused(older: Int) throws {
        try TestFolder.with("files-meta") { folder in
            try Self.populate(folder)
            let bytes = try DataFile.read(folder.storePath)
            let first = Self.transaction(of: 0, in: bytes)
            let second = Self.transaction(of: 1, in: bytes)
            #expect(max(first.id, second.id) - min(first.id, second.id) == 1)
            // older == 1: flip the meta page with the lower id, which LMDB then takes for the newer.
            let target = (first.id < second.id) == (older == 1) ? first : second
            try DataFile.overwrite(folder.storePath, at: target.offset + 2, with: [bytes[target.offset + 2] ^ 0x04])
            for command in [["verify"], ["list"], ["create", "After"]] {
                let result = try Self.run(command, folder)
                #expect(result.status == 76, "tasklog \(command): \(result)")
                #expect(result.stderr.contains("meta pages"), "\(result)")
            }
        }
    }

    @Test(
        "Store files that are symbolic links are refused, and what they point to is left alone",
        arguments: ["lock.mdb", "data.mdb"]
    )
    func linkedStoreFileIsRefused(name: String) throws {
        try TestFolder.with("files-link") { folder in
            let created = try Self.run(["create", "Task"], folder)
            #expect(created.status == 0, "\(created)")
            let file = folder.storePath + "/" + name
            let victim = folder.file("victim")
            try FileManager.default.moveItem(atPath: file, toPath: victim)
            try FileManager.default.createSymbolicLink(atPath: file, withDestinationPath: victim)
            let before = try Data(contentsOf: URL(fileURLWithPath: victim))
            for command in [["list"], ["create", "After"], ["verify"]] {
                let result = try Self.run(command, folder)
                #expect(result.status == 74, "tasklog \(command): \(result)")
                #expect(result.stderr.contains("symbolic link"), "\(result)")
            }
            #expect(try Data(contentsOf: URL(fileURLWithPath: victim)) == before)
        }
    }

    @Test("A store directory or file other users can write is warned about on stderr")
    func writableByOthersIsWarned() throws {
        try TestFolder.with("files-mode") { folder in
            let created = try Self.run(["create", "Task"], folder)
            #expect(created.status == 0, "\(created)")
            let quiet = try Self.run(["list"], folder)
            #expect(quiet.status == 0 && !quiet.stderr.contains("writable"), "\(quiet)")
            #expect(chmod(folder.storePath, 0o777) == 0)
            #expect(chmod(Self.dataFile(folder), 0o664) == 0)
            let result = try Self.run(["list"], folder)
            #expect(result.status == 0, "\(result)")
            #expect(result.stderr.contains("the store directory \(folder.storePath) is writable by other users"))
            #expect(result.stderr.contains("the store file \(Self.dataFile(folder)) is writable by other users"))
        }
    }
}
