import Foundation
public import TasklogCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

/// Writing and reading the ledger file: atomically (temporary file, fsync, rename, fsync of the
/// folder), so a crash leaves the old ledger or the new one, never half of one.
public enum LedgerFile {
    /// Writes `text` to `path` atomically, creating its folder if needed.
    public static func write(_ text: String, to path: String) throws {
        let url = URL(fileURLWithPath: path)
        let folder = url.deletingLastPathComponent().path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        let temporary = folder + "/.\(url.lastPathComponent).\(getpid()).tmp"
        // A link planted at the temporary name is never followed; the rename then replaces a
        // link at `path` itself rather than writing through it.
        unlink(temporary)
        let fd = open(temporary, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw failure("cannot create \(temporary)") }
        var ok = true
        var bytes = Array(text.utf8)
        var offset = 0
        while offset < bytes.count {
            let written = bytes.withUnsafeMutableBytes { systemWrite(fd, $0.baseAddress! + offset, $0.count - offset) }
            if written < 0 {
                if errno == EINTR { continue }
                ok = false
                break
            }
            offset += written
        }
        bytes.removeAll()
        if ok && fsync(fd) != 0 { ok = false }
        let error = errno
        close(fd)
        guard ok else {
            unlink(temporary)
            errno = error
            throw failure("cannot write \(temporary)")
        }
        guard rename(temporary, path) == 0 else {
            let error = failure("cannot rename \(temporary) to \(path)")
            unlink(temporary)
            throw error
        }
        let directory = open(folder, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if directory >= 0 {
            fsync(directory)
            close(directory)
        }
    }

    private static func failure(_ what: String) -> TasklogError {
        TasklogError(.storage, "\(what): \(String(cString: strerror(errno)))")
    }

    /// The ledger file of run `id`: `path` with every `{workflow_id}` replaced by the id, so that a
    /// `ledger_path` of `.agents/{workflow_id}.yml` gives each run its own file.
    public static func path(_ path: String, forRun id: String) -> String {
        path.replacingOccurrences(of: "{workflow_id}", with: id)
    }

    /// The run the ledger at `path` holds when it is another run than `id` and still in progress:
    /// writing `id`'s ledger there would hide it.
    static func activeRun(at path: String, replacedBy id: String) -> String? {
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8),
            let document = try? LedgerDocument.parse(text, file: path)
        else { return nil }
        return document.workflowID != id && document.status == .inProgress ? document.workflowID : nil
    }

    /// The resume plan for the ledger at `path`: no file → fresh start; unreadable → a warning and
    /// a fresh start; otherwise the decision table on what it says.
    public static func resumePlan(at path: String, policy: MilestonePolicy = .standard) -> ResumePlan {
        guard FileManager.default.fileExists(atPath: path) else { return ResumePlan.decide(nil) }
        guard let data = FileManager.default.contents(atPath: path), let text = String(data: data, encoding: .utf8)
        else {
            return ResumePlan.unreadable("\(path) cannot be read as UTF-8 text")
        }
        do {
            let ledger = try LedgerDocument.parse(text, file: path)
            return ResumePlan.decide(ledger, totalSteps: policy.rules[ledger.workflowType]?.totalSteps)
        } catch {
            return ResumePlan.unreadable(error.message)
        }
    }
}

/// `write(2)`, named apart from `LedgerFile.write(_:to:)`, on Linux and Darwin alike.
private func systemWrite(_ fd: Int32, _ buffer: UnsafeRawPointer, _ count: Int) -> Int {
    #if canImport(Glibc)
    Glibc.write(fd, buffer, count)
    #else
    Darwin.write(fd, buffer, count)
    #endif
}
