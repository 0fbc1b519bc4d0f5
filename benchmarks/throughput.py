"""Throughput and framework overhead of the batch runner (``roleplay generate``'s engine).

    python benchmarks/throughput.py            # writes benchmarks/results.json, prints a table

1. Throughput: every model call of every role goes to a local OpenAI-compatible server
   (tests/support/openai_stub) that answers after a fixed delay, from the script of
   benchmarks/stub_dialogue.py: each dialogue has the same shape (a goal plan, 3 user turns, a
   verified goal claim; 13 calls). The server counts the calls, so the delay-bound ideal is
   ``concurrency * 60 / (calls_per_dialogue * delay)`` dialogues per minute. After each run the
   same calls are made again straight through the OpenAI async client at the same concurrency:
   once as the SDK comes, once with the client the models use; those are the floors.
2. Overhead: the same dialogue shape with the in-process ``fake`` models (no HTTP, no delay) at
   concurrency 1. The wall time per turn, minus the time the model calls themselves take
   (measured separately), is the framework's cost: graph steps, node logic, SQLite checkpoints
   and the record write. Beside it, LangGraph's own floor (``langgraph_floor.py``): what its steps
   cost with nothing in the nodes, times the roleplay graph's steps per turn.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

import openai  # noqa: E402
from langchain_core.messages import HumanMessage  # noqa: E402
from openai import AsyncOpenAI  # noqa: E402

from benchmarks.langgraph_floor import ms_per_step, roleplay_steps_per_turn  # noqa: E402
from benchmarks.stub_dialogue import USER_TURNS, StubProcess, bench_goal, check_shape  # noqa: E402
from llm_roleplay.batch import run_batch  # noqa: E402
from llm_roleplay.blocks.fake_models import FakeRoleplayModel  # noqa: E402
from llm_roleplay.blocks.http_pool import LIMITS  # noqa: E402
from llm_roleplay.cells import Cell  # noqa: E402
from llm_roleplay.dataset_store import DatasetDir  # noqa: E402
from llm_roleplay.nodes.context import Context  # noqa: E402
from llm_roleplay.nodes.ids import dialogue_id  # noqa: E402
from llm_roleplay.nodes.llm import ainvoke  # noqa: E402
from tests.support.openai_stub import OpenAIStub  # noqa: E402


def cells(count: int, context: Context, first: int = 0) -> list[Cell]:
    """``count`` dialogues of distinct goals, numbered from ``first``: the judge plans a goal once per
    process, so a goal seen before would skip its planning call."""
    result = []
    for index in range(first, first + count):
        goal = bench_goal(index)
        persona = {"attributes": {"occupation": "student"}, "source": "given"}
        result.append(Cell(dialogue_id(goal, persona, context), goal, persona, context))
    return result


def run(cells_to_run: list[Cell], concurrency: int, shape: bool = False) -> tuple[float, int, int]:
    """Run the cells into a scratch dataset; returns (seconds, user turns, model calls). With
    ``shape``, every dialogue must have run the stub's dialogue shape."""
    with tempfile.TemporaryDirectory() as folder:
        store = DatasetDir(Path(folder))
        store.prepare()
        started = time.perf_counter()
        report = asyncio.run(run_batch(cells_to_run, store, concurrency=concurrency))
        elapsed = time.perf_counter() - started
        assert report.finished == len(cells_to_run) and not report.failed, report.failed
        records = list(store.records())
    for record in records if shape else []:
        check_shape(record)
    turns = sum(1 for record in records for message in record["messages"] if message["role"] == "user")
    calls = sum(usage.get("calls", 0) for record in records for usage in record["usage"].values())
    return elapsed, turns, calls


