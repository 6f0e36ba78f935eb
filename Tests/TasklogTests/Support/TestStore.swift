import Foundation
import Synchronization
import Tasklog
import TasklogCore

/// A temporary folder for one test, removed when the test ends.
///
/// The store lives in `store` inside it (TaskStore creates that directory itself); files the test
/// writes (exports, CLI output) go beside it.
struct TestFolder: Sendable {
    let url: URL

    /// The folder path.
    var path: String { url.path }

    /// The store directory inside the folder (created by the first write).
    var storePath: String { url.appendingPathComponent("store").path }

    /// A path for `name` inside the folder.
    func file(_ name: String) -> String { url.appendingPathComponent(name).path }

    /// Runs `body` with a fresh, uniquely named folder under the temporary directory, then removes it.
    static func with<R>(_ label: String = "test", _ body: (TestFolder) throws -> R) throws -> R {
        let folder = try make(label)
        defer { folder.remove() }
        return try body(folder)
    }

    /// The async form of ``with(_:_:)``.
    static func with<R>(_ label: String = "test", _ body: (TestFolder) async throws -> R) async throws -> R {
        let folder = try make(label)
        defer { folder.remove() }
        return try await body(folder)
    }

    static func make(_ label: String) throws -> TestFolder {
        let name = "tasklog-it-\(label)-\(ProcessInfo.processInfo.processIdentifier)-\(UUID().uuidString.prefix(8))"
        let url = FileManager.default.temporaryDirectory.appendingPathComponent(name, isDirectory: true)
        try FileManager.default.createDirectory(at: url, withIntermediateDirectories: true)
        return TestFolder(url: url)
    }

    func remove() {
        dropInMemoryBackend()
        try? FileManager.default.removeItem(at: url)
    }
}

/// Collects the notices a store logs (`options.log`), so tests can check them.
final class LogCapture: Sendable {
    private let lines = Mutex<[String]>([])

    var messages: [String] { lines.withLock { $0 } }

    var sink: @Sendable (String) -> Void {
        { [self] message in lines.withLock { $0.append(message) } }
    }
}

/// A deterministic clock: every reading is one second after the previous one.
final class StepClock: Sendable {
    private let now: Mutex<Int64>

    init(start: Int64 = 1_770_000_000_000_000) {
        now = Mutex(start)
    }

    var reading: @Sendable () -> Timestamp {
        { [self] in
            now.withLock { value in
                value += 1_000_000
                return Timestamp(rawValue: value)
            }
        }
    }
}

extension TaskStore.Options {
    /// Options for tests: notices go to `capture` (or nowhere), snapshots every `interval` events.
    static func testing(
        snapshotInterval: UInt64 = 10_000,
        capture: LogCapture? = nil,
        clock: StepClock? = nil
    ) -> TaskStore.Options {
        var options = TaskStore.Options()
        options.snapshotInterval = snapshotInterval
        if let capture { options.log = capture.sink } else { options.log = { _ in } }
        if let clock { options.clock = clock.reading }
        // Small map: the stores of these tests are tiny, and it must grow by itself anyway.
        options.initialMapSize = 4 << 20
        return options
    }
}

extension TaskStore {
    /// Every event of the log, in order.
    func allEvents(from start: UInt64 = 1) throws -> [Event] {
        var events: [Event] = []
        try self.events(from: start) { event in
            events.append(event)
            return true
        }
        return events
    }
}

// MARK: Bytes in data.mdb

/// Raw access to a store's `data.mdb`, for damage tests (used only while no TaskStore has it open).
enum DataFile {
    static func path(of store: String) -> String { store + "/data.mdb" }

    static func read(_ store: String) throws -> [UInt8] {
        Array(try Data(contentsOf: URL(fileURLWithPath: path(of: store))))
    }

    /// The offsets of every occurrence of `needle` in `haystack`.
    static func offsets(of needle: [UInt8], in haystack: [UInt8]) -> [Int] {
        guard !needle.isEmpty, haystack.count >= needle.count else { return [] }
        var found: [Int] = []
        let first = needle[0]
        var index = 0
        let last = haystack.count - needle.count
        while index <= last {
            if haystack[index] == first && haystack[index..<(index + needle.count)].elementsEqual(needle) {
                found.append(index)
            }
            index += 1
        }
        return found
    }

    /// Writes `bytes` at `offset` of the store's data.mdb, in place, and syncs it.
    static func overwrite(_ store: String, at offset: Int, with bytes: [UInt8]) throws {
        let handle = try FileHandle(forUpdating: URL(fileURLWithPath: path(of: store)))
        defer { try? handle.close() }
        try handle.seek(toOffset: UInt64(offset))
        try handle.write(contentsOf: Data(bytes))
        try handle.synchronize()
    }
}

/// A value shared between threads, behind a lock.
final class Locked<Value: Sendable>: Sendable {
    private let mutex: Mutex<Value>

    init(_ value: Value) {
        mutex = Mutex(value)
    }

    var value: Value { mutex.withLock { $0 } }

    func withLock<R>(_ body: (inout sending Value) -> R) -> R {
        mutex.withLock { body(&$0) }
    }
}
