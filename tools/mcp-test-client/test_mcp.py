"""The real `tasklog mcp` binary, driven by the official Python MCP client over stdio.

Nobody on the Tasklog side wrote this client: it is the `mcp` package from PyPI. Each test makes
its own store in a temporary folder and starts one or more server processes on it.

The binary is $TASKLOG_BIN, else .build/debug/tasklog in the repository.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from contextlib import asynccontextmanager
from pathlib import Path

import anyio
import pytest
from mcp import ClientSession, Implementation, MCPError, StdioServerParameters, stdio_client

REPOSITORY = Path(__file__).resolve().parents[2]
BINARY = Path(os.environ.get("TASKLOG_BIN") or REPOSITORY / ".build" / "debug" / "tasklog").resolve()
TOOLS = ["TaskCreate", "TaskUpdate", "TaskGet", "TaskList", "TaskReady", "TaskHistory", "TaskStateAt",
         "WorkflowLedger", "WorkflowResume", "WorkflowStart", "WorkflowCheckpoint", "WorkflowFail",
         "WorkflowComplete", "WorkflowFork", "WorkflowShow"]


@pytest.fixture(scope="session", autouse=True)
def binary_exists():
    if not BINARY.is_file():
        pytest.fail(f"no tasklog binary at {BINARY}: build it first, or set TASKLOG_BIN")


@pytest.fixture
def store(tmp_path: Path) -> Path:
    return tmp_path / "store"


@asynccontextmanager
async def agent(store: Path, name: str, *arguments: str, env: dict[str, str] | None = None, pid_file: Path | None = None):
    """An MCP session with its own `tasklog mcp` process, as client `name`."""
    command, args = str(BINARY), ["mcp", "--store", str(store), *arguments]
    if pid_file is not None:
        # `exec` keeps the pid, so that the test can SIGKILL the server itself.
        command, args = "/bin/sh", ["-c", 'echo $$ > "$0"; exec "$@"', str(pid_file), str(BINARY), *args]
    parameters = StdioServerParameters(command=command, args=args, env=env or {})
    with open(os.devnull, "w") as quiet:
        async with stdio_client(parameters, errlog=quiet) as (read, write):
            async with ClientSession(read, write, client_info=Implementation(name=name, version="1.0")) as session:
                await session.initialize()
                yield session


def text(result) -> str:
    return "\n".join(block.text for block in result.content if block.type == "text")


async def call(session: ClientSession, tool: str, **arguments):
    return await session.call_tool(tool, arguments)


def cli(store: Path, *arguments: str) -> subprocess.CompletedProcess:
    return subprocess.run([str(BINARY), *arguments, "--store", str(store)], capture_output=True, text=True, timeout=60)


def deeply_nested(levels: int):
    value: list = []
    for _ in range(levels):
        value = [value]
    return value


def run(main):
    anyio.run(main)


# MARK: initialize and tools/list


def test_initialize_and_list_tools(store: Path):
    async def main():
        parameters = StdioServerParameters(command=str(BINARY), args=["mcp", "--store", str(store)])
        async with stdio_client(parameters) as (read, write):
            async with ClientSession(read, write, client_info=Implementation(name="probe", version="1")) as session:
                result = await session.initialize()
                assert result.server_info.name == "tasklog"
                assert result.capabilities.tools is not None
                listed = await session.list_tools()
                assert [tool.name for tool in listed.tools] == TOOLS
                for tool in listed.tools:
                    file = json.loads((REPOSITORY / "Sources" / "TasklogMCP" / "Schemas" / f"{tool.name}.input.json").read_text())
                    assert tool.input_schema == file, f"{tool.name} lists another schema than its file"
                    assert tool.input_schema["additionalProperties"] is False
                    assert tool.description
                by_name = {tool.name: tool for tool in listed.tools}
                assert by_name["TaskGet"].annotations.read_only_hint is True
                assert by_name["TaskUpdate"].annotations.read_only_hint is False

    run(main)


# MARK: a whole workflow


def test_workflow_with_two_agents(store: Path):
    async def main():
        async with agent(store, "planner") as planner:
            created = await call(planner, "TaskCreate", subject="Design the schema", description="Tables and keys",
                                 activeForm="Designing the schema")
            assert text(created) == "Task #1 created successfully: Design the schema"
            assert created.structured_content["task"]["id"] == "1"
            assert created.structured_content["task"]["subject"] == "Design the schema"
            for subject in ("Write the migration", "Review the migration"):
                await call(planner, "TaskCreate", subject=subject, description="")

            linked = await call(planner, "TaskUpdate", taskId="2", addBlockedBy=["1"])
            assert text(linked) == "Updated task #2 blockedBy"
            assert linked.structured_content["success"] is True
            assert linked.structured_content["updatedFields"] == ["blockedBy"]
            await call(planner, "TaskUpdate", taskId="3", addBlockedBy=["2"])

            got = await call(planner, "TaskGet", taskId="2")
            assert text(got) == "Task #2: Write the migration\nStatus: pending\nDescription: \nBlocked by: #1\nBlocks: #3"
            assert got.structured_content["task"]["blockedBy"] == ["1"]
            assert got.structured_content["task"]["blocks"] == ["3"]

            # A blocked claim is refused with the reason, as a tool error.
            blocked = await call(planner, "TaskUpdate", taskId="2", status="in_progress")
            assert blocked.is_error
            assert text(blocked) == "Task #2 is blocked by #1, which is not completed; complete it first"
            assert blocked.structured_content["success"] is False
            assert blocked.structured_content["error"] == text(blocked)

            # A dependency that closes a cycle is refused and names it.
            cycle = await call(planner, "TaskUpdate", taskId="1", addBlockedBy=["3"])
            assert cycle.is_error
            assert "#1 → #2 → #3 → #1" in text(cycle) or "cycle" in text(cycle)

            ready = await call(planner, "TaskReady")
            assert text(ready) == "#1 [pending] Design the schema"

        # Two agents, two server processes, one task: exactly one wins.
        async with agent(store, "agent-a") as a, agent(store, "agent-b") as b:
            results: dict[str, object] = {}

            async def claim(name, session):
                results[name] = await call(session, "TaskUpdate", taskId="1", status="in_progress")

            async with anyio.create_task_group() as group:
                group.start_soon(claim, "agent-a", a)
                group.start_soon(claim, "agent-b", b)
            winners = [name for name, result in results.items() if not result.is_error]
            losers = [name for name, result in results.items() if result.is_error]
            assert len(winners) == 1 and len(losers) == 1, {k: text(v) for k, v in results.items()}
            winner, loser = winners[0], losers[0]
            assert results[winner].structured_content["task"]["owner"] == winner
            assert results[winner].structured_content["statusChange"] == {"from": "pending", "to": "in_progress"}
            assert f"already claimed by {winner}" in text(results[loser])

            listing = await call(a, "TaskList")
            assert text(listing).splitlines() == [
                f"#1 [in_progress] Design the schema ({winner})",
                "#2 [pending] Write the migration [blocked by #1]",
                "#3 [pending] Review the migration [blocked by #2]",
            ]
            assert listing.structured_content["tasks"][0] == {
                "id": "1", "subject": "Design the schema", "status": "in_progress", "owner": winner, "blockedBy": []
            }

            sessions = {"agent-a": a, "agent-b": b}
            done = await call(sessions[winner], "TaskUpdate", taskId="1", status="completed")
            assert text(done) == "Updated task #1 status"
            # Now #2 is ready, and the loser takes it.
            taken = await call(sessions[loser], "TaskUpdate", taskId="2", status="in_progress")
            assert not taken.is_error, text(taken)
            await call(sessions[loser], "TaskUpdate", taskId="2", status="completed")
            listing = await call(b, "TaskList")
            assert text(listing).splitlines()[2] == "#3 [pending] Review the migration"

            history = await call(a, "TaskHistory", taskId="1")
            events = history.structured_content["events"]
            # Created; #2 made blocked by it (its blocks changed); claimed; completed.
            assert [event["type"] for event in events] == ["task_created", "task_updated", "task_updated", "task_updated"]
            assert [event["actor"] for event in events] == ["planner", "planner", winner, winner]
            assert events[1]["changes"] == {"blocks": {"from": [], "to": ["2"]}}
            assert events[2]["changes"]["status"] == {"from": "pending", "to": "in_progress"}
            assert events[2]["changes"]["owner"] == {"from": None, "to": winner}
            assert events[3]["changes"]["status"] == {"from": "in_progress", "to": "completed"}
            assert [event["seq"] for event in events] == sorted(event["seq"] for event in events)
            assert text(history).startswith("Task #1: 4 events\nseq 1 ")

    run(main)


def test_same_client_name_twice_still_one_winner(store: Path):
    async def main():
        async with agent(store, "claude-code") as first, agent(store, "claude-code") as second:
            await call(first, "TaskCreate", subject="contested", description="")
            results = []

            async def claim(session):
                results.append(await call(session, "TaskUpdate", taskId="1", status="in_progress"))

            async with anyio.create_task_group() as group:
                group.start_soon(claim, first)
                group.start_soon(claim, second)
            assert sorted(result.is_error for result in results) == [False, True]
            owner = next(r for r in results if not r.is_error).structured_content["task"]["owner"]
            assert owner in ("claude-code", "claude-code#2")

    run(main)


def test_session_end_releases_claims(store: Path):
    async def main():
        async with agent(store, "worker") as worker:
            await call(worker, "TaskCreate", subject="one", description="")
            claimed = await call(worker, "TaskUpdate", taskId="1", status="in_progress")
            assert claimed.structured_content["task"]["owner"] == "worker"
        async with agent(store, "next") as later:
            task = (await call(later, "TaskGet", taskId="1")).structured_content["task"]
            assert task["status"] == "pending" and task["owner"] is None

    run(main)


# MARK: malformed requests


def test_malformed_requests_get_errors_and_the_server_keeps_serving(store: Path):
    async def main():
        async with agent(store, "fuzzer") as session:
            cases = [
                ("TaskCreate", {"subject": 42, "description": ""}, "subject must be a string"),
                ("TaskCreate", {"subject": "no description"}, "TaskCreate needs description"),
                ("TaskCreate", {"description": "no subject"}, "TaskCreate needs subject"),
                ("TaskCreate", {"subject": "x", "description": "", "priority": 1}, "priority is not one of them"),
                ("TaskCreate", {"subject": "x" * 5000, "description": ""}, "more than the limit of 1024"),
                ("TaskCreate", {"subject": "x", "description": "y" * 70000}, "more than the limit of 65536"),
                ("TaskCreate", {"subject": "x", "description": "", "metadata": "phase"}, "metadata must be an object"),
                ("TaskGet", {}, "TaskGet needs taskId"),
                ("TaskGet", {"taskId": 1}, "taskId must be a string"),
                ("TaskGet", {"taskId": "one"}, 'taskId must be a task id like "3"'),
                ("TaskUpdate", {"taskId": "1", "status": "done"}, "status must be one of"),
                ("TaskUpdate", {"taskId": "1", "addBlocks": "2"}, "addBlocks must be an array"),
                ("TaskUpdate", {"taskId": "99", "status": "completed"}, "Task #99 not found"),
                ("TaskList", {"filter": "all"}, "TaskList takes only parallel_group, phase, step, workflow"),
                ("TaskHistory", {"taskId": "1", "limit": "ten"}, "limit must be an integer"),
                ("TaskCreate", {"subject": "x", "description": "", "metadata": {"deep": deeply_nested(100)}},
                 "more than the limit of 32"),
            ]
            for tool, arguments, message in cases:
                result = await session.call_tool(tool, arguments)
                assert result.is_error, f"{tool} {arguments} was not refused"
                assert message in text(result), f"{text(result)!r} does not say {message!r}"
            for name in ("TaskDestroy", "taskcreate", ""):
                with pytest.raises(MCPError) as raised:
                    await session.call_tool(name, {})
                assert raised.value.code == -32602
            # Still serving, and nothing was written by the refusals.
            created = await call(session, "TaskCreate", subject="after the storm", description="")
            assert text(created) == "Task #1 created successfully: after the storm"

    run(main)


def test_garbage_lines_on_the_wire():
    """Lines that are not JSON-RPC at all: each gets an error response, and the server goes on."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen([str(BINARY), "mcp", "--store", f"{folder}/store"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        try:
            def send(line: str):
                process.stdin.write(line + "\n")
                process.stdin.flush()

            def receive() -> dict:
                return json.loads(process.stdout.readline())

            send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "raw", "version": "1"}}}))
            assert receive()["result"]["serverInfo"]["name"] == "tasklog"
            send(json.dumps({"jsonrpc": "2.0", "method": "notifications/initialized"}))
            send("{not json")
            parse_error = receive()
            assert parse_error["error"]["code"] == -32700
            assert parse_error["id"] is None, "JSON-RPC 2.0: the id of a message that cannot be parsed is null"
            send("[]")
            empty_batch = receive()
            assert empty_batch["error"]["code"] == -32600 and empty_batch["id"] is None
            send(json.dumps({"jsonrpc": "2.0", "id": 2, "method": "tools/call", "params": {"arguments": {}}}))
            assert receive()["error"]["code"] == -32602
            send(json.dumps({"jsonrpc": "2.0", "id": 3, "method": "tools/call",
                             "params": {"name": "TaskList", "arguments": [1]}}))
            assert receive()["error"]["code"] == -32602
            send(json.dumps({"jsonrpc": "2.0", "id": 4, "method": "no/such/method"}))
            assert receive()["error"]["code"] == -32601
            send(json.dumps({"jsonrpc": "2.0", "id": 5, "method": "tools/call",
                             "params": {"name": "TaskList", "arguments": {}}}))
            reply = receive()
            assert reply["id"] == 5 and reply["result"]["content"][0]["text"] == "No tasks found"
            process.stdin.close()
            assert process.wait(timeout=20) == 0
        finally:
            if process.poll() is None:
                process.kill()


