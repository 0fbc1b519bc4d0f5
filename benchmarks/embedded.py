"""Dialogues per hour on the embedded model, next to what its runtime can do for the same tokens.

    python benchmarks/embedded.py          # 10 dialogues: ~30-60 min on 2 busy cores
    python benchmarks/embedded.py --personas 5   # the paper's 10 goals x 5 personas
    (Ctrl-C stops the run early and reports on the dialogues finished by then.)

1. Runs ``roleplay generate`` in this process, exactly as the command line does with its default
   settings (every role on the embedded model, concurrency 4), on the paper's 10 goals
   (``../shared/reference/llm-roleplay/goals.jsonl``, or ``--goals``) with ``--personas`` personas,
   into a scratch directory. Every model call is recorded with its task (the node's tag), its prompt
   tokens, the prompt tokens llama.cpp took from its cache, and the tokens it generated.
2. Measures the raw runtime on the same server right after, at the same concurrency: prompt
   processing (fresh prompts of the run's mean processed length, no cache) and generation
   (``ignore_eos``) in tokens per second, with plain HTTP requests and nothing of the project.
3. Reports dialogues per hour, and the runtime's figure for the same token mix: the hours the
   runtime needs for the prompt tokens the run really processed and the tokens it generated, at
   those rates. That is the hardware's limit for these dialogues on this machine, now; llama.cpp
   batches prompt chunks of one slot with generation of others, so a run can come close to it or
   even pass it. The load average and the CPU share this process got are printed beside it: on a
   shared machine both figures move with the other work.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from contextvars import ContextVar
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
from langchain_core.callbacks import BaseCallbackHandler
from langchain_core.outputs import LLMResult
from langchain_core.tracers.context import register_configure_hook

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from llm_roleplay import cli  # noqa: E402
from llm_roleplay.blocks.local_model import LOCAL_SERVER  # noqa: E402
from llm_roleplay.dataset_store import DatasetDir  # noqa: E402

PAPER_GOALS = REPO.parent / "shared" / "reference" / "llm-roleplay" / "goals.jsonl"
INTERRUPTED = 130  # roleplay generate's exit status after Ctrl-C
TG_TOKENS = 48  # generated per request when measuring the runtime's generation rate
ROUNDS = 3  # of each measurement; the median is reported (the machine's other work varies)


class CallLog(BaseCallbackHandler):
    """Every chat model call of the run: task, prompt tokens, cached prompt tokens, generated."""

    run_inline = True  # called in the model call's own thread or task: no executor hand-off

    def __init__(self) -> None:
        self.tasks: dict[UUID, str] = {}
        self.calls: list[dict[str, Any]] = []
        self._lock = threading.Lock()

    def on_chat_model_start(self, serialized: Any, messages: Any, *, run_id: UUID, **kwargs: Any) -> None:
        task = str((kwargs.get("metadata") or {}).get("roleplay_task", "other"))
        with self._lock:
            self.tasks[run_id] = task

    def on_llm_end(self, response: LLMResult, *, run_id: UUID, **kwargs: Any) -> None:
        message = getattr(response.generations[0][0], "message", None) if response.generations else None
        usage = getattr(message, "usage_metadata", None) or {}
        cached = (usage.get("input_token_details") or {}).get("cache_read") or 0
        with self._lock:
            self.calls.append(
                {
                    "task": self.tasks.pop(run_id, "other"),
                    "input": usage.get("input_tokens", 0),
                    "cached": cached,
                    "output": usage.get("output_tokens", 0),
                }
            )


_CALL_LOG: ContextVar[CallLog | None] = ContextVar("benchmark_call_log", default=None)
register_configure_hook(_CALL_LOG, inheritable=True)


class LoadSampler(threading.Thread):
    """The one-minute load average every few seconds while the run lasts."""

    def __init__(self, every_s: float = 5.0) -> None:
        super().__init__(daemon=True)
        self.every_s, self.samples = every_s, [os.getloadavg()[0]]
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.wait(self.every_s):
            self.samples.append(os.getloadavg()[0])


def generate(goals: Path, out: Path, personas: int, concurrency: int) -> dict[str, Any]:
    log = CallLog()
    token = _CALL_LOG.set(log)
    sampler = LoadSampler()
    sampler.start()
    cpu_before = resource.getrusage(resource.RUSAGE_SELF)
    started = time.monotonic()
    try:
        argv = ["generate", "--goals", str(goals), "--out", str(out), "--personas", str(personas)]
        status = cli.main([*argv, "--concurrency", str(concurrency), "--quiet"])
    finally:
        wall = time.monotonic() - started
        _CALL_LOG.reset(token)
        sampler.stopped.set()
    cpu_after = resource.getrusage(resource.RUSAGE_SELF)
    if status not in (0, 1, INTERRUPTED):
        raise SystemExit(f"roleplay generate failed with exit status {status}")
    cpu = (cpu_after.ru_utime - cpu_before.ru_utime) + (cpu_after.ru_stime - cpu_before.ru_stime)
    return {
        "exit_status": status,
        # Ctrl-C (SIGINT) ends a long run early: the finished dialogues are measured over the time
        # until then (the dialogues in flight are lost work, so the rate is a little low).
        "interrupted": status == INTERRUPTED,
        "wall_s": round(wall, 1),
        "calls": log.calls,
        "load_average_mean": round(statistics.fmean(sampler.samples), 2),
        "load_average_range": [round(min(sampler.samples), 2), round(max(sampler.samples), 2)],
        "cpu_share_of_machine": round(cpu / wall / (os.cpu_count() or 1), 3),
    }


def runtime_rates(base_url: str, concurrency: int, prompt_tokens: int) -> dict[str, float]:
    """llama.cpp's own prompt-processing and generation rates at ``concurrency`` requests at once."""
    client = httpx.Client(timeout=3600)
    words = ("the", "person", "asks", "about", "a", "budget", "for", "a", "trip", "and", "packing", "list")

    def fresh_prompt(index: int, length: int) -> str:  # distinct from the first word on: no reuse
        return f"{index} {time.time_ns()} " + " ".join(words[(index + i) % len(words)] for i in range(length))

    def post(body: dict[str, Any]) -> dict[str, Any]:
        response = client.post(f"{base_url}/chat/completions", json={"model": "local", **body})
        response.raise_for_status()
        return dict(response.json())

    def prompt_call(index: int) -> dict[str, Any]:
        message = {"role": "user", "content": fresh_prompt(index, prompt_tokens)}
        return post({"messages": [message], "max_tokens": 1, "cache_prompt": False})

    def generate_call(index: int) -> dict[str, Any]:
        message = {"role": "user", "content": f"Story {index}: write about a fox called {index}."}
        return post({"messages": [message], "max_tokens": TG_TOKENS, "ignore_eos": True, "seed": index})

    prompt_rates, generate_rates = [], []
    with ThreadPoolExecutor(concurrency) as pool:
        for _ in range(ROUNDS):
            started = time.monotonic()
            prompts = list(pool.map(prompt_call, range(concurrency)))
            prompt_rates.append(
                sum(reply["timings"]["prompt_n"] for reply in prompts) / (time.monotonic() - started)
            )
            started = time.monotonic()
            generations = list(pool.map(generate_call, range(concurrency)))
            wall = time.monotonic() - started
            short_prompts = max(reply["timings"]["prompt_ms"] for reply in generations) / 1000
            generated = sum(reply["timings"]["predicted_n"] for reply in generations)
            generate_rates.append(generated / max(wall - short_prompts, 1e-6))
    return {
        "prompt_tokens_per_s": round(statistics.median(prompt_rates), 1),
        "generated_tokens_per_s": round(statistics.median(generate_rates), 1),
        "prompt_tokens_per_request": prompt_tokens,
        "rounds": ROUNDS,
    }


