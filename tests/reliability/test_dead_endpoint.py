"""A provider that is down: at the start (refused at once) or in the middle of a batch (breaker)."""

from __future__ import annotations

import subprocess
import time
from collections import Counter
from pathlib import Path

from tests.reliability.harness import (
    ROLEPLAY,
    environment,
    one_error_line,
    read_jsonl,
    roleplay,
    roleplay_many,
    write_goals,
)
from tests.support.openai_stub import OpenAIStub, dead_endpoint

GOAL = "You want help with a soup recipe for a cold evening."
DEAD_WITHIN_S = 10.0  # interpreter start-up (~1.5 s on two cores) plus one refused connection
BREAKER_WITHIN_S = 30.0


def test_a_dead_endpoint_is_refused_before_the_first_dialogue(tmp_path: Path) -> None:
    url = dead_endpoint()
    goals = write_goals(tmp_path / "goals.jsonl", 2)
    models = ["--inquirer", "fake", "--judge", "none", "--chatbot", "openai:bot", "--chatbot-base-url", url]
    started = time.monotonic()
    run, generate = roleplay_many(
        [
            [
                "run",
                "--goal",
                GOAL,
                *models,
                "--out",
                str(tmp_path / "r.json"),
                "--db",
                str(tmp_path / "c.db"),
            ],
            ["generate", "--goals", str(goals), "--out", str(tmp_path / "ds"), *models, "--quiet"],
        ]
    )
    wall_s = time.monotonic() - started
    print(f"\ndead endpoint: run exit {run.returncode}, generate exit {generate.returncode}, {wall_s:.1f} s")
    for result in (run, generate):
        assert result.returncode == 2, result.stderr
        line = one_error_line(result)
        assert "chatbot" in line and url in line and "connection refused" in line, line
    assert wall_s < DEAD_WITHIN_S
    assert not (tmp_path / "r.json").exists() and not (tmp_path / "ds").exists()  # nothing written


def test_a_provider_dying_mid_batch_trips_the_breaker_and_a_rerun_completes_the_grid(tmp_path: Path) -> None:
    goals, out = write_goals(tmp_path / "goals.jsonl", 8), tmp_path / "dataset"
    planned = 8 * 5
    with OpenAIStub(delay_s=0.05) as stub:
        args = [
            str(ROLEPLAY), "generate", "--goals", str(goals), "--out", str(out), "--personas", "5",
            "--inquirer", "fake", "--judge", "none", "--chatbot", "openai:stub",
            "--chatbot-base-url", stub.base_url, "--max-turns", "2", "--concurrency", "4",
            "--request-retries", "1", "--quiet",
        ]  # fmt: skip
        started = time.monotonic()
        batch = subprocess.Popen(
            args, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        records_path = out / "dialogues.jsonl"
        while not (records_path.exists() and records_path.read_bytes().count(b"\n") >= 3):
            assert batch.poll() is None and time.monotonic() - started < 60, "the batch ended too early"
            time.sleep(0.02)
        stub.stop()  # the provider dies with dialogues in flight
        died = time.monotonic()
        _, stderr = batch.communicate(timeout=60)
        wall_s, after_death_s = time.monotonic() - started, time.monotonic() - died
        written = read_jsonl(records_path)
        print(
            f"\nprovider died after {len(written)} of {planned} dialogues: exit {batch.returncode} "
            f"{after_death_s:.1f} s later ({wall_s:.1f} s in all)"
        )
        assert batch.returncode == 2, stderr
        line = one_error_line(subprocess.CompletedProcess(args, 2, "", stderr))
        assert "chatbot" in line and stub.base_url in line and "in a row" in line, line
        assert wall_s < BREAKER_WITHIN_S
        assert len(written) < planned
        assert all(record["error"] is None for record in written), "outage dialogues are not recorded"

        stub.start()  # the provider is back, on the same URL
        rerun = roleplay(*args[1:])
    assert rerun.returncode == 0, rerun.stderr
    final = read_jsonl(records_path)
    ids = Counter(record["id"] for record in final)
    assert len(ids) == planned and set(ids.values()) == {1}, "every dialogue exactly once"
    assert {record["termination_reason"] for record in final} == {"max_turns"}
    assert all(record["error"] is None for record in final)