# MARK: import of agent task files


def write_reference_layout(directory: Path):
    directory.mkdir(parents=True)
    (directory / ".lock").write_text("")
    (directory / ".highwatermark").write_text("6")
    tasks = {
        1: {"id": "1", "subject": "Untrack the local config artifact", "description": "...",
            "activeForm": "Untracking the local config artifact", "status": "completed", "blocks": ["2"],
            "blockedBy": []},
        2: {"id": "2", "subject": "Ignore it from now on", "description": "", "activeForm": "Ignoring it",
            "status": "in_progress", "blocks": ["4"], "blockedBy": ["1"], "owner": "agent-7"},
        4: {"id": "4", "subject": "Check the clean tree", "description": "", "status": "pending", "blocks": ["5"],
            "blockedBy": ["2"], "metadata": {"phase": "verify", "step": 3}},
        5: {"id": "5", "subject": "Loop back", "description": "", "status": "pending", "blocks": ["4"],
            "blockedBy": ["4"]},
    }
    for number, task in tasks.items():
        (directory / f"{number}.json").write_text(json.dumps(task, indent=2))
    (directory / "6.json").write_text('{"id": "6", "subject": ')  # truncated: unreadable
    (directory / "7.json").write_text(json.dumps({"id": 7, "subject": "numeric id", "description": "",
                                                  "status": "pending", "blocks": [], "blockedBy": []}))


