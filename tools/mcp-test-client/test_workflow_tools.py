"""The workflow layer over MCP, driven by the official Python client: an agent starts a run,
tags its tasks, lets a parallel step complete, fails and resumes it, and lists by the skill's
metadata keys; the rules are the CLI's (`tasklog workflow ...`)."""

from __future__ import annotations

import json
from pathlib import Path

from test_mcp import agent, binary_exists, call, cli, run, store, text  # noqa: F401 (fixtures)


def test_a_build_task_run_over_mcp(store: Path):
    async def main():
        async with agent(store, "orchestrator", env={"CLAUDE_CODE_TASK_LIST_ID": "sprint-9"}) as session:
            started = await call(session, "WorkflowStart", type="build-task")
            run_id = started.structured_content["workflowId"]
            assert run_id.startswith("build-task-")
            assert started.structured_content["taskListId"] == "sprint-9"

            await call(session, "TaskCreate", subject="Step 1: Workspace setup", description="",
                       metadata={"workflow": run_id, "step": 1})
            for reviewer in ("security", "style", "tests"):
                await call(session, "TaskCreate", subject=f"Review {reviewer}", description="",
                           metadata={"workflow": run_id, "step": 7, "parallel_group": "reviewers",
                                     "reviewer": reviewer})
            await call(session, "TaskUpdate", taskId="1", status="completed")

            # The skill's TaskList() plus filter.
            group = await call(session, "TaskList", parallel_group="reviewers")
            assert [task["id"] for task in group.structured_content["tasks"]] == ["2", "3", "4"]
            step = await call(session, "TaskList", workflow=run_id, step=1)
            assert [task["id"] for task in step.structured_content["tasks"]] == ["1"]
            whole = await call(session, "TaskList", workflow=run_id, step=1.0)  # a whole double is an integer
            assert [task["id"] for task in whole.structured_content["tasks"]] == ["1"]

            # One reviewer of three: step 7 is not checkpointed, and FAILED holds the other two.
            await call(session, "TaskUpdate", taskId="2", status="completed", metadata={"result": "pass"})
            shown = await call(session, "WorkflowShow", workflowId=run_id)
            assert [c["step"] for c in shown.structured_content["checkpoints"]] == [1]
            reviewers = shown.structured_content["parallelGroups"][0]
            assert reviewers["failed"] == ["3", "4"] and reviewers["results"] is None
            assert "FAILED #3, #4" in text(shown)
            for task_id in ("3", "4"):
                await call(session, "TaskUpdate", taskId=task_id, status="completed", metadata={"result": "pass"})
            shown = await call(session, "WorkflowShow", workflowId=run_id)
            assert [c["step"] for c in shown.structured_content["checkpoints"]] == [1, 7]
            assert shown.structured_content["parallelGroups"][0]["results"] == {"2": "pass", "3": "pass", "4": "pass"}

            # A failed run resumes from its failed step and is not cleaned up as a success.
            docs = await call(session, "WorkflowCheckpoint", workflowId=run_id, step=8.0, name="Docs")
            assert not docs.is_error and docs.structured_content["step"] == 8
            failed = await call(session, "WorkflowFail", workflowId=run_id, step=9, reason="the release broke")
            assert not failed.is_error
            refused = await call(session, "WorkflowComplete", workflowId=run_id)
            assert refused.is_error and "force" in text(refused)
            plan = await call(session, "WorkflowResume", workflowId=run_id)
            assert plan.structured_content["resumeFrom"] == 9

            # Re-run from the state after step 1 (seq 3: start, create #1... the point after #1 completed).
            history = cli(store, "history", "--list", "sprint-9", "--json")
            completed_1 = next(json.loads(line)["seq"] for line in history.stdout.splitlines()
                               if json.loads(line)["type"] == "checkpoint_recorded")
            forked = await call(session, "WorkflowFork", workflowId=run_id, at=str(completed_1))
            assert not forked.is_error, text(forked)
            fork_id = forked.structured_content["workflowId"]
            assert [t["status"] for t in forked.structured_content["tasks"]] == ["completed", "pending", "pending",
                                                                                 "pending"]
            fork_plan = await call(session, "WorkflowResume", workflowId=fork_id)
            assert fork_plan.structured_content["resumeFrom"] == 2

            done = await call(session, "WorkflowComplete", workflowId=run_id, force=True)
            assert not done.is_error

        # Another session, without the list id, still finds the run.
        async with agent(store, "next-session") as session:
            plan = await call(session, "WorkflowResume", workflowId=run_id)
            assert plan.structured_content["decision"] == "fresh_start"
            assert plan.structured_content["taskListId"] == "sprint-9"
            ledger = await call(session, "WorkflowLedger", workflowId=run_id)
            assert 'status: "completed"' in text(ledger)

        listed = cli(store, "list", "--list", "sprint-9", "--json")
        assert listed.returncode == 0

    run(main)


def test_workflow_tools_refuse_bad_input(store: Path):
    async def main():
        async with agent(store, "careless") as session:
            zero = await call(session, "WorkflowCheckpoint", workflowId="w-1", step=0, name="Nothing")
            assert zero.is_error and "step must be at least 1" in text(zero)
            missing = await call(session, "WorkflowShow", workflowId="build-task-19990101T0000")
            assert missing.is_error and "not found" in text(missing)
            bad_type = await call(session, "WorkflowStart", type="no spaces allowed")
            assert bad_type.is_error

    run(main)


def test_a_broken_configuration_never_stops_the_server(store: Path):
    """The skill: task tracking failures must never block the work. A `.tasklog.yml` that does
    not parse beside the store leaves the server on the defaults, with a warning on stderr."""
    (store.parent / ".tasklog.yml").write_text("task_tracking:\n  enabled: sometimes\n  ledgr: true\n")

    async def main():
        async with agent(store, "undeterred", env={"TASKLOG_LEDGER": "maybe"}) as session:
            created = await call(session, "TaskCreate", subject="Keep going", description="")
            assert not created.is_error, text(created)
            assert created.structured_content["task"]["id"] == "1"

    run(main)
    checked = cli(store, "config", "check")
    assert checked.returncode == 65 and "task_tracking.enabled" in checked.stderr
