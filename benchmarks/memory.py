"""Flat memory: the resident memory of a long ``roleplay generate`` run, as dialogues finish.

    python benchmarks/memory.py            # ~10 minutes; writes benchmarks/memory_results.json

Runs the real command in a child process, ``roleplay generate`` with the in-process ``fake``
models for every role (no model server, so the run is all framework: graph, checkpoints, records,
progress), 10,000 dialogues (100 goals x 100 personas) at concurrency 32, into a fresh dataset
directory. While it runs, the child's resident memory (VmRSS) is read from /proc whenever the
count of records in ``dialogues.jsonl`` passes a mark; after it, the peak (VmHWM, which includes
the end-of-run manifest and near-duplicate pass over every record) and what the checkpoint
database still holds (every finished dialogue's checkpoints must be gone).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
ROLEPLAY = Path(sys.executable).with_name("roleplay")


def goals_file(path: Path, count: int) -> None:
    lines = [
        json.dumps(
            {
                "id": f"g{index}",
                "goal": f"You want a rough budget for trip number {index} to the coast. "
                "Then you want a packing list for that trip.",
            }
        )
        for index in range(count)
    ]
    path.write_text("\n".join(lines) + "\n")


def memory_kb(pid: int) -> dict[str, int]:
    """VmRSS and VmHWM of a process, in kB."""
    values = {}
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        name, _, rest = line.partition(":")
        if name in ("VmRSS", "VmHWM"):
            values[name] = int(rest.split()[0])
    return values


def checkpoint_rows(path: Path) -> dict[str, int]:
    with sqlite3.connect(path) as connection:
        tables = [row[0] for row in connection.execute("select name from sqlite_master where type='table'")]
        return {table: connection.execute(f"select count(*) from {table}").fetchone()[0] for table in tables}


def run(goals: int, personas: int, concurrency: int, marks: list[int]) -> dict[str, Any]:
    with tempfile.TemporaryDirectory() as folder:
        goals_path, out = Path(folder) / "goals.jsonl", Path(folder) / "run"
        goals_file(goals_path, goals)
        command = [
            str(ROLEPLAY), "generate", "--goals", str(goals_path), "--out", str(out),
            "--personas", str(personas), "--concurrency", str(concurrency),
            "--inquirer", "fake", "--chatbot", "fake", "--judge", "fake", "--quiet",
        ]  # fmt: skip
        started = time.monotonic()
        child = subprocess.Popen(command, cwd=folder, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
        records = out / "dialogues.jsonl"
        samples: list[dict[str, Any]] = []
        pending, seen, offset, peak = list(marks), 0, 0, {}
        while child.poll() is None:
            time.sleep(0.2)
            if records.exists():
                with records.open("rb") as handle:
                    handle.seek(offset)
                    chunk = handle.read()
                complete = chunk[: chunk.rfind(b"\n") + 1]
                seen += complete.count(b"\n")
                offset += len(complete)
            try:
                memory = memory_kb(child.pid)
            except (FileNotFoundError, ProcessLookupError):
                break
            if "VmHWM" not in memory:  # exiting: its memory is gone already
                break
            peak = memory
            while pending and seen >= pending[0]:
                db = out / "checkpoints.sqlite"
                samples.append(
                    {
                        "dialogues": seen,
                        "rss_mb": round(memory["VmRSS"] / 1024, 1),
                        "elapsed_s": round(time.monotonic() - started, 1),
                        "checkpoint_file_mb": round(db.stat().st_size / 2**20, 2) if db.exists() else 0,
                    }
                )
                print(json.dumps(samples[-1]), flush=True)
                pending.pop(0)
        _, errors = child.communicate()
        if child.returncode != 0:
            raise SystemExit(f"roleplay generate failed ({child.returncode}): {errors.decode()[-2000:]}")
        manifest = json.loads((out / "manifest.json").read_text())
        leftover = checkpoint_rows(out / "checkpoints.sqlite")
    return {
        "dialogues": manifest["counts"]["finished"],
        "termination_reasons": manifest["termination_reasons"],
        "concurrency": concurrency,
        "wall_s": round(time.monotonic() - started, 1),
        "samples": samples,
        "peak_rss_mb_before_exit": round(peak.get("VmHWM", 0) / 1024, 1),
        "checkpoint_rows_left": leftover,
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--goals", type=int, default=100)
    parser.add_argument("--personas", type=int, default=100)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--out", type=Path, default=Path(__file__).with_name("memory_results.json"))
    args = parser.parse_args()
    total = args.goals * args.personas
    marks = sorted({mark for mark in (100, 1000, 2000, 5000, total) if mark <= total})
    result = run(args.goals, args.personas, args.concurrency, marks)
    by_count = {sample["dialogues"]: sample["rss_mb"] for sample in result["samples"]}
    first = next((sample for sample in result["samples"] if sample["dialogues"] >= 1000), None)
    last = result["samples"][-1] if result["samples"] else None
    result.update(
        date=time.strftime("%Y-%m-%d"),
        machine=f"{platform.machine()}, {os.cpu_count()} cores, Python {platform.python_version()}",
        load_average=[round(value, 1) for value in os.getloadavg()],
        growth=round(last["rss_mb"] / first["rss_mb"], 3) if first and last else None,
    )
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"\nRSS by dialogues finished: {by_count}")
    print(f"growth from {first and first['dialogues']} to {last and last['dialogues']}: {result['growth']}x")
    print(f"checkpoint rows left: {result['checkpoint_rows_left']}")


if __name__ == "__main__":
    main()
