import Foundation
@_spi(Testing) import LMDB
import TasklogTestSupport
import Testing

@testable import Tasklog
@testable import TasklogCore
@testable import TasklogLMDB

/// Storage that fails: commits, full maps, full disks, full reader tables. Nothing acknowledged is
/// lost, a refused write leaves nothing behind, and the store works afterwards.
@Suite("Faults (LMDB: failed commits, a full map, a full disk)", .serialized) struct FaultTests {
    @Test func aFailedCommitLosesNothingAndTheNextWriteWorks() throws {
        try TestFolder.with("commit-fails") { folder in
            let store = try TaskStore.open(at: folder.storePath, options: .testing(snapshotInterval: 3))
            for n in 1...5 { _ = try store.create(NewTask(subject: "Before \(n)")) }
            (store.backend as! LMDBBackend).environment.failNext(.commit, with: .io)
            #expect {
                try store.create(NewTask(subject: "Lost in the failed commit"))
            } throws: { error in
                (error as? TasklogError)?.code == .storage
            }
            // The failed command left nothing: not in the log, not in the state served.
            #expect(try store.lastSeq() == 5)
            #expect(try store.tasks().map(\.subject) == (1...5).map { "Before \($0)" })
            let next = try store.create(NewTask(subject: "After"))
            #expect(next.id == 6, "the id of the failed create was never issued")
            #expect(try store.verify().isHealthy)
            #expect(try store.state() == store.fullReplay())
        }
    }

    @Test func aFullMapIsGrownAndTheWriteRetriedOnce() throws {
        try TestFolder.with("map-full") { folder in
            let store = try TaskStore.open(at: folder.storePath, options: .testing())
            _ = try store.create(NewTask(subject: "First"))
            (store.backend as! LMDBBackend).environment.failNext(.put, with: .mapFull)
            let second = try store.create(NewTask(subject: "Second"))
            #expect(second.id == 2)
            #expect(try store.allEvents().count == 2, "the retried write appended its event once")
            #expect(try store.verify().isHealthy)
        }
    }

    @Test func aStoreThatStartsAtOneMebibyteGrowsUnderLoad() throws {
        try TestFolder.with("small-map") { folder in
            var options = TaskStore.Options.testing(snapshotInterval: 500)
            options.initialMapSize = 1 << 20
            let store = try TaskStore.open(at: folder.storePath, options: options)
            let description = String(repeating: "d", count: 2000)
            for round in 0..<40 {
                for n in 0..<50 {
                    _ = try store.create(NewTask(subject: "Task \(round)-\(n)", description: description))
                }
            }
            #expect(try store.lastSeq() == 2000)
            #expect(try store.stats().mapBytes > 1 << 20)
            #expect(try store.verify().isHealthy)
        }
    }

    @Test func theReaderTableFullIsAClearError() throws {
        try TestFolder.with("readers") { folder in
            var options = Environment.Options()
            options.maxReaders = 2
            options.databases = ["meta"]
            let env = try Environment.open(path: folder.storePath, options: options)
            let hold = DispatchSemaphore(value: 0)
            let holding = DispatchSemaphore(value: 0)
            for _ in 0..<2 {
                Thread.detachNewThread {
                    _ = try? env.read { _ in
                        holding.signal()
                        hold.wait()
                    }
                }
            }
            holding.wait()
            holding.wait()
            #expect {
                try env.read { _ in () }
            } throws: { error in
                guard let error = error as? LMDBError, error.code == .readersFull else { return false }
                return TasklogError(error).message.contains("too many processes are reading")
            }
            hold.signal()
            hold.signal()
        }
    }

    /// Runs `body` with a 2 MiB tmpfs mounted at `folder/small-disk`, unmounted at the end.
    static func withSmallDisk(_ folder: TestFolder, _ body: (String) throws -> Void) throws {
        let mountPoint = folder.file("small-disk")
        try FileManager.default.createDirectory(atPath: mountPoint, withIntermediateDirectories: true)
        let mount = Process()
        mount.executableURL = URL(fileURLWithPath: "/bin/mount")
        mount.arguments = ["-t", "tmpfs", "-o", "size=2m", "tmpfs", mountPoint]
        try mount.run()
        mount.waitUntilExit()
        try #require(mount.terminationStatus == 0, "cannot mount a tmpfs here")
        defer {
            let unmount = Process()
            unmount.executableURL = URL(fileURLWithPath: "/bin/umount")
            unmount.arguments = [mountPoint]
            try? unmount.run()
            unmount.waitUntilExit()
        }
        try body(mountPoint)
    }

    /// Fills the file system of `directory` with a file `filler` until it has no block left.
    static func fill(_ directory: String) {
        let descriptor = open(directory + "/filler", O_WRONLY | O_CREAT | O_TRUNC, 0o600)
        defer { close(descriptor) }
        let block = [UInt8](repeating: 0xAB, count: 4096)
        while block.withUnsafeBytes({ write(descriptor, $0.baseAddress, $0.count) }) > 0 {}
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func aNewStoreOnAFullDiskIsExit74AndWorksOnceSpaceIsFreed() throws {
        try TestFolder.with("full-disk-new") { folder in
            try Self.withSmallDisk(folder) { mountPoint in
                Self.fill(mountPoint)
                let store = mountPoint + "/store"
                let created = try CLI.run(["create", "First", "--store", store], in: folder)
                #expect(created.status == 74, "\(created)")
                #expect(created.stderr.contains("the disk is full"), "\(created)")
                // Every later command answers too, rather than dying on what the first one left.
                let listed = try CLI.run(["list", "--store", store], in: folder)
                #expect([0, 66, 74].contains(listed.status), "\(listed)")
                // A lock file left sparse by an older Tasklog is filled in, not touched through its map.
                try FileManager.default.createDirectory(atPath: store, withIntermediateDirectories: true)
                let lock = open(store + "/lock.mdb", O_WRONLY | O_CREAT, 0o600)
                #expect(lock >= 0 && ftruncate(lock, 65_664) == 0)
                close(lock)
                let sparse = try CLI.run(["create", "First", "--store", store], in: folder)
                #expect(sparse.status == 74, "\(sparse)")
                try FileManager.default.removeItem(atPath: mountPoint + "/filler")
                let retried = try CLI.run(["create", "First", "--store", store], in: folder)
                #expect(retried.status == 0, "\(retried)")
                let verified = try CLI.run(["verify", "--store", store], in: folder)
                #expect(verified.status == 0, "\(verified)")
                let listedNow = try CLI.run(["list", "--store", store], in: folder)
                #expect(listedNow.stdout.contains("First"), "\(listedNow)")
            }
        }
    }

    @Test(.enabled(if: getuid() == 0, "mounting a small tmpfs needs root"))
    func aFullDiskIsAClearErrorAndLosesNothing() throws {
        try TestFolder.with("full-disk") { folder in
            try Self.withSmallDisk(folder) { mountPoint in
                let path = mountPoint + "/store"
                var acknowledged: [Int] = []
                var failure: TasklogError?
                do {
                    let store = try TaskStore.open(at: path, options: .testing())
                    let description = String(repeating: "x", count: 4000)
                    for n in 1...2000 {
                        do {
                            acknowledged.append(
                                try store.create(NewTask(subject: "Task \(n)", description: description)).id
                            )
                        } catch let error as TasklogError {
                            failure = error
                            break
                        }
                    }
                }
                let error = try #require(failure, "2,000 × 4 KB should not fit in 2 MiB")
                #expect(error.code == .storage)
                #expect(
                    error.message.contains("disk is full") || error.message.contains("No space"),
                    "\(error.message)"
                )
                // Free space (the store itself filled the disk: the disk grows), reopen: every
                // acknowledged task is there, the store is healthy, and it takes writes again.
                let grow = Process()
                grow.executableURL = URL(fileURLWithPath: "/bin/mount")
                grow.arguments = ["-o", "remount,size=16m", mountPoint]
                try grow.run()
                grow.waitUntilExit()
                try #require(grow.terminationStatus == 0, "cannot grow the tmpfs")
                let store = try TaskStore.open(at: path, options: .testing())
                let ids = try store.tasks().map(\.id)
                #expect(Set(acknowledged).isSubset(of: Set(ids)))
                #expect(try store.verify().isHealthy)
                #expect(try store.create(NewTask(subject: "After the disk grew")).id == (ids.max() ?? 0) + 1)
            }
        }
    }
}
