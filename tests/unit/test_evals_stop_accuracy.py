"""Stop accuracy on the project's labelled dialogues, with the ``fake`` inquirer and scripted deciders."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from evals.bootstrap import BootstrapSettings
from evals.statistics import estimates
from evals.stop_accuracy import (
    DEFAULT_LABELS,
    build_decider,
    labelled_dialogue,
    load_stop_labels,
    stop_accuracy,
    stop_metrics,
)
from llm_roleplay.errors import ConfigError

SETTINGS = BootstrapSettings(resamples=300, seed=0)


def _entry(label: str, end_from: int | None, exchanges: int = 2) -> dict[str, Any]:
    messages = []
    for turn in range(1, exchanges + 1):
        messages += [{"role": "user", "content": f"q{turn}"}, {"role": "assistant", "content": f"a{turn}"}]
    return {"id": "x", "goal": "g", "messages": messages, "label": label, "should_end_from": end_from}


def test_the_labelled_set_is_ours_and_consistent() -> None:
    dialogues = load_stop_labels()
    assert 12 <= len(dialogues) <= 20
    assert Counter(d.label for d in dialogues) == {"right_time": 6, "too_late": 5, "ended_too_early": 5}
    assert len({d.id for d in dialogues}) == len(dialogues)
    assert sum(d.exchanges for d in dialogues) == 44  # decision points
    for dialogue in dialogues:
        truth = dialogue.truth()
        assert len(truth) == dialogue.exchanges
        assert truth == sorted(truth)  # once ending is right it stays right


def test_fake_inquirer_against_hand_computed_confusion() -> None:
    """The fake inquirer ends at every point k >= 3 (it answers YES once turn k + 1 > 3).

    Points (k = 1..n, truth end iff k >= should_end_from) per dialogue, TP/FP/FN:
      01 n2 g2: FN            02 n1 g1: FN            03 n3 g3: TP
      04 n4 g2: FN TP TP      05 n3 g1: FN FN TP      06 n2 -: -
      07 n1 -: -              08 n3 -: FP             09 n2 g2: FN
      10 n4 g2: FN TP TP      11 n4 g4: FP TP         12 n5 g3: TP TP TP
      13 n4 -: FP FP          14 n2 g2: FN            15 n3 g2: FN TP
      16 n1 -: -
    TP 11, FP 4, FN 9 -> precision 11/15, recall 11/20, F1 22/35.
    First end vs should_end_from: right 03 06 07 12 16; too early 08 11 13; too late the other 8.
    """
    decider = build_decider("fake")
    assert decider is not None
    outcomes = [stop_accuracy(dialogue, decider) for dialogue in load_stop_labels()]
    assert sum(o.tp for o in outcomes) == 11
    assert sum(o.fp for o in outcomes) == 4
    assert sum(o.fn for o in outcomes) == 9
    assert sum(o.tn for o in outcomes) == 20
    timing = {o.id: o.timing for o in outcomes}
    assert sorted(k for k, v in timing.items() if v == "right_time") == [
        "stop-03",
        "stop-06",
        "stop-07",
        "stop-12",
        "stop-16",
    ]
    assert sorted(k for k, v in timing.items() if v == "too_early") == ["stop-08", "stop-11", "stop-13"]
    values = estimates(stop_metrics(outcomes), SETTINGS)
    assert values["stop_precision"].value == pytest.approx(11 / 15) and values["stop_precision"].n == 15
    assert values["stop_recall"].value == pytest.approx(11 / 20) and values["stop_recall"].n == 20
    assert values["stop_f1"].value == pytest.approx(22 / 35) and values["stop_f1"].n == 44
    assert values["stop_right_time"].value == pytest.approx(5 / 16)
    assert values["stop_too_late"].value == pytest.approx(8 / 16)
    ci = values["stop_precision"].ci
    assert ci is not None and ci[0] <= 11 / 15 <= ci[1]


def test_always_and_never_ending_deciders() -> None:
    always = stop_accuracy(_entry("too_late", 1, exchanges=3), FakeListChatModel(responses=["YES"]))
    assert (always.tp, always.fp, always.fn, always.timing) == (3, 0, 0, "right_time")
    gives_up = stop_accuracy(_entry("ended_too_early", None), FakeListChatModel(responses=["GIVEUP"]))
    assert (gives_up.fp, gives_up.timing) == (2, "too_early")  # giving up is ending too
    never = stop_accuracy(_entry("right_time", 2), FakeListChatModel(responses=["NO"]))
    assert (never.tp, never.fn, never.tn, never.timing) == (0, 1, 1, "too_late")


def test_unparseable_decisions_count_as_continue_like_the_graph() -> None:
    outcome = stop_accuracy(_entry("right_time", 2), FakeListChatModel(responses=["hmm, maybe"]))
    assert outcome.predicted == (False, False)
    assert outcome.unparseable == 8  # 4 attempts at each of the 2 points


def test_a_failing_decider_is_recorded_and_left_out_of_the_metrics() -> None:
    class Broken(FakeListChatModel):
        def _call(self, *args: Any, **kwargs: Any) -> str:
            raise ConnectionError("server down")

    failed = stop_accuracy(_entry("right_time", 2), Broken(responses=["x"]))
    assert failed.error == "ConnectionError: server down" and failed.predicted == ()
    fine = stop_accuracy(_entry("right_time", 2), FakeListChatModel(responses=["YES"]))
    values = estimates(stop_metrics([failed, fine]), SETTINGS)
    assert values["stop_precision"].dialogues == 1


@pytest.mark.parametrize(
    ("entry", "fragment"),
    [
        (_entry("right_time", 1), "contradicts"),
        (_entry("too_late", 2), "contradicts"),
        (_entry("ended_too_early", 1), "contradicts"),
        (_entry("right_time", 5), "exchange number 1..2"),
        (_entry("soon", 2), "label must be one of"),
        (
            {**_entry("right_time", 2), "messages": [{"role": "assistant", "content": "a"}]},
            "expected role 'user'",
        ),
        ({**_entry("right_time", 2), "goal": ""}, "goal"),
    ],
)
def test_invalid_labels_name_file_and_line(tmp_path: Path, entry: dict[str, Any], fragment: str) -> None:
    good = json.dumps(_entry("right_time", 2))
    path = tmp_path / "labels.jsonl"
    path.write_text(f"{good}\n\n{json.dumps(entry)}\n", encoding="utf-8")
    with pytest.raises(ConfigError) as raised:
        load_stop_labels(path)
    assert str(raised.value).startswith(f"{path}:3: ") and fragment in str(raised.value)


def test_labelled_dialogue_prefixes_follow_the_graph() -> None:
    dialogue = labelled_dialogue(_entry("right_time", 2))
    assert [m.text for m in dialogue.prefix(1)] == ["q1", "a1"]
    assert [m.type for m in dialogue.prefix(2)] == ["human", "ai", "human", "ai"]


def test_deciders_that_cannot_be_rebuilt_are_skipped() -> None:
    assert build_decider("none") is None
    assert build_decider("object:tests.MyModel") is None
    assert DEFAULT_LABELS.name == "stop_labels.jsonl"
