"""Honest goal checks: per-part questions with quoted evidence, then the whole goal.

First, plain evidence that the goal was not met rejects the claim without asking a model
(:mod:`nodes.checkable`: false arithmetic in a reply, a number of the expected outcome that no reply
gives, a broken word limit, a "new version" that copies the old one, nothing but refusals). Then a
dialogue counts as ``goal_verified`` only when the judge, for **every part** of the goal plan,

1. quotes a sentence of the assistant's replies that delivers it, and that sentence is really in
   the replies (a made-up or empty quote fails the part; items of a list the reply gives, a line
   of its code or a name its code defines count as quotes too), and
2. says YES with probability at least ``judge_threshold`` (token probabilities where the endpoint
   gives them, else the share of YES over ``judge_samples`` samples: see :mod:`nodes.likelihood`),

and then says YES, with the same threshold, to the whole goal. Parts are checked in order and the
first failing one is reported, so that the simulated user asks for it again. The same function
judges the labelled goal-check set in ``roleplay eval``.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage

from llm_roleplay.blocks.style.sentences import SENTENCE
from llm_roleplay.nodes.checkable import (
    EXAMPLE_MARKER,
    Finding,
    distinctive_stems,
    evident_failures,
    outside_examples,
    topic_stems,
)
from llm_roleplay.nodes.checks import asks_for_figures, longest_common_run, words
from llm_roleplay.nodes.code_language import CODE_NAME, code_blocks
from llm_roleplay.nodes.continuation import joined_continuations
from llm_roleplay.nodes.likelihood import ask_yes_no
from llm_roleplay.nodes.rendering import as_rendered, transcript_text
from llm_roleplay.nodes.state import merge_counts
from llm_roleplay.prompts import load_prompt

_EVIDENCE = re.compile(r"evidence\s*:\s*(.*?)(?:\n\s*done\s*:|$)", re.IGNORECASE | re.DOTALL)
_NO_EVIDENCE = frozenset({"", "none", "n/a", "no", "nothing", "-"})
QUOTE_SHARE = 0.6  # of a quote's words that must be found in one reply, in one run
MIN_QUOTE_WORDS = 3
SAME_SENTENCE_SHARE = 0.9  # of the shorter of two quotes, in one run: one holds the other, not a rewrite


@dataclass(frozen=True)
class PartCheck:
    part: str
    verified: bool
    p_yes: float | None
    evidence: str | None  # the quoted sentence, when it is found in the replies
    method: str
    quoted_for: int | None = None  # the earlier part whose quote it repeated (then evidence is None)

    def as_dict(self) -> dict[str, Any]:
        p_yes = None if self.p_yes is None else round(self.p_yes, 3)
        return {"part": self.part, "verified": self.verified, "p_yes": p_yes, "evidence": self.evidence}


@dataclass(frozen=True)
class GoalVerdict:
    goal_met: bool
    parts: list[PartCheck]
    p_goal: float | None  # P(YES) for the whole goal; None when a part failed first
    first_failed: int | None
    rationale: str
    usage: dict[str, int] = field(default_factory=dict)


@dataclass(frozen=True)
class Judge:
    """The judge's two models (short answers and quoted evidence), threshold and seeds."""

    answer: BaseChatModel  # one-token YES/NO
    explain: BaseChatModel  # evidence, then YES/NO
    threshold: float
    samples: int
    seed: Callable[[str, int], int]  # (question, sample index) -> seed
    sampler: Callable[[], BaseChatModel] | None = None  # temperature > 0, where logprobs are missing


def judge_transcript(messages: Sequence[Mapping[str, Any]]) -> str:
    """``User: ...`` / ``Assistant: ...`` paragraphs, the replies as rendered (what the judge reads)."""
    return transcript_text(
        (message.get("role") == "user", str(message.get("content") or "")) for message in messages
    )


EXAMPLE_CONTEXT_CHARS = 200  # how far before the quote an "example" marker still frames it