def test_import_claude_directory(store: Path, tmp_path: Path):
    directory = tmp_path / "tasks" / "my-list"
    write_reference_layout(directory)
    imported = cli(store, "import-claude", str(directory), "--list", "imported", "--json")
    assert imported.returncode == 0, imported.stderr
    report = json.loads(imported.stdout)
    assert report["imported"] == ["1", "2", "4", "5"]
    assert [skip["file"] for skip in report["skipped"]] == ["6.json", "7.json"]
    assert report["placeholders"] == ["3", "6", "7"]
    assert report["highWater"] == 7
    assert any("left out #4 blocked by #5 (5.json): it would close the cycle #5 → #4 → #5" == repair for repair in report["repairs"]), report["repairs"]
    assert report["inProgress"] == [{"id": "2", "owner": "agent-7"}]

    # Nothing is imported twice: the list is not empty any more.
    again = cli(store, "import-claude", str(directory), "--list", "imported")
    assert again.returncode == 67, again.stderr

    async def main():
        async with agent(store, "checker", "--list", "imported") as session:
            listing = await call(session, "TaskList")
            assert text(listing).splitlines() == [
                "#1 [completed] Untrack the local config artifact",
                "#2 [in_progress] Ignore it from now on (agent-7)",
                "#4 [pending] Check the clean tree [blocked by #2]",
                "#5 [pending] Loop back [blocked by #4]",
            ]
            four = (await call(session, "TaskGet", taskId="4")).structured_content["task"]
            assert four["blockedBy"] == ["2"] and four["blocks"] == ["5"]
            assert four["metadata"]["phase"] == "verify"
            assert "importRepairs" in four["metadata"]
            assert (await call(session, "TaskGet", taskId="3")).structured_content == {"task": None}
            created = await call(session, "TaskCreate", subject="next", description="")
            assert text(created) == "Task #8 created successfully: next"
            history = await call(session, "TaskHistory", taskId="4")
            assert "importRepairs" in " ".join(e for event in history.structured_content["events"] for e in event["fields"])

    run(main)

    exported_dir = tmp_path / "exported"
    exported = cli(store, "export-claude", str(exported_dir), "--list", "imported")
    assert exported.returncode == 0, exported.stderr
    assert sorted(p.name for p in exported_dir.iterdir()) == [".highwatermark", ".lock", ".tasklog-export", "1.json",
                                                               "2.json", "4.json", "5.json", "8.json"]
    assert (exported_dir / ".highwatermark").read_text() == "8"
    two = json.loads((exported_dir / "2.json").read_text())
    assert two == {"id": "2", "subject": "Ignore it from now on", "description": "", "activeForm": "Ignoring it",
                   "status": "in_progress", "blocks": ["4"], "blockedBy": ["1"], "owner": "agent-7"}

    # Back over the directory imported: the files the import skipped stay, byte for byte, and are named.
    skipped = {name: (directory / name).read_bytes() for name in ("6.json", "7.json")}
    back = cli(store, "export-claude", str(directory), "--list", "imported")
    assert back.returncode == 0, back.stderr
    assert {name: (directory / name).read_bytes() for name in skipped} == skipped
    assert "kept 6.json (Tasklog did not write it), 7.json (Tasklog did not write it)" in back.stderr


