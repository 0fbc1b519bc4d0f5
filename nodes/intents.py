"""What the simulated user does next: the small state machine behind every user message.

After each chatbot reply the user reads it against the part of the goal they asked for:

- the chatbot asks them something ("what were your times?") -> **answer** it;
- the part was delivered -> ask for the **next** part; after the last part, claim the goal (the
  judge then verifies it), or first ask a **follow-up** question when the dialogue is still shorter
  than ``min_turns_before_stop``;
- it was not delivered, or not correctly -> **reask**: say what is wrong or missing and ask again
  (what a person sees at a glance, such as a calculation with no result, is read before asking the
  model and named in the message); a reply that says again what an earlier one said is never a
  delivery, nor a question to answer again;
  after ``max_part_asks`` messages on one part the user gives up, and at once when a short reply
  says the chatbot cannot reach what it needs ("I don't have access to live scores"); a bare "I
  cannot help with that" is asked once more;
- the judge rejected a claim -> **reask** the part it found missing, with its reason.

The first message always **open**s with the first part only, as real users do. "Delivered" is the
inquirer model's own YES/NO reading at temperature 0 (P(YES) from token probabilities where the
endpoint gives them): a user's impression, checked later by the judge.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from llm_roleplay.nodes.checkable import (
    NO_RESULT,
    bare_piece_delivered,
    evidently_undelivered,
    has_own_figures,
)
from llm_roleplay.nodes.checks import TASK_VERBS, normalized, numbers_in, numbers_of, stated_figures
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.continuation import (
    MAX_CONTINUES,
    continues_in_a_row,
    goes_in_circles,
    joined_continuations,
    replies_as_read,
)
from llm_roleplay.nodes.llm import as_dialogue, text_of
from llm_roleplay.nodes.own_facts import measures_own_data
from llm_roleplay.nodes.poem_shape import poem_shape_met
from llm_roleplay.nodes.state import RoleplayState, TerminationReason
from llm_roleplay.nodes.voice import content_words

ACCEPT = 0.5  # P(YES) from which the user takes a part as delivered and moves on
SAME_REPLY_REASON = "it is the same answer as before"
# A calculation answered with the method only, to a user who never gave their figures: the person
# gives them (seen: "how can I calculate my speed for each race please?", the formula, then "I can't
# run a 50-meeter race with my stopwatch because it doesn't work" from a user who had timed them).
NEEDS_FIGURES_REASON = "it gives no result, as it does not have their own figures: they give them now"
# A bare refusal is not a method waiting for the user's figures: pressed for figures after "I'm sorry,
# but I can't assist with that.", the embedded user failed ten tries (seen on 2026-11-28, the dialogue
# lost). A person says what they want again, or why it should be possible.
REFUSED_REASON = "it says it cannot help with that"
# ... and one for want of the user's details, to a user whose situation holds no more figures: they
# give details of their own, made up as someone like them would know them (their weight, say).
LACKS_DETAILS_REASON = (
    "it says it does not have their details: they give their own now (realistic ones, as they would "
    "know them)"
)
# Asked for the very thing the user wants worked out ("If you have any specific information about
# the amount of feed required for the final meal, please provide it", to a user who asked for that
# amount), the embedded user made the result up and gave it ("Okay, so my final meal for the day
# should be 20 cups of feed."); a person says that is what they are asking, with the facts they have.
ASKED_BACK_REASON = (
    "it asks them for the very thing they want worked out: they say that is their question, and give "
    "the facts of their situation it needs"
)
# What follows these in a request is why the chatbot asks ("so I can calculate the speed"), not what.
_PURPOSE = re.compile(
    r"\b(?:so (?:that )?i|and i(?:'ll| will| can)?|then i|i can|to (?:calculate|determine|help|work))\b",
    re.IGNORECASE,
)


class Intent(StrEnum):
    OPEN = "open"
    NEXT = "next"
    REASK = "reask"
    ANSWER = "answer"
    FOLLOW_UP = "follow_up"
    CONTINUE = "continue"  # the last reply was cut off at the chatbot's token cap


@dataclass(frozen=True)
class Step:
    """The user's next move: a message with an intent, or none (a claim or giving up)."""

    intent: Intent | None
    part: int
    update: dict[str, Any] = field(default_factory=dict)
    # A reask after a rejected claim: what the judge found missing; an answer: what the chatbot
    # asked for or guessed.
    reason: str = ""
    # A reask whose reply gave a method but no result, to a user who never gave their figures: the
    # message must now carry figures of the user's own (checked like an answer to a question).
    gives_figures: bool = False


