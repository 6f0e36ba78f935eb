"""Who may change a task, over MCP with the official Python client: a task in progress is its
holder's; the holder hands it over; another agent takes it over only by naming the version it
read, or once the holder's lease ran out; a task moved back to pending is anyone's again."""

from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import anyio

from test_mcp import agent, binary_exists, call, cli, run, store, text  # noqa: F401 (fixtures)


def test_only_the_holder_changes_its_task(store: Path):
    async def main():
        async with agent(store, "a", env={"TASKLOG_ACTOR": "agent-a"}) as a, \
                agent(store, "b", env={"TASKLOG_ACTOR": "agent-b"}) as b:
            await call(a, "TaskCreate", subject="Write the parser", description="")
            await call(a, "TaskUpdate", taskId="1", status="in_progress")
            for changes in ({"status": "completed"}, {"status": "pending"}, {"status": "deleted"},
                            {"subject": "Renamed"}, {"owner": ""}):
                refused = await call(b, "TaskUpdate", taskId="1", **changes)
                assert refused.is_error, changes
                assert "held by agent-a" in text(refused)
                assert "expectedVersion" in text(refused)
                assert refused.structured_content["code"] == "conflict"
            task = (await call(b, "TaskGet", taskId="1")).structured_content["task"]
            assert (task["status"], task["owner"], task["subject"]) == ("in_progress", "agent-a", "Write the parser")

            # A takeover names the version read; a stale version is refused.
            version = task["version"]
            taken = await call(b, "TaskUpdate", taskId="1", status="in_progress", expectedVersion=version)
            assert not taken.is_error, text(taken)
            assert taken.structured_content["task"]["owner"] == "agent-b"
            stale = await call(a, "TaskUpdate", taskId="1", status="completed", expectedVersion=version)
            assert stale.is_error and "version" in text(stale)

    run(main)


def test_the_holder_hands_over_and_reopening_clears_the_owner(store: Path):
    async def main():
        async with agent(store, "a", env={"TASKLOG_ACTOR": "agent-a"}) as a, \
                agent(store, "b", env={"TASKLOG_ACTOR": "agent-b"}) as b:
            await call(a, "TaskCreate", subject="Write the parser", description="")
            await call(a, "TaskUpdate", taskId="1", status="in_progress")
            handed = await call(a, "TaskUpdate", taskId="1", owner="agent-b")
            assert not handed.is_error, text(handed)
            assert handed.structured_content["task"]["owner"] == "agent-b"
            done = await call(b, "TaskUpdate", taskId="1", status="completed")
            assert not done.is_error, text(done)

            reopened = await call(b, "TaskUpdate", taskId="1", status="pending")
            assert "owner" not in reopened.structured_content["task"] or \
                reopened.structured_content["task"]["owner"] is None
            ready = await call(a, "TaskReady")
            assert [task["id"] for task in ready.structured_content["tasks"]] == ["1"]
            events = (await call(a, "TaskHistory", taskId="1")).structured_content["events"]
            assert events[-1]["changes"]["owner"] == {"from": "agent-b", "to": None}

    run(main)


def test_a_holder_whose_lease_ran_out_holds_nothing(store: Path, tmp_path: Path):
    pid_file = tmp_path / "server.pid"

    async def main():
        try:
            async with agent(store, "doomed", "--lease-seconds", "1", env={"TASKLOG_ACTOR": "agent-a"},
                             pid_file=pid_file) as doomed:
                await call(doomed, "TaskCreate", subject="Write the parser", description="")
                await call(doomed, "TaskUpdate", taskId="1", status="in_progress")
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
                killed_at = time.monotonic()
        except Exception as error:  # the dead server's session may end with a transport error
            if "Write the parser" in str(error):
                raise
        await anyio.sleep(max(0.0, 1.5 - (time.monotonic() - killed_at)))
        async with agent(store, "b", env={"TASKLOG_ACTOR": "agent-b"}) as b:
            done = await call(b, "TaskUpdate", taskId="1", status="completed")
            assert not done.is_error, text(done)

    run(main)


def test_two_sessions_of_one_actor_are_two_agents(store: Path):
    async def main():
        env = {"TASKLOG_ACTOR": "agent-a"}
        async with agent(store, "a", env=env) as first, agent(store, "a", env=env) as second:
            await call(first, "TaskCreate", subject="Write the parser", description="")
            claimed = await call(first, "TaskUpdate", taskId="1", status="in_progress")
            assert claimed.structured_content["task"]["owner"] == "agent-a"
            refused = await call(second, "TaskUpdate", taskId="1", status="in_progress")
            assert refused.is_error
            assert "another session of agent-a" in text(refused)
            again = await call(first, "TaskUpdate", taskId="1", status="in_progress")
            assert not again.is_error and again.structured_content["updatedFields"] == []

            # Claiming at once: one session wins, the other is refused (never two successes).
            for subject in ("Write the lexer", "Write the printer", "Write the checker"):
                created = await call(first, "TaskCreate", subject=subject, description="")
                task_id = created.structured_content["task"]["id"]
                results = {}

                async def claim(label, session, task_id=task_id, results=results):
                    results[label] = await call(session, "TaskUpdate", taskId=task_id, status="in_progress")

                async with anyio.create_task_group() as group:
                    group.start_soon(claim, "first", first)
                    group.start_soon(claim, "second", second)
                assert sorted(result.is_error for result in results.values()) == [False, True], \
                    [text(result) for result in results.values()]

    run(main)


def test_agent_busy(store: Path, tmp_path: Path):
    config = tmp_path / "tasklog.yml"
    config.write_text("task_tracking:\n  one_task_per_agent: true\n")

    async def main():
        async with agent(store, "a", env={"TASKLOG_ACTOR": "agent-a"}) as a:
            for subject in ("Write the parser", "Write the lexer", "Write the printer"):
                await call(a, "TaskCreate", subject=subject, description="")
            await call(a, "TaskUpdate", taskId="1", status="in_progress")
            refused = await call(a, "TaskUpdate", taskId="2", status="in_progress", exclusive=True)
            assert refused.is_error
            assert "agent-a is busy: it holds #1 (Write the parser) in progress" in text(refused)
            assert not (await call(a, "TaskUpdate", taskId="2", status="in_progress")).is_error
        async with agent(store, "b", env={"TASKLOG_ACTOR": "agent-b", "TASKLOG_CONFIG": str(config)}) as b:
            await call(b, "TaskUpdate", taskId="3", status="in_progress")
            await call(b, "TaskCreate", subject="Write the checker", description="")
            refused = await call(b, "TaskUpdate", taskId="4", status="in_progress")
            assert refused.is_error and "agent-b is busy: it holds #3" in text(refused)

    run(main)
