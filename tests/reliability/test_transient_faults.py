"""A batch against a flaky provider: 20% of chatbot requests fail, every dialogue still completes."""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path

from tests.reliability.harness import read_jsonl, roleplay, write_goals
from tests.support.openai_stub import OpenAIStub

GOALS = 20
PERSONAS = 5
NORMAL_ENDINGS = {"max_turns", "goal_claimed", "goal_verified", "inquirer_gave_up"}
# Each chatbot call fails with probability 0.2 per attempt; with R retries a call is lost with
# probability 0.2 ** (R + 1). The default R = 5 would lose one of the ~200 calls of this batch in
# about 1.3% of runs (a flaky test); R = 8 makes that 1 in 10,000.
RETRIES = 8


def test_100_dialogues_with_20_percent_transient_failures_all_complete(tmp_path: Path) -> None:
    goals, out = write_goals(tmp_path / "goals.jsonl", GOALS), tmp_path / "dataset"
    with OpenAIStub(faults={"503": 0.1, "429": 0.1}, retry_after_s=0.05, seed=7) as stub:
        started = time.monotonic()
        result = roleplay(
            "generate", "--goals", str(goals), "--out", str(out), "--personas", str(PERSONAS),
            "--inquirer", "fake", "--judge", "none", "--chatbot", "openai:stub",
            "--chatbot-base-url", stub.base_url, "--max-turns", "2", "--concurrency", "8",
            "--request-retries", str(RETRIES), "--quiet",
        )  # fmt: skip
        wall_s = time.monotonic() - started
        served = stub.fault_counts
    assert result.returncode == 0, result.stderr
    records = read_jsonl(out / "dialogues.jsonl")
    endings = Counter(record["termination_reason"] for record in records)
    faults = served.get("503", 0) + served.get("429", 0)
    print(
        f"\n100 dialogues, 20% transient chatbot failures: {len(records)} recorded, {endings}, "
        f"{sum(served.values())} requests, {faults} faults served, {wall_s:.1f} s wall"
    )
    assert len(records) == GOALS * PERSONAS
    assert len({record["id"] for record in records}) == GOALS * PERSONAS
    assert set(endings) <= NORMAL_ENDINGS, endings
    assert all(record["error"] is None for record in records)
    assert sum(served.values()) > len(records) and faults > 0.1 * sum(served.values())
