import Foundation
import TasklogCore
import Testing

@testable import TasklogMCP

/// The schemas the server lists are the files in `schemas/mcp/`, and the validator applies them.
@Suite struct ToolSchemaTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    @Test func everyToolHasItsSchemaFileAndTheyMatch() throws {
        let names = ToolCatalog.tools.map(\.name)
        #expect(
            names == [
                "TaskCreate", "TaskUpdate", "TaskGet", "TaskList", "TaskReady", "TaskHistory", "TaskStateAt",
                "WorkflowLedger", "WorkflowResume", "WorkflowStart", "WorkflowCheckpoint", "WorkflowFail",
                "WorkflowComplete", "WorkflowFork", "WorkflowShow",
            ]
        )
        let folder = Self.repository.appendingPathComponent("schemas/mcp")
        let files = try FileManager.default.contentsOfDirectory(atPath: folder.path).filter {
            $0.hasSuffix(".input.json")
        }
        #expect(Set(files) == Set(names.map { "\($0).input.json" }))
        for tool in ToolCatalog.tools {
            let text = try String(contentsOf: Self.repository.appendingPathComponent(tool.schemaFile), encoding: .utf8)
            let file = try JSONValue(parsing: text)
            #expect(file == tool.inputSchema, "\(tool.schemaFile) differs from the schema the server lists")
            #expect(tool.inputSchema["additionalProperties"] == false, "\(tool.name) must refuse unknown properties")
            #expect(tool.inputSchema["type"] == "object")
        }
    }

    @Test func theAgentsInputShapes() throws {
        func properties(_ name: String) -> Set<String> {
            Set(ToolCatalog.tool(named: name)?.inputSchema["properties"]?.objectValue?.keys.map { $0 } ?? [])
        }
        func required(_ name: String) -> [String] {
            ToolCatalog.tool(named: name)?.inputSchema["required"]?.arrayValue?.compactMap(\.stringValue) ?? []
        }
        #expect(properties("TaskCreate") == ["subject", "description", "activeForm", "metadata"])
        #expect(required("TaskCreate") == ["subject", "description"])
        #expect(properties("TaskGet") == ["taskId"])
        // The agents' TaskList takes nothing; the filters are optional (the skill's TaskList() plus filter).
        #expect(properties("TaskList") == ["workflow", "step", "phase", "parallel_group"])
        #expect(required("TaskList").isEmpty)
        #expect(
            properties("TaskUpdate")
                == [
                    "taskId", "subject", "description", "activeForm", "status", "addBlocks", "addBlockedBy", "owner",
                    "metadata", "expectedVersion", "exclusive",
                ]
        )
        #expect(required("TaskUpdate") == ["taskId"])
        #expect(
            ToolCatalog.tool(named: "TaskUpdate")?.inputSchema["properties"]?["status"]?["enum"]
                == ["pending", "in_progress", "completed", "deleted"]
        )
    }

    @Test(arguments: [
        ("TaskCreate", #"{"description": ""}"#, "TaskCreate needs subject (a string)"),
        ("TaskCreate", #"{"subject": 3, "description": ""}"#, "subject must be a string, not an integer 3"),
        ("TaskCreate", #"{"subject": "", "description": ""}"#, "subject must not be empty"),
        (
            "TaskCreate", #"{"subject": "a", "description": "", "owner": "x"}"#,
            "TaskCreate takes only subject, description, activeForm, metadata; owner is not one of them"
        ),
        ("TaskGet", #"{"taskId": 1}"#, "taskId must be a string, not an integer 1"),
        (
            "TaskList", #"{"all": true}"#,
            "TaskList takes only parallel_group, phase, step, workflow; all is not one of them"
        ),
        ("TaskList", #"{"step": 0}"#, "step must be at least 1, not 0"),
        ("WorkflowCheckpoint", #"{"workflowId": "w", "step": 2}"#, "WorkflowCheckpoint needs name (a string)"),
        (
            "TaskUpdate", #"{"taskId": "1", "status": "done"}"#,
            #"status must be one of pending, in_progress, completed, deleted, not "done""#
        ),
        ("TaskUpdate", #"{"taskId": "1", "addBlocks": ["2", 3]}"#, "addBlocks[1] must be a string, not an integer 3"),
        ("TaskUpdate", #"{"taskId": "1", "metadata": []}"#, "metadata must be an object, not an array"),
        ("TaskHistory", #"{"taskId": "1", "limit": 0}"#, "limit must be at least 1, not 0"),
    ])
    func argumentsAreCheckedAgainstTheSchema(tool: String, arguments: String, message: String) throws {
        let definition = try #require(ToolCatalog.tool(named: tool))
        let error = #expect(throws: TasklogError.self) {
            try ArgumentValidator.validate(try JSONValue(parsing: arguments), for: definition)
        }
        #expect(error?.code == .invalidInput)
        #expect(error?.message == message)
    }

    @Test func validArgumentsPass() throws {
        let update = try #require(ToolCatalog.tool(named: "TaskUpdate"))
        try ArgumentValidator.validate(
            try JSONValue(
                parsing:
                    #"{"taskId": "1", "status": "in_progress", "addBlockedBy": ["2"], "metadata": {"a": null}, "owner": ""}"#
            ),
            for: update
        )
        try ArgumentValidator.validate(.object([:]), for: try #require(ToolCatalog.tool(named: "TaskList")))
    }
}