# Offers and pleasantries end most chatbot replies with a question; they do not ask for anything.
_PLEASANTRY = re.compile(
    r"anything else|other questions|further questions|more questions|help you with|assist you with"
    r"|is there (?:something|anything)|would you like|do you (?:want|need) (?:me|any|more)|shall i|should i"
    r"|let me know if|hope (?:this|that|it) helps|does (?:this|that) help"
    # an offer to redo the work with other figures, after it was done with the user's: "If you have
    # different times, please provide them so I can recalculate the speeds accurately." had the user
    # give the same times again (grid run of the evening of 2026-11-29)
    r"|\bif you have (?:any )?(?:different|other|more|additional|new|updated|more accurate)\b",
    re.IGNORECASE,
)
_ASKS_FOR_DATA = re.compile(
    r"\b(?:please (?:provide|share|send|tell|give|let me know)|provide me with|share (?:your|the|with me)"
    r"|send me (?:your|the)|tell me (?:your|more about your|what|which|how)|could you (?:provide|share|tell)"
    r"|can you (?:provide|share|tell)|what (?:is|are|was|were) your"
    r"|how (?:many|much|long|old) (?:is |are |do )?your)\b",
    re.IGNORECASE,
)


_CANNOT = re.compile(
    r"\b(?:i|we)\s*(?:can't|cannot|can not|am unable to|'m unable to|am not able to|'m not able to"
    r"|don't have access|do not have access|have no (?:access|connection|way)|won't be able to)\b",
    re.IGNORECASE,
)
# A refusal that blames the user's missing details (seen on 2026-11-29: the user asked the same
# question again, "no, tell me how much feed I need for the final meal of the day", and gave up).
_LACKS_USERS_DETAILS = re.compile(
    r"\b(?:(?:do not|don't|does not|doesn't) have (?:access to )?(?:your|the) (?:specific |exact )?"
    r"(?:[a-z]+ ){0,3}(?:details|information|data|numbers|figures|measurements)"
    r"|without (?:knowing|more information about) (?:your|the)"
    r"|(?:need|require) (?:more|additional|some) (?:information|details) about (?:your|the)"
    # "This would require access to your body composition" (grid run of the evening of 2026-11-29:
    # the speeds user gave up at once on calories, for want of a weight they could give)
    r"|(?:need|require)s? (?:access to |knowing |information (?:on|about) )?your)\b",
    re.IGNORECASE,
)
CANNOT_HELP_WORDS = 80  # longer replies that say "I can't ..." usually go on to help anyway
# What the chatbot cannot reach (live data, the user's accounts, the web): no rewording helps, so the
# user gives up at once. A bare "I cannot help with that" to an ordinary request is asked once more,
# as people rephrase (seen: the embedded chatbot refused "make it iterative" after one try). Not
# "up-to-date": a refusal that sent the user to "the Guinness World Records website for the most
# up-to-date information" on the oldest cities made them give up after one try (2026-11-28).
_OUT_OF_REACH = re.compile(
    r"\b(?:access|connection|connected|real-time|real time|live (?:data|scores?|information)|browse"
    r"|the internet|the web|current (?:events|data|information))\b",
    re.IGNORECASE,
)


def cannot_help(reply: str) -> bool:
    """A short reply whose opening says the chatbot cannot do what was asked."""
    plain = reply.replace("’", "'")
    opening = " ".join(re.split(r"(?<=[.!?])\s+", plain.strip())[:2])
    return len(plain.split()) <= CANNOT_HELP_WORDS and bool(_CANNOT.search(opening))


# A reply that makes up the user's own data ("I'll assume the times", "let's say you weigh 70 kg")
# needs it as much as one that asks: the user gives the real figures.
_ASSUMES = re.compile(
    r"\b(?:i'll assume|i will assume|let's assume|let us assume|assuming (?:you|your|that you)|hypothetical"
    r"|for the sake of (?:this|the) example|let's say (?:you|your)|since (?:we are|i am|you) not given"
    r"|(?:we|i) (?:don't|do not) (?:have|know) your)\b",
    re.IGNORECASE,
)