# MARK: SIGKILL and leases


def test_killed_server_claims_released_after_lease(store: Path, tmp_path: Path):
    pid_file = tmp_path / "server.pid"

    async def main():
        try:
            async with agent(store, "doomed", "--lease-seconds", "2", pid_file=pid_file) as doomed:
                await call(doomed, "TaskCreate", subject="held by a doomed agent", description="")
                claimed = await call(doomed, "TaskUpdate", taskId="1", status="in_progress")
                assert claimed.structured_content["task"]["owner"] == "doomed"
                os.kill(int(pid_file.read_text()), signal.SIGKILL)
                killed_at = time.monotonic()
                with pytest.raises(Exception):
                    await call(doomed, "TaskList")
        except Exception as error:  # the dead server's session may end with a transport error
            if "held by a doomed agent" in str(error):
                raise

        async with agent(store, "survivor", "--lease-seconds", "2") as survivor:
            # Within the lease the claim stands (the dead server might only be slow).
            if time.monotonic() - killed_at < 1.0:
                task = (await call(survivor, "TaskGet", taskId="1")).structured_content["task"]
                assert task["status"] == "in_progress"
            await anyio.sleep(max(0.0, 2.6 - (time.monotonic() - killed_at)))
            # Any tool call of any later server releases the expired claims.
            listing = await call(survivor, "TaskList")
            assert text(listing) == "#1 [pending] held by a doomed agent"
            task = (await call(survivor, "TaskGet", taskId="1")).structured_content["task"]
            assert task["status"] == "pending" and task["owner"] is None
            events = (await call(survivor, "TaskHistory", taskId="1")).structured_content["events"]
            assert events[-1]["changes"]["owner"] == {"from": "doomed", "to": None}
            assert events[-1]["actor"] == "survivor"

    run(main)


