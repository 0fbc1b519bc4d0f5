"""`roleplay generate` as a user runs it: real subprocesses, a real HTTP chatbot, real kills."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path

from tests.support.openai_stub import OpenAIStub

REPO = Path(__file__).resolve().parents[2]
ROLEPLAY = Path(sys.executable).parent / "roleplay"

GOALS = [
    {"id": f"g{index}", "domain": "test", "goal": f"You want help with task number {index}: {topic}."}
    for index, topic in enumerate(
        [
            "a budget for a bike",
            "a birthday poem",
            "a bug in a loop",
            "a train timetable",
            "a letter to a bank",
        ]
    )
]


def write_goals(path: Path) -> Path:
    path.write_text("".join(json.dumps(goal) + "\n" for goal in GOALS))
    return path


def command(goals: Path, out: Path, stub: OpenAIStub, *extra: str) -> list[str]:
    return [
        str(ROLEPLAY), "generate", "--goals", str(goals), "--out", str(out), "--personas", "3",
        "--inquirer", "fake", "--judge", "none", "--chatbot", "openai:stub",
        "--chatbot-base-url", stub.base_url, "--quiet", *extra,
    ]  # fmt: skip


def environment() -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": str(REPO), "LANGSMITH_TRACING": "false"}


def records(out: Path) -> list[dict]:
    return [json.loads(line) for line in (out / "dialogues.jsonl").read_text().splitlines()]


def test_sigkill_then_rerun_gives_every_dialogue_exactly_once(tmp_path: Path) -> None:
    goals, out = write_goals(tmp_path / "goals.jsonl"), tmp_path / "dataset"
    with OpenAIStub(delay_s=0.15) as stub:
        args = command(goals, out, stub, "--trials", "2", "--concurrency", "4", "--max-turns", "6")
        victim = subprocess.Popen(args, env=environment(), start_new_session=True)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:  # kill once some dialogues are written and others in flight
            path = out / "dialogues.jsonl"
            if path.exists() and path.read_bytes().count(b"\n") >= 6:
                break
            time.sleep(0.05)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        before = (out / "dialogues.jsonl").read_bytes()
        finished_before = before[: before.rfind(b"\n") + 1]
        calls_before = stub.total_requests

        rerun = subprocess.run(args, env=environment(), capture_output=True, text=True, timeout=300)
        assert rerun.returncode == 0, rerun.stderr
        calls_total = stub.total_requests

    final = records(out)
    planned = len(GOALS) * 3 * 2
    ids = Counter(record["id"] for record in final)
    assert len(ids) == planned and set(ids.values()) == {1}, "every dialogue exactly once"
    assert (out / "dialogues.jsonl").read_bytes().startswith(finished_before), "finished lines untouched"
    manifest = json.loads((out / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["counts"]["finished"] == planned
    assert manifest["runs"][-1]["finished"] == planned - finished_before.count(b"\n"), "nothing redone"
    # Dialogues in flight at the kill continued from their checkpoints: at most the one call that
    # was running in each of the (at most 4) in-flight dialogues was asked again.
    replies = sum(1 for record in final for m in record["messages"] if m["role"] == "assistant")
    assert calls_before > 0 and calls_total <= replies + 4


def test_concurrency_limit_is_never_exceeded(tmp_path: Path) -> None:
    goals, out = write_goals(tmp_path / "goals.jsonl"), tmp_path / "dataset"
    with OpenAIStub(delay_s=0.2) as stub:
        result = subprocess.run(
            command(goals, out, stub, "--concurrency", "3", "--max-turns", "2"),
            env=environment(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert result.returncode == 0, result.stderr
        assert stub.max_in_flight == 3  # reached, and never more
    assert len(records(out)) == len(GOALS) * 3


def test_changed_settings_are_refused_and_budget_stops_cleanly(tmp_path: Path) -> None:
    goals, out = write_goals(tmp_path / "goals.jsonl"), tmp_path / "dataset"
    with OpenAIStub() as stub:
        budget = subprocess.run(
            command(goals, out, stub, "--max-tokens", "1", "--concurrency", "1"),
            env=environment(), capture_output=True, text=True, timeout=300,
        )  # fmt: skip
        assert budget.returncode == 0, budget.stderr
        assert "token budget reached" in budget.stdout
        assert json.loads((out / "manifest.json").read_text())["status"] == "partial"
        partial = (out / "dialogues.jsonl").read_bytes()
        assert 1 <= partial.count(b"\n") < len(GOALS) * 3

        changed = subprocess.run(
            command(goals, out, stub, "--max-turns", "3"), env=environment(), capture_output=True, text=True
        )
        assert changed.returncode == 2
        assert "max_turns 12 -> 3" in changed.stderr and len(changed.stderr.strip().splitlines()) == 1
        assert (out / "dialogues.jsonl").read_bytes() == partial, "refused run wrote nothing"

        rest = subprocess.run(command(goals, out, stub), env=environment(), capture_output=True, text=True)
        assert rest.returncode == 0, rest.stderr
    assert len(records(out)) == len(GOALS) * 3
