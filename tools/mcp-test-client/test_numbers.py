"""Numbers an MCP client sends that JSON readers would change (an integer beyond 64 bits becomes a
rounded double, a number below a double's range becomes 0) are refused, as the CLI refuses them,
instead of being stored altered."""

from __future__ import annotations

from pathlib import Path

import pytest
from mcp import MCPError

from test_mcp import agent, binary_exists, call, cli, run, store, text  # noqa: F401 (fixtures)


@pytest.mark.parametrize("number", [2**64, -(2**63) - 1, 10**30])
def test_an_integer_beyond_64_bits_is_refused(store: Path, number: int):
    async def main():
        async with agent(store, "precise") as session:
            with pytest.raises(MCPError) as refused:
                await call(session, "TaskCreate", subject="Counter", description="", metadata={"n": number})
            assert "cannot be kept as written" in str(refused.value)
            # The session goes on, and nothing was stored.
            kept = await call(session, "TaskCreate", subject="Counter", description="", metadata={"n": 2**63 - 1})
            assert not kept.is_error, text(kept)
            assert kept.structured_content["task"]["metadata"]["n"] == 2**63 - 1

    run(main)
    listed = cli(store, "list", "--json")
    assert listed.returncode == 0 and listed.stdout.count('"subject":"Counter"') == 1