def summarize(calls: list[dict[str, Any]], dialogues: int) -> dict[str, Any]:
    by_task: dict[str, dict[str, int]] = defaultdict(
        lambda: {"calls": 0, "input": 0, "cached": 0, "output": 0}
    )
    for call in calls:
        row = by_task[call["task"]]
        row["calls"] += 1
        for key in ("input", "cached", "output"):
            row[key] += call[key]
    totals = {
        key: sum(row[key] for row in by_task.values()) for key in ("calls", "input", "cached", "output")
    }
    per_dialogue = {key: round(value / dialogues, 1) for key, value in totals.items()}
    per_dialogue["processed"] = round((totals["input"] - totals["cached"]) / dialogues, 1)
    return {"per_dialogue": per_dialogue, "by_task": dict(sorted(by_task.items())), "totals": totals}


def quality(records: list[dict[str, Any]]) -> dict[str, Any]:
    turns = [sum(1 for m in record["messages"] if m["role"] == "user") for record in records]
    endings: dict[str, int] = defaultdict(int)
    for record in records:
        endings[record["termination_reason"]] += 1
    return {
        "dialogues": len(records),
        "mean_user_turns": round(statistics.fmean(turns), 2) if turns else 0.0,
        "kept_share": round(sum(bool(r["filter"]["keep"]) for r in records) / len(records), 3)
        if records
        else 0,
        "termination_reasons": dict(sorted(endings.items())),
    }


