"""Scoring against values worked out by hand: rates, agreement, majority vote, breakdowns, the judge."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.humaneval.answers import AnswerSheet, Judgement, read_answers
from llm_roleplay.evals.humaneval.score import score, score_study
from llm_roleplay.evals.humaneval.study import Study, StudyItem, load_study
from tests.unit.test_humaneval_fixtures import make_study

H, M = "human", "model"
# Answers by the rank of an item among the items of its source, in presentation order:
# s1..s4 are the simulated items, r1..r4 the real ones.
ALICE = {"s1": H, "s2": H, "s3": M, "s4": M, "r1": H, "r2": H, "r3": H, "r4": M}
BOB = {"s1": H, "s2": M, "s3": M, "s4": M, "r1": H, "r2": H, "r3": M, "r4": M}
CAROL = {"s1": H, "s2": H, "s3": H, "r1": H, "r2": M, "r3": H}  # stopped early: 6 of 8


def _ranks(study_dir: Path) -> dict[str, str]:
    """rank ("s1", "r3", ...) -> item id."""
    key = json.loads((study_dir / "key.json").read_text())
    ranks: dict[str, str] = {}
    for item_id, entry in key["items"].items():  # presentation order
        prefix = entry["source"][0]
        ranks[f"{prefix}{sum(1 for rank in ranks if rank[0] == prefix) + 1}"] = item_id
    return ranks


def _json_answers(
    path: Path, study_id: str, name: str, labels: dict[str, str], ranks: dict[str, str]
) -> Path:
    answers = [
        {"item_id": ranks[rank], "label": label, "confidence": 3, "comment": ""}
        for rank, label in labels.items()
    ]
    path.write_text(json.dumps({"study_id": study_id, "annotator": name, "answers": answers}))
    return path


def _csv_answers(
    study_dir: Path, path: Path, labels: dict[str, str], ranks: dict[str, str], delimiter: str = ","
) -> Path:
    """items.csv as a spreadsheet saves it, with answers filled in (confidence 4 where answered)."""
    rows = list(csv.reader(io.StringIO((study_dir / "items.csv").read_text(encoding="utf-8-sig"))))
    by_item = {item_id: rank for rank, item_id in ranks.items()}
    for row in rows[1:]:
        label = labels.get(by_item[row[0]])
        row[2:5] = [label or "", "4" if label else "", ""]
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=delimiter, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8-sig")
    return path


@pytest.fixture
def study(tmp_path: Path) -> tuple[Path, str, dict[str, str]]:
    report = make_study(tmp_path, n=8, seed=5)
    return tmp_path / "study", report.study_id, _ranks(tmp_path / "study")


def test_rates_agreement_and_majority_worked_by_hand(
    tmp_path: Path, study: tuple[Path, str, dict[str, str]]
) -> None:
    study_dir, study_id, ranks = study
    files = [
        _json_answers(tmp_path / "a.json", study_id, "alice", ALICE, ranks),
        _json_answers(tmp_path / "b.json", study_id, "bob", BOB, ranks),
        _csv_answers(study_dir, tmp_path / "carol.csv", CAROL, ranks),
    ]
    result = score(study_dir, files)
    assert result["items"] == {"total": 8, "simulated": 4, "real": 4}
    assert result["judgements"] == 8 + 8 + 6
    # Simulated judged human: alice 2/4, bob 1/4, carol 3/3 -> 6/11.
    assert (result["undetected_rate"]["k"], result["undetected_rate"]["n"]) == (6, 11)
    assert result["undetected_rate"]["value"] == pytest.approx(6 / 11, abs=1e-6)
    low, high = result["undetected_rate"]["ci"]
    assert low < 6 / 11 < high
    assert (
        result["undetected_rate"]["bootstrap_ci"][0] <= 6 / 11 <= result["undetected_rate"]["bootstrap_ci"][1]
    )
    # Real judged human: 3/4 + 2/4 + 2/3 -> 7/11. Correct: 5 + 5 + 2 of 22.
    assert (result["real_accuracy"]["k"], result["real_accuracy"]["n"]) == (7, 11)
    assert (result["accuracy"]["k"], result["accuracy"]["n"]) == (12, 22)
    per = result["per_annotator"]
    assert [per[name]["undetected_rate"]["k"] for name in ("alice", "bob", "carol")] == [2, 1, 3]
    assert [per[name]["accuracy"]["value"] for name in ("alice", "bob")] == [0.625, 0.625]
    assert (per["carol"]["answered"], per["carol"]["of"], per["carol"]["mean_confidence"]) == (6, 8, 4.0)
    # Cohen: alice-bob over 8 items 9/17; alice-carol and bob-carol over carol's 6: -1/5 and -1/3.
    pairs = {tuple(pair["annotators"]): pair for pair in result["agreement"]["pairwise"]}
    assert pairs[("alice", "bob")]["cohen_kappa"] == pytest.approx(9 / 17, abs=1e-6)
    assert pairs[("alice", "bob")]["observed"] == 0.75
    assert pairs[("alice", "carol")]["cohen_kappa"] == pytest.approx(-1 / 5, abs=1e-6)
    assert pairs[("bob", "carol")]["cohen_kappa"] == pytest.approx(-1 / 3, abs=1e-6)
    assert pairs[("bob", "carol")]["items"] == 6
    assert result["agreement"]["cohen_kappa"] is None  # three annotators: only pairwise
    # Fleiss over the 6 items all three answered: Pbar 5/9, Pe 97/162 -> -7/65.
    assert result["agreement"]["fleiss_kappa"]["value"] == pytest.approx(-7 / 65, abs=1e-6)
    assert result["agreement"]["fleiss_kappa"]["items"] == 6
    # Majority: s1 H, s2 H, s3 M, s4 M; r1 H, r2 H, r3 H, r4 M.
    assert result["majority_vote"]["undetected_rate"]["k"] == 2
    assert result["majority_vote"]["real_accuracy"]["k"] == 3
    assert result["majority_vote"]["ties"] == 0
    assert result["per_item"][ranks["s2"]] == {
        "source": "simulated",
        "human": 2,
        "model": 1,
        "majority": "human",
    }


def test_two_annotators_get_cohens_kappa_and_the_automatic_judge_is_compared(
    tmp_path: Path, study: tuple[Path, str, dict[str, str]]
) -> None:
    study_dir, study_id, ranks = study
    key = json.loads((study_dir / "key.json").read_text())
    files = [
        _json_answers(tmp_path / "a.json", study_id, "alice", ALICE, ranks),
        _json_answers(tmp_path / "b.json", study_id, "bob", BOB, ranks),
    ]
    verdicts = {"s1": M, "s2": H, "s3": M, "s4": H, "r1": H, "r2": M, "r3": H, "r4": H}
    auto: dict[str, Any] = {}
    for rank, label in verdicts.items():
        item_id = ranks[rank]
        if rank.startswith("s"):  # simulated ones by their dialogue id, as a judge run writes them
            auto[key["items"][item_id]["original_id"]] = {"label": label, "status": "ok"}
        else:
            auto[item_id] = label
    auto["dlg-not-in-this-study"] = "human"
    auto[key["items"][ranks["r4"]]["original_id"]] = {"label": None, "status": "unparseable"}
    (study_dir / "auto.json").write_text(json.dumps(auto))  # found without --auto
    result = score(study_dir, files)
    assert result["agreement"]["cohen_kappa"] == pytest.approx(9 / 17, abs=1e-6)
    assert result["agreement"]["fleiss_kappa"]["items"] == 8
    judge = result["auto"]
    counts = (judge["verdicts"], judge["outside_study"], judge["without_label"], judge["missing"])
    assert counts == (8, 1, 1, 0)
    # Majority of two: ties on s2 (H/M) and r3 (H/M) are left out;
    # the rest: s1 H, s3 M, s4 M, r1 H, r2 H, r4 M.
    # Judge on those: M, M, H, H, M, H -> agrees on s3, r1: 2/6.
    assert judge["ties_left_out"] == 2
    assert (judge["agreement_with_majority"]["k"], judge["agreement_with_majority"]["n"]) == (2, 6)
    # kappa: judge H3 M3, majority H3 M3 -> pe 1/2, po 1/3 -> -1/3.
    assert judge["kappa_with_majority"] == pytest.approx(-1 / 3, abs=1e-6)
    assert (judge["accuracy"]["k"], judge["undetected_rate"]["k"]) == (5, 2)
    # Judge vs alice over 8: judge M H M H H M H H, alice H H M M H H H M -> po 4/8, pe (5*5+3*3)/64.
    expected = (4 / 8 - 34 / 64) / (1 - 34 / 64)
    assert judge["kappa_with_annotators"]["alice"]["cohen_kappa"] == pytest.approx(expected, abs=1e-6)


def _item(item_id: str, source: str, turns: int, domain: str | None, **attributes: str) -> StudyItem:
    return StudyItem(
        item_id=item_id,
        source=source,
        original_id=item_id,
        domain=domain,
        user_turns=turns,
        transcript="",
        attributes=attributes,
        inquirer_model="openai:gpt-4o" if attributes else None,
    )


def test_breakdowns_worked_by_hand(tmp_path: Path) -> None:
    items = [
        _item("i1", "simulated", 1, "coding", age="18-24"),
        _item("i2", "simulated", 5, "coding", age="65+"),
        _item("i3", "simulated", 12, "travel", age="65+"),
        _item("i4", "real", 2, "coding"),
        _item("i5", "real", 5, None),
    ]
    study = Study(root=tmp_path, study_id="study-x", items={item.item_id: item for item in items})
    labels = {"i1": (H, 5), "i2": (H, 2), "i3": (M, 4), "i4": (M, 5), "i5": (H, None)}
    sheet = AnswerSheet(
        annotator="ann",
        path=tmp_path / "ann.json",
        judgements={i: Judgement(i, label, confidence, "") for i, (label, confidence) in labels.items()},
    )
    breakdowns = score_study(study, [sheet])["breakdowns"]
    age = breakdowns["persona_attribute"]["age"]
    assert (age["18-24"]["undetected_rate"]["k"], age["18-24"]["undetected_rate"]["n"]) == (1, 1)
    assert (age["65+"]["undetected_rate"]["k"], age["65+"]["undetected_rate"]["n"]) == (1, 2)
    assert breakdowns["inquirer_model"]["openai:gpt-4o"]["undetected_rate"]["value"] == pytest.approx(
        2 / 3, abs=1e-6
    )
    coding = breakdowns["domain"]["coding"]
    assert (coding["undetected_rate"]["k"], coding["undetected_rate"]["n"]) == (2, 2)
    assert (coding["real_accuracy"]["k"], coding["real_accuracy"]["n"]) == (0, 1)
    assert breakdowns["domain"]["(none)"]["real_accuracy"]["value"] == 1.0
    assert list(breakdowns["user_turns"]) == ["1", "2-3", "4-6", "10+"]
    assert breakdowns["user_turns"]["4-6"]["accuracy"]["k"] == 1  # i2 wrong, i5 right
    assert breakdowns["user_turns"]["10+"]["undetected_rate"]["value"] == 0.0
    assert breakdowns["confidence"]["5"]["accuracy"]["k"] == 0  # i1 and i4, both wrong
    assert breakdowns["confidence"]["(none)"]["accuracy"]["n"] == 1
    single = score_study(study, [sheet])["agreement"]
    assert single["fleiss_kappa"] is None and "two or more" in single["note"]


def test_spreadsheets_in_other_locales_and_partial_sheets_are_read(
    tmp_path: Path, study: tuple[Path, str, dict[str, str]]
) -> None:
    study_dir, _, ranks = study
    path = _csv_answers(study_dir, tmp_path / "dora.csv", {"s1": "Human", "r2": "AI"}, ranks, delimiter=";")
    sheet = read_answers(path, load_study(study_dir))
    assert sheet.annotator == "dora"
    assert {item: j.label for item, j in sheet.judgements.items()} == {ranks["s1"]: H, ranks["r2"]: M}
    assert sheet.judgements[ranks["s1"]].confidence == 4


def _error(tmp_path: Path, study_dir: Path, content: str, name: str = "x.json") -> str:
    path = tmp_path / name
    path.write_text(content)
    with pytest.raises(ConfigError) as error:
        read_answers(path, load_study(study_dir))
    assert "\n" not in str(error.value)
    return str(error.value)


def test_bad_answer_files_are_one_line_naming_file_and_answer(
    tmp_path: Path, study: tuple[Path, str, dict[str, str]]
) -> None:
    study_dir, study_id, ranks = study

    def answers(*items: dict[str, Any], sid: str = study_id) -> str:
        return json.dumps({"study_id": sid, "annotator": "x", "answers": list(items)})

    item = ranks["s1"]
    assert "answers for study 'study-other'" in _error(tmp_path, study_dir, answers(sid="study-other"))
    assert "answer 1: unknown item_id 'item-99'" in _error(
        tmp_path, study_dir, answers({"item_id": "item-99", "label": H})
    )
    assert f"answer 1 ({item}): label 'maybe' is neither human nor model" in _error(
        tmp_path, study_dir, answers({"item_id": item, "label": "maybe"})
    )
    assert "confidence 7 is not 1-5" in _error(
        tmp_path, study_dir, answers({"item_id": item, "label": H, "confidence": 7})
    )
    assert f"answer 2: {item} is answered twice" in _error(
        tmp_path, study_dir, answers({"item_id": item, "label": H}, {"item_id": item, "label": M})
    )
    assert "x.json:1: invalid JSON" in _error(tmp_path, study_dir, "{oops")
    assert "no item_id or answer column" in _error(tmp_path, study_dir, "a,b\n1,2\n", "x.csv")
    sheet = (study_dir / "items.csv").read_text(encoding="utf-8-sig").replace("User: ", "User: Hello! ", 1)
    assert "row 2: the dialogue of item-01 is not the one in" in _error(
        tmp_path, study_dir, sheet, "other.csv"
    )


def test_one_file_per_annotator_and_no_answers_at_all(
    tmp_path: Path, study: tuple[Path, str, dict[str, str]]
) -> None:
    study_dir, study_id, ranks = study
    first = _json_answers(tmp_path / "a.json", study_id, "Alice", ALICE, ranks)
    second = _json_answers(tmp_path / "b.json", study_id, "alice", BOB, ranks)
    with pytest.raises(ConfigError, match=r"annotator 'alice' also answered in .*a\.json"):
        score(study_dir, [first, second])
    empty = _json_answers(tmp_path / "e.json", study_id, "eve", {}, ranks)
    with pytest.raises(ConfigError, match="the answer files hold no answers"):
        score(study_dir, [empty])
    with pytest.raises(ConfigError, match="not a study directory"):
        score(tmp_path / "nowhere", [first])


def test_verdicts_from_roleplay_eval_are_read_by_dialogue_id(
    tmp_path: Path, study: tuple[Path, str, dict[str, str]]
) -> None:
    from llm_roleplay.evals.judges import JudgeResult

    study_dir, study_id, ranks = study
    key = json.loads((study_dir / "key.json").read_text())
    simulated = [key["items"][ranks[f"s{i}"]]["original_id"] for i in range(1, 5)]
    results = [
        JudgeResult(key="human_likeness", status="ok", score=1.0, label="human", rationale="typos"),
        JudgeResult(key="human_likeness", status="ok", score=0.0, label="model", rationale="too tidy"),
        JudgeResult(key="human_likeness", status="unparseable", raw="?"),
    ]
    eval_json = {  # the shape 'roleplay eval DIR --judge SPEC' writes to DIR/eval.json
        "judges": {"spec": "openai:gpt-4o", "fingerprint": {}},
        "dialogues": {
            ident: {"human_likeness": result.to_json(), "goal_completion": {"label": "met"}}
            for ident, result in zip(simulated, results, strict=False)
        }
        | {"dlg-elsewhere": {"human_likeness": results[0].to_json()}},
    }
    path = tmp_path / "eval.json"
    path.write_text(json.dumps(eval_json))
    answers = _json_answers(tmp_path / "a.json", study_id, "alice", ALICE, ranks)
    judge = score(study_dir, [answers], path)["auto"]
    assert judge["judge"] == "openai:gpt-4o"
    assert (judge["verdicts"], judge["without_label"], judge["outside_study"], judge["missing"]) == (
        2,
        1,
        1,
        6,
    )
    assert (judge["undetected_rate"]["k"], judge["undetected_rate"]["n"]) == (1, 2)
