"""The `roleplay` console script, run as a user would: real subprocesses, real files."""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
ROLEPLAY = Path(sys.executable).parent / "roleplay"
FAKE = ["--inquirer", "fake", "--chatbot", "fake", "--judge", "fake"]
GOAL = "Get a packing list for a two-day hike in the rain."


def roleplay(*args: str, cwd: Path, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    environment = {**os.environ, "PYTHONPATH": str(REPO), "LANGSMITH_TRACING": "false", **(env or {})}
    return subprocess.run(
        [str(ROLEPLAY), *args], cwd=cwd, env=environment, capture_output=True, text=True, timeout=120
    )


def test_run_streams_turns_and_writes_the_record(tmp_path: Path) -> None:
    out = tmp_path / "record.json"
    result = roleplay("run", "--goal", GOAL, *FAKE, "--max-turns", "5", "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    assert "[1] user:" in result.stdout and "[3] assistant:" in result.stdout
    assert "\x1b[" not in result.stdout  # no colour codes when the output is not a terminal
    record = json.loads(out.read_text())
    assert set(record) >= {
        "id", "persona", "goal", "messages", "termination_reason", "filter", "goal_check", "usage",
        "settings", "versions",
    }  # fmt: skip
    assert record["goal"] == GOAL
    assert record["termination_reason"] == "goal_verified"
    # the fake user reads the third reply as delivering, then asks a follow-up (min_turns_before_stop)
    assert [m["role"] for m in record["messages"]] == ["user", "assistant"] * 4
    assert record["settings"]["max_turns"] == 5
    assert record["persona"]["description"]
    assert record["versions"]["prompts"]["inquirer_open"]
    # the default checkpoint file is under the current directory
    assert (tmp_path / ".roleplay" / "checkpoints.sqlite").is_file()


def test_bad_input_is_one_clear_line_and_exit_2(tmp_path: Path) -> None:
    cases = {
        ("--inquirer", "gpt4"): "unknown spec 'gpt4'",
        ("--max-turns", "0"): "--max-turns",
        ("--persona", '{"attributes": {"gender": "robot"}}'): "unknown value 'robot' for 'gender'",
        ("--persona", '{"attributes": '): "invalid JSON at line 1",
        ("--chatbot", "openai:gpt-4o-mini", "--chatbot-api-key-env", "NO_SUCH_KEY_VAR"): "NO_SUCH_KEY_VAR",
    }
    for extra, expected in cases.items():
        args = ["run", "--goal", GOAL, *FAKE, *extra, "--out", str(tmp_path / "r.json")]
        result = roleplay(*args, cwd=tmp_path)
        assert result.returncode == 2, (extra, result.stderr)
        lines = result.stderr.strip().splitlines()
        assert len(lines) == 1 and expected in lines[0], (extra, result.stderr)
        assert "Traceback" not in result.stderr
    assert not (tmp_path / "r.json").exists()


def test_interrupted_run_continues_with_resume(tmp_path: Path) -> None:
    calls = tmp_path / "calls.log"
    bot = ["--chatbot", "python:tests.support.interruptible_bot:reply"]
    args = ["run", "--goal", GOAL, "--inquirer", "fake", *bot, "--judge", "fake"]
    env = {"ROLEPLAY_TEST_CALL_LOG": str(calls)}

    first = roleplay(*args, cwd=tmp_path, env={**env, "ROLEPLAY_TEST_INTERRUPT_AT_TURN": "2"})
    assert first.returncode == 130, first.stderr
    match = re.search(r"roleplay resume (dlg-[0-9a-f]+)", first.stderr)
    assert match, first.stderr
    assert calls.read_text().split() == ["1"]

    second = roleplay("resume", match.group(1), cwd=tmp_path, env=env)
    assert second.returncode == 0, second.stderr
    assert "(resumed)" in second.stdout
    assert calls.read_text().split() == ["1", "2", "3", "4"]  # turn 1 was not asked again
    record = json.loads((tmp_path / ".roleplay" / "dialogues" / f"{match.group(1)}.json").read_text())
    assert [m["turn"] for m in record["messages"]] == [1, 1, 2, 2, 3, 3, 4, 4]