def quoted_evidence(answer: str, replies: Sequence[str], code_counts: bool = True) -> str | None:
    """The evidence of a judge's answer if it really occurs in one of the replies: a sentence not
    framed as an example or an assumption (a worked example is not the user's result), items of a
    list the reply gives, or, where code answers the part (``code_counts``), a line of its code or
    the lines of the names the judge put in backticks."""
    match = _EVIDENCE.search(answer)
    quote = (match.group(1) if match else "").strip().strip('"“”<>').strip()
    if quote.lower().rstrip(".") in _NO_EVIDENCE:
        return None
    length = len(words(quote))
    if length == 0:
        return None
    needed = max(min(MIN_QUOTE_WORDS, length), round(QUOTE_SHARE * length))
    for reply in replies:
        # Code is what was asked for, however the reply introduces it ("Here's an example of how
        # you can make an API call:" framed every quoted line of the right answer as an example).
        code = "\n".join(body for _, body in code_blocks(reply)) if code_counts else ""
        if code and _copies_code(quote, code):
            return quote
        if code and (lines := _lines_of_named(quote, code)):
            return lines
        if longest_common_run(quote, reply) >= needed:
            framed = (
                _framed_as_example(quote, reply)
                or longest_common_run(quote, outside_examples(reply)) < needed
            )
            return None if framed else quote
        if _lists_items_of(quote, outside_examples(reply)):
            return quote
    return None


# Comments to the end of the line ("// ...", "# ..."), and "/* ... */".
_COMMENT = re.compile(r"(?://|#)[^\n]*|/\*.*?\*/", re.DOTALL)


def _copies_code(quote: str, code: str) -> bool:
    """The quote copies the code, comments aside on both sides: the embedded judge copied a right
    JavaScript function without its comment lines, and no run of the reply was long enough."""
    bare_quote = _COMMENT.sub(" ", quote)
    length = len(words(bare_quote))
    needed = max(min(MIN_QUOTE_WORDS, length), round(QUOTE_SHARE * length))
    return length > 0 and longest_common_run(bare_quote, _COMMENT.sub(" ", code)) >= needed


_LIST_SEPARATOR = re.compile(r"\s*(?:[,;]|\band\b)\s*")
MIN_LIST_ITEMS = 3
MAX_ITEM_WORDS = 8


def _lists_items_of(quote: str, reply: str) -> bool:
    """The quote lists three or more short items that are each in the reply word for word. Asked
    for a list of places, the embedded judge quoted "Mont Saint Michel, Rouen Cathedral, Gordes,
    Paris, Lyon, Marseille, Orsay Museum", the items of the reply's list, not one sentence of it."""
    items = [item for item in _LIST_SEPARATOR.split(quote.strip().rstrip(".")) if words(item)]
    return len(items) >= MIN_LIST_ITEMS and all(
        len(words(item)) <= MAX_ITEM_WORDS and longest_common_run(item, reply) == len(words(item))
        for item in items
    )


_KEYWORDS = "export|default|static|async|public|private|protected|def|function|class|const|let|var|fn|func"
_MODIFIERS = rf"(?:(?:{_KEYWORDS})\s+)*"  # before a name that a line defines


def _lines_of_named(quote: str, code: str) -> str | None:
    """When the judge describes code instead of copying it ("The assistant provided a class
    `VowelCounter` with a static method `fromApi` that uses `fetch` ...", seen for a right
    JavaScript class), the code lines of the names it puts in backticks, joined by " / ": for each,
    the line that defines it, else the first that uses it; None unless every name is in the code.
    All of them, not one: the judge names the class for every part, and what sets a part apart is
    in the other names (``fetch`` for "get the input string from an API call")."""
    names = list(dict.fromkeys(CODE_NAME.findall(quote)))
    lines = [line.strip() for line in code.splitlines() if line.strip()]
    quoted: list[str] = []
    for name in names:
        using = [line for line in lines if _as_a_name(name).search(line)]
        if not using:
            return None
        definition = re.compile(rf"^{_MODIFIERS}{re.escape(name)}\s*(?:\(|=|\{{|:|extends\b)")
        quoted.append(next((line for line in using if definition.match(line)), using[0]))
    return " / ".join(dict.fromkeys(quoted)) or None


def _as_a_name(name: str) -> re.Pattern[str]:
    """``name`` as a whole identifier: ``count`` is not in ``countVowels``."""
    return re.compile(rf"(?<![\w$]){re.escape(name)}(?![\w$])")


def _framed_as_example(quote: str, reply: str) -> bool:
    """An example marker in the quoted sentence or in the text just before it (the quote outside
    every worked example of the reply, an example announced by the paragraph before included, is
    checked by the caller)."""
    best_start, best_end, best_run = 0, len(reply), -1
    for match in SENTENCE.finditer(reply):
        run = longest_common_run(quote, match.group())
        if run > best_run:
            best_start, best_end, best_run = match.start(), match.end(), run
    context = reply[max(0, best_start - EXAMPLE_CONTEXT_CHARS) : best_end]
    return bool(EXAMPLE_MARKER.search(context.replace("’", "'")))