def server_settings() -> dict[str, Any]:
    settings = LOCAL_SERVER.settings
    return {} if settings is None else {
        name: getattr(settings, name) for name in settings.__dataclass_fields__
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=Path, default=PAPER_GOALS, help="goals file (default: the paper's)")
    parser.add_argument("--personas", type=int, default=1, help="personas per goal (default 1)")
    parser.add_argument("--concurrency", type=int, default=4, help="as roleplay generate (default 4)")
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("embedded_results.json"))
    parser.add_argument(
        "--run-dir", type=Path, help="keep the generated dataset here, to read it (default: a scratch folder)"
    )
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        run_dir = args.run_dir or Path(folder) / "run"
        run = generate(args.goals, run_dir, args.personas, args.concurrency)
        records = list(DatasetDir(run_dir).records())
    base_url = LOCAL_SERVER.current_url
    assert base_url, "the embedded server did not start"
    tokens = summarize(run.pop("calls"), len(records))
    mean_processed = tokens["totals"]["input"] - tokens["totals"]["cached"]
    mean_processed = max(64, round(mean_processed / max(tokens["totals"]["calls"], 1)))
    rates = runtime_rates(base_url, args.concurrency, mean_processed)
    per = tokens["per_dialogue"]
    limit_s = (
        per["processed"] / rates["prompt_tokens_per_s"] + per["output"] / rates["generated_tokens_per_s"]
    )
    ours = len(records) * 3600 / run["wall_s"]
    result = {
        "date": time.strftime("%Y-%m-%d %H:%M"),
        "machine": f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        "goals": str(args.goals),
        "concurrency": args.concurrency,
        "server": server_settings(),
        **run,
        "dialogues_per_hour": round(ours, 1),
        "runtime": rates,
        "runtime_limit_dialogues_per_hour": round(3600 / limit_s, 1),
        "share_of_runtime_limit": round(ours * limit_s / 3600, 3),
        "quality": quality(records),
        "tokens": tokens,
    }
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(json.dumps({key: value for key, value in result.items() if key != "tokens"}, indent=2))
    print(f"\nper dialogue: {per}")
    print("| task | calls | prompt tokens | cached | processed | generated |")
    print("|---|---:|---:|---:|---:|---:|")
    for task, row in tokens["by_task"].items():
        print(
            f"| {task} | {row['calls']} | {row['input']} | {row['cached']} | {row['input'] - row['cached']} "
            f"| {row['output']} |"
        )


if __name__ == "__main__":
    main()
