"""The manifest's summary of a dataset, computed in one pass over a stream of records."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from llm_roleplay.manifest import build_manifest


def record(ident: str, keep: bool, reasons: list[str], age: str, turns: int, ending: str) -> dict[str, Any]:
    messages = [{"role": role, "content": "x"} for _ in range(turns) for role in ("user", "assistant")]
    return {
        "id": ident,
        "termination_reason": ending,
        "filter": {"keep": keep, "reasons": reasons},
        "persona": {"attributes": {"age_bracket": age}},
        "usage": {"inquirer": {"calls": 2, "input_tokens": 10, "output_tokens": 3, "cached_input_tokens": 4}},
        "messages": messages,
    }


def stream() -> Iterator[dict[str, Any]]:
    yield record("a", True, [], "25-34", 3, "goal_verified")
    yield record("b", False, ["too_few_turns", "echo"], "65+", 1, "inquirer_gave_up")
    yield record("c", False, ["echo"], "25-34", 2, "goal_verified")
    yield record("d", True, [], "18-24", 3, "goal_verified")
    yield record("not-planned", True, [], "18-24", 9, "max_turns")


def test_manifest_summarises_a_stream_of_records() -> None:
    manifest = build_manifest(
        config={},
        records=stream(),
        planned_ids={"a", "b", "c", "d", "e"},
        grid={},
        run={"wall_s": 1.0},
        previous=None,
        near_duplicates={"d": "a"},
    )
    assert manifest["status"] == "partial"
    assert manifest["counts"] == {
        "planned": 5,
        "finished": 4,
        "remaining": 1,
        "kept": 2,
        "kept_unique": 1,
        "near_duplicates": 1,
    }
    assert manifest["termination_reasons"] == {"goal_verified": 3, "inquirer_gave_up": 1}
    assert manifest["filter_funnel"] == {
        "total": 4,
        "kept": 2,
        "dropped": 2,
        "dropped_by_reason": {"echo": 2, "too_few_turns": 1},
    }
    assert manifest["persona_distribution"] == {
        "all": {"age_bracket": {"18-24": 1, "25-34": 2, "65+": 1}},
        "kept": {"age_bracket": {"18-24": 1, "25-34": 1}},
    }
    assert manifest["usage"] == {
        "inquirer": {"calls": 8, "input_tokens": 40, "output_tokens": 12, "cached_input_tokens": 16}
    }
    assert manifest["turns"] == {"mean_user_turns": 2.25, "max_user_turns": 3}