def test_release_expired_command(store: Path):
    server = subprocess.Popen([str(BINARY), "mcp", "--store", str(store), "--lease-seconds", "1"],
                              stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
    try:
        def request(id_, method, params):
            server.stdin.write(json.dumps({"jsonrpc": "2.0", "id": id_, "method": method, "params": params}) + "\n")
            server.stdin.flush()
            return json.loads(server.stdout.readline())

        request(1, "initialize", {"protocolVersion": "2025-06-18", "capabilities": {},
                                  "clientInfo": {"name": "raw-agent", "version": "1"}})
        request(2, "tools/call", {"name": "TaskCreate", "arguments": {"subject": "s", "description": ""}})
        reply = request(3, "tools/call", {"name": "TaskUpdate", "arguments": {"taskId": "1", "status": "in_progress"}})
        assert reply["result"]["structuredContent"]["task"]["owner"] == "raw-agent"
    finally:
        server.kill()
        server.wait()
    time.sleep(1.5)
    released = cli(store, "release-expired", "--json")
    assert released.returncode == 0, released.stderr
    assert json.loads(released.stdout) == {"released": [{"list": "default", "owner": "raw-agent", "tasks": ["1"]}]}
    listing = cli(store, "list", "--json")
    assert json.loads(listing.stdout)[0]["status"] == "pending"


if __name__ == "__main__":
    sys.exit(pytest.main([__file__, "-v"]))


# MARK: the stream


def test_slow_reader_gets_every_response_whole():
    """Pipelined TaskList answers of ~85 KB, read 16 KiB at a time with pauses: every line is one
    whole JSON-RPC message (the SDK's transport interleaved them once the pipe was full)."""
    import tempfile

    with tempfile.TemporaryDirectory() as folder:
        process = subprocess.Popen([str(BINARY), "mcp", "--store", f"{folder}/store"], stdin=subprocess.PIPE,
                                   stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
        try:
            def send(message: dict):
                process.stdin.write(json.dumps(message).encode() + b"\n")
                process.stdin.flush()

            def call(id: int, tool: str, **arguments) -> dict:
                return {"jsonrpc": "2.0", "id": id, "method": "tools/call",
                        "params": {"name": tool, "arguments": arguments}}

            send({"jsonrpc": "2.0", "id": 1, "method": "initialize", "params": {
                "protocolVersion": "2025-06-18", "capabilities": {}, "clientInfo": {"name": "slow", "version": "1"}}})
            send({"jsonrpc": "2.0", "method": "notifications/initialized"})
            tasks, lists = 40, range(1001, 1021)
            for n in range(tasks):
                send(call(100 + n, "TaskCreate", subject="s" * 1000, description=""))
            answered = [json.loads(process.stdout.readline()) for _ in range(1 + tasks)]
            assert {message["id"] for message in answered} == {1, *range(100, 100 + tasks)}
            for id in lists:
                send(call(id, "TaskList"))
            process.stdin.close()

            data = b""
            while True:
                chunk = os.read(process.stdout.fileno(), 16384)
                if not chunk:
                    break
                data += chunk
                time.sleep(0.002)
            assert process.wait(timeout=20) == 0
            messages = [json.loads(line) for line in data.decode().splitlines()]  # each line whole JSON
            by_id = {message["id"]: message for message in messages}
            assert set(by_id) == set(lists)
            for id in lists:
                assert len(by_id[id]["result"]["structuredContent"]["tasks"]) == tasks
        finally:
            if process.poll() is None:
                process.kill()