# "If you ran this race in 5 seconds, your speed is 10 m/s", to a user who never gave a time (seen on
# 2026-11-28): the chatbot supposed the user's own figure, and the user took the speed for theirs.
_SUPPOSES = re.compile(
    r"\bif (?:you|it took you) (?:ran|run|take|took|weigh|spent|spend|walked|walk|finished|finish|completed"
    # the whole if-clause, to its comma: "if you ran a 50-meter race in 30 seconds" supposes the 30,
    # though its first number is the goal's 50 (seen on 2026-11-28, read as no supposition); not the
    # main clause's result after it ("... if you spend a third of the time running is 30 miles")
    r"|complete|covered|cover|swam|swim|cycled|cycle|drove|drive)\b"
    r"(?:(?!\b(?:is|are|was|were|would|will|equals)\b)[^,;:.!?\n=]|(?<=\d)\.(?=\d))*\d[\d.]*",
    re.IGNORECASE,
)


def _sentences_and_lines(reply: str) -> list[str]:
    """The reply's sentences, a line break ending one too (list items), apostrophes made plain."""
    plain = reply.replace("’", "'")
    return [sentence.strip() for sentence in re.split(r"(?<=[.!?])\s+|\n+", plain) if sentence.strip()]


def supposed_figures(reply: str, known: Sequence[str]) -> list[str]:
    """The sentences of ``reply`` that suppose a figure of the user's that ``known`` (the goal, the
    user's messages) does not hold."""
    given = numbers_of(known)
    return [
        sentence
        for sentence in _sentences_and_lines(reply)
        if any(numbers_in(match.group()) - given for match in _SUPPOSES.finditer(sentence))
    ]


def asking_sentences(reply: str) -> list[str]:
    """The sentences of the chatbot's reply that ask the user for information or guess it.

    Pleasantries ("Let me know if you have any other questions!") end most replies with a question
    and ask for nothing; only the last three sentences are read for requests, as offers and
    requests come at the end, while an assumption counts wherever it is made.
    """
    sentences = _sentences_and_lines(reply)
    assumed = [sentence for sentence in sentences if _ASSUMES.search(sentence)]
    asked = [
        sentence
        for sentence in sentences[-3:]
        if not _PLEASANTRY.search(sentence)
        and (
            _ASKS_FOR_DATA.search(sentence)
            or (sentence.endswith("?") and re.search(r"\byour?\b", sentence, re.IGNORECASE))
        )
    ]
    return [*assumed, *(sentence for sentence in asked if sentence not in assumed)]


# A symbol in LaTeX, "\( t_w \)", or a variable name: what a worked method supposes, not the user's data.
_LATEX = re.compile(r"\\\(.*?\\\)|\\\[.*?\\\]", re.DOTALL)
_YOU = re.compile(r"\byou(?:r|rs)?\b", re.IGNORECASE)


def _method_variable(sentence: str) -> bool:
    r"""An assumption of the method's own unknown, with no figure and nothing of the user's: "Let's
    assume the time spent walking is \( t_w \) hours." (grid run of the evening of 2026-11-29: the
    skipping user, whose goal gives every figure, answered it with "let's assume the time spent
    walking is 3 hours"). Where the goal has the user measure something, such an assumption stands in
    for their data ("the time for the 50-meter race is \( t_{50} \) seconds"), and asks for it."""
    plain = _LATEX.sub(" ", sentence)
    return bool(_ASSUMES.search(sentence)) and not numbers_in(plain) and not _YOU.search(plain)


def _gives_up(part: int, progress: list[dict[str, Any]]) -> Step:
    ended = {"termination_reason": TerminationReason.INQUIRER_GAVE_UP.value, "goal_progress": progress}
    return Step(None, part, ended)


def asks_for_the_part(sentence: str, part: str) -> bool:
    """The chatbot's request asks the user for the part itself: half or more of the part's content
    words (task verbs aside) are in what it asks for, its reason ("so I can calculate ...") aside."""
    wanted = set(content_words(part.lower())) - TASK_VERBS
    asked = set(content_words(_PURPOSE.split(sentence.lower(), maxsplit=1)[0]))
    return len(wanted) >= 2 and len(wanted & asked) >= max(2, len(wanted) / 2)


def asks_user(reply: str) -> bool:
    """The chatbot's reply asks the user for information, or has to guess it (not offering more help)."""
    return bool(asking_sentences(reply))


