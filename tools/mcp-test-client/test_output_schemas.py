"""The tools announce output schemas, read from the one copy of each in Sources/TasklogMCP/Schemas/,
and every result that is not an error follows its tool's schema.

The official client checks each result's structuredContent against the outputSchema that
tools/list announced (and raises when it does not match); these tests check the same results
again against the files, with jsonschema, so that a schema the server did not announce would
be caught too.
"""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from test_mcp import REPOSITORY, TOOLS, agent, binary_exists, call, run, store, text  # noqa: F401 (fixtures)

SCHEMAS = REPOSITORY / "Sources" / "TasklogMCP" / "Schemas"


def schema(tool: str, kind: str) -> dict:
    return json.loads((SCHEMAS / f"{tool}.{kind}.json").read_text())


def test_every_tool_announces_its_output_schema_file(store: Path):
    async def main():
        async with agent(store, "probe") as session:
            listed = await session.list_tools()
            assert [tool.name for tool in listed.tools] == TOOLS
            for tool in listed.tools:
                assert tool.output_schema == schema(tool.name, "output"), f"{tool.name} announces another schema"
                assert tool.input_schema == schema(tool.name, "input")
                jsonschema.Draft202012Validator.check_schema(tool.output_schema)
    run(main)


def test_every_tools_results_follow_its_output_schema(store: Path):
    """One result of each tool (two where a tool has two shapes), checked against its file."""
    async def main():
        async with agent(store, "planner") as session:
            results = {}

            async def checked(tool: str, **arguments):
                result = await call(session, tool, **arguments)
                assert not result.is_error, f"{tool}: {text(result)}"
                jsonschema.validate(result.structured_content, schema(tool, "output"))
                results.setdefault(tool, []).append(result)
                return result

            started = await checked("WorkflowStart", type="build-task")
            run_id = started.structured_content["workflowId"]
            await checked("TaskCreate", subject="Plan", description="", activeForm="Planning",
                          metadata={"workflow": run_id, "step": 1, "tags": ["urgent"]})
            await checked("TaskCreate", subject="Build", description="", metadata={"workflow": run_id, "step": 2})
            await checked("TaskUpdate", taskId="2", addBlockedBy=["1"])
            await checked("TaskUpdate", taskId="1", status="in_progress")
            await checked("TaskUpdate", taskId="1", subject="Plan")  # nothing changes
            await checked("TaskGet", taskId="1")
            await checked("TaskGet", taskId="99")  # {"task": null}
            await checked("TaskList")
            await checked("TaskReady")
            await checked("TaskHistory", taskId="1")
            await checked("TaskStateAt", at="2")
            await checked("TaskStateAt", at="2", taskId="1")
            await checked("TaskStateAt", at="1", taskId="2")  # did not exist yet: {"task": null}
            await checked("WorkflowCheckpoint", workflowId=run_id, step=3, name="reviewed", data={"ok": True})
            await checked("WorkflowShow", workflowId=run_id)
            await checked("WorkflowLedger", workflowId=run_id)
            await checked("WorkflowResume", workflowId=run_id)
            await checked("WorkflowFork", workflowId=run_id, at="3")
            await checked("WorkflowFail", workflowId=run_id, step=2, reason="the build broke")
            await checked("WorkflowComplete", workflowId=run_id, force=True)
            await checked("TaskUpdate", taskId="2", status="deleted")
            assert sorted(results) == sorted(TOOLS), "every tool was called"
    run(main)


def test_with_tracking_disabled_no_output_schema_is_announced(store: Path):
    """Every call then answers {tracking, done}, which no tool's schema describes."""
    (store.parent / ".tasklog.yml").write_text("task_tracking:\n  enabled: false\n")

    async def main():
        async with agent(store, "probe") as session:
            listed = await session.list_tools()
            assert all(tool.output_schema is None for tool in listed.tools)
            created = await call(session, "TaskCreate", subject="x", description="")
            assert not created.is_error
            assert created.structured_content == {"tracking": "disabled", "done": False}
    run(main)
