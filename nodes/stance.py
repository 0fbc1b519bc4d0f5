"""A piece asked to agree with a statement, and a reply that says it does not agree.

"Write a response agreeing with the statement 'Technology is the cause of all societal problems'"
was answered four times by the embedded chatbot with "As an AI language model, I do not agree with
the statement ..." and a balanced paragraph; the user's reading and the judge took the first of
them as the agreeing response (P(yes) 0.55 and 0.89, reading run of 2026-11-29). A person sees in
the first sentence that the chatbot took the other side.

Only the chatbot's own first-person word counts ("I do not agree", "I disagree"); a piece that
quotes someone disagreeing is still a piece.
"""

from __future__ import annotations

import re

# "a response that agrees with", "agreeing with", "in agreement with"; not "disagrees with"
_ASKS_TO_AGREE = re.compile(r"(?<!dis)\bagree(?:s|ing)?\s+with\b|\bin agreement with\b", re.IGNORECASE)
_DOES_NOT_AGREE = re.compile(
    r"\bI\s+(?:do not|don't|cannot|can't|would not|wouldn't|could not|couldn't)\s+"
    r"(?:fully |entirely |completely |personally )?agree\b|\bI\s+(?:strongly |respectfully )?disagree\b",
    re.IGNORECASE,
)
OTHER_SIDE = "it says it does not agree"


def takes_the_other_side(part: str, reply: str) -> str | None:
    """``OTHER_SIDE`` when ``part`` asks for agreement with a statement and ``reply`` says in the
    chatbot's own voice that it does not agree; else None."""
    if _ASKS_TO_AGREE.search(part) and _DOES_NOT_AGREE.search(reply.replace("’", "'")):
        return OTHER_SIDE
    return None
