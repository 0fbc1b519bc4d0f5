"""The cost of scaling out: the same grid with and without Ray, and Postgres checkpoints per turn.

    python benchmarks/scaleout.py        # writes benchmarks/scaleout_results.json, prints tables

1. Throughput: one grid of dialogues against a local OpenAI-compatible server that answers every
   call after a fixed delay (tests/support/openai_stub; the dialogue shape of
   benchmarks/stub_dialogue.py: three user turns, 13 calls), at the same global concurrency, run
   three ways: the one-machine batch runner with its SQLite checkpoints (what ``roleplay generate``
   does by default), the same with Postgres checkpoints, and ``--ray`` on a real three-node Ray
   cluster on this machine (a head with no CPUs, two worker nodes) with Postgres checkpoints. Each
   path writes a fresh dataset directory. Wall time counts from the start of the runner to its
   return, so the Ray path includes starting its coordinator and worker processes on the cluster;
   the steady rate (first to last finished dialogue) leaves that start-up out.
2. Per-turn cost of checkpoints: the in-process ``fake`` models (no HTTP, no delay) at concurrency 1,
   the same dialogues into SQLite and into Postgres; the difference per turn is what Postgres costs.

The Postgres server is Debian's, started in a temporary folder with its default durability (fsync
and synchronous commit on), on 127.0.0.1.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import platform
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from benchmarks.stub_dialogue import scripted_reply  # noqa: E402
from benchmarks.throughput import cells, stub_context  # noqa: E402
from llm_roleplay import cluster  # noqa: E402
from llm_roleplay.batch import BatchListener, run_batch  # noqa: E402
from llm_roleplay.cells import Cell  # noqa: E402
from llm_roleplay.checkpoints import CheckpointDB  # noqa: E402
from llm_roleplay.dataset_store import DatasetDir  # noqa: E402
from llm_roleplay.nodes.context import Context  # noqa: E402
from tests.support.openai_stub import OpenAIStub  # noqa: E402
from tests.support.postgres_server import PostgresServer  # noqa: E402
from tests.support.ray_cluster import local_cluster  # noqa: E402  (puts Ray in loopback-only mode)


class Clock(BatchListener):
    """When the first and the last dialogue finished."""

    def __init__(self) -> None:
        self.first = self.last = 0.0

    def finished(self, record: dict[str, Any]) -> None:
        self.last = time.perf_counter()
        self.first = self.first or self.last


def timed_run(
    cells_to_run: list[Cell], concurrency: int, db: CheckpointDB | None, ray_chunk: int | None
) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        store = DatasetDir(Path(folder))
        store.prepare()
        clock = Clock()
        started = time.perf_counter()
        if ray_chunk is None:
            batch = run_batch(cells_to_run, store, concurrency=concurrency, listener=clock, db=db)
        else:
            assert db is not None
            batch = cluster.run_on_cluster(
                cells_to_run, store, db=db, concurrency=concurrency, chunk_size=ray_chunk, listener=clock
            )
        report = asyncio.run(batch)
        elapsed = time.perf_counter() - started
        assert report.finished == len(cells_to_run) and not report.failed, report
        records = list(store.records())
    turns = sum(1 for record in records for message in record["messages"] if message["role"] == "user")
    steady = clock.last - clock.first
    return {
        "dialogues": len(records),
        "turns": turns,
        "wall_s": round(elapsed, 2),
        "dialogues_per_min": round(len(records) * 60 / elapsed, 1),
        "first_record_after_s": round(clock.first - started, 2),
        "steady_dialogues_per_min": round((len(records) - 1) * 60 / steady, 1) if steady else None,
        "max_in_flight": report.max_in_flight,
    }


def throughput(count: int, concurrency: int, delay: float, chunk: int, postgres_url: str) -> dict[str, Any]:
    results: dict[str, Any] = {"dialogues": count, "concurrency": concurrency, "delay_s": delay}
    with OpenAIStub(reply=scripted_reply, delay_s=delay) as stub:
        context = stub_context(stub)
        for seed, (name, db) in enumerate([("plain_sqlite", None), ("plain_postgres", postgres_url)]):
            grid = cells(count, context.model_copy(update={"seed": seed}))
            results[name] = timed_run(grid, concurrency, db, None)
            print(name, json.dumps(results[name]), flush=True)
            if seed == 0:  # every dialogue has the same shape: the server counts its calls
                results["calls_per_dialogue"] = round(stub.total_requests / count, 2)
        with local_cluster(workers=2, cpus_per_worker=2) as ray_cluster:
            cluster.connect(ray_cluster.address)
            try:
                grid = cells(count, context.model_copy(update={"seed": 7}))
                results["ray_postgres"] = timed_run(grid, concurrency, postgres_url, chunk)
                results["ray_postgres"]["chunk_size"] = chunk
            finally:
                import ray

                ray.shutdown()
        print("ray_postgres", json.dumps(results["ray_postgres"]), flush=True)
        ideal = concurrency * 60 / (results["calls_per_dialogue"] * delay)
        results["ideal_per_min"] = round(ideal, 1)
    plain, ray_path = results["plain_sqlite"], results["ray_postgres"]
    results["ray_share_of_plain"] = round(ray_path["dialogues_per_min"] / plain["dialogues_per_min"], 3)
    results["ray_share_of_plain_postgres"] = round(
        ray_path["dialogues_per_min"] / results["plain_postgres"]["dialogues_per_min"], 3
    )
    results["ray_steady_share_of_plain"] = round(
        ray_path["steady_dialogues_per_min"] / plain["steady_dialogues_per_min"], 3
    )
    return results


def checkpoint_cost(count: int, postgres_url: str, repeats: int = 3) -> dict[str, Any]:
    """ms per turn with fake models at concurrency 1: SQLite and Postgres checkpoints."""
    context = Context(inquirer_model="fake", chatbot_model="fake", judge_model="none")
    timed_run(cells(5, context.model_copy(update={"seed": 99})), 1, None, None)  # warm imports, caches
    per_turn: dict[str, float] = {}
    for name, db in (("sqlite", None), ("postgres", postgres_url)):
        samples = []
        for repeat in range(repeats):
            row = timed_run(cells(count, context.model_copy(update={"seed": 100 + repeat})), 1, db, None)
            samples.append(1000 * row["wall_s"] / row["turns"])
        per_turn[name] = round(min(samples), 2)  # the least disturbed of the repeats
    return {
        "dialogues": count,
        "repeats": repeats,
        "sqlite_ms_per_turn": per_turn["sqlite"],
        "postgres_ms_per_turn": per_turn["postgres"],
        "postgres_extra_ms_per_turn": round(per_turn["postgres"] - per_turn["sqlite"], 2),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dialogues", type=int, default=960, help="grid size (default 960)")
    parser.add_argument("--concurrency", type=int, default=32, help="global concurrency (default 32)")
    parser.add_argument("--delay", type=float, default=0.5, help="seconds per model call (default 0.5)")
    parser.add_argument("--chunk-size", type=int, default=16, help="dialogues per Ray task (default 16)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("scaleout_results.json"))
    args = parser.parse_args()
    with PostgresServer(fast=False) as postgres:
        cost = checkpoint_cost(100, postgres.url)  # first, while the process is fresh
        print("checkpoints", json.dumps(cost), flush=True)
        flow = throughput(args.dialogues, args.concurrency, args.delay, args.chunk_size, postgres.url)
    results = {
        "date": time.strftime("%Y-%m-%d"),
        "machine": f"{platform.machine()}, {platform.python_version()}",
        "throughput": flow,
        "checkpoints": cost,
    }
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print("\n| path | dialogues/min | steady dialogues/min | first record after |")
    print("|---|---:|---:|---:|")
    for name in ("plain_sqlite", "plain_postgres", "ray_postgres"):
        row = flow[name]
        print(
            f"| {name} | {row['dialogues_per_min']} | {row['steady_dialogues_per_min']} | "
            f"{row['first_record_after_s']} s |"
        )
    print(
        f"\nRay path: {flow['ray_share_of_plain']:.0%} of the plain path's dialogues per minute "
        f"({flow['ray_steady_share_of_plain']:.0%} in the steady state); ideal {flow['ideal_per_min']}/min"
    )
    print(
        f"checkpoints per turn: SQLite {cost['sqlite_ms_per_turn']} ms, Postgres "
        f"{cost['postgres_ms_per_turn']} ms (+{cost['postgres_extra_ms_per_turn']} ms)"
    )


if __name__ == "__main__":
    main()
