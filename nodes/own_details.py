"""The simulated user's own details: the results of what their goal has them measure.

"You use a stopwatch to measure the time it takes you to complete a 50-meter, 100-meter, and
200-meter race" gives the user times that the goal does not state. Left to make them up in every
message, the small embedded model gave other times each turn, the chatbot's example times, or times
no runner has, and every try of the answer was refused (grid runs of 2026-11-29: the speeds
dialogue lost three times in four). As tau2-bench gives its simulated users the ``known_info`` of
their scenario, the user's results are now written once per dialogue, when the persona is made,
checked here, and held by the user for every message (``own_details`` in state and record).

This module reads and checks the inquirer model's list; :mod:`llm_roleplay.nodes.persona` asks for
it.
"""

from __future__ import annotations

import re

from llm_roleplay.nodes.checks import numbers_in, numbers_of, stem
from llm_roleplay.nodes.own_facts import implausible_race_times, race_times
from llm_roleplay.nodes.voice import content_words

# Seen: "- 50-meter race: 10 seconds, 5 meters per second" and "50 meters: 10.2 seconds, 10.2 m/s":
# the model works out what the user is to ask the chatbot for. A result is its label and its
# first figure; whatever follows a comma or a bracket is a calculation or a comment.
_BULLET = re.compile(r"^\s*(?:[-*•]|\d+[.)](?=\s))\s*")
_AFTERTHOUGHT = re.compile(r"\s*(?:[,;(]|\s-\s|\s=\s|→).*$")
MAX_RESULTS = 6


def own_results(text: str, goal: str) -> list[str]:
    """The result lines of the model's list, each as "label: figure unit": lines with a figure the
    goal does not state, not a heading, not a note, and not what the goal asks the chatbot for
    ("Calories burned: 200 calories", where the goal asks how many calories the races burned)."""
    given = numbers_of([goal])
    asked = _asked_quantities(goal)
    results: list[str] = []
    for line in text.split("\n\n", 1)[0].splitlines():
        plain = _BULLET.sub("", line).replace("**", "").strip()
        result = _AFTERTHOUGHT.sub("", plain).strip()
        label = result.split(":", 1)[0] if ":" in result else ""
        if (
            not result
            or plain.endswith(":")
            or not numbers_in(result) - given
            or len(result) > 80
            or any(stem(word) in asked for word in content_words(label))
        ):
            continue
        results.append(result)
    return results[:MAX_RESULTS]


def details_problem(results: list[str], goal: str) -> str | None:
    """Why a list of results will not do for the goal's person (None when it will): none given,
    race times no runner has, or a race the goal names without its time."""
    if not results:
        return "no results"
    text = "\n".join(results)
    if implausible_race_times(text):
        return "implausible race times"
    named = {distance for distance, _ in race_times(_with_placeholder_times(goal))}
    if named - {distance for distance, _ in race_times(text)}:
        return "a race without its time"
    return None


# What the goal asks the chatbot to work out: "calculate how many calories you burned", "calculate
# your speed", "how fast you run".
_ASKED_QUANTITY = re.compile(
    r"\b(?:calculate|work out|compute|figure out|find out|know)\s+(?:how (?:many|much)\s+|your\s+|the\s+)?"
    r"(?!how\b)([a-z]+)|\bhow (fast)\b",
    re.IGNORECASE,
)
_SYNONYMS = {"fast": "speed"}


def _asked_quantities(goal: str) -> set[str]:
    """Stems of what the goal asks the chatbot to work out ("calori", "speed")."""
    words = {
        _SYNONYMS.get(word or fast, word or fast) for word, fast in _ASKED_QUANTITY.findall(goal.lower())
    }
    return {stem(word) for word in content_words(" ".join(words))}


# "a 50-meter, 100-meter, and 200-meter race" names three races; a placeholder time after each lets
# ``race_times`` read their distances.
_DISTANCE = re.compile(r"\b(\d+(?:\.\d+)?)\s*-?\s*(?:meters?|metres?|m)\b", re.IGNORECASE)


def _with_placeholder_times(goal: str) -> str:
    return "\n".join(f"{distance} m: 1 s" for distance in _DISTANCE.findall(goal))
