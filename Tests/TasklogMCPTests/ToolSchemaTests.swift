import Foundation
import TasklogCore
import Testing

@testable import TasklogMCP

/// The schemas the server lists are the files in `Sources/TasklogMCP/Schemas/` (embedded in the
/// binary; `schemas/mcp` points there), and the validator applies them.
@Suite struct ToolSchemaTests {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()

    /// The folder of the schema files, the one copy of each.
    static let folder = repository.appendingPathComponent("Sources/TasklogMCP/Schemas")

    /// The schema file `name`, parsed.
    static func file(_ name: String) throws -> JSONValue {
        try JSONValue(parsing: String(contentsOf: folder.appendingPathComponent(name), encoding: .utf8))
    }

    @Test func everyToolHasItsSchemaFilesAndTheyAreWhatTheServerLists() throws {
        let names = ToolCatalog.tools.map(\.name)
        #expect(
            names == [
                "TaskCreate", "TaskUpdate", "TaskGet", "TaskList", "TaskReady", "TaskHistory", "TaskStateAt",
                "WorkflowLedger", "WorkflowResume", "WorkflowStart", "WorkflowCheckpoint", "WorkflowFail",
                "WorkflowComplete", "WorkflowFork", "WorkflowShow",
            ]
        )
        let files = try FileManager.default.contentsOfDirectory(atPath: Self.folder.path)
        #expect(Set(files) == Set(names.flatMap { ["\($0).input.json", "\($0).output.json"] }))
        for tool in ToolCatalog.tools {
            #expect(try Self.file("\(tool.name).input.json") == tool.inputSchema)
            #expect(try Self.file("\(tool.name).output.json") == tool.outputSchema)
            #expect(
                FileManager.default.fileExists(
                    atPath: Self.repository.appendingPathComponent(tool.inputSchemaFile).path
                )
            )
            #expect(tool.inputSchema["additionalProperties"] == false, "\(tool.name) must refuse unknown properties")
            #expect(tool.inputSchema["type"] == "object")
            #expect(tool.outputSchema["type"] == "object", "structuredContent is an object")
        }
        // The old place still reads the same files.
        let linked = Self.repository.appendingPathComponent("schemas/mcp/TaskCreate.output.json")
        #expect(
            try JSONValue(parsing: String(contentsOf: linked, encoding: .utf8)) == ToolCatalog.tools[0].outputSchema
        )
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
