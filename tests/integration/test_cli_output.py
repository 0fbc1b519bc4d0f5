"""What the command line prints and writes, as a user meets it: one vocabulary for "kept", eval
that asks no judge unless named, the fake judge agreeing with itself, no progress noise in logs,
colour only on a terminal, timestamps in records, ``resume`` writing where ``run`` wrote, and
``roleplay clean``. Real ``roleplay`` processes, fake models only."""

from __future__ import annotations

import json
import os
import pty
import re
import shutil
import subprocess
from functools import partial
from pathlib import Path

import pytest

from tests.reliability.harness import (
    ROLEPLAY,
    environment,
    in_parallel,
    read_jsonl,
    roleplay,
    roleplay_many,
    write_goals,
)

FAKE = ["--inquirer", "fake", "--chatbot", "fake", "--judge", "fake"]
GOAL = "Get a packing list for a two-day hike in the rain."
ISO_UTC = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z")


@pytest.fixture(scope="module")
def dataset(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One goal x three personas of fake dialogues without the typing pass: the same user side
    three times, so two of the three are near-duplicates of the first."""
    root = tmp_path_factory.mktemp("output")
    goals = write_goals(root / "goals.jsonl", 1)
    grid = ["--goals", str(goals), "--out", str(root / "data"), "--personas", "3"]
    result = roleplay("generate", *grid, "--style", "off", *FAKE)
    assert result.returncode == 0, result.stderr
    assert re.search(r"^kept\s+3 of 3 by the filters", result.stdout, re.MULTILINE), result.stdout
    summary = "2 of the kept nearly copy another dialogue; --kept-only (export, eval) leaves them out"
    assert f"{summary} and keeps 1" in result.stdout, result.stdout
    assert "\r" not in result.stderr  # the progress bar is plain lines in a log
    assert "dialogues [########################] 3/3 finished, 0 failed | " in result.stderr
    return root / "data"


def test_kept_means_the_same_in_generate_and_export_and_export_logs_no_progress_bars(dataset: Path) -> None:
    manifest = json.loads((dataset / "manifest.json").read_text())
    assert (manifest["counts"]["kept"], manifest["counts"]["kept_unique"]) == (3, 1)
    out = dataset.parent / "kept.jsonl"
    kept, hf = roleplay_many(
        [
            ["export", str(dataset), "--format", "openai", "--to", str(out), "--kept-only"],
            ["export", str(dataset), "--format", "hf", "--to", str(dataset.parent / "hf")],
        ]
    )
    assert kept.returncode == 0, kept.stderr
    assert f"wrote 1 dialogue to {out} (openai)" in kept.stdout  # the number generate announced
    assert "3 of 3 dialogues kept by the filters, 2 of them near-duplicates" in kept.stdout
    assert len(out.read_text().splitlines()) == 1
    if hf.returncode == 0:  # (needs the export extra; without it, one line saying so)
        assert "%|" not in hf.stderr and "\r" not in hf.stderr, hf.stderr  # no datasets progress bars
    else:
        assert "needs datasets" in hf.stderr


def test_eval_names_its_judge_and_calls_and_asks_none_unless_named(dataset: Path) -> None:
    """A plain ``eval`` is statistics only; a judge named in a run file (or with ``--judge``) says what
    it will ask, agrees with the fake goal check of generation, and leaves no progress bars in a log."""
    run_file = dataset.parent / "eval.yaml"
    run_file.write_text("eval:\n  judge: fake\n")  # named in a run file instead of with --judge
    quiet_dir = dataset.parent / "quiet-copy"
    shutil.copytree(dataset, quiet_dir)
    plain, judged, quiet = roleplay_many(
        [
            ["eval", str(dataset)],
            ["eval", str(dataset), "--config", str(run_file)],
            ["eval", str(quiet_dir), "--judge", "fake", "--quiet"],
        ]
    )
    assert plain.returncode == 0, plain.stderr
    assert "no judge named: statistics only, no model calls" in plain.stderr
    assert judged.returncode == 0, judged.stderr
    assert "judge fake: 9 verdicts (3 judges x 3 dialogues), 9 to 27 calls" in judged.stderr
    assert re.search(
        r"stop accuracy: inquirer fake on \d+ labelled dialogues, \d+ decision points", judged.stderr
    )
    for result in (plain, judged, quiet):
        assert "it/s" not in result.stderr and "\r" not in result.stderr, result.stderr  # no tqdm
    # Our progress display instead, as plain lines: at the start and the end of each experiment.
    assert "roleplay-judges [........................] 0/9 verdicts | ETA --" in judged.stderr
    assert "roleplay-judges [########################] 9/9 verdicts | ETA " in judged.stderr
    assert re.search(r"^roleplay-stop \[#+\] (\d+)/\1 verdicts", judged.stderr, re.MULTILINE)
    assert quiet.returncode == 0 and quiet.stderr == "", quiet.stderr  # --quiet: no progress at all
    assert "verdicts" not in plain.stderr  # no judge, nothing to show
    data = json.loads((dataset / "eval.json").read_text())  # the judged run wrote last
    records = read_jsonl(dataset / "dialogues.jsonl")
    verified = sum(record["termination_reason"] == "goal_verified" for record in records) / len(records)
    assert verified == 1.0
    assert data["metrics"]["goal_completion"]["value"] == verified  # the fake judge agrees with itself
    for record in records:  # dialogue by dialogue: verified in generation <=> met in evaluation
        label = data["dialogues"][record["id"]]["goal_completion"]["label"]
        assert (label == "met") == (record["termination_reason"] == "goal_verified"), record["id"]


def test_records_carry_timestamps_and_reply_latency(dataset: Path) -> None:
    for record in read_jsonl(dataset / "dialogues.jsonl"):
        stamps = [message["timestamp"] for message in record["messages"]]
        assert all(ISO_UTC.fullmatch(stamp) for stamp in stamps), stamps
        assert stamps == sorted(stamps)
        for message in record["messages"]:
            latency = message["latency_s"]
            assert latency is None if message["role"] == "user" else 0 <= latency < 60, message


def _pty_run(args: list[str], cwd: Path, **env: str) -> str:
    """``roleplay ARGS`` with its standard output on a pseudo-terminal, as in an interactive shell."""
    controller, terminal = pty.openpty()
    process = subprocess.Popen(
        [str(ROLEPLAY), *args], cwd=cwd, env=environment(**env), stdout=terminal, stderr=subprocess.PIPE
    )
    os.close(terminal)
    chunks = []
    while True:
        try:
            chunk = os.read(controller, 4096)
        except OSError:  # the terminal closed: the process is done
            break
        if not chunk:
            break
        chunks.append(chunk)
    os.close(controller)
    assert process.wait(timeout=120) == 0
    return b"".join(chunks).decode()


def test_turns_are_coloured_on_a_terminal_unless_no_color(tmp_path: Path) -> None:
    """(Piped output is plain: ``test_cli.py`` checks that on every ``run`` it makes.)"""
    args = ["run", "--goal", GOAL, *FAKE, "--max-turns", "2", "--out", "r.json"]
    terminal, no_color = tmp_path / "terminal", tmp_path / "no_color"  # each its own checkpoints
    terminal.mkdir()
    no_color.mkdir()
    coloured, plain = in_parallel(
        [partial(_pty_run, args, terminal), partial(_pty_run, args, no_color, NO_COLOR="1")]
    )
    assert "\x1b[36m[1] user:" in coloured and "\x1b[32m[1] assistant:" in coloured
    assert "[1] user:" in plain and "\x1b[" not in plain


def test_resume_writes_where_run_wrote_and_clean_drops_finished_checkpoints(tmp_path: Path) -> None:
    work, elsewhere = tmp_path / "work", tmp_path / "elsewhere"
    work.mkdir()
    elsewhere.mkdir()
    db = work / ".roleplay" / "checkpoints.sqlite"
    bot = ["--chatbot", "python:tests.support.interruptible_bot:reply"]
    interrupted = [
        "run",
        "--goal",
        GOAL,
        "--inquirer",
        "fake",
        *bot,
        "--judge",
        "fake",
        "--out",
        "sub/heater.json",
    ]
    finished = ["run", "--goal", "Plan a picnic for six people.", *FAKE, "--out", "picnic.json"]
    first, done = roleplay_many(
        [interrupted, finished], cwd=work, env=environment(ROLEPLAY_TEST_INTERRUPT_AT_TURN="2")
    )
    assert first.returncode == 130 and done.returncode == 0, (first.stderr, done.stderr)
    identifier = re.search(r"roleplay resume (dlg-[0-9a-f]+)", first.stderr).group(1)  # type: ignore[union-attr]

    kept, missing = roleplay_many(
        [["clean", "--db", str(db)], ["clean", "--db", str(tmp_path / "none.sqlite")]], cwd=elsewhere
    )
    assert missing.returncode == 2 and "no such checkpoint file" in missing.stderr
    assert kept.returncode == 0, kept.stderr
    assert "dropped the checkpoints of 1 dialogue (1 finished)" in kept.stdout
    assert f"kept 1 unfinished dialogue (continue with roleplay resume {identifier}" in kept.stdout

    resumed = roleplay("resume", identifier, "--db", str(db), cwd=elsewhere)  # another folder
    assert resumed.returncode == 0, resumed.stderr
    assert (work / "sub" / "heater.json").is_file() and not (elsewhere / ".roleplay").exists()
    assert json.loads((work / "sub" / "heater.json").read_text())["id"] == identifier
