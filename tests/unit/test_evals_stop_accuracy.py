"""Stop accuracy on the project's labelled dialogues, with the ``fake`` inquirer and scripted deciders."""

from __future__ import annotations

import json
from collections import Counter
from pathlib import Path
from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.bootstrap import BootstrapSettings
from llm_roleplay.evals.statistics import estimates
from llm_roleplay.evals.stop_accuracy import (
    DEFAULT_LABELS,
    build_decider,
    labelled_dialogue,
    load_stop_labels,
    stop_accuracy,
    stop_metrics,
)

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
    """The fake inquirer reads a reply as delivered from the third exchange on (k >= 3) and the graph's
    logic does the rest: each NO asks again (up to max_part_asks = 3), a YES moves to the next part,
    the last part delivered claims the goal (at k >= min_turns_before_stop = 2), a reply asking the
    user something is answered, a short "I can't" after a NO ends it.

    Predicted end per point (k = 1..n) against the truth (end iff k >= should_end_from):
      01 FF/FT: TN FN          02 F/T: FN              03 FFF/FFT: TN TN FN
      04 FFTT/FTTT (2 parts: at 3 the reply "Glad that helps!" has no figure for "how many", seen
         at a glance, and the third ask of part 1 gives up): TN FN TP TP
      05 FFT/TTT: FN FN TP     06 FF/FF                 07 F/F            08 FFF/FFF
      09 FT/FT (asked back at 1, "I don't have access" at 2): TN TP
      10 FTTT/FTTT ("I can't access" at 2; YES claims from 3): TN TP TP TP
      11 FFFF/FFFT (4 parts): TN TN TN FN   12 FFFFT/FFTTT (3 parts): TN TN FN FN TP
      13 FFFF/FFFF             14 FF/FT: TN FN          15 FFF/FTT: TN FN FN      16 F/F
    TP 8, FP 0, FN 12, TN 24 -> precision 8/8, recall 8/20, F1 16/28.
    Right time: 06 07 08 09 10 13 16; never too early; too late the other 9.
    """
    decider = build_decider("fake")
    assert decider is not None
    outcomes = [stop_accuracy(dialogue, decider) for dialogue in load_stop_labels()]
    assert sum(o.tp for o in outcomes) == 8
    assert sum(o.fp for o in outcomes) == 0
    assert sum(o.fn for o in outcomes) == 12
    assert sum(o.tn for o in outcomes) == 24
    timing = {o.id: o.timing for o in outcomes}
    assert sorted(k for k, v in timing.items() if v == "right_time") == [
        "stop-06",
        "stop-07",
        "stop-08",
        "stop-09",
        "stop-10",
        "stop-13",
        "stop-16",
    ]
    assert not [k for k, v in timing.items() if v == "too_early"]
    values = estimates(stop_metrics(outcomes), SETTINGS)
    assert values["stop_precision"].value == pytest.approx(1.0) and values["stop_precision"].n == 8
    assert values["stop_recall"].value == pytest.approx(8 / 20) and values["stop_recall"].n == 20
    assert values["stop_f1"].value == pytest.approx(16 / 28) and values["stop_f1"].n == 44
    assert values["stop_right_time"].value == pytest.approx(7 / 16)
    assert values["stop_too_late"].value == pytest.approx(9 / 16)


def test_always_and_never_ending_deciders() -> None:
    # one part, delivered at once: a follow-up first (min_turns_before_stop = 2), then the claim
    always = stop_accuracy(_entry("too_late", 1, exchanges=3), FakeListChatModel(responses=["YES"]))
    assert always.predicted == (False, True, True)
    assert (always.tp, always.fp, always.fn, always.timing) == (2, 0, 1, "too_late")
    never = stop_accuracy(_entry("right_time", 2), FakeListChatModel(responses=["NO"]))
    assert (never.tp, never.fn, never.tn, never.timing) == (0, 1, 1, "too_late")


def test_a_chatbot_that_cannot_help_makes_the_user_give_up() -> None:
    entry = _entry("right_time", 2)
    entry["messages"][3]["content"] = "I'm sorry, I don't have access to your account."
    outcome = stop_accuracy(entry, FakeListChatModel(responses=["NO"]))
    assert outcome.predicted == (False, True)  # giving up is ending too


def test_unparseable_readings_count_as_not_delivered_like_the_graph() -> None:
    outcome = stop_accuracy(_entry("right_time", 2), FakeListChatModel(responses=["hmm, maybe"]))
    assert outcome.predicted == (False, False)
    assert outcome.unparseable == 2  # one call at each of the 2 points, never asked again


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
