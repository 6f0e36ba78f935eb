import Foundation
import TasklogCore

#if canImport(Glibc)
import Glibc
#elseif canImport(Darwin)
import Darwin
#endif

extension ClaudeTaskDirectory {
    // MARK: Exporting

    /// Writes the present tasks of `list` to `directory` (created if needed), holding its lock
    /// (``ClaudeTaskDirectoryLock``, waiting up to `lockWait` seconds): `N.json` for each live
    /// task, `.highwatermark`, `.lock`, and the manifest of what it wrote (`.tasklog-export`).
    /// Each file is written atomically (a temporary file, fsync, rename).
    ///
    /// A file is removed only when the previous export of the same list wrote it, it still holds
    /// exactly those bytes, and its task is no longer live. Every other file stays and is listed
    /// in ``ExportReport/kept``: files an import skipped, files an agent wrote or changed, anything
    /// else. The high-water mark written is never below an id a kept file names, so that no new
    /// task of the agent tools takes its number.
    public static func export(
        _ store: TaskStore,
        list: String,
        to directory: String,
        lockWait: Double = ClaudeTaskDirectoryLock.defaultWait
    ) throws -> ExportReport {
        let list = try TaskListID.sanitized(list)
        let state = try store.list(list)
        do {
            try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
        } catch {
            throw TasklogError(.storage, "cannot create \(directory): \(error.localizedDescription)")
        }
        let lock = try ClaudeTaskDirectoryLock(directory: directory, waiting: lockWait)
        defer { lock.release() }
        let previous = ClaudeExportManifest(reading: directory).flatMap { $0.list == list ? $0 : nil }
        var manifest = ClaudeExportManifest(list: list)
        let tasks = state.sortedTasks
        for task in tasks {
            let name = "\(task.id).json"
            let text = fileText(task)
            try writeAtomically(text, to: directory + "/" + name)
            manifest.files[name] = ClaudeExportManifest.digest(Array(text.utf8))
        }
        var removed: [String] = []
        var kept: [Skipped] = []
        let own: Set<String> = [".lock", ".highwatermark", ClaudeExportManifest.fileName]
        let names = (try? FileManager.default.contentsOfDirectory(atPath: directory)) ?? []
        for name in names.sorted(by: fileOrder) where manifest.files[name] == nil && !own.contains(name) {
            if let previous, previous.wrote(name, in: directory) {
                do {
                    try FileManager.default.removeItem(atPath: directory + "/" + name)
                    removed.append(name)
                } catch {
                    kept.append(
                        Skipped(
                            file: name,
                            reason: "its task is gone, but it cannot be removed (\(error.localizedDescription))"
                        )
                    )
                }
            } else if previous?.files[name] != nil {
                kept.append(Skipped(file: name, reason: "it changed since Tasklog exported it"))
            } else {
                kept.append(Skipped(file: name, reason: "Tasklog did not write it"))
            }
        }
        // Ids named by kept files, and the directory's own mark, stay used: the agent tools
        // number new tasks above the mark.
        let keptIDs = kept.compactMap { note -> Int? in
            let stem = note.file.hasSuffix(".json") ? String(note.file.dropLast(5)) : ""
            return Int(stem).flatMap { $0 > 0 && String($0) == stem ? $0 : nil }
        }
        let existingMark = (try? String(contentsOfFile: directory + "/.highwatermark", encoding: .utf8))
            .flatMap { Int($0.trimmingCharacters(in: .whitespacesAndNewlines)) }
        let highWater = max(state.highWater, keptIDs.max() ?? 0, existingMark ?? 0)
        try writeAtomically(String(highWater), to: directory + "/.highwatermark")
        try writeAtomically(manifest.text, to: directory + "/" + ClaudeExportManifest.fileName)
        return ExportReport(written: tasks.map(\.id), removed: removed, kept: kept, highWater: highWater)
    }

    /// A task as the agent tools store it: pretty JSON, their key order, `owner` and `metadata`
    /// only when set.
    static func fileText(_ task: TaskRecord) -> String {
        var members: [(String, JSONValue)] = [
            ("id", .string(String(task.id))), ("subject", .string(task.subject)),
            ("description", .string(task.description)),
        ]
        if let activeForm = task.activeForm { members.append(("activeForm", .string(activeForm))) }
        members.append(("status", .string(task.status.name)))
        members.append(("blocks", .array(task.blocks.map { .string(String($0)) })))
        members.append(("blockedBy", .array(task.blockedBy.map { .string(String($0)) })))
        if let owner = task.owner { members.append(("owner", .string(owner))) }
        if !task.metadata.isEmpty { members.append(("metadata", .object(task.metadata))) }
        let lines = members.map { key, value in
            "  " + JSONValue.string(key).serialized() + ": "
                + value.serialized(pretty: true).replacingOccurrences(of: "\n", with: "\n  ")
        }
        return "{\n" + lines.joined(separator: ",\n") + "\n}\n"
    }

    static func writeAtomically(_ text: String, to path: String) throws {
        let temporary = path + ".tmp-\(getpid())"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC, 0o644)
        guard fd >= 0 else {
            throw TasklogError(.storage, "cannot write \(temporary): \(String(cString: strerror(errno)))")
        }
        var ok = true
        let bytes = Array(text.utf8)
        var offset = 0
        while ok && offset < bytes.count {
            let written = bytes[offset...].withUnsafeBytes { write(fd, $0.baseAddress, $0.count) }
            if written < 0 { ok = errno == EINTR } else { offset += written }
        }
        ok = ok && fsync(fd) == 0
        close(fd)
        guard ok, rename(temporary, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporary)
            throw TasklogError(.storage, "cannot write \(path): \(reason)")
        }
    }
}
