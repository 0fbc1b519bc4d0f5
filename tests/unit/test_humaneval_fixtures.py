"""Shared inputs of the human-evaluation tests: a small simulated dataset and a small "real" set.

Every dialogue here was written for these tests (none is taken from a real data set). The "real"
ones are typed the way people type (lower case, terse, typos); the simulated ones the way models
write. Both carry formatting quirks of their kind (curly quotes, ``User:`` labels, wrapping quotes,
CRLF, no-break spaces, a greeting before the user's first message, a trailing unanswered message)
that the blinding must remove. Persona descriptions, goals, model names and ids are distinctive
strings that never occur in any dialogue text, so that a blinding test can search for them.

The tests at the end check that the fixtures are what the other tests assume.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from llm_roleplay.dataset_store import read_records
from llm_roleplay.evals.humaneval.prepare import PrepareOptions, PrepareReport, prepare
from llm_roleplay.nodes.context import Context

INQUIRERS = ("openai:gpt-4o-mini", "openai:mixtral-8x7b-instruct")
CHATBOT = "openai:meta-llama/Llama-2-13b-chat-hf"

# (id, domain, [(user, assistant), ...])
REAL: list[tuple[str, str, list[tuple[str, str]]]] = [
    (
        "wc-1001",
        "cooking",
        [("how long do i boil eggs for a soft yolk", "About 6 to 7 minutes, then cold water.")],
    ),
    ("wc-1002", "maths", [("whats 15% of 240", "15% of 240 is 36.")]),
    (
        "wc-1003",
        "travel",
        [
            ("cheapest way berlin to prague?", "The bus is usually cheapest, often under 20 euros."),
            ("ok how long does it take", "Around four and a half hours."),
        ],
    ),
    (
        "wc-1004",
        "coding",
        [
            ("python remove duplicates from list but keep order", "Use list(dict.fromkeys(items))."),
            ("does that work for lists of lists", "No: lists are unhashable. Convert them to tuples first."),
        ],
    ),
    (
        "wc-1005",
        "writing",
        [
            (
                "write a 2 line poem about my cat sleeping on my keyboard",
                "Soft paws on the keys,\nasdfjkl; dreams.",
            ),
            ("lol nice. make it rhyme", "My cat naps on keys with ease,\ntyping dreams of fish and cheese."),
            ("perfect thx", "You're welcome!"),
        ],
    ),
    (
        "wc-1006",
        "health",
        [
            (
                "is it bad to take ibuprofen on empty stomach",
                "It can irritate the stomach; take it with food.",
            ),
            ("what about paracetamol", "Paracetamol is gentler on the stomach."),
            ("can i take both", "Many adults alternate them, but check the label or a pharmacist."),
        ],
    ),
    (
        "wc-1007",
        "coding",
        [
            ("git undo last commit keep changes", "git reset --soft HEAD~1"),
            ("and if i already pushed", "Then prefer git revert, which adds a new commit."),
            (
                "whats the difference again",
                "reset moves the branch back; revert adds a commit that undoes one.",
            ),
            ("ok got it", "Great."),
        ],
    ),
    (
        "wc-1008",
        "travel",
        [
            ("need a hotel near lisbon airport", "Several chains have hotels within 2 km of the airport."),
            ("with free shuttle", "Some do; check each hotel's page for a shuttle."),
            ("price range?", "Usually 70 to 130 euros a night."),
            ("any with a pool", "A few of the larger ones have pools."),
            ("thanks", "Enjoy your trip!"),
        ],
    ),
    (
        "wc-1009",
        "cooking",
        [
            ("can i freeze cooked rice", "Yes, cool it quickly and freeze within an hour."),
            ("how long does it keep", "About a month."),
        ],
    ),
    (
        "wc-1010",
        "maths",
        [
            ("solve 3x + 7 = 22", "x = 5."),
            ("show steps pls", "Subtract 7: 3x = 15. Divide by 3: x = 5."),
            ("and 2x - 4 = 10", "x = 7."),
        ],
    ),
]

# (id, domain, inquirer index, persona attributes, persona description, goal, termination, turns)
SIMULATED: list[tuple[str, str, int, dict[str, str], str, str, str, list[tuple[str, str]]]] = [
    (
        "dlg-aaaa000000000000001",
        "cooking",
        0,
        {"age_bracket": "35-44", "education": "vocational diploma", "native_english": "yes"},
        "A thirty-eight year old warehouse supervisor who seldom chats with bots.",
        "Find a quick weeknight curry recipe and adapt it for a peanut allergy.",
        "goal_verified",
        [
            (
                "Hi! Could you suggest a quick curry I can make on a weeknight?",
                "Try a chickpea curry: onion, garlic, curry paste, tomatoes, chickpeas, 25 minutes.",
            ),
            (
                "That sounds great. Is it safe if someone can't eat peanuts?",
                "Yes, as long as the paste has none.",
            ),
        ],
    ),
    (
        "dlg-aaaa000000000000002",
        "maths",
        1,
        {"age_bracket": "18-24", "education": "high school diploma", "native_english": "no"},
        "A nineteen year old apprentice electrician from Porto, learning English.",
        "Work out the discount on a jacket that costs 80 euros at 25 percent off.",
        "goal_claimed",
        [("User: What is 25% off a jacket that costs 80 euros?", "25% of 80 is 20, so it costs 60 euros.")],
    ),
    (
        "dlg-aaaa000000000000003",
        "travel",
        0,
        {"age_bracket": "65+", "education": "doctorate", "native_english": "yes"},
        "A retired marine biologist aged seventy who prefers trains.",
        "Plan a rail journey from Vienna to Venice with a stop on the way.",
        "goal_verified",
        [
            (
                "“Is there a direct train from Vienna to Venice?”",
                "Yes, a daytime direct train takes about 7.5 hours.",
            ),
            ("Could I break the journey somewhere pleasant?  ", "Villach or Klagenfurt are good stops."),
            ("Which one would you recommend for a single night?", "Klagenfurt, on the lake Woerthersee."),
        ],
    ),
    (
        "dlg-aaaa000000000000004",
        "coding",
        1,
        {"age_bracket": "25-34", "education": "bachelor degree in design", "native_english": "no"},
        "A twenty-nine year old graphic designer who dabbles in scripting.",
        "Get a shell one-liner that renames all JPEG files to lower-case extensions.",
        "goal_verified",
        [
            (
                "I’d like to rename all my .JPG files to .jpg. How can I do that?",
                "Use: for f in *.JPG; do ...",
            ),
            ("Will this work on macOS as well?", "Yes, in bash or zsh."),
            ("What if a file name contains spaces?", "The quotes in the loop handle spaces."),
            ("Thank you, that is very helpful.", "You're welcome!"),
        ],
    ),
    (
        "dlg-aaaa000000000000005",
        "writing",
        0,
        {"age_bracket": "45-54", "education": "master degree", "native_english": "yes"},
        "A fifty year old school librarian who writes limericks for fun.",
        "Compose a short birthday rhyme for a colleague who loves gardening.",
        "max_turns",
        [
            ("Could you write a short birthday rhyme for a colleague who gardens?", "Roses and cake..."),
            ("Could you make it a little funnier?", "Your tomatoes grew..."),
            ("Can you mention her love of tulips?", "Tulips in rows..."),
            ("Perfect. Could you shorten it to four lines?", "Four lines..."),
            ("Could you add her name, Margaret?", "Happy birthday, Margaret..."),
        ],
    ),
    (
        "dlg-aaaa000000000000006",
        "health",
        1,
        {"age_bracket": "55-64", "education": "vocational diploma", "native_english": "no"},
        "A sixty year old taxi driver with a bad back, new to chat assistants.",
        "Learn gentle stretches for lower back pain after long drives.",
        "inquirer_gave_up",
        [
            (
                "My lower back hurts after long drives. Are there stretches that help?",
                "Knee-to-chest stretches.",
            ),
            ("How often should I do them?", "Twice a day, gently."),
            ("Can I do them in the car?", "Some seated stretches work in a parked car."),
            ("Which ones exactly?", "Seated pelvic tilts and torso twists."),
            ("Should I see a doctor about it?", "If pain lasts weeks, yes."),
            ("Thank you for the advice.", "Take care!"),
        ],
    ),
    (
        "dlg-aaaa000000000000007",
        "coding",
        0,
        {"age_bracket": "25-34", "education": "bachelor degree in physics", "native_english": "yes"},
        "A thirty year old lab technician automating spreadsheets at work.",
        "Write a formula that counts cells above a threshold in a column.",
        "goal_verified",
        [
            ('"How do I count cells above 100 in column B?"', 'Use COUNTIF(B:B, ">100").'),
            ("Does that include the header row?", "Text headers are not counted."),
        ],
    ),
    (
        "dlg-aaaa000000000000008",
        "travel",
        1,
        {"age_bracket": "35-44", "education": "master degree", "native_english": "no"},
        "A forty year old pharmacist from Lyon planning a family holiday.",
        "Choose a child-friendly seaside town in Croatia for a week in July.",
        "goal_verified",
        [
            (
                "Which Croatian seaside towns are good for young children?",
                "Makarska and Porec have calm beaches.",
            ),
            ("Which one is less crowded in July?", "Porec is usually a little calmer."),
            ("Are there sandy beaches there?", "Mostly pebbles, with a few sandy spots."),
        ],
    ),
]

DROPPED_ID = "dlg-bbbb000000000000009"  # filtered out: never in a study
DUPLICATE_ID = "dlg-bbbb000000000000010"  # a near-duplicate of dialogue 1: never in a study


def simulated_record(
    spec: tuple[str, str, int, dict[str, str], str, str, str, list[tuple[str, str]]], *, keep: bool = True
) -> dict[str, Any]:
    ident, domain, inquirer, attributes, description, goal, reason, turns = spec
    messages = []
    for turn, (user, assistant) in enumerate(turns, start=1):
        messages.append({"role": "user", "content": user, "turn": turn})
        messages.append({"role": "assistant", "content": assistant, "turn": turn})
    settings = Context(inquirer_model=INQUIRERS[inquirer], chatbot_model=CHATBOT, judge_model="openai:gpt-4o")
    return {
        "schema_version": 1,
        "id": ident,
        "goal": goal,
        "persona": {"attributes": attributes, "description": description, "source": "sampled:7"},
        "messages": messages,
        "termination_reason": reason,
        "error": None,
        "filter": {"keep": keep, "reasons": [] if keep else ["too_few_turns"]},
        "goal_check": {"verified": reason == "goal_verified", "checks": []},
        "regenerations": {},
        "usage": {"inquirer": {"calls": 3, "input_tokens": 100, "output_tokens": 20}},
        "settings": settings.defining_settings(),
        "versions": {"llm_roleplay": "0.1.0"},
        "goal_id": f"goal-{ident[-2:]}",
        "goal_domain": domain,
        "trial": 0,
    }


def write_simulated(directory: Path, specs: list[Any] | None = None) -> Path:
    """A 'roleplay generate' directory: the SIMULATED dialogues plus a dropped and a duplicate one."""
    directory.mkdir(parents=True, exist_ok=True)
    records = [simulated_record(spec) for spec in (SIMULATED if specs is None else specs)]
    base = SIMULATED[0]
    records.append(simulated_record((DROPPED_ID, *base[1:]), keep=False))
    records.append(simulated_record((DUPLICATE_ID, *base[1:])))
    with (directory / "dialogues.jsonl").open("w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
    (directory / "near_duplicates.json").write_text(json.dumps({DUPLICATE_ID: SIMULATED[0][0]}))
    return directory


def real_messages(turns: list[tuple[str, str]]) -> list[dict[str, str]]:
    return [
        message
        for user, assistant in turns
        for message in ({"role": "user", "content": user}, {"role": "assistant", "content": assistant})
    ]


def write_real_jsonl(path: Path, dialogues: list[Any] | None = None) -> Path:
    """OpenAI messages JSONL, with the quirks of a real export: a system message, a greeting
    before the user's first message, CRLF and no-break spaces, a last message without a reply."""
    lines = []
    for index, (ident, domain, turns) in enumerate(REAL if dialogues is None else dialogues):
        messages: list[dict[str, Any]] = [{"role": "system", "content": "You are a helpful assistant."}]
        if index % 3 == 0:
            messages.append({"role": "assistant", "content": "Hello! How can I help you today?"})
        for message in real_messages(turns):
            content = message["content"]
            if message["role"] == "user" and index % 2:
                content = content.replace(" ", "\u00a0", 1) + "\r\n"
            messages.append({"role": message["role"], "content": content})
        if index % 4 == 1:
            messages.append({"role": "user", "content": "one more thing"})
        lines.append(json.dumps({"id": ident, "domain": domain, "messages": messages}, ensure_ascii=False))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def write_real_sharegpt(path: Path, dialogues: list[Any] | None = None) -> Path:
    """ShareGPT JSON (a list), compact on one line, without ids or domains."""
    data = [
        {
            "conversations": [
                {"from": "human" if message["role"] == "user" else "gpt", "value": message["content"]}
                for message in real_messages(turns)
            ]
        }
        for _, _, turns in (REAL if dialogues is None else dialogues)
    ]
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return path


