"""`roleplay run` with an in-process LangGraph agent as the chatbot, as a user runs it."""

from __future__ import annotations

import json
from pathlib import Path

from tests.integration.test_cli import GOAL, roleplay


def test_run_drives_an_agent_and_prints_its_tool_steps(tmp_path: Path) -> None:
    out = tmp_path / "record.json"
    args = ["--chatbot", "python:tests.support.agents:chatty", "--inquirer", "fake", "--judge", "fake"]
    result = roleplay("run", "--goal", GOAL, *args, "--max-turns", "3", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[1] assistant: Let me check." in result.stdout
    assert "[1] assistant: Good news: 5 lamps in stock." in result.stdout
    assert "    tool check_stock({'item': 'lamps'}) -> 5 lamps in stock" in result.stdout
    record = json.loads(out.read_text())
    assert record["settings"]["chatbot_model"] == "python:tests.support.agents:chatty"
    calls = [call for message in record["messages"] for call in message.get("tool_calls", [])]
    assert [call["name"] for call in calls] == ["check_stock"] * len(calls) and calls
    assert len(record["agent"]["final_state"]["messages"]) == 4 * len(calls)  # user, call, result, answer