def stub_context(stub: OpenAIStub | StubProcess) -> Context:
    """Every role on the stub, room for USER_TURNS turns, other settings at their defaults but one:
    the user may claim the goal once its parts are delivered (turn USER_TURNS), without the default's
    follow-up questions, so that the shape and its figures stay the same from session to session."""
    return Context(
        inquirer_model="openai:stub",
        inquirer_base_url=stub.base_url,
        chatbot_model="openai:stub",
        chatbot_base_url=stub.base_url,
        judge_model="openai:stub",
        judge_base_url=stub.base_url,
        max_turns=USER_TURNS + 1,
        min_turns_before_stop=USER_TURNS,
        request_timeout_s=60,
    )


# The floors: the same calls made with the OpenAI async client directly, as it comes (the SDK's
# default httpx client), and with the client the models use (``llm_roleplay.blocks.http_pool``).
FLOORS = {
    "raw_default": lambda: None,
    "raw_same_client": lambda: openai.DefaultAioHttpClient(limits=LIMITS),
}


async def raw_client_run(
    base_url: str, bodies: list[dict[str, Any]], dialogues: int, concurrency: int, floor: str
) -> float:
    """A floor: the same HTTP calls made directly with the OpenAI async client, each dialogue's
    calls one after the other, ``concurrency`` dialogues at a time; returns the seconds taken."""
    client = AsyncOpenAI(
        base_url=base_url, api_key="none", max_retries=0, timeout=60, http_client=FLOORS[floor]()
    )
    per_dialogue = len(bodies) // dialogues
    queue = list(range(dialogues))

    async def worker() -> None:
        while queue:
            index = queue.pop()
            for body in bodies[index * per_dialogue : (index + 1) * per_dialogue]:
                await client.chat.completions.create(**body)

    started = time.perf_counter()
    await asyncio.gather(*(worker() for _ in range(concurrency)))
    elapsed = time.perf_counter() - started
    await client.close()
    return elapsed


def best_and_range(rates: list[float]) -> dict[str, Any]:
    return {"per_min": round(max(rates), 1), "range": [round(min(rates), 1), round(max(rates), 1)]}


def throughput(delay: float, levels: list[int], per_slot: int, repeats: int) -> list[dict[str, Any]]:
    """Per level, ``repeats`` times: the batch runner, then each floor with the same calls. Rates
    are the best of the repeats (the least disturbed by other work on the machine), with their
    spread; a share of a floor is the best rate over that floor's best."""
    rows = []
    with StubProcess(delay_s=delay) as stub:
        context = stub_context(stub)
        first = 0
        for concurrency in levels:
            count = max(per_slot * concurrency, 4)
            ours: list[float] = []
            floors: dict[str, list[float]] = {floor: [] for floor in FLOORS}
            calls = 0.0
            for _ in range(repeats):
                elapsed, _, _ = run(
                    cells(count, context.model_copy(update={"seed": concurrency}), first), concurrency, True
                )
                first += count
                stats, bodies = stub.stats(), stub.request_bodies()
                stub.reset()
                calls = stats["total_requests"] / count
                ours.append(count * 60 / elapsed)
                for floor, rates in floors.items():
                    raw = asyncio.run(raw_client_run(stub.base_url, bodies, count, concurrency, floor))
                    stub.reset()
                    rates.append(count * 60 / raw)
            ideal = concurrency * 60 / (calls * delay)
            row: dict[str, Any] = {
                "concurrency": concurrency,
                "dialogues": count,
                "repeats": repeats,
                "calls_per_dialogue": round(calls, 2),
                "ours": best_and_range(ours),
                "ideal_per_min": round(ideal, 1),
                "share_of_ideal": round(max(ours) / ideal, 3),
            }
            for floor, rates in floors.items():
                row[floor] = {**best_and_range(rates), "share_of_it": round(max(ours) / max(rates), 3)}
            rows.append(row)
            print(json.dumps(row), flush=True)
    return rows


