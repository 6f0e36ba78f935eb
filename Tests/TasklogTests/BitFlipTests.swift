import Foundation
import TasklogCore
import TasklogTestSupport
import Testing

/// A flipped bit anywhere in a B-tree page: LMDB has no page checksums and may read outside its
/// map, but `verify`, `export` and `list --at` walk the store in a child process, so the command the user ran
/// never dies by a signal: it answers 0 (the flip missed everything read) or 76 with the salvage path.
@Suite("Bit flips in LMDB pages never crash verify, export or list --at")
struct BitFlipTests {
    @Test func flippedBitsGiveExitZeroOrSeventySix() throws {
        try TestFolder.with("bitflip") { folder in
            let store = folder.storePath
            var writer = try AppendProcess(
                store: store,
                arguments: ["--count", "600", "--update-every", "3"],
                folder: folder
            )
            #expect(writer.finish() == 0)
            let snapshot = try CLI.run(["snapshot", "--store", store], in: folder)
            #expect(snapshot.status == 0, "\(snapshot)")
            writer = try AppendProcess(
                store: store,
                arguments: ["--count", "50", "--update-every", "0"],
                folder: folder
            )
            #expect(writer.finish() == 0)

            let pristine = try DataFile.read(store)
            let pages = pristine.count / 4096
            var random = SeededRandom(seed: 12)
            var statuses: [Int32: Int] = [:]
            let copy = folder.file("copy")
            for flip in 0..<21 {
                // The page header and the first node offsets: where a flip sends LMDB astray.
                let offset = (2 + random.below(pages - 2)) * 4096 + random.below(64)
                let bit = UInt8(1) << UInt8(random.below(8))
                try? FileManager.default.removeItem(atPath: copy)
                try FileManager.default.copyItem(atPath: store, toPath: copy)
                try DataFile.overwrite(copy, at: offset, with: [pristine[offset] ^ bit])
                let command = [["verify"], ["export"], ["list", "--at", "640"]][flip % 3]
                let result = try CLI.run(command + ["--store", copy], in: folder)
                statuses[result.status, default: 0] += 1
                #expect(
                    result.status == 0 || result.status == 76,
                    "\(command), bit \(bit) at \(offset): \(result.status)"
                )
                if result.status == 76 {
                    #expect(result.stderr.contains("tasklog: error: "), "\(result.stderr)")
                    #expect(!result.stderr.contains("Backtracing"), "one sentence, not a crash report")
                }
            }
            #expect(statuses[76, default: 0] > 0, "some flips were found: \(statuses)")
        }
    }

    @Test("export to a reader that went away ends as before, by SIGPIPE: not reported as damage")
    func closedPipeIsNotDamage() throws {
        try TestFolder.with("bitflip-pipe") { folder in
            let writer = try AppendProcess(
                store: folder.storePath,
                arguments: ["--count", "200", "--update-every", "0"],
                folder: folder
            )
            #expect(writer.finish() == 0)
            let export = try CLI.exportToAClosedPipe(store: folder.storePath, in: folder)
            #expect(export.reason == .uncaughtSignal && export.status == SIGPIPE)
            #expect(export.errors == "")
        }
    }
}
