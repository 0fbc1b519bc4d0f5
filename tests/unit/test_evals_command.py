"""``roleplay eval`` through its parser (``evals.command.add_parser``) and ``run``, on small datasets."""

from __future__ import annotations

import argparse
import json
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay.evals import command
from llm_roleplay.evals.goal_labels import goal_check_example, goal_check_target, load_goal_labels
from llm_roleplay.evals.pipeline import EVAL_FILE, REPORT_FILE
from llm_roleplay.nodes.context import Context
from tests.unit.test_evals_fixtures import make_record, varied_records, write_dataset, write_reference

FAST = ["--resamples", "200"]


def _parse(*argv: str | Path) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="roleplay")
    commands = parser.add_subparsers(dest="command", required=True)
    command.add_parser(commands)
    return parser.parse_args(["eval", *map(str, argv)])


def _run(*argv: str | Path) -> int:
    return command.run(_parse(*argv))


@pytest.fixture(autouse=True)
def _no_langsmith_key(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANGSMITH_API_KEY", raising=False)
    monkeypatch.delenv("LANGCHAIN_API_KEY", raising=False)


def _eval(root: Path) -> dict[str, Any]:
    return json.loads((root / EVAL_FILE).read_text(encoding="utf-8"))


def test_statistics_only(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    root = write_dataset(tmp_path / "run", varied_records(25))
    assert _run(root, "--no-llm", *FAST) == 0
    data = _eval(root)
    assert data["settings"]["judge"] is None and data["stop_accuracy"] is None
    assert data["langsmith"] == {"mode": "offline", "experiments": []}
    for name, estimate in data["metrics"].items():  # every metric with its n and interval
        assert {"value", "n", "ci", "unit", "dialogues"} <= set(estimate), name
        assert estimate["n"] > 0 and estimate["ci"] is not None, name
    assert data["metrics"]["turns_per_dialogue"]["n"] == 25
    assert set(data["by_persona"]) == {"age_bracket", "native_english", "education"}
    assert (root / REPORT_FILE).read_text(encoding="utf-8").startswith("<!DOCTYPE html>")
    out = capsys.readouterr().out
    assert "Turns per dialogue" in out and f"wrote {root / EVAL_FILE}" in out


def test_fake_judge_reference_and_compare(tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "run", varied_records(20, seed=1))
    other = write_dataset(tmp_path / "other", varied_records(15, seed=2, prefix="other"))
    reference = write_reference(tmp_path / "real.jsonl", count=12)
    assert _run(root, "--judge", "fake", "--reference", reference, "--compare", other, "--quiet", *FAST) == 0
    data = _eval(root)
    metrics = data["metrics"]
    for name in (
        "goal_completion",
        "persona_fidelity",
        "human_likeness",
        "human_likeness_reference",
        "human_likeness_paired",
        "stop_precision",
        "stop_recall",
    ):
        assert metrics[name]["value"] is not None, name
    assert metrics["human_likeness_reference"]["n"] == 12  # every real dialogue judged once
    assert metrics["human_likeness_paired"]["n"] == 12 and metrics["human_likeness_paired"]["unit"] == "pairs"
    assert len(data["dialogues"]) == 20 and set(data["dialogues"]["dlg-0000"]) == {
        "goal_completion",
        "persona_fidelity",
        "human_likeness",
    }
    assert [e["name"].split("-")[1] for e in data["langsmith"]["experiments"]] == [
        "judges",
        "stop",
        "goal",
        "reference",
        "paired",
        "judges",
    ]
    # the dataset's judge is fake: the report gives its verdicts on the labelled set, as the graph's
    # goal check gives them
    endings = load_goal_labels()
    target = goal_check_target(Context(judge_model="fake"))
    verified = [e for e in endings if target(goal_check_example(e)["inputs"])["verified"]]
    assert 0 < len(verified) < len(endings)
    assert metrics["goal_check_recall"]["value"] == pytest.approx(
        sum(e.goal_met for e in verified) / sum(e.goal_met for e in endings), abs=1e-6
    )
    assert metrics["goal_check_precision"]["value"] == pytest.approx(
        sum(e.goal_met for e in verified) / len(verified), abs=1e-6
    )
    assert data["goal_check_accuracy"]["by_failure"]["wrong_answer"]["verified"] > 0
    assert set(data["reference"]["comparison"]) >= {"turns_per_dialogue", "mtld", "distinct_2"}
    assert data["reference"]["realism"]["classifier"]["auc"] is not None
    compared = data["compare"]["metrics"]
    assert data["compare"]["dialogues"] == 15 and "goal_completion" in compared
    assert not any(name.startswith("stop_") for name in compared)  # same inquirer: one measurement
    turns = compared["turns_per_dialogue"]
    assert turns["delta"] == pytest.approx(turns["a"]["value"] - turns["b"]["value"], abs=1e-6)


def test_compare_reuses_stored_verdicts_of_the_same_judge(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    root = write_dataset(tmp_path / "run", varied_records(8, seed=1))
    other = write_dataset(tmp_path / "other", varied_records(8, seed=2, prefix="other"))
    assert _run(other, "--judge", "fake", "--inquirer", "none", *FAST) == 0
    stored = _eval(other)["dialogues"]
    capsys.readouterr()
    assert _run(root, "--judge", "fake", "--inquirer", "none", "--compare", other, *FAST) == 0
    assert "reusing the verdicts stored in" in capsys.readouterr().err
    experiments = [e["name"] for e in _eval(root)["langsmith"]["experiments"]]
    # this run's judges and its goal check only: no stop replay, no judging of the other run
    assert [name.rsplit("-", 1)[0] for name in experiments] == ["roleplay-judges", "roleplay-goal-check"]
    assert _eval(root)["compare"]["metrics"]["persona_fidelity"]["b"]["n"] == len(stored)


def test_kept_only_and_judge_sample(tmp_path: Path) -> None:
    records = [make_record(f"d{i}", ["hello there", "ok"], keep=i % 2 == 0) for i in range(10)]
    root = write_dataset(tmp_path / "run", records, near_duplicates={"d2": "d0"})
    assert (
        _run(root, "--judge", "fake", "--kept-only", "--judge-sample", "2", "--inquirer", "none", *FAST) == 0
    )
    data = _eval(root)
    assert data["dataset"]["dialogues"] == 4  # d0 d4 d6 d8: kept, and d2 is a near-duplicate of d0
    assert data["metrics"]["goal_completion"]["n"] == 2
    assert data["metrics"]["kept_share"]["value"] == 1.0


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["--no-llm", "--resamples", "0"], "--resamples must be at least 1"),
        (["--no-llm", "--confidence", "1.5"], "--confidence must be in"),
        (["--judge", "fake", "--judge-sample", "0"], "--judge-sample must be at least 1"),
        (["--judge", "no-such-spec"], "unknown spec 'no-such-spec'"),
        (["--no-llm", "--reference", "MISSING"], "cannot read"),
    ],
)
def test_wrong_input_is_one_line_and_status_2(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    root = write_dataset(tmp_path / "run", varied_records(3))
    argv = [str(tmp_path / "missing.jsonl") if a == "MISSING" else a for a in argv]
    assert _run(root, *argv) == 2
    err = capsys.readouterr().err.strip()
    assert err.startswith("roleplay: error: ") and message in err and "\n" not in err
    assert not (root / EVAL_FILE).exists()


def test_not_a_dataset_and_bad_reference_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert _run(tmp_path / "nowhere", "--no-llm") == 2
    assert "no dialogues.jsonl" in capsys.readouterr().err
    root = write_dataset(tmp_path / "run", varied_records(3))
    bad = tmp_path / "real.jsonl"
    bad.write_text('{"messages": [{"role": "user", "content": "hi"}]}\n{oops\n', encoding="utf-8")
    assert _run(root, "--no-llm", "--reference", bad) == 2
    assert f"{bad}:2: invalid JSON" in capsys.readouterr().err
    assert _run(root, "--no-llm", "--compare", root) == 2
    assert "the same directory" in capsys.readouterr().err


def test_a_key_means_upload_unless_told_otherwise(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    root = write_dataset(tmp_path / "run", varied_records(3))
    assert command.options_from_args(_parse(root, "--no-llm")).upload is False
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2-test")
    assert command.options_from_args(_parse(root, "--no-llm")).upload is True
    assert command.options_from_args(_parse(root, "--no-llm", "--no-upload")).upload is False