def _delivered_before(state: RoleplayState, part: int, replies: Sequence[str]) -> list[str]:
    """The replies that delivered the other parts (a progress entry's turn n is the n-th reply)."""
    return [
        replies[entry["turn"] - 1]
        for entry in state.get("goal_progress", [])
        if entry["status"] == "delivered" and entry["part"] != part and 0 < entry["turn"] <= len(replies) - 1
    ]


async def next_step(
    state: RoleplayState, context: Context, assess: Callable[[str], Awaitable[float | None]]
) -> Step:
    """Decide the user's next move; ``assess(part)`` reads the last reply and returns P(delivered)."""
    parts = state.get("goal_parts") or [state["goal"]]
    part = state.get("part", 0)
    asks = state.get("part_asks", 0)
    turn = state.get("turn", 0)
    if turn == 0:
        return Step(Intent.OPEN, 0, {"part": 0, "part_asks": 1})
    feedback = state.get("judge_feedback")
    if feedback:
        rejected = int(feedback.get("part", 0))
        update = {"part": rejected, "part_asks": 1, "judge_feedback": None}
        return Step(Intent.REASK, rejected, update, reason=str(feedback.get("reason") or ""))
    messages = state.get("messages", [])
    dialogue = as_dialogue(messages)
    if (
        messages
        and messages[-1].type == "ai"
        and messages[-1].response_metadata.get("cut_off")
        and continues_in_a_row(dialogue) < MAX_CONTINUES
        and not goes_in_circles(text_of(messages[-1]))
    ):
        return Step(Intent.CONTINUE, part)
    if part >= len(parts):  # every part was delivered, and follow-up questions have been asked
        if turn >= _claim_floor(context):
            return Step(None, part, {"goal_claimed": True})
        return Step(Intent.FOLLOW_UP, part)
    # a reply cut off and continued after the user's "continue" is read as one reply
    each_reply = replies_as_read(dialogue)
    reply = each_reply[-1] if dialogue and dialogue[-1]["role"] == "assistant" else ""
    read = joined_continuations(dialogue)
    replies = [m["content"] for m in read if m["role"] == "assistant"]
    # The same reply again brings nothing new, whatever it says: the user says so, and gives up after
    # max_part_asks of them (seen: the embedded chatbot asked "Please provide the details of each
    # race" six times in a row, and the user answered each time until the turn limit). Word for word
    # only (as the chatbot_repeat filter): a near copy with one figure changed can be the correction.
    repeated = normalized(reply) in {normalized(earlier) for earlier in replies[:-1]}
    typed = [m["content"] for m in read if m["role"] == "user"]
    asked = [] if repeated else asking_sentences(reply)
    if not measures_own_data(state["goal"]):
        asked = [sentence for sentence in asked if not _method_variable(sentence)]
    # (a user who gave figures of their own reads a supposition as an example: see outside_examples)
    supposes = not (repeated or asked or has_own_figures(typed, state["goal"]))
    supposed = supposed_figures(reply, [state["goal"], *typed]) if supposes else []
    if supposed:  # the user gives their real figure, as to a question
        supposed_progress = [_progress(turn, part, "asked_user", None)]
        return Step(Intent.ANSWER, part, {"goal_progress": supposed_progress}, reason=" ".join(supposed))
    if asked and all(asks_for_the_part(sentence, parts[part]) for sentence in asked):
        progress = [_progress(turn, part, "not_delivered", None)]
        if asks >= context.max_part_asks:
            return _gives_up(part, progress)
        asked_back: dict[str, Any] = {"part_asks": asks + 1, "goal_progress": progress}
        return Step(
            Intent.REASK,
            part,
            asked_back,
            reason=ASKED_BACK_REASON,
            gives_figures=untold_figures(state["goal"], typed),
        )
    if asked:
        asked_progress = [_progress(turn, part, "asked_user", None)]
        return Step(
            Intent.ANSWER,
            part,
            {"goal_progress": asked_progress},
            reason=" ".join(asked),
            gives_figures=untold_figures(state["goal"], typed),
        )
    others = _delivered_before(state, part, each_reply)
    seen = (
        SAME_REPLY_REASON
        if repeated
        else evidently_undelivered(parts[part], reply, replies[:-1], [state["goal"], *typed], others)
    )
    if cannot_help(reply):
        seen = REFUSED_REASON
    elif seen == NO_RESULT and not has_own_figures(typed, state["goal"]):
        seen = NEEDS_FIGURES_REASON
    p_yes = None if seen else await assess(parts[part])
    if p_yes is not None and (p_yes >= ACCEPT or bare_piece_delivered(parts[part], reply)):
        done = [_progress(turn, part, "delivered", p_yes)]
        # The next part not yet delivered: after the judge sent the user back to part k, the parts
        # after it that came earlier are not asked again (the user had walked the whole plan again
        # after every refused claim, asking for the CLI three times).
        delivered = {
            entry["part"] for entry in state.get("goal_progress", []) if entry["status"] == "delivered"
        }

        def undelivered_after(index: int) -> int:
            return next((k for k in range(index + 1, len(parts)) if k not in delivered), len(parts))

        following = undelivered_after(part)
        # ... nor one the same reply plainly delivered too (a poem of the shape asked next)
        while following < len(parts) and poem_shape_met(parts[following], reply):
            done.append(_progress(turn, following, "delivered", None))
            following = undelivered_after(following)
        if following < len(parts):
            return Step(Intent.NEXT, following, {"part": following, "part_asks": 1, "goal_progress": done})
        if turn >= _claim_floor(context):
            return Step(None, following, {"part": following, "goal_claimed": True, "goal_progress": done})
        return Step(Intent.FOLLOW_UP, following, {"part": following, "part_asks": 0, "goal_progress": done})
    missing = [_progress(turn, part, "not_delivered", p_yes)]
    # A refusal for want of the user's details ("I do not have access to your specific chicken feed
    # details") is answered with them, as a person would: the goal's not yet typed, else details of
    # their own ("I cannot provide information on the calories burned ... since I do not have access
    # to the information you provided" made the speeds user give up at once, after three turns, in
    # the grid run of 2026-11-29; a person gives their weight). No rewording reaches what is out of
    # reach (live data, the web), but the user's own details are theirs to give.
    lacks_details = seen == REFUSED_REASON and bool(_LACKS_USERS_DETAILS.search(reply))
    # ... and a user who measured something (timed their races) and has not given any of it yet is
    # not refused twice, only not yet answered; they give their figures (seen on 2026-11-29: "please
    # calculate my speeds", refused for want of "your personal speed data", and a second message
    # with no times; the user gave up before ever giving them).
    awaits_details = (
        lacks_details and measures_own_data(state["goal"]) and not has_own_figures(typed, state["goal"])
    )
    refused = cannot_help(reply) and (
        (asks >= 2 and not awaits_details) or (bool(_OUT_OF_REACH.search(reply)) and not lacks_details)
    )
    if asks >= context.max_part_asks or refused:
        return _gives_up(part, missing)
    reask = {"part_asks": asks + 1, "goal_progress": missing}
    can_tell = lacks_details and bool(untold_figures(state["goal"], typed))
    if lacks_details and not can_tell:
        seen = LACKS_DETAILS_REASON  # asked, not required: the goal's figures may all be typed already
    gives = seen == NEEDS_FIGURES_REASON or can_tell or awaits_details
    return Step(Intent.REASK, part, reask, reason=seen or "", gives_figures=gives)


def _claim_floor(context: Context) -> int:
    """User messages before the goal may be claimed: ``min_turns_before_stop``, but one short of the
    turn cap, so that a short run (``make demo``'s 4 turns) still ends in a claim the judge checks
    rather than at the cap."""
    return max(1, min(context.min_turns_before_stop, context.max_turns - 1))


def untold_figures(goal: str, typed: Sequence[str]) -> bool:
    """The goal holds figures the user has not ``typed`` yet: asked something, the user gives one of
    them, as a person gives the facts they have (seen on 2026-11-28: asked for the feed per chicken,
    a user whose goal says three cups each asked four times "how much feed for 20 chickens" and gave
    up; another answered "How many cups ... for my 20 chickens" with the 20 they had given)."""
    return bool(stated_figures(goal) - set().union(*(stated_figures(text) for text in typed)))


def _progress(turn: int, part: int, status: str, p_yes: float | None) -> dict[str, Any]:
    return {"turn": turn, "part": part, "status": status, "p_yes": None if p_yes is None else round(p_yes, 3)}