def make_study(
    tmp: Path, *, n: int = 8, seed: int = 0, match: str = "length", name: str = "study"
) -> PrepareReport:
    simulated = write_simulated(tmp / "sim")
    real = write_real_jsonl(tmp / "real.jsonl")
    return prepare(
        PrepareOptions(simulated=simulated, real=real, n=n, out=tmp / name, seed=seed, match=match)
    )


def test_fixture_records_are_readable_records_with_distinct_ids(tmp_path: Path) -> None:
    directory = write_simulated(tmp_path / "sim")
    records = read_records(directory / "dialogues.jsonl").records
    assert len(records) == len(SIMULATED) + 2
    assert len({record["id"] for record in records}) == len(records)
    assert {record["settings"]["inquirer_model"] for record in records} == set(INQUIRERS)


def test_fixture_secrets_never_occur_in_dialogue_text() -> None:
    texts = " ".join(user + " " + bot for *_, turns in SIMULATED for user, bot in turns)
    texts += " ".join(user + " " + bot for _, _, turns in REAL for user, bot in turns)
    for ident, _, inquirer, attributes, description, goal, reason, _ in SIMULATED:
        for secret in (ident, INQUIRERS[inquirer], description, goal, reason, *attributes.values()):
            assert len(secret) < 4 or secret not in texts