async def verify_goal(
    judge: Judge,
    goal: str,
    parts: Sequence[str],
    messages: Sequence[Mapping[str, str]],
    expected_outcome: str | None = None,
    turn: int = 0,
) -> GoalVerdict:
    """Check every part, then the whole goal (see the module docstring)."""
    messages = joined_continuations(messages)  # a cut-off reply and its continuation are one
    evident = evident_failures(parts, messages, expected_outcome)
    if evident:
        found = "; ".join(f"{finding.check}: {finding.detail}" for finding in evident[:3])
        return GoalVerdict(False, [], None, _part_of(evident, len(parts)), f"evidently not met ({found})")
    transcript = judge_transcript(messages)
    # The judge quotes the replies as it read them: rendered.
    replies = [as_rendered(message["content"]) for message in messages if message["role"] == "assistant"]
    expected = f"A correct answer contains: {expected_outcome.strip()}\n" if expected_outcome else ""
    usage: dict[str, int] = {}
    checks: list[PartCheck] = []
    for index, part in enumerate(parts):
        question = f"part{index}"
        prompt = load_prompt("judge_part_check").render(transcript=transcript, part=part, expected=expected)
        answer = await ask_yes_no(
            judge.explain,
            [HumanMessage(prompt)],
            task="judge_part_check",
            turn=turn,
            seed=partial(judge.seed, question),
            after="Done:",
            samples=judge.samples,
            sampler=judge.sampler,
        )
        usage = merge_counts(usage, answer.usage)
        evidence = quoted_evidence(answer.text, replies, code_counts=not asks_for_figures(part))
        reused = _quoted_for_an_earlier_part(evidence, part, parts, checks)
        if reused is not None:
            evidence = None
        verified = evidence is not None and answer.p_yes is not None and answer.p_yes >= judge.threshold
        checks.append(PartCheck(part, verified, answer.p_yes, evidence, answer.method, reused))
        if not verified:
            reason = _why_it_failed(evidence, reused)
            return GoalVerdict(
                False, checks, None, index, f"part {index + 1} ({part}): {reason}{_p(answer.p_yes)}", usage
            )
    prompt = load_prompt("judge_goal_final").render(transcript=transcript, goal=goal, expected=expected)
    final = await ask_yes_no(
        judge.answer,
        [HumanMessage(prompt)],
        task="judge_goal_final",
        turn=turn,
        seed=partial(judge.seed, "goal"),
        samples=judge.samples,
        sampler=judge.sampler,
    )
    usage = merge_counts(usage, final.usage)
    met = final.p_yes is not None and final.p_yes >= judge.threshold
    rationale = (
        f"all {len(parts)} parts delivered with quoted evidence; whole goal{_p(final.p_yes)}"
        if met
        else f"every part has evidence, but the whole goal is not met{_p(final.p_yes)}"
    )
    return GoalVerdict(met, checks, final.p_yes, None if met else len(parts) - 1, rationale, usage)


def _why_it_failed(evidence: str | None, reused: int | None) -> str:
    if reused is not None:
        return f"the sentence quoted for it was quoted for part {reused + 1}"
    return "no sentence of the replies does it" if evidence is None else "not done correctly"


def _quoted_for_an_earlier_part(
    evidence: str | None, part: str, parts: Sequence[str], earlier: Sequence[PartCheck]
) -> int | None:
    """The earlier part whose quote holds ``evidence`` or is held by it (the same sentence, not a
    rewrite of it), when ``evidence`` does not name what sets ``part`` apart from the other parts.

    One sentence may deliver two parts ("an 18% tip of $11.52 makes $75.52 in total" gives the tip
    and the total), but then it names both. The embedded judge quoted a recipe step ("Add the
    melted butter to the dough and stir until it is incorporated.") for "a simple recipe for
    pancakes without eggs" and again for "how to make them fluffier", which no reply explained
    (``make demo`` of 2026-11-28: verified, not met)."""
    if evidence is None or distinctive_stems(part, parts) & topic_stems(evidence):
        return None
    for index, check in enumerate(earlier):
        if check.evidence is None:
            continue
        shorter = min(len(words(evidence)), len(words(check.evidence)))
        if longest_common_run(evidence, check.evidence) >= max(1, round(SAME_SENTENCE_SHARE * shorter)):
            return index
    return None


def _part_of(findings: Sequence[Finding], parts: int) -> int:
    """The part a finding names ("part 2: ..."), else the last part (arithmetic, numbers: the result)."""
    for finding in findings:
        if match := re.match(r"part (\d+):", finding.detail):
            return int(match.group(1)) - 1
    return parts - 1


def _p(p_yes: float | None) -> str:
    return " (P(yes) unknown)" if p_yes is None else f" (P(yes) {p_yes:.2f})"
