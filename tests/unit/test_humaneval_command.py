"""``roleplay humaneval prepare | score`` through argparse, as the ``roleplay`` CLI wires it."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

import pytest

from llm_roleplay.evals.humaneval import command
from tests.unit.test_humaneval_fixtures import write_real_jsonl, write_simulated


def _run(*argv: str) -> int:
    parser = argparse.ArgumentParser(prog="roleplay")
    command.add_parser(parser.add_subparsers(dest="command", required=True))
    args = parser.parse_args(["humaneval", *argv])
    assert args.command == "humaneval"
    return command.run(args)


def test_prepare_then_score_from_the_command_line(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    simulated, real = write_simulated(tmp_path / "sim"), write_real_jsonl(tmp_path / "real.jsonl")
    study = tmp_path / "study"
    argv = ["prepare", "--simulated", str(simulated), "--real", str(real), "--n", "8", "--out", str(study)]
    assert _run(*argv, "--seed", "4", "--match", "domain") == 0
    out = capsys.readouterr().out
    assert "4 simulated + 4 real dialogues" in out and "key.json (keep it to yourself)" in out
    items = json.loads((study / "items.json").read_text())
    key = json.loads((study / "key.json").read_text())
    assert key["match"] == "domain" and key["seed"] == 4
    # Everyone answers "human": every simulated item goes undetected, every real one is recognised.
    answers = [{"item_id": item["item_id"], "label": "human", "confidence": 2} for item in items["items"]]
    sheet = tmp_path / "zoe.json"
    sheet.write_text(json.dumps({"study_id": items["study_id"], "annotator": "zoe", "answers": answers}))
    auto = tmp_path / "judge.json"
    auto.write_text(json.dumps({item["item_id"]: "model" for item in items["items"]}))
    assert _run("score", str(study), str(sheet), "--auto", str(auto)) == 0
    out = capsys.readouterr().out
    assert "Simulated users judged human (undetected): 100.0% (4/4), 95% CI 51.0-100.0% (Wilson)" in out
    assert "Real users judged human:                   100.0% (4/4)" in out
    assert "Agreement: needs two or more annotators" in out
    assert "By domain" in out and "By persona attribute" in out and "age_bracket = " in out
    assert "Automatic judge" in out and "accuracy 50.0% (4/8)" in out
    assert out.rstrip().endswith(f"Wrote {study / 'score.json'}")
    assert json.loads((study / "score.json").read_text())["auto"]["file"] == str(auto)


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["prepare", "--n", "7"], "roleplay: error: --n 7: must be an even number of at least 2"),
        (["prepare", "--n", "40"], "roleplay: error: --n 40 needs 20 simulated dialogues"),
        (["score", "STUDY", "nowhere.json"], "roleplay: error: nowhere.json: cannot read"),
    ],
)
def test_wrong_input_is_exit_status_2_and_one_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], argv: list[str], message: str
) -> None:
    simulated, real = write_simulated(tmp_path / "sim"), write_real_jsonl(tmp_path / "real.jsonl")
    study = tmp_path / "study"
    assert (
        _run("prepare", "--simulated", str(simulated), "--real", str(real), "--n", "4", "--out", str(study))
        == 0
    )
    capsys.readouterr()
    if argv[0] == "prepare":
        argv = [*argv, "--simulated", str(simulated), "--real", str(real), "--out", str(tmp_path / "other")]
    else:
        argv = ["score", str(study), str(tmp_path / argv[2])]
    assert _run(*argv) == 2
    err = capsys.readouterr().err
    assert err.startswith(message.replace("nowhere.json", str(tmp_path / "nowhere.json")))
    assert err.count("\n") == 1


def test_the_automatic_judge_runs_on_the_blinded_items_and_score_compares_it(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    simulated, real = write_simulated(tmp_path / "sim"), write_real_jsonl(tmp_path / "real.jsonl")
    study = tmp_path / "study"
    assert (
        _run("prepare", "--simulated", str(simulated), "--real", str(real), "--n", "8", "--out", str(study))
        == 0
    )
    # The fake judge says "human" when most user messages look casually typed: the real ones here.
    capsys.readouterr()  # what prepare printed
    assert _run("judge", str(study), "--judge", "fake", "--concurrency", "3", "--quiet") == 0
    quiet = capsys.readouterr()
    assert quiet.err == ""  # --quiet: no progress display
    assert _run("judge", str(study), "--judge", "fake", "--concurrency", "3") == 0
    output = capsys.readouterr()
    assert "judged 8 items with fake: 4 human, 4 model, 0 without a verdict" in output.out
    assert output.out == quiet.out
    last = output.err.splitlines()[-1]
    assert last == "human-likeness judge [########################] 8/8 items | ETA 0m00s"
    auto = json.loads((study / "auto.json").read_text())
    key = json.loads((study / "key.json").read_text())
    assert auto["judge"] == "fake"
    assert {item: v["label"] for item, v in auto["verdicts"].items()} == {
        item: "human" if entry["source"] == "real" else "model" for item, entry in key["items"].items()
    }
    items = json.loads((study / "items.json").read_text())
    answers = [{"item_id": item["item_id"], "label": "model"} for item in items["items"]]
    sheet = tmp_path / "ann.json"
    sheet.write_text(json.dumps({"study_id": items["study_id"], "annotator": "ann", "answers": answers}))
    assert _run("score", str(study), str(sheet)) == 0  # auto.json is found without --auto
    judge = json.loads((study / "score.json").read_text())["auto"]
    assert judge["judge"] == "fake" and judge["accuracy"]["value"] == 1.0
    assert judge["agreement_with_majority"]["k"] == 4  # "model" everywhere: agrees on the simulated half
    assert judge["kappa_with_majority"] == 0.0  # the annotator's labels carry no information
    assert _run("judge", str(study), "--judge", "none") == 2
    assert "--judge none: the judge command needs a model spec" in capsys.readouterr().err