def fake_call_seconds(repeats: int = 2000) -> float:
    """What one in-process fake model call costs as the nodes make it (``ainvoke``), LangChain's
    call machinery included."""
    model = FakeRoleplayModel(role="chatbot")
    prompt = [HumanMessage("Here is a short question about a benchmark task, with some words.")]

    async def calls() -> float:
        started = time.perf_counter()
        for _ in range(repeats):
            await ainvoke(model, prompt, task="chatbot_reply", turn=1, seed=1)
        return (time.perf_counter() - started) / repeats

    return asyncio.run(calls())


def overhead(count: int, repeats: int = 3) -> dict[str, Any]:
    context = Context(inquirer_model="fake", chatbot_model="fake", judge_model="none")
    run(cells(5, context.model_copy(update={"seed": 99})), 1)  # warm imports and caches
    per_call = fake_call_seconds()
    samples = []
    for repeat in range(repeats):
        elapsed, turns, calls = run(cells(count, context.model_copy(update={"seed": repeat})), 1)
        samples.append((1000 * elapsed / turns, 1000 * per_call * calls / turns))
    total, model_calls = min(samples)  # the least disturbed of the repeats
    framework = [sample_total - sample_calls for sample_total, sample_calls in samples]
    steps = roleplay_steps_per_turn(context, bench_goal(0))
    step_ms = min(ms_per_step() for _ in range(repeats))
    return {
        "dialogues": count,
        "repeats": repeats,
        "total_ms_per_turn": round(total, 2),
        "model_call_ms_per_turn": round(model_calls, 2),
        "framework_ms_per_turn": round(total - model_calls, 2),
        "framework_ms_per_turn_range": [round(min(framework), 2), round(max(framework), 2)],
        "graph_steps_per_turn": round(steps, 2),
        "langgraph_ms_per_step": round(step_ms, 3),
        "langgraph_floor_ms_per_turn": round(steps * step_ms, 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--delay", type=float, default=0.5, help="seconds per model call (default 0.5)")
    parser.add_argument("--levels", default="1,8,32,128", help="concurrency levels")
    parser.add_argument("--per-slot", type=int, default=2, help="dialogues per concurrency slot")
    parser.add_argument("--repeats", type=int, default=3, help="runs per measurement; the best counts")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("results.json"))
    args = parser.parse_args()
    levels = [int(level) for level in args.levels.split(",")]
    load = os.getloadavg()[0]
    # Overhead first, while the process is fresh: measured after the 128-dialogue run it came out
    # about 0.5-1 ms per turn higher (a larger heap for the garbage collector to walk).
    cost = overhead(100, args.repeats)
    results = {
        "delay_s": args.delay,
        "load_average_at_start": round(load, 2),
        "throughput": throughput(args.delay, levels, args.per_slot, args.repeats),
        "overhead": cost,
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"\nbest of {args.repeats} (range); load average {load:.2f} at the start")
    print(
        "| in flight | dialogues | ours/min | raw, default client/min | share | "
        "raw, same client/min | share | share of the delay-bound ideal |"
    )
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for row in results["throughput"]:
        cells_text = [f"{row['concurrency']}", f"{row['dialogues']}", _rate(row["ours"])]
        for floor in FLOORS:
            cells_text += [_rate(row[floor]), f"{row[floor]['share_of_it']:.0%}"]
        cells_text.append(f"{row['share_of_ideal']:.0%}")
        print("| " + " | ".join(cells_text) + " |")
    low, high = cost["framework_ms_per_turn_range"]
    print(
        f"\nper turn: {cost['total_ms_per_turn']} ms in all, {cost['model_call_ms_per_turn']} ms in the "
        f"(fake) model calls, {cost['framework_ms_per_turn']} ms framework overhead (repeats: {low}-{high})"
        f"; LangGraph's own floor: {cost['graph_steps_per_turn']} steps x {cost['langgraph_ms_per_step']} ms "
        f"= {cost['langgraph_floor_ms_per_turn']} ms"
    )


def _rate(measured: dict[str, Any]) -> str:
    low, high = measured["range"]
    return f"{measured['per_min']} ({low}-{high})"


if __name__ == "__main__":
    main()
