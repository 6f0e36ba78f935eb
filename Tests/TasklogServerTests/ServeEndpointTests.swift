import Foundation
import Testing

/// `tasklog serve`, the real binary, through a real HTTP client: every endpoint answers JSON that
/// matches its schema in schemas/api/, time travel gives the earlier state, errors are JSON with
/// their statuses, and the event stream delivers what another process appends.
@Suite(.serialized) struct ServeEndpointTests {
    func statuses(_ tasks: Any?) throws -> [String: String] {
        let tasks = try #require(tasks as? [[String: Any]])
        return Dictionary(
            uniqueKeysWithValues: tasks.map { ($0["id"] as? String ?? "?", $0["status"] as? String ?? "?") }
        )
    }

    @Test func endpointsAnswerTheKnownWorkflowAndMatchTheirSchemas() async throws {
        try await ServeFixture.with("endpoints") { fixture in
            let earlier = try fixture.buildWorkflow()
            let last = try fixture.lastSeq()
            let server = try ServeProcess(fixture)
            defer { server.stop() }
            #expect(server.firstLine == "Serving \(fixture.store) at \(server.url.absoluteString)")
            #expect(server.url.host == "127.0.0.1" && server.url.port != nil && server.url.port != 0)
            let workflow = ServeFixture.workflow

            let range = try await HTTP.get(server.url, "/api/range")
            #expect(range.status == 200 && range.header("Content-Type")?.hasPrefix("application/json") == true)
            try fixture.validate(range.body, against: "range")
            let rangeObject = try range.object()
            #expect(rangeObject["events"] as? Int == last)
            #expect((rangeObject["first"] as? [String: Any])?["seq"] as? Int == 1)
            #expect((rangeObject["last"] as? [String: Any])?["seq"] as? Int == last)

            let lists = try await HTTP.get(server.url, "/api/lists")
            try fixture.validate(lists.body, against: "lists")
            let list = try #require((try lists.object()["lists"] as? [[String: Any]])?.first)
            #expect(list["id"] as? String == "default" && list["tasks"] as? Int == 5)
            #expect(list["workflows"] as? [String] == [workflow])
            #expect(list["byStatus"] as? [String: Int] == ["pending": 1, "in_progress": 1, "completed": 3])

            let now: [String: String] = [
                "1": "completed", "2": "completed", "3": "completed", "4": "in_progress", "5": "pending",
            ]
            let then: [String: String] = [
                "1": "completed", "2": "completed", "3": "in_progress", "4": "pending", "5": "pending",
            ]

            let tasks = try await HTTP.get(server.url, "/api/lists/default/tasks")
            try fixture.validate(tasks.body, against: "tasks")
            #expect(try statuses(try tasks.object()["tasks"]) == now)
            let tasksThen = try await HTTP.get(server.url, "/api/lists/default/tasks?at=\(earlier)")
            try fixture.validate(tasksThen.body, against: "tasks")
            #expect(try statuses(try tasksThen.object()["tasks"]) == then)
            #expect((try tasksThen.object()["at"] as? [String: Any])?["seq"] as? Int == earlier)

            let graph = try await HTTP.get(server.url, "/api/lists/default/graph?workflow=\(workflow)")
            try fixture.validate(graph.body, against: "graph")
            let graphObject = try graph.object()
            #expect(graphObject["workflow"] as? String == workflow)
            #expect(try statuses(graphObject["nodes"]) == now)
            let edges = (graphObject["edges"] as? [[String: String]])?.map { "\($0["from"]!)→\($0["to"]!)" }
            #expect(edges == ["1→2", "2→3", "3→4", "3→5"])
            let nodes = try #require(graphObject["nodes"] as? [[String: Any]])
            #expect(nodes.map { $0["phase"] as? String } == ["setup", "setup", "build", "review", "review"])
            #expect(nodes.map { $0["group"] as? String } == [nil, nil, nil, "reviewers", "reviewers"])
            let graphThen = try await HTTP.get(
                server.url,
                "/api/lists/default/graph?workflow=\(workflow)&at=\(earlier)"
            )
            try fixture.validate(graphThen.body, against: "graph")
            #expect(try statuses(try graphThen.object()["nodes"]) == then)
            // Before the run started, it has nothing to draw (but it is not unknown).
            let graphBefore = try await HTTP.get(server.url, "/api/lists/default/graph?workflow=\(workflow)&at=0")
            #expect(graphBefore.status == 200)
            #expect((try graphBefore.object()["nodes"] as? [Any])?.isEmpty == true)

            // A POINT may be a time, as for --at: the last event at or before it.
            let later = try await HTTP.get(server.url, "/api/lists/default/tasks?at=2099-01-01T00:00:00Z")
            #expect(later.status == 200)
            #expect((try later.object()["at"] as? [String: Any])?["seq"] as? Int == last)
            let before = try await HTTP.get(server.url, "/api/lists/default/tasks?at=2000-01-01T00:00:00Z")
            #expect((try before.object()["at"] as? [String: Any])?["seq"] as? Int == 0)
            #expect((try before.object()["tasks"] as? [Any])?.isEmpty == true)

            let workflows = try await HTTP.get(server.url, "/api/lists/default/workflows")
            try fixture.validate(workflows.body, against: "workflows")
            let view = try #require((try workflows.object()["workflows"] as? [[String: Any]])?.first)
            #expect(view["id"] as? String == workflow && view["status"] as? String == "in_progress")
            #expect((view["checkpoints"] as? [[String: Any]])?.map { $0["step"] as? Int } == [1])
            #expect(
                (view["phases"] as? [[String: Any]])?.map { $0["name"] as? String } == ["setup", "build", "review"]
            )

            let timeline = try await HTTP.get(server.url, "/api/lists/default/timeline?workflow=\(workflow)")
            try fixture.validate(timeline.body, against: "timeline")
            let rows = try #require(try timeline.object()["tasks"] as? [[String: Any]])
            #expect(rows.map { $0["id"] as? String } == ["1", "2", "3", "4", "5"])
            let spans = try #require(rows[2]["spans"] as? [[String: Any]])
            #expect(spans.map { $0["status"] as? String } == ["pending", "in_progress", "completed"])
            #expect(spans[1]["fromSeq"] as? Int == earlier)
            #expect(spans[0]["toSeq"] as? Int == earlier && spans[1]["toSeq"] as? Int == earlier + 1)
            #expect(spans[2]["toSeq"] is NSNull)
            let timelineThen = try await HTTP.get(server.url, "/api/lists/default/timeline?at=\(earlier)")
            try fixture.validate(timelineThen.body, against: "timeline")
            let spansThen = try #require(
                (try timelineThen.object()["tasks"] as? [[String: Any]])?[2]["spans"] as? [[String: Any]]
            )
            #expect(spansThen.map { $0["status"] as? String } == ["pending", "in_progress"])
        }
    }

    @Test func errorsAreJSONWithTheirStatuses() async throws {
        try await ServeFixture.with("errors") { fixture in
            _ = try fixture.buildWorkflow()
            let server = try ServeProcess(fixture)
            defer { server.stop() }
            let cases: [(String, Int, String)] = [
                ("/api/lists/nope/tasks", 404, "not_found"),
                ("/api/lists/default/tasks?at=yesterday", 400, "invalid_input"),
                ("/api/lists/default/tasks?at=99999", 404, "not_found"),
                ("/api/lists/default/graph?workflow=no-such-run", 404, "not_found"),
                ("/api/lists/default/timeline?workflow=no-such-run", 404, "not_found"),
                ("/api/events?from=soon", 400, "invalid_input"),
                ("/api/nothing/here", 404, "not_found"),
            ]
            for (path, status, code) in cases {
                let answer = try await HTTP.get(server.url, path)
                #expect(answer.status == status, "\(path): \(answer.status) \(answer.text)")
                #expect(try answer.object()["code"] as? String == code, "\(path): \(answer.text)")
                try fixture.validate(answer.body, against: "error")
            }
            let post = try await HTTP.get(server.url, "/api/lists", method: "POST")
            #expect(post.status == 405)
            try fixture.validate(post.body, against: "error")
        }
    }

    @Test func thePageAndItsOwnAssetsAreServed() async throws {
        try await ServeFixture.with("page") { fixture in
            _ = try fixture.tasklog(["create", "One task"])
            let server = try ServeProcess(fixture)
            defer { server.stop() }
            let page = try await HTTP.get(server.url, "/")
            #expect(page.status == 200 && page.header("Content-Type")?.hasPrefix("text/html") == true)
            for id in ["graph", "timeline", "time-slider", "workflow-select", "list-select", "tasks-body"] {
                #expect(page.text.contains("id=\"\(id)\""), "the page has #\(id)")
            }
            #expect(
                !page.text.contains("http://") && !page.text.contains("https://"),
                "nothing is loaded from elsewhere"
            )
            let csp = try #require(page.header("Content-Security-Policy"))
            #expect(csp.contains("default-src 'self'") && csp.contains("script-src 'self'"))
            #expect(page.header("X-Content-Type-Options") == "nosniff")
            let script = try await HTTP.get(server.url, "/app.js")
            #expect(script.status == 200 && script.header("Content-Type")?.hasPrefix("text/javascript") == true)
            #expect(script.text.contains("EventSource") && !script.text.contains(".innerHTML"))
            let style = try await HTTP.get(server.url, "/app.css")
            #expect(style.status == 200 && style.header("Content-Type")?.hasPrefix("text/css") == true)

            // The script parses (when node is installed).
            if FileManager.default.isExecutableFile(atPath: "/usr/bin/node") {
                let file = fixture.folder + "/app.js"
                try script.body.write(to: URL(fileURLWithPath: file))
                let node = Process()
                node.executableURL = URL(fileURLWithPath: "/usr/bin/node")
                node.arguments = ["--check", file]
                try node.run()
                node.waitUntilExit()
                #expect(node.terminationStatus == 0, "node --check app.js")
            }
        }
    }
}
