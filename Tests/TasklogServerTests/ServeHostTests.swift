import Foundation
import TasklogServer
import Testing

/// The server listens on loopback unless told otherwise, and answers only loopback names.
@Suite struct ServeHostTests {
    @Test(arguments: ["127.0.0.1", "127.1.2.3", "::1", "[::1]", "localhost", "LOCALHOST", "app.localhost"])
    func loopbackAddressesAreLoopback(_ host: String) {
        #expect(HostPolicy.isLoopback(host))
        #expect(HostPolicy.refusal(host: host, allowRemote: false) == nil)
    }

    @Test(arguments: [
        "0.0.0.0", "::", "192.168.1.10", "10.0.0.1", "example.com", "128.0.0.1", "::2", "localhost.example.com",
    ])
    func otherAddressesAreRefusedUnlessAllowed(_ host: String) throws {
        #expect(!HostPolicy.isLoopback(host))
        let refusal = try #require(HostPolicy.refusal(host: host, allowRemote: false))
        #expect(refusal.contains("--allow-remote") && !refusal.contains("\n"))
        #expect(HostPolicy.refusal(host: host, allowRemote: true) == nil)
    }

    @Test func theBinaryRefusesANonLoopbackAddressWithExit64() async throws {
        try await ServeFixture.with("refuse") { fixture in
            try fixture.tasklog(["create", "A task"])
            for host in ["0.0.0.0", "192.168.1.10", "::"] {
                let (status, stdout, stderr) = try fixture.tasklog(
                    ["serve", "--host", host, "--port", "0"],
                    expect: 64
                )
                #expect(stdout.isEmpty)
                let lines = stderr.split(separator: "\n")
                #expect(lines.count == 1, "one line: \(stderr)")
                #expect(
                    stderr.hasPrefix("tasklog: error: refusing to listen on \(host)")
                        && stderr.contains("--allow-remote")
                )
                #expect(status == 64)
            }
        }
    }

    @Test func allowRemoteListensThere() async throws {
        try await ServeFixture.with("remote") { fixture in
            try fixture.tasklog(["create", "A task"])
            let server = try ServeProcess(fixture, arguments: ["--host", "0.0.0.0", "--allow-remote"])
            defer { server.stop() }
            #expect(server.url.host == "0.0.0.0")
            var local = URLComponents(url: server.url, resolvingAgainstBaseURL: false)!
            local.host = "127.0.0.1"
            let answer = try await HTTP.get(try #require(local.url), "/api/range")
            #expect(answer.status == 200)
        }
    }

    @Test func aLoopbackServerRefusesOtherHostNames() async throws {
        try await ServeFixture.with("rebinding") { fixture in
            try fixture.tasklog(["create", "A task"])
            let server = try ServeProcess(fixture)
            defer { server.stop() }
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
            let url = try #require(URL(string: "/api/lists", relativeTo: server.url)?.absoluteURL)
            process.arguments = [
                "curl", "-sS", "-o", "/dev/null", "-w", "%{http_code}", "-H", "Host: attacker.example",
                url.absoluteString,
            ]
            let output = Pipe()
            process.standardOutput = output
            try process.run()
            process.waitUntilExit()
            #expect(String(decoding: output.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self) == "403")
            let fine = try await HTTP.get(server.url, "/api/lists")
            #expect(fine.status == 200)
        }
    }

    @Test func noStoreIsNotFound() async throws {
        try await ServeFixture.with("nostore") { fixture in
            let (_, _, stderr) = try fixture.tasklog(["serve", "--port", "0"], expect: 66)
            #expect(stderr.contains("there is no store"))
            #expect(!FileManager.default.fileExists(atPath: fixture.store), "serve never creates a store")
        }
    }
}
