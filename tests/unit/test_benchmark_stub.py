"""The benchmarks' scripted stub still understands the prompts: every dialogue runs its shape."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from benchmarks.stub_dialogue import CALLS_PER_DIALOGUE, USER_TURNS, check_shape, scripted_reply
from benchmarks.throughput import cells, stub_context
from llm_roleplay.batch import run_batch
from llm_roleplay.dataset_store import DatasetDir
from tests.support.openai_stub import OpenAIStub


def test_stub_dialogues_run_the_benchmark_shape(tmp_path: Path) -> None:
    store = DatasetDir(tmp_path)
    store.prepare()
    with OpenAIStub(reply=scripted_reply) as stub:
        report = asyncio.run(run_batch(cells(4, stub_context(stub)), store, concurrency=4))
        requests = stub.total_requests
    records = list(store.records())
    assert report.finished == 4 and not report.failed
    for record in records:
        check_shape(record)  # goal_verified after USER_TURNS turns, CALLS_PER_DIALOGUE calls, no regeneration
        assert [part["verified"] for part in record["goal_check"]["checks"][-1]["parts"]] == [True, True]
        assert record["goal_plan"]["source"] == "judge"
    assert requests == 4 * CALLS_PER_DIALOGUE
    assert all(sum(m["role"] == "user" for m in r["messages"]) == USER_TURNS for r in records)


def test_a_record_off_the_shape_is_refused() -> None:
    record = {
        "id": "dlg-x",
        "termination_reason": "inquirer_invalid",
        "messages": [{"role": "user", "content": "hi"}],
        "usage": {"inquirer": {"calls": 5}},
        "regenerations": {"echo": 4},
    }
    with pytest.raises(AssertionError, match="inquirer_invalid"):
        check_shape(record)
