"""A reply cut off at the chatbot's token cap, and the user's "continue".

The embedded chatbot writes up to ``max_reply_tokens`` (512) and stops mid-sentence: 7 of 162
replies of the reading runs of 2026-11-28/29 ended so ("... - **Afternoon:** Colosseum (1", "The
`checkCountVowels` function is used"), and the user's reading took 4 of them as the answer (P(yes)
0.50-0.74). Real users meet the same cut in chat
interfaces and type "continue": it is the commonest real user message (720 of the 30,547 user
messages of ShareGPT's first 8,800 conversations are a bare "continue", "please continue", "go on"
or "keep going"). So the user asks the chatbot to go on, and every reading (the user's, the goal
check's) takes the cut reply and its continuation as one reply.
"""

from __future__ import annotations

import random
import re
from collections.abc import Mapping, Sequence

# The forms real users typed, as typed, with their counts (the 720 above, less ChatGPT's "Continue
# writing please" button, 45, which no one types, and forms seen once or twice). Real users type it
# in lowercase more than their other messages (71% of these 664, 39% of later messages in all).
CONTINUE_FORMS: tuple[tuple[str, int], ...] = (
    ("continue", 389),
    ("Please continue", 127),
    ("Continue", 51),
    ("please continue", 30),
    ("go on", 25),
    ("keep going", 15),
    ("Please continue.", 6),
    ("Continue.", 6),
    ("please go on", 5),
    ("continue please", 4),
    ("Continue please", 3),
    ("continue where you left off", 3),
)
_CONTINUE_REQUEST = re.compile(
    r"^\W*(?:please\s+)?(?:continue|go on|keep going)"
    r"(?:\s+(?:writing|please|from where you left off|where you left off))*\W*$",
    re.IGNORECASE,
)
MAX_CONTINUES = 2  # a chatbot cut off again after two "continue"s is read as it stands


def is_continue_request(text: str) -> bool:
    """``text`` only asks the chatbot to go on ("continue", "Please continue.", "keep going")."""
    return bool(_CONTINUE_REQUEST.match(text))


def continue_request(seed: str) -> str:
    """A real user's "continue", drawn (seeded) with the real forms' frequencies: one person, one
    ``seed``, says it the same way each time."""
    forms, weights = zip(*CONTINUE_FORMS, strict=True)
    return random.Random(f"continue:{seed}").choices(forms, weights=weights)[0]


def continues_in_a_row(messages: Sequence[Mapping[str, str]]) -> int:
    """How many "continue" requests the user has sent in a row just before the last reply."""
    count, index = 0, len(messages) - 2
    while index >= 1 and messages[index]["role"] == "user":
        if not is_continue_request(messages[index]["content"]):
            break
        count += 1
        index -= 2
    return count


def _goes_on(messages: Sequence[Mapping[str, str]], index: int) -> bool:
    """The reply at ``index`` goes on with the reply before the user's "continue" right above it."""
    return (
        index >= 2
        and messages[index]["role"] == "assistant"
        and messages[index - 1]["role"] == "user"
        and is_continue_request(messages[index - 1]["content"])
        and messages[index - 2]["role"] == "assistant"
    )


def joined_continuations(messages: Sequence[Mapping[str, str]]) -> list[dict[str, str]]:
    """The dialogue as a reader takes it: a reply, the user's "continue" and the reply that goes on
    are one reply (the two texts on lines of their own)."""
    joined: list[dict[str, str]] = []
    for index, message in enumerate(messages):
        if _goes_on(messages, index):
            joined.pop()  # the "continue"
            joined[-1] = {**joined[-1], "content": f"{joined[-1]['content']}\n{message['content']}"}
        else:
            joined.append(dict(message))
    return joined


def replies_as_read(messages: Sequence[Mapping[str, str]]) -> list[str]:
    """For each reply of ``messages`` (in order), the whole reply it belongs to as a reader takes
    it: a cut reply and its continuations each stand for all of them together."""
    read: list[str] = []
    first = 0  # where the reply now being continued starts in ``read``
    for index, message in enumerate(messages):
        if message["role"] != "assistant":
            continue
        if _goes_on(messages, index):
            whole = f"{read[-1]}\n{message['content']}"
            read[first:] = [whole] * (len(read) - first + 1)
        else:
            first = len(read)
            read.append(message["content"])
    return read


# A reply that goes round in circles: the embedded chatbot's cat poem ran "The cat is playful, / Its
# ears perked up. / ..." for 85 lines, 20 of them distinct, cut at the token cap three times over,
# and the user typed "please continue" six times (grid run of the evening of 2026-11-29). Nobody
# asks a loop to go on. 4 of 33,620 real ShareGPT replies (first 8,800 conversations) have under a
# quarter of their 20 or more lines distinct (ASCII art, a letter-by-letter output).
LOOP_MIN_LINES = 20
LOOP_DISTINCT_SHARE = 0.25
_FENCED = re.compile(r"```.*?```", re.DOTALL)


def goes_in_circles(reply: str) -> bool:
    """Of the reply's lines of two words or more (code aside), under a quarter are distinct."""
    lines = [line.strip() for line in _FENCED.sub("", reply).splitlines() if len(line.split()) >= 2]
    return len(lines) >= LOOP_MIN_LINES and len(set(lines)) < LOOP_DISTINCT_SHARE * len(lines)
