"""Builders of hand-made dialogue records and dataset directories for the evaluation tests.

The other ``test_evals*`` modules import these; the tests at the end check the builders themselves
(a wrong builder would make every other test vacuous).
"""

from __future__ import annotations

import json
import random
from pathlib import Path
from typing import Any

from llm_roleplay.evals.pipeline import load_run

ATTRIBUTES = {
    "age_bracket": ["18-24", "25-34", "45-54", "65+"],
    "native_english": ["yes", "no"],
    "education": ["high_school", "bachelor", "doctorate"],
}
CASUAL = [
    "hey can u help me with {topic}",
    "ok thx. what about the {topic} part",
    "hmm not sure i get it",
    "so how long does {topic} take",
    "wait what do you mean by that",
    "cool, and is {topic} expensive?",
    "lol ok. any quick tips",
]
FORMAL = [
    "Could you please explain how {topic} works?",
    "Thank you. What should I consider regarding {topic}?",
    "Can you give me a concrete example of {topic}?",
    "Is there anything I should watch out for?",
    "How would I check that the result is correct?",
]
TOPICS = ["sourdough", "tax returns", "a cover letter", "the water cycle", "repainting a room", "a laptop"]


def make_record(
    dialogue_id: str,
    user: list[str],
    *,
    goal: str = "Learn how to bake sourdough bread at home",
    replies: list[str] | None = None,
    attributes: dict[str, str] | None = None,
    description: str = "A person who writes short messages.",
    termination: str = "goal_verified",
    keep: bool = True,
    reasons: list[str] | None = None,
) -> dict[str, Any]:
    """A dialogue record as ``roleplay generate`` writes it (only the fields the evaluation reads)."""
    replies = replies or [f"Here is an answer about {goal.lower()}." for _ in user]
    messages = []
    for turn, (question, answer) in enumerate(zip(user, replies, strict=True), start=1):
        messages += [
            {"role": "user", "content": question, "turn": turn},
            {"role": "assistant", "content": answer, "turn": turn},
        ]
    return {
        "schema_version": 1,
        "id": dialogue_id,
        "goal": goal,
        "persona": {"attributes": attributes or {}, "description": description, "source": "given"},
        "messages": messages,
        "termination_reason": termination,
        "error": None,
        "filter": {"keep": keep, "reasons": reasons or []},
        "goal_check": {"verified": True, "checks": []},
        "regenerations": {},
        "usage": {},
        "settings": {
            "inquirer_model": "fake",
            "chatbot_model": "fake",
            "judge_model": "fake",
            "max_turns": 12,
        },
        "versions": {},
    }


def varied_records(count: int, seed: int = 0, prefix: str = "dlg") -> list[dict[str, Any]]:
    """Records with varied turns, wording, endings and personas (seeded): a plausible small run."""
    rng = random.Random(seed)
    records = []
    for index in range(count):
        attributes = {name: rng.choice(values) for name, values in ATTRIBUTES.items()}
        pool = CASUAL if attributes["age_bracket"] in ("18-24", "25-34") else FORMAL
        turns = min(12, 1 + int(rng.expovariate(1 / 4)))
        topic = rng.choice(TOPICS)
        user = [
            rng.choice(pool).format(topic=topic) + ("" if rng.random() < 0.7 else " " + rng.choice(TOPICS))
            for _ in range(turns)
        ]
        termination = rng.choices(
            ["goal_verified", "max_turns", "inquirer_gave_up", "goal_unverified"], weights=[70, 10, 12, 8]
        )[0]
        keep = rng.random() > 0.15
        records.append(
            make_record(
                f"{prefix}-{index:04d}",
                user,
                goal=f"Learn about {topic} and get a short summary",
                replies=[
                    f"About {topic}: step {i + 1} is to start small and check the result."
                    for i in range(turns)
                ],
                attributes=attributes,
                termination=termination,
                keep=keep,
                reasons=[] if keep else [rng.choice(["too_few_turns", "repetition", "role_break"])],
            )
        )
    return records


def write_dataset(
    root: Path, records: list[dict[str, Any]], near_duplicates: dict[str, str] | None = None
) -> Path:
    """A dataset directory holding ``records`` (and optionally a near-duplicates map)."""
    root.mkdir(parents=True, exist_ok=True)
    (root / "dialogues.jsonl").write_text(
        "".join(json.dumps(record, ensure_ascii=False) + "\n" for record in records), encoding="utf-8"
    )
    if near_duplicates is not None:
        (root / "near_duplicates.json").write_text(json.dumps(near_duplicates), encoding="utf-8")
    return root


def write_reference(path: Path, count: int = 20, seed: int = 1) -> Path:
    """Real-looking user sides as OpenAI messages JSONL: casual, short, a few typos."""
    rng = random.Random(seed)
    lines = []
    for _ in range(count):
        turns = 1 + int(rng.expovariate(1 / 3))
        messages = []
        for _ in range(turns):
            messages.append({"role": "user", "content": rng.choice(CASUAL).format(topic=rng.choice(TOPICS))})
            messages.append({"role": "assistant", "content": "Sure, here is what I know."})
        lines.append(json.dumps({"messages": messages}))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_varied_records_are_seeded_and_varied() -> None:
    first, again = varied_records(30, seed=3), varied_records(30, seed=3)
    assert first == again
    turns = {sum(1 for m in r["messages"] if m["role"] == "user") for r in first}
    assert len(turns) >= 4, turns  # several dialogue lengths, so histograms and intervals are not degenerate
    assert {r["termination_reason"] for r in first} >= {"goal_verified", "inquirer_gave_up"}


def test_written_dataset_reads_back_with_near_duplicates(tmp_path: Path) -> None:
    records = varied_records(5)
    root = write_dataset(tmp_path / "run", records, near_duplicates={"dlg-0003": "dlg-0001"})
    run = load_run(root)
    assert [r["id"] for r in run.records] == [r["id"] for r in records]
    assert [row.near_duplicate for row in run.rows] == [False, False, False, True, False]
    kept = load_run(root, kept_only=True)
    assert all(r["filter"]["keep"] and not r["near_duplicate_of"] for r in kept.records)
