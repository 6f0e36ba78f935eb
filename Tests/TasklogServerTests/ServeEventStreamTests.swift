import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `/api/events` through curl: an event appended by another process arrives as a server-sent
/// event whose data is the event's JSON (schemas/event.schema.json).
@Suite(.serialized) struct ServeEventStreamTests {
    /// `curl -N URL`, read line by line as it arrives.
    final class Curl {
        let process = Process()
        let reader: FileHandle
        var buffer = ""

        init(_ url: URL, headers: [String] = []) throws {
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            process.arguments =
                ["curl", "-sS", "-N", "--max-time", "60"] + headers.flatMap { ["-H", $0] } + [url.absoluteString]
            let output = Pipe()
            process.standardOutput = output
            process.standardError = FileHandle.nullDevice
            reader = output.fileHandleForReading
            try process.run()
        }

        deinit {
            if process.isRunning { process.terminate() }
        }

        /// Reads until a line satisfies `condition`, or `seconds` pass; returns that line.
        func line(within seconds: Double, where condition: (String) -> Bool) -> String? {
            let deadline = Date().addingTimeInterval(seconds)
            while Date() < deadline {
                while let newline = buffer.firstIndex(of: "\n") {
                    let line = String(buffer[..<newline])
                    buffer.removeSubrange(...newline)
                    if condition(line) { return line }
                }
                var pending = pollfd(fd: reader.fileDescriptor, events: Int16(POLLIN), revents: 0)
                if poll(&pending, 1, 100) > 0 {
                    let data = reader.availableData
                    if data.isEmpty { return nil }
                    buffer += String(decoding: data, as: UTF8.self)
                }
            }
            return nil
        }
    }

    @Test func anAppendedEventArrivesAsAServerSentEvent() async throws {
        try await ServeFixture.with("events") { fixture in
            _ = try fixture.buildWorkflow()
            let last = try fixture.lastSeq()
            let server = try ServeProcess(fixture)
            defer { server.stop() }
            let url = try #require(URL(string: "/api/events", relativeTo: server.url)?.absoluteURL)
            let curl = try Curl(url)
            // The stream is open once its first comment arrives; only then append.
            #expect(curl.line(within: 20) { $0.hasPrefix(": following from seq \(last + 1)") } != nil)
            try fixture.tasklog(["create", "Written by another process"], actor: "agent-z")
            let id = curl.line(within: 20) { $0.hasPrefix("id: ") }
            #expect(id == "id: \(last + 1)")
            let data = try #require(curl.line(within: 20) { $0.hasPrefix("data: ") })
            let json = Data(data.dropFirst("data: ".count).utf8)
            try fixture.validate(json, against: "event")
            let event = try #require(try JSONSerialization.jsonObject(with: json) as? [String: Any])
            #expect(event["seq"] as? Int == last + 1)
            #expect(event["type"] as? String == "task_created" && event["actor"] as? String == "agent-z")
            #expect(((event["data"] as? [String: Any])?["subject"] as? String) == "Written by another process")
        }
    }

    @Test func aReconnectingClientResumesAfterTheLastEventItSaw() async throws {
        try await ServeFixture.with("resume") { fixture in
            _ = try fixture.buildWorkflow()
            let server = try ServeProcess(fixture)
            defer { server.stop() }
            let url = try #require(URL(string: "/api/events", relativeTo: server.url)?.absoluteURL)
            let curl = try Curl(url, headers: ["Last-Event-ID: 3"])
            #expect(curl.line(within: 20) { $0.hasPrefix("id: ") } == "id: 4")
            let fromURL = try #require(URL(string: "/api/events?from=2", relativeTo: server.url)?.absoluteURL)
            let other = try Curl(fromURL)
            #expect(other.line(within: 20) { $0.hasPrefix("id: ") } == "id: 2")
        }
    }

    @Test func aLastEventIDAtTheEndOfTheSeqsIsABadRequestAndTheServerLivesOn() async throws {
        try await ServeFixture.with("last-id-max") { fixture in
            try fixture.tasklog(["create", "One task"])
            let server = try ServeProcess(fixture)
            defer { server.stop() }
            let answer = try await HTTP.get(
                server.url,
                "/api/events",
                headers: ["Last-Event-ID": String(UInt64.max)]
            )
            #expect(answer.status == 400, "\(answer.text)")
            #expect(try answer.object()["code"] as? String == "invalid_input")
            #expect(server.process.isRunning)
            let range = try await HTTP.get(server.url, "/api/range")
            #expect(range.status == 200)
        }
    }

    /// The inotify instances process `pid` holds.
    static func inotifyInstances(of pid: Int32) throws -> Int {
        let folder = "/proc/\(pid)/fd"
        return try FileManager.default.contentsOfDirectory(atPath: folder).filter { name in
            (try? FileManager.default.destinationOfSymbolicLink(atPath: folder + "/" + name)) == "anon_inode:inotify"
        }.count
    }

    @Test func manyStreamsShareOneWatcherAndEachGetsTheEvent() async throws {
        try await ServeFixture.with("many-streams") { fixture in
            try fixture.tasklog(["create", "First"])
            let server = try ServeProcess(fixture)
            defer { server.stop() }
            let url = try #require(URL(string: "/api/events", relativeTo: server.url)?.absoluteURL)
            let streams = try (0..<40).map { _ in try Curl(url) }
            for stream in streams {
                #expect(stream.line(within: 20) { $0.hasPrefix(": following from seq 2") } != nil)
            }
            // One inotify instance for all forty, not one each (a user may hold only 128).
            #expect(try Self.inotifyInstances(of: server.process.processIdentifier) == 1)
            try fixture.tasklog(["create", "Second"])
            for stream in streams {
                #expect(stream.line(within: 20) { $0.hasPrefix("id: ") } == "id: 2")
            }
        }
    }
}
