"""The judges' tolerant parsers: every unambiguous spelling is read, anything else is None."""

from __future__ import annotations

import pytest

from llm_roleplay.evals.parsing import (
    json_objects,
    parse_goal_completion,
    parse_human_likeness,
    parse_paired,
    parse_persona_fidelity,
)


@pytest.mark.parametrize(
    ("text", "label", "score"),
    [
        ('{"verdict": "met", "rationale": "All answered."}', "met", 1.0),
        ('Sure!\n```json\n{"verdict": "Partially met", "rationale": "x"}\n```', "partially_met", 0.5),
        ('{"verdict": "NOT_MET"}', "not_met", 0.0),
        ('{"goal_met": false, "rationale": "no"}', "not_met", 0.0),
        ('{"Verdict": "partially-met", "reason": "half"}', "partially_met", 0.5),
        ('{"verdict": "met", "rationale": "unclosed', "met", 1.0),  # regex fallback
        ('{"outer": {"verdict": "met"}, "verdict": "not met"}', "not_met", 0.0),  # outermost object first
    ],
)
def test_goal_completion_spellings(text: str, label: str, score: float) -> None:
    parsed = parse_goal_completion(text)
    assert parsed is not None and parsed.label == label and parsed.score == score


def test_goal_completion_rationale_and_garbage() -> None:
    parsed = parse_goal_completion('{"verdict": "met", "rationale": "  Both   parts\\n answered. "}')
    assert parsed is not None and parsed.rationale == "Both parts answered."
    for text in ("", "The goal was met.", '{"verdict": "maybe"}', "{not json", '{"score": 3}'):
        assert parse_goal_completion(text) is None, text


@pytest.mark.parametrize(
    ("text", "score", "announced"),
    [
        ('{"score": 4, "announces_attributes": false, "rationale": "ok"}', 4.0, False),
        ('{"score": "5", "announces_attributes": "yes"}', 5.0, True),
        ('{"score": 2.0}', 2.0, None),
        ("Score: 3/5", 3.0, None),
        ('{"rating": "1 out of 5", "announces_attributes": true}', 1.0, True),
    ],
)
def test_persona_fidelity_spellings(text: str, score: float, announced: bool | None) -> None:
    parsed = parse_persona_fidelity(text)
    assert parsed is not None and parsed.score == score and parsed.extra["announced"] is announced


@pytest.mark.parametrize(
    "text", ['{"score": 6}', '{"score": 0}', '{"score": 3.5}', '{"score": true}', "five"]
)
def test_persona_fidelity_rejects_out_of_scale(text: str) -> None:
    assert parse_persona_fidelity(text) is None


def test_human_likeness_and_paired() -> None:
    assert parse_human_likeness('{"author": "Human", "rationale": "typos"}').score == 1.0  # type: ignore[union-attr]
    assert parse_human_likeness('I think {"author": "AI"}').label == "model"  # type: ignore[union-attr]
    assert parse_human_likeness('{"author": "a language model"}').score == 0.0  # type: ignore[union-attr]
    assert parse_human_likeness('{"author": "unsure"}') is None
    assert parse_paired('{"human": "B", "rationale": "x"}').label == "B"  # type: ignore[union-attr]
    assert parse_paired('{"human": "Conversation a"}').label == "A"  # type: ignore[union-attr]
    assert parse_paired('{"human": "both"}') is None


def test_json_objects_skips_broken_braces() -> None:
    assert list(json_objects('x { broken {"a": 1} y {"b": {"c": 2}}')) == [
        {"a": 1},
        {"b": {"c": 2}},
        {"c": 2},
    ]
