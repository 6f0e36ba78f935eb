import Foundation
import TasklogTestSupport
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// A store that cannot be made says why: its folder is missing, or its folder cannot be written.
@Suite("Store paths that cannot be made")
struct StorePathTests {
    @Test func aMissingFolderAndAFolderThatCannotBeWrittenAreTwoErrors() throws {
        try TestFolder.with("store-path") { folder in
            let missing = folder.file("nowhere") + "/store"
            let absent = try CLI.run(["create", "Plan", "--store", missing], in: folder)
            #expect(absent.status == 66, "\(absent)")
            #expect(
                absent.stderr
                    == "tasklog: error: the folder \(folder.file("nowhere")) that would hold the store \(missing) "
                    + "does not exist; create it first, or pass another store path\n"
            )

            // A folder no new name can be made in: mode 0500 for a user; root writes anywhere but
            // in /proc, which answers "no such file" for every new name.
            var closed = "/proc"
            if getuid() != 0 {
                closed = folder.file("closed")
                try FileManager.default.createDirectory(atPath: closed, withIntermediateDirectories: false)
                chmod(closed, 0o500)
            }
            let store = closed + "/store-\(UUID().uuidString.prefix(8))"
            let refused = try CLI.run(["create", "Plan", "--store", store], in: folder)
            #expect(refused.status == 74, "\(refused)")
            #expect(
                refused.stderr.hasPrefix(
                    "tasklog: error: the store \(store) cannot be made: its folder \(closed) is not writable"
                ),
                "\(refused)"
            )
            #expect(refused.stderr.hasSuffix("; pass a store path in a folder you can write\n"), "\(refused)")
            if getuid() != 0 { chmod(closed, 0o700) }
        }
    }
}
