import Foundation
import TasklogCore
import TasklogMCP
import Testing

/// The real `tasklog mcp` binary, spoken to in JSON-RPC over its stdin and stdout.
@Suite(.timeLimit(.minutes(2))) struct MCPServerTests {
    /// `[[[…]]]`, `levels` arrays around an empty one.
    static func nested(_ levels: Int) -> JSONValue {
        (0..<levels).reduce(JSONValue.array([])) { inner, _ in .array([inner]) }
    }

    @Test func initializeAndListTheTools() async throws {
        try await Scratch.with("list") { scratch in
            let server = try MCPProcess(["--store", scratch.store])
            let initialize = try await server.request(
                "initialize",
                [
                    "protocolVersion": "2025-06-18", "capabilities": [:],
                    "clientInfo": ["name": "probe", "version": "1"],
                ]
            )
            #expect(initialize["result"]?["serverInfo"]?["name"] == "tasklog")
            #expect(initialize["result"]?["capabilities"]?["tools"] != nil)
            #expect(initialize["result"]?["protocolVersion"] == "2025-06-18")
            try server.send(["jsonrpc": "2.0", "method": "notifications/initialized"])
            let listed = try await server.request("tools/list", nil)
            let tools = try #require(listed["result"]?["tools"]?.arrayValue)
            #expect(
                tools.compactMap { $0["name"]?.stringValue } == [
                    "TaskCreate", "TaskUpdate", "TaskGet", "TaskList", "TaskReady", "TaskHistory", "TaskStateAt",
                    "WorkflowLedger", "WorkflowResume", "WorkflowStart", "WorkflowCheckpoint", "WorkflowFail",
                    "WorkflowComplete", "WorkflowFork", "WorkflowShow",
                ]
            )
            for tool in tools {
                let name = try #require(tool["name"]?.stringValue)
                #expect(tool["inputSchema"] == (try ToolSchemaTests.file("\(name).input.json")))
                #expect(tool["outputSchema"] == (try ToolSchemaTests.file("\(name).output.json")))
            }
            #expect(try await server.finish() == 0)
        }
    }

    @Test func timeTravelLedgerAndResumeTools() async throws {
        try await Scratch.with("workflow-tools") { scratch in
            let server = try await MCPProcess.started(["--store", scratch.store], client: "agent-a")
            let workflow = "build-task-20260213T1430"
            for step in 1...2 {
                _ = try await server.call(
                    "TaskCreate",
                    [
                        "subject": .string("Step \(step)"), "description": "",
                        "metadata": ["workflow": .string(workflow), "step": .int(Int64(step))],
                    ]
                )
            }
            _ = try await server.call("TaskUpdate", ["taskId": "1", "status": "in_progress"])
            _ = try await server.call("TaskUpdate", ["taskId": "1", "status": "completed"])  // milestone 1

            let before = try await server.call("TaskStateAt", ["at": "2"])
            #expect(before.text == "At seq 2: 2 tasks\n#1 [pending] Step 1\n#2 [pending] Step 2")
            let one = try await server.call("TaskStateAt", ["at": "3", "taskId": "1"])
            #expect(one.text == "Task #1 at seq 3: Step 1 [in_progress] (agent-a)")
            let ledger = try await server.call("WorkflowLedger", ["workflowId": .string(workflow)])
            #expect(ledger.text.contains("current_step: 1\nstatus: \"in_progress\""))
            let resume = try await server.call("WorkflowResume", ["workflowId": .string(workflow)])
            #expect(resume.structured["decision"] == "resume")
            #expect(resume.structured["skip"] == [1])
            #expect(resume.structured["run"] == [2, 3, 4, 5, 6, 7, 8, 9])
            let bad = try await server.call("TaskStateAt", ["at": "yesterday"])
            #expect(bad.isError)
            #expect(try await server.finish() == 0)
        }
    }

    @Test func theFourToolsSpeakTheAgentsTexts() async throws {
        try await Scratch.with("texts") { scratch in
            let server = try await MCPProcess.started(["--store", scratch.store], client: "agent-a")
            #expect(try await server.call("TaskList").text == "No tasks found")
            let created = try await server.call(
                "TaskCreate",
                [
                    "subject": "Design the schema", "description": "Tables and keys",
                    "activeForm": "Designing the schema",
                ]
            )
            #expect(created.text == "Task #1 created successfully: Design the schema")
            #expect(!created.isError)
            #expect(created.structured["task"]?["id"] == "1")
            #expect(created.structured["task"]?["subject"] == "Design the schema")
            #expect(created.structured["task"]?["status"] == "pending")
            #expect(created.structured["task"]?["version"] == 1)
            _ = try await server.call("TaskCreate", ["subject": "Write the migration", "description": ""])
            let linked = try await server.call("TaskUpdate", ["taskId": "2", "addBlockedBy": ["1"]])
            #expect(linked.text == "Updated task #2 blockedBy")
            #expect(linked.structured["success"] == true)
            #expect(linked.structured["updatedFields"] == ["blockedBy"])

            let get = try await server.call("TaskGet", ["taskId": "2"])
            #expect(get.text == "Task #2: Write the migration\nStatus: pending\nDescription: \nBlocked by: #1")
            #expect(get.structured["task"]?["blockedBy"] == ["1"])
            let missing = try await server.call("TaskGet", ["taskId": "9"])
            #expect(missing.text == "Task not found")
            #expect(missing.structured == ["task": nil])

            let blocked = try await server.call("TaskUpdate", ["taskId": "2", "status": "in_progress"])
            #expect(blocked.isError)
            #expect(blocked.text == "Task #2 is blocked by #1, which is not completed; complete it first")
            #expect(blocked.structured["success"] == false)
            #expect(blocked.structured["code"] == "blocked")

            let claimed = try await server.call("TaskUpdate", ["taskId": "1", "status": "in_progress"])
            #expect(claimed.text == "Updated task #1 status, owner")
            #expect(claimed.structured["statusChange"] == ["from": "pending", "to": "in_progress"])
            #expect(claimed.structured["task"]?["owner"] == "agent-a")

            let list = try await server.call("TaskList")
            #expect(
                list.text
                    == "#1 [in_progress] Design the schema (agent-a)\n#2 [pending] Write the migration [blocked by #1]"
            )
            #expect(
                list.structured["tasks"]?.arrayValue?.first
                    == [
                        "id": "1", "subject": "Design the schema", "status": "in_progress", "owner": "agent-a",
                        "blockedBy": [],
                    ]
            )
            let cycle = try await server.call("TaskUpdate", ["taskId": "1", "addBlockedBy": ["2"]])
            #expect(cycle.isError)
            #expect(cycle.structured["code"] == "cycle")
            _ = try await server.call("TaskUpdate", ["taskId": "1", "status": "completed"])
            #expect(try await server.call("TaskReady").text == "#2 [pending] Write the migration")
            let hidden = try await server.call(
                "TaskCreate",
                ["subject": "bookkeeping", "description": "", "metadata": ["_internal": true]]
            )
            #expect(hidden.text == "Task #3 created successfully: bookkeeping")
            #expect(
                try await server.call("TaskList").text
                    == "#1 [completed] Design the schema (agent-a)\n#2 [pending] Write the migration"
            )
            // An update that changes nothing says so (the CLI's words), with no field named.
            let same = try await server.call("TaskUpdate", ["taskId": "2", "subject": "Write the migration"])
            #expect(same.text == "Task #2 unchanged")
            #expect(same.structured["updatedFields"] == [])
            #expect(same.structured["success"] == true)
            let deleted = try await server.call("TaskUpdate", ["taskId": "3", "status": "deleted"])
            #expect(deleted.text == "Updated task #3 deleted")
            #expect(deleted.structured["statusChange"] == ["from": "pending", "to": "deleted"])

            let history = try await server.call("TaskHistory", ["taskId": "1"])
            let events = try #require(history.structured["events"]?.arrayValue)
            #expect(
                events.compactMap { $0["type"]?.stringValue } == [
                    "task_created", "task_updated", "task_updated", "task_updated",
                ]
            )
            #expect(events.allSatisfy { $0["actor"] == "agent-a" })
            #expect(events[2]["changes"]?["status"] == ["from": "pending", "to": "in_progress"])
            #expect(history.text.hasPrefix("Task #1: 4 events\nseq 1 "))
            #expect(try await server.finish() == 0)
        }
    }

    @Test func badRequestsGetErrorsAndTheServerKeepsServing() async throws {
        try await Scratch.with("bad") { scratch in
            let server = try await MCPProcess.started(["--store", scratch.store])
            // Not JSON at all: a parse error, and the server goes on.
            let before = server.lineCount
            try server.sendLine("{this is not json")
            let parseError = try await server.anyError(after: before)
            #expect(parseError["error"]?["code"] == -32700)
            // An unknown tool, a call without a name, arguments that are not an object: invalid params.
            let unknown = try await server.request("tools/call", ["name": "TaskDestroy", "arguments": [:]])
            #expect(unknown["error"]?["code"] == -32602)
            #expect(unknown["error"]?["message"]?.stringValue?.contains("there is no tool TaskDestroy") == true)
            let nameless = try await server.request("tools/call", ["arguments": [:]])
            #expect(nameless["error"]?["code"] == -32602)
            let notObject = try await server.request("tools/call", ["name": "TaskList", "arguments": [1, 2]])
            #expect(notObject["error"]?["code"] == -32602)
            let method = try await server.request("tasks/explode", [:])
            #expect(method["error"]?["code"] == -32601)
            // Wrong types, missing fields, unknown properties, oversize strings: tool errors.
            let cases: [(String, JSONValue, String)] = [
                ("TaskCreate", ["subject": 42, "description": ""], "subject must be a string, not an integer 42"),
                ("TaskCreate", ["subject": "x"], "TaskCreate needs description (a string)"),
                ("TaskUpdate", ["status": "completed"], "TaskUpdate needs taskId (a string)"),
                ("TaskUpdate", ["taskId": "abc"], #"taskId must be a task id like "3", not "abc""#),
                ("TaskUpdate", ["taskId": "1", "colour": "red"], "colour is not one of them"),
                (
                    "TaskCreate", ["subject": .string(String(repeating: "x", count: 5000)), "description": ""],
                    "The subject is 5000 bytes, more than the limit of 1024; shorten it"
                ),
                ("TaskUpdate", ["taskId": "7", "status": "completed"], "Task #7 not found"),
                (
                    "TaskCreate", ["subject": "s", "description": "", "metadata": ["step": "four"]],
                    "metadata.step must be"
                ),
                (
                    "TaskCreate", ["subject": "s", "description": "", "metadata": ["deep": Self.nested(100)]],
                    "metadata is nested 102 levels deep, more than the limit of 32; flatten it"
                ),
            ]
            for (tool, arguments, message) in cases {
                let result = try await server.call(tool, arguments)
                #expect(result.isError, "\(tool) \(arguments) should be refused")
                #expect(result.text.contains(message), "\(result.text) should say \(message)")
            }
            // Still serving.
            #expect(
                try await server.call("TaskCreate", ["subject": "still here", "description": ""]).text
                    == "Task #1 created successfully: still here"
            )
            #expect(try await server.finish() == 0)
        }
    }

    @Test func endingTheSessionReleasesItsClaims() async throws {
        try await Scratch.with("end") { scratch in
            let first = try await MCPProcess.started(["--store", scratch.store], client: "worker")
            _ = try await first.call("TaskCreate", ["subject": "one", "description": ""])
            _ = try await first.call("TaskCreate", ["subject": "two", "description": ""])
            #expect(
                try await first.call("TaskUpdate", ["taskId": "1", "status": "in_progress"]).structured["task"]?[
                    "owner"
                ]
                    == "worker"
            )
            #expect(try await first.call("TaskUpdate", ["taskId": "2", "status": "in_progress"]).isError == false)
            #expect(try await first.finish() == 0)
            #expect(first.stderr.contains("released #1, #2 back to pending"))
            let (status, output, _) = try Binary.run(["list", "--store", scratch.store])
            #expect(status == 0)
            #expect(output.contains("#1  pending"))
            #expect(output.contains("#2  pending"))
        }
    }

    @Test func twoSessionsOfOneClientNameGetTwoIdentities() async throws {
        try await Scratch.with("names") { scratch in
            let first = try await MCPProcess.started(["--store", scratch.store], client: "claude-code")
            let second = try await MCPProcess.started(["--store", scratch.store], client: "claude-code")
            _ = try await first.call("TaskCreate", ["subject": "contested", "description": ""])
            let a = try await first.call("TaskUpdate", ["taskId": "1", "status": "in_progress"])
            let b = try await second.call("TaskUpdate", ["taskId": "1", "status": "in_progress"])
            #expect(a.structured["task"]?["owner"] == "claude-code")
            #expect(b.isError)
            #expect(b.text.contains("already claimed by claude-code;"))
            let own = try await second.call("TaskCreate", ["subject": "mine", "description": ""])
            let history = try await second.call("TaskHistory", ["taskId": "2"])
            #expect(own.isError == false)
            #expect(history.structured["events"]?.arrayValue?.first?["actor"] == "claude-code#2")
            #expect(try await second.finish() == 0)
            #expect(try await first.finish() == 0)
        }
    }

    @Test func twoSessionsOfOneExplicitActorAreTwoAgents() async throws {
        try await Scratch.with("sessions") { scratch in
            let environment = ["TASKLOG_ACTOR": "agent-a"]
            let first = try await MCPProcess.started(["--store", scratch.store], client: "a", environment: environment)
            let second = try await MCPProcess.started(
                ["--store", scratch.store],
                client: "a",
                environment: environment
            )
            _ = try await first.call("TaskCreate", ["subject": "contested", "description": ""])
            let a = try await first.call("TaskUpdate", ["taskId": "1", "status": "in_progress"])
            #expect(a.structured["task"]?["owner"] == "agent-a")
            let b = try await second.call("TaskUpdate", ["taskId": "1", "status": "in_progress"])
            #expect(b.isError)
            #expect(b.text.contains("already claimed by another session of agent-a"))
            // The first session's own repeated claim stays a no-op success.
            let again = try await first.call("TaskUpdate", ["taskId": "1", "status": "in_progress"])
            #expect(again.isError == false)
            #expect(again.structured["updatedFields"] == [])
            // Once the first session has ended (its claims stay: the second is alive), the second adopts them.
            #expect(try await first.finish() == 0)
            let adopted = try await second.call("TaskUpdate", ["taskId": "1", "status": "in_progress"])
            #expect(adopted.isError == false)
            #expect(try await second.finish() == 0)
        }
    }

    @Test func anExplicitActorWinsOverTheClientName() async throws {
        try await Scratch.with("actor") { scratch in
            let server = try await MCPProcess.started(
                ["--store", scratch.store],
                client: "claude-code",
                environment: ["TASKLOG_ACTOR": "reviewer"]
            )
            _ = try await server.call("TaskCreate", ["subject": "x", "description": ""])
            let claimed = try await server.call("TaskUpdate", ["taskId": "1", "status": "in_progress"])
            #expect(claimed.structured["task"]?["owner"] == "reviewer")
            #expect(try await server.finish() == 0)
        }
    }

    @Test func aKilledServersClaimsAreReleasedWhenItsLeaseRunsOut() async throws {
        try await Scratch.with("kill") { scratch in
            // A lease long enough that the check below surely runs within it, even on a loaded machine.
            let doomed = try await MCPProcess.started(
                ["--store", scratch.store, "--lease-seconds", "4"],
                client: "doomed"
            )
            _ = try await doomed.call("TaskCreate", ["subject": "held", "description": ""])
            #expect(try await doomed.call("TaskUpdate", ["taskId": "1", "status": "in_progress"]).isError == false)
            doomed.kill()
            // Not yet: a later session within the lease sees the claim.
            let (status, early, _) = try Binary.run(["release-expired", "--store", scratch.store])
            #expect(status == 0)
            #expect(early.contains("No claims"), "released before the lease ran out: \(early)")
            try await Task.sleep(for: .milliseconds(4500))
            let later = try await MCPProcess.started(["--store", scratch.store], client: "later")
            let task = try await later.call("TaskGet", ["taskId": "1"])
            #expect(task.structured["task"]?["status"] == "pending")
            #expect(task.structured["task"]?["owner"] == .null)
            let history = try await later.call("TaskHistory", ["taskId": "1"])
            let last = try #require(history.structured["events"]?.arrayValue?.last)
            #expect(last["changes"]?["owner"] == ["from": "doomed", "to": nil])
            #expect(try await later.finish() == 0)
        }
    }

    /// `tasklog mcp --help` names every tool of the catalog.
    @Test func theHelpListsEveryTool() throws {
        let (status, help, errors) = try Binary.run(["mcp", "--help"])
        #expect(status == 0, "\(errors)")
        let flat = help.split(whereSeparator: \.isWhitespace).joined(separator: " ")
        let named = ToolCatalog.tools.map(\.name).joined(separator: ", ")
        #expect(flat.contains("Tools: \(named) (the first four"), "\(help)")
    }

}
