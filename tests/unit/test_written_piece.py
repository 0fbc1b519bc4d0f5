"""The piece asked for and a reply without it (nodes/written_piece.py)."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.checkable import evident_failures, evidently_undelivered
from llm_roleplay.nodes.written_piece import asked_piece, missing_piece

FIRMER = "write a firmer version of the email"
DESCRIBED = (  # the labelled set's promise-only ending: the email described, never written
    "Sure, here is a firmer version of your email. It makes your expectations clear, sets a firm "
    "deadline for the repair and mentions the landlord's responsibilities under your tenancy agreement."
    "\n\nLet me know if you'd like me to adjust anything!"
)
EMAIL = "Subject: Heater\n\nDear Mr Patel,\n\nThe heater is still broken. Fix it by Friday.\n\nRegards,\nAna"


@pytest.mark.parametrize(
    ("part", "kind"),
    [
        (FIRMER, "email"),
        ("write a cover letter for the job", "email"),
        ("replace the number(s) on the 10th line of the code with 73", "code"),
        ("write a JavaScript function that counts vowels", "code"),
        ("make the poem funnier", "poem"),
        ("write a haiku about cats", "poem"),
        ("Generate a response that agrees with the statement", "text"),
        # questions and things about a piece ask for no piece
        ("explain how egg production depends on the feed", None),
        ("give me a title for this email", None),
        ("create a list of 50 javascript challenges", None),
        ("don't write it in email form, just a direct response", None),
        ("Replace StartUpScout with The Code Concierge", None),
        ("you didn't change the fourth letter", None),
        ("create a database that stores email addresses", None),
        ("lay it out as a weekly schedule with 3 workout days and rest days", "schedule"),
        ("revise the itinerary to include the address of each place", "schedule"),
        ("admin able to add courses, generate timetable", None),  # a feature, not one to follow
    ],
)
def test_the_kind_of_piece_a_part_asks_for(part: str, kind: str | None) -> None:
    assert asked_piece(part) == kind


@pytest.mark.parametrize(
    ("part", "answer", "missing"),
    [
        (FIRMER, DESCRIBED, "it writes no email"),
        (FIRMER, EMAIL, None),
        (FIRMER, "Hi Mr Patel,\n\nI am writing again about the heater.", None),
        (FIRMER, "I'd recommend sticking with the polite version for now.", "it writes no email"),
        (
            "replace the number(s) on the 10th line of the code with 73",
            "Done! I've replaced the number on line 10 with 73. The turn is now 73 degrees.",
            "it writes no code",
        ),
        ("replace the number on the 10th line of the code with 73", "Line 10 is now `t.left(73)`.", None),
        ("write a python function", "```python\ndef f():\n    return 1\n```", None),
        ("write a haiku about cats", "Soft paws on the sill,\nA yawn at the sun,\nThe bowl is empty.", None),
        ("write a poem about cats", "Here:\n```\nCats sleep\nCats eat\nCats purr\nCats leave\n```", None),
        ("write a poem about cats", "I'm unable to write poems.\nSorry.\nTry a poet.", "it writes no poem"),
        (
            "Generate a response that agrees with the statement",
            "I appreciate the prompt! However, I'm not able to write a piece asserting that technology is "
            "the cause of all problems, as that claim is inaccurate. What I can do instead is write a "
            "balanced essay on the ways technology contributes to some social issues. Would you like that?",
            "it writes no text",
        ),
        (
            "Generate a response that agrees with the statement",
            "Technology is the cause of all problems.",  # seen on 2026-11-28: the statement, no response
            "it writes no text",
        ),
        ("explain how egg production depends on the feed", "It does not.", None),
        (  # the labelled set's gl-085: verified by the embedded judge
            "lay it out as a weekly schedule with 3 workout days and rest days",
            "Absolutely! Aim to do this workout three times a week, with at least one rest day between "
            "sessions so your muscles can recover. Consistency matters more than intensity!",
            "it writes no schedule",
        ),
        (
            "lay it out as a weekly schedule with 3 workout days and rest days",
            "| Day | Plan |\n|---|---|\n| Mon | Workout |\n| Tue | Rest |\n| Wed | Workout |",
            None,
        ),
        ("make me a daily schedule", "7:00 am wake up, 7:30 am run, 9 am work", None),
    ],
)
def test_a_reply_about_the_piece_is_not_the_piece(part: str, answer: str, missing: str | None) -> None:
    assert missing_piece(part, answer) == missing


def test_the_goal_check_and_the_users_reading_see_the_missing_piece() -> None:
    messages = [
        {"role": "user", "content": "write a polite email to my landlord about the heater"},
        {"role": "assistant", "content": EMAIL},
        {"role": "user", "content": "make it firmer please"},
        {"role": "assistant", "content": DESCRIBED},
    ]
    parts = ["write a polite email to the landlord about the heater", FIRMER]
    findings = evident_failures(parts, messages)
    assert [(f.check, f.detail) for f in findings] == [("no_piece", "part 2: it writes no email")]
    assert evidently_undelivered(FIRMER, DESCRIBED, [EMAIL], []) == "it writes no email"
    assert evidently_undelivered(FIRMER, EMAIL, [], []) is None
