"""What a goal check can verify without trusting a model: arithmetic, numbers, limits, repeats.

A small judge model says YES to nearly anything that looks like an answer (measured on the embedded
model: P(YES) 0.7-0.9 for met and unmet goals alike, and 0.65 with the replies hidden). These
checks look for plain evidence that a reply is wrong, and each one alone rejects a claim:

- **false arithmetic**: an equation written in a reply ("3 + 24 = 28", "2 h x 6 mph = 12 miles")
  whose sides differ when evaluated, or a time or length restated wrongly ("1 minute and 30
  seconds (which is 70 seconds)": :mod:`nodes.conversions`), or money items that do not add up to
  the total below them, or a share that is not that total divided (:mod:`nodes.totals`);
- **missing expected numbers**: a number of the goal's ``expected_outcome`` that no reply contains;
- **broken word limits**: a part asking for "under 100 words" whose answer is longer;
- **empty rewrites**: a part asking to change, refine or shorten something answered with a copy of
  an earlier reply, or with code of no line the earlier code lacks, or with the line to change left
  as it was (:mod:`nodes.code_edit`), or one
  asking for the other case ("the other way around") answered with no figure an earlier reply
  lacks;
- **refusals**: every reply since the part was asked says the chatbot cannot do it;
- **no result**: a calculation answered with no figure beyond the ones the user and the plan gave
  (the formulas and a request for the stopwatch readings; worked examples and code aside), or with
  the reply that answered another part (the day's 40 cups for "the final meal");
- **short lists**: a part asking for N things ("list the 10 oldest cities") answered with a
  numbered list that stops before N, or that names one item twice;
- **offers instead of answers**: the last reply offers to do a part ("Would you like me to also
  prepare a shorter version?"): what a chatbot offers it has not done;
- **code in another language**: every code block of an answer is in a language the goal, its parts
  and the user never named (Python for a JavaScript goal: :mod:`nodes.code_language`);
- **what was to be left out, put in**: "2 large eggs" in pancakes "without eggs"
  (:mod:`nodes.exclusions`);
- **no piece written**: an email, poem, code, text or schedule asked for, and an answer about it instead of
  with it ("Sure, here is a firmer version of your email. It makes ...", no email:
  :mod:`nodes.written_piece`);
- **the other side**: a text asked to agree with a statement, and "As an AI language model, I do not
  agree with the statement ..." (:mod:`nodes.stance`);
- **another item**: the 3rd city of the chatbot's own list asked about, and an answer about the 4th
  (:mod:`nodes.list_pick`);
- **a recipe scaled wrongly**: "200 ml coconut milk" tripled to 500 ml (:mod:`nodes.scaling`);
- **a poem of the wrong shape**: six verses where four quatrains were asked, or the poem's verses
  again after it (:mod:`nodes.poem_shape`);
- **a "one-liner" of several lines** (:mod:`nodes.one_line`);
- **buildings for walks**: places to walk asked for, and a list of museums (:mod:`nodes.place_kind`).

A reply cut off at the chatbot's token cap and continued after the user's "continue" is read as one
reply (:mod:`nodes.continuation`).
"""

from __future__ import annotations

import ast
import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from difflib import SequenceMatcher

from llm_roleplay.nodes.calories import impossible_burn
from llm_roleplay.nodes.checks import (
    NUMBER,
    NUMBER_WORDS,
    TASK_VERBS,
    asks_for_figures,
    is_refusal,
    longest_common_run,
    number_value,
    numbers_in,
    stem,
    words,
)
from llm_roleplay.nodes.code_edit import line_not_replaced, same_code_again
from llm_roleplay.nodes.code_language import FENCE, named_languages, wrong_language
from llm_roleplay.nodes.continuation import joined_continuations
from llm_roleplay.nodes.conversions import false_conversions
from llm_roleplay.nodes.exclusions import excluded_things, puts_in_excluded
from llm_roleplay.nodes.list_pick import answers_another_item
from llm_roleplay.nodes.one_line import not_one_line
from llm_roleplay.nodes.place_kind import buildings_for_walks
from llm_roleplay.nodes.poem_shape import wrong_poem_shape
from llm_roleplay.nodes.recursion import not_recursive
from llm_roleplay.nodes.remainder import given_summed_for_the_rest
from llm_roleplay.nodes.scaling import wrongly_scaled
from llm_roleplay.nodes.stance import takes_the_other_side
from llm_roleplay.nodes.totals import false_shares, false_totals
from llm_roleplay.nodes.voice import content_words
from llm_roleplay.nodes.written_piece import asked_piece, missing_piece

_OPERATOR = r"[+\-−–×x*/÷]"
_UNIT = r"(?:\s*(?:%|[a-zA-Z]{1,5}\.?(?:/[a-zA-Z]{1,4})?))?"
# "a op b [op c ...] = r", numbers with optional units ("2 h × 6 mph = 12 miles"); not the first link
# of a chain ("= 23 + 21.25 = 44.25") and not a percentage result.
_EQUATION = re.compile(
    rf"(?<![\w.])({NUMBER}{_UNIT})((?:\s*{_OPERATOR}\s*{NUMBER}{_UNIT})+)"
    rf"\s*=\s*\$?({NUMBER})(?![\d.,]*\d)(?!\s*%)(?!\s*{_OPERATOR}\s*\d)"
)
_OPERAND = re.compile(rf"({NUMBER})(\s*%)?")
_TERM = re.compile(rf"({_OPERATOR})\s*({NUMBER})(\s*%)?")
_WORD_LIMIT = re.compile(
    r"\b(?:under|at most|no more than|less than|fewer than|max(?:imum)?(?: of)?|within|up to)"
    r"\s+(\d+)\s+words\b",
    re.IGNORECASE,
)
_REWRITE = re.compile(
    r"\b(?:change|refine|rewrite|shorten|shorter|firmer|improve|edit|revise|modify|replace|substitute|polish|"
    r"funnier|simpler|longer|update)\b",
    re.IGNORECASE,
)
RELATIVE_TOLERANCE = 0.001  # on top of rounding to the digits shown ("100 / 17 = 5.9")
COPY_SHARE = 0.9  # a "new version" that repeats this much of an earlier reply is a copy


@dataclass(frozen=True)
class Finding:
    check: str
    detail: str


# "200 ÷ 30.1 = **7.64 m/s**": bold beside "=" hid a wrong speed from the checker (labelled set)
_BOLD_BESIDE_EQUALS = re.compile(r"(=\s*)\*\*|\*\*(\s*=)")


def _rounding(result: str) -> float:
    """Half a unit of the result's last digit: "5.9" may stand for anything from 5.85 to 5.95."""
    decimals = len(result.rsplit(".", 1)[1]) if "." in result else 0
    return 0.5 * 10**-decimals


def _operand(number: str, percent: str | None) -> float:
    """A number of an equation; "6%" is 0.06."""
    return number_value(number) / 100 if percent else number_value(number)


def false_arithmetic(text: str) -> list[str]:
    """Equations in ``text`` whose left side, evaluated left to right with the usual precedence, is not
    its right side; then the quantities it restates wrongly (a conversion is an equation too)."""
    wrong = []
    for match in _EQUATION.finditer(_BOLD_BESIDE_EQUALS.sub(r"\1\2", text)):
        first = _OPERAND.match(match.group(1))
        if first is None:
            continue
        terms = [(op, _operand(number, percent)) for op, number, percent in _TERM.findall(match.group(2))]
        try:
            left = _evaluate(_operand(first.group(1), first.group(2)), terms)
        except (ZeroDivisionError, ValueError):
            continue
        right = number_value(match.group(3))
        if abs(left - right) > _rounding(match.group(3)) + RELATIVE_TOLERANCE * abs(right):
            wrong.append(match.group(0).strip())
    return wrong + false_conversions(text) + false_totals(text) + false_shares(text)


def _evaluate(first: float, terms: Sequence[tuple[str, float]]) -> float:
    expression = repr(first) + "".join(
        f" {'*' if op in 'x×*' else '/' if op in '/÷' else '-' if op in '-−–' else '+'} {value!r}"
        for op, value in terms
    )
    return _safe_eval(ast.parse(expression, mode="eval").body)


def _safe_eval(node: ast.AST) -> float:
    if isinstance(node, ast.Constant) and isinstance(node.value, int | float):
        return float(node.value)
    if isinstance(node, ast.UnaryOp) and isinstance(node.op, ast.USub):
        return -_safe_eval(node.operand)
    if isinstance(node, ast.BinOp):
        operations = {
            ast.Add: operator.add,
            ast.Sub: operator.sub,
            ast.Mult: operator.mul,
            ast.Div: operator.truediv,
        }
        for kind, function in operations.items():
            if isinstance(node.op, kind):
                return function(_safe_eval(node.left), _safe_eval(node.right))
    raise ValueError("not arithmetic")


def missing_expected_numbers(expected_outcome: str, replies: Sequence[str]) -> list[str]:
    """Numbers of the expected outcome that no reply mentions (to within rounding: 0.5%)."""
    found = set().union(*(numbers_in(reply) for reply in replies)) if replies else set()
    expected = re.findall(NUMBER, expected_outcome)
    return [
        number
        for number in dict.fromkeys(expected)
        if not any(
            abs(value - number_value(number)) <= 0.005 * max(abs(number_value(number)), 1.0)
            for value in found
        )
    ]


def broken_word_limit(part: str, answer: str) -> str | None:
    """'under 100 words' in the part, and an answer (code and headings left out) longer than that."""
    match = _WORD_LIMIT.search(part)
    if not match:
        return None
    prose = re.sub(r"```.*?```", " ", answer, flags=re.DOTALL)
    lines = [
        line
        for line in prose.splitlines()
        if line.strip() and not re.match(r"\s*(?:#|\*\*[^*]+\*\*\s*$)", line)
    ]
    count = len(words(" ".join(lines)))
    limit = int(match.group(1))
    return f"{count} words where at most {limit} were asked" if count > limit else None


def copied_rewrite(part: str, answer: str, earlier: Sequence[str]) -> bool:
    """A part asking for a change, answered with (nearly) the text of an earlier reply.

    Shares are of the shorter text: a "refined version" that is the old poem word for word between
    a new first and last sentence ("Here's a refined version with tighter meter ...") repeats all of
    it, though only 82% of its own words (the labelled set's met rewrites repeat at most 64%). An
    answer half again as long as the old text may hold the old one and a new one: not a copy.
    """
    if not _REWRITE.search(part):
        return False
    length = len(words(answer))
    return any(
        min(length, len(words(before))) >= 20
        and length <= 1.5 * len(words(before))
        and longest_common_run(answer, before) >= COPY_SHARE * min(length, len(words(before)))
        for before in earlier
    )


# A part asking for the other case of a calculation: "the other way around (one-third of the time
# walking ...)", "what if I swap them", "do it for 4 people instead".
_OTHER_CASE = re.compile(
    r"\b(?:other way (?:a)?round|the opposite|the reverse|reversed?|swap(?:ped)?|switch(?:ed)?"
    r"|vice versa|instead)\b",
    re.IGNORECASE,
)
SAME_FIGURES = "it gives the same figures as before"


def same_figures_again(part: str, answer: str, earlier: Sequence[str]) -> str | None:
    """A part asking for the other case, answered with no figure that an earlier reply lacks: the
    1.5B chatbot redid the first case step for step ("18 miles" both ways, where the other way is
    27) and the user took it as delivered (P(yes) 0.92, reading run of 2026-11-28)."""
    if not _OTHER_CASE.search(part):
        return None
    figures = _figures(outside_examples(answer))
    if figures and any(figures <= _figures(before) for before in earlier):
        return SAME_FIGURES
    return None


SAME_ANSWER = "it is the same answer as to my other question"
SAME_ANSWER_RATIO = 0.8  # how alike the two replies' texts are (difflib's ratio)


def same_answer_as_before(part: str, answer: str, answers_to_others: Sequence[str]) -> str | None:
    """A calculation answered with (nearly) the reply that answered another part, holding no figure
    that reply lacks. Seen on 2026-11-28: "how many cups in the final meal of the day" answered with
    the day's total, 40 cups, step for step the reply to "the total amount of feed" (90% alike), and
    taken as delivered (P(yes) 0.67). Of 266 real follow-up calculations (ShareGPT, first 8,800
    conversations), 2 replies are so like the reply before, both no answer to the new question."""
    if not asks_for_figures(part):
        return None
    figures = _figures(outside_examples(answer))
    for other in answers_to_others:
        if not figures or not figures <= _figures(other):
            continue
        matcher = SequenceMatcher(None, answer, other, autojunk=False)
        if matcher.real_quick_ratio() >= SAME_ANSWER_RATIO and matcher.ratio() >= SAME_ANSWER_RATIO:
            return SAME_ANSWER
    return None


NO_RESULT = "it gives no result"

# Words that make what follows an illustration rather than the user's result.
EXAMPLE_MARKER = re.compile(
    r"\b(?:for example\b|for instance\b|e\.g\.|an example\b|example:|(?:this|that|the above) example\b"
    r"|suppose\b|let's say\b|let's assume\b"
    r"|assum(?:e|ing)\b|hypothetical|imagine\b)",
    re.IGNORECASE,
)


_DIGIT = re.compile(r"\d")
_BACK_TO_USER = re.compile(
    r"\s*(?:now\b|in your case|for your\b|using your\b|with your\b|based on your\b|so for you\b)",
    re.IGNORECASE,
)


def outside_examples(text: str) -> str:
    """``text`` without its worked examples: a paragraph from the sentence that says "for example"
    (or "let's assume", ...) to its end. A reply that shows the method on made-up figures ("For
    example, if you ran a 10-kilometer race in 30 minutes, your speed would be 20 km/h") has given
    the user no result of theirs; the user had taken it for one three times in a row). An example
    announced at a paragraph's end ("Here's an example:") is the paragraph that follows (seen: a
    table of three made-up races with their speeds, taken for the user's speeds), and each one after
    it that carries figures too, up to one that turns to the user ("Now, with your times: ..."): the
    1.5B chatbot's "Here's an example ...:" ran over three paragraphs, one per made-up race, and the
    user took the second and third for their speeds (reading run of 2026-11-28)."""
    kept = []
    announced = skipped = False
    for paragraph in _paragraphs(text):
        if announced and not (skipped and (not _DIGIT.search(paragraph) or _BACK_TO_USER.match(paragraph))):
            skipped = True
            continue
        announced = skipped = False
        marker = EXAMPLE_MARKER.search(paragraph.replace("’", "'"))
        if marker:
            start = max(paragraph.rfind(stop, 0, marker.start()) for stop in (". ", "! ", "? ", "\n"))
            announced = paragraph.rstrip().endswith(":")
            paragraph = paragraph[: start + 1] if start >= 0 else ""
        kept.append(paragraph)
    return "\n\n".join(kept)


def _paragraphs(text: str) -> list[str]:
    """Blank-line separated paragraphs, a fenced code block (blank lines and all) being one."""
    pieces: list[str] = []
    start = 0
    for fence in FENCE.finditer(text):
        pieces += [*re.split(r"\n\s*\n", text[start : fence.start()]), fence.group()]
        start = fence.end()
    return [piece for piece in pieces + re.split(r"\n\s*\n", text[start:]) if piece.strip()]


def has_own_figures(user_messages: Sequence[str], goal: str) -> bool:
    """The user has given a number of their own (one the goal does not hold) in some message."""
    in_goal = _figures(goal)
    return any(_figures(text) - in_goal for text in user_messages)


def _gives_no_result(part: str, answer: str, given: set[float]) -> bool:
    """A calculation answered with no figure beyond the ``given`` ones. Figures in code are inputs
    of a program the user would have to run, not a result ("distance = 100", "time = 30" in a speed
    calculator, seen taken for the speeds); worked examples are no result either; nor, where speeds
    are asked, a time or a distance."""
    if not asks_for_figures(part):
        return False
    shown = FENCE.sub(" ", outside_examples(answer))
    if _SPEED.search(part):
        shown = _TIME_OR_DISTANCE.sub(" ", shown)
    return not _figures(shown) - given


# A speed is a distance per time: "a total time of 4 minutes 60 seconds", the user's own race times
# added up wrongly, had been taken for the speeds asked (reading run of the evening of 2026-11-29).
# "3.3 m/s", "12 km/h", "3.3 meters per second" stay.
_SPEED = re.compile(r"\b(?:speeds?|pace|velocit(?:y|ies))\b", re.IGNORECASE)
_TIME_OR_DISTANCE = re.compile(
    r"(?<![\d.])\d+(?:[.,]\d+)?\s*(?:seconds?|secs?|s|minutes?|mins?|hours?|hrs?|h|meters?|metres?|m"
    r"|kilomet(?:er|re)s?|km|miles?|mi)\b(?!\s*(?:/|per\b))",
    re.IGNORECASE,
)


def _result_came_later(
    part: str, answer: str, messages: Sequence[Mapping[str, str]], given: set[float]
) -> bool:
    """The user gave figures of their own after ``answer`` (the method), or asked for the part
    again, and a reply after that, about the part, gives a figure of its own: the speeds once the
    user gave the times (grid run of 2026-11-29: "no result" was found in the method reply, and the
    user was sent back to complain of speeds the chatbot had given); the calories of each race after
    a refusal and the user's asking again (a speeds dialogue of the evening: the user complained of
    per-race calories that four replies running had given). The user's new figures count as given
    for that reply."""
    contents = [message["content"] for message in messages]
    if answer not in contents:
        return False
    start = contents.index(answer)
    before = [_figures(part)] + [_figures(m["content"]) for m in messages[:start] if m["role"] == "user"]
    told_before = set().union(*before)
    wanted, told = topic_stems(part), False
    for message in messages[start + 1 :]:
        text = message["content"]
        if message["role"] == "user":
            # ... or asked for the part again, in most of its words (a refusal, then the result)
            asked_again = 2 * len(wanted & topic_stems(text)) > len(wanted)
            told = told or asked_again or bool(_figures(text) - told_before)
        elif told and wanted & topic_stems(text) and not _gives_no_result(part, text, given):
            return True
    return False


def _mended_later(
    part: str, answer: str, messages: Sequence[Mapping[str, str]], passes: Callable[[str], bool]
) -> bool:
    """A reply after ``answer``, to a user message after it, that is about ``part`` (half its topic
    words) and ``passes`` the check ``answer`` failed: the complaint was answered. make demo of the
    night of 2026-11-29: the recipe with "2 large eggs (optional)" was judged though the egg-free one
    that answered the user's complaint came next, and the user was sent back."""
    contents = [message["content"] for message in messages]
    if answer not in contents:
        return False
    wanted = topic_stems(part)
    later = messages[contents.index(answer) + 1 :]
    return any(
        message["role"] == "assistant"
        and later[position - 1]["role"] == "user"
        and 2 * len(wanted & topic_stems(message["content"])) >= len(wanted)
        and passes(message["content"])
        for position, message in enumerate(later)
        if position > 0
    )


def evidently_undelivered(
    part: str, reply: str, earlier: Sequence[str], known: Sequence[str], answers_to_others: Sequence[str] = ()
) -> str | None:
    """What a person sees at a glance that ``reply`` did not deliver ``part``, or None.

    The user's reading before any model's: a calculation answered with no figure beyond the ones
    the user gave (``known``: their messages and the goal), only the method ("Speed = 50 / Time");
    a sum that does not add up; a word limit broken; a "new version" that copies an ``earlier``
    reply; a numbered list shorter than the part asks for; an offer to do the part ("Would you
    like me to write a shorter version?"); code in a language nobody asked for; eggs in a recipe
    "without eggs"; an email, poem, code or text asked for and not written; "I do not agree" where
    agreement was asked; the 4th city of a list where the 3rd was asked about; six verses where four
    were asked; a "one-liner" of four lines; museums where places to walk were asked; the reply
    that answered another part (``answers_to_others``) given again for a calculation. A small
    model's YES/NO takes such replies as delivered (P(YES) 0.55-0.75 in the runs of 2026-11-27),
    and the user moved on where a person would have pushed back.
    """
    if _gives_no_result(part, reply, set().union(*(_figures(text) for text in known))):
        return NO_RESULT
    if wrong := false_arithmetic(reply):
        return f"{wrong[0]} is wrong"
    if detail := given_summed_for_the_rest(part, reply, known) or impossible_burn(reply, known):
        return detail
    if detail := broken_word_limit(part, reply):
        return detail
    if copied_rewrite(part, reply, earlier):
        return "it is the same text as before"
    if detail := (
        same_code_again(part, reply, earlier)
        or line_not_replaced(part, reply, earlier)
        or not_recursive(part, reply)
    ):
        return detail
    if detail := wrongly_scaled(part, reply, earlier):
        return detail
    if detail := same_figures_again(part, reply, earlier) or same_answer_as_before(
        part, reply, answers_to_others
    ):
        return detail
    return (
        shorter_list(part, reply)
        or repeated_list_item(part, reply)
        or offers_instead(part, reply)
        or wrong_language(reply, named_languages([part, *known]))
        or puts_in_excluded(reply, excluded_things([part, *known]))
        or missing_piece(part, reply)
        or takes_the_other_side(part, reply)
        or answers_another_item(part, reply, earlier)
        or wrong_poem_shape(part, reply)
        or not_one_line(part, reply)
        or buildings_for_walks(part, [reply])
    )


# "Would you like me to also prepare a shorter version ...?", "If you'd like, I can also write a
# funnier version!", "Let me know if you'd like a shopping list": offers of a part, ending a reply
# that was to deliver it (the labelled set's "only offered, never written" endings).
_OFFER = re.compile(
    r"\b(?:would you like(?: me)? to|do you want me to|shall i|want me to|i can also|i could also"
    r"|if you(?:'d| would) like,? i (?:can|could)|let me know if you(?:'d| would) like)\b",
    re.IGNORECASE,
)
OFFER_OVERLAP = 0.4  # share of the part's words (task verbs aside) an offer must name, and at least 2


def offers_instead(part: str, reply: str) -> str | None:
    """A sentence of ``reply`` that offers to do ``part``: it names at least two of the part's words
    (and 40% of them) after "would you like me to", "I can also" and the like."""
    wanted = {stem(word) for word in content_words(part.lower()) if word not in TASK_VERBS}
    for sentence in re.split(r"(?<=[.!?])\s+|\n+", reply.replace("’", "'")):
        offer = _OFFER.search(sentence)
        if not offer:
            continue
        named = wanted & {stem(word) for word in content_words(sentence[offer.end() :].lower())}
        if len(named) >= 2 and len(named) >= OFFER_OVERLAP * len(wanted):
            return f"it only offers it: {sentence.strip()[:100]}"
    return None


# "list the 10 oldest cities" answered with a numbered list that stops at 9 (the labelled set's
# "announces 10 cities but lists only 9"). Units and limits are no list: "under 150 words", "in 6
# hours", "3 cups".
_ASKED_COUNT = re.compile(
    # a listing verb before the count: "calculate the feed for 20 chickens" asks for no 20 things
    r"\b(?:list|name|give|suggest|recommend|provide|what are|which are|top)\b[^.?!]{0,30}?"
    r"\b(\d{1,2}|" + "|".join(NUMBER_WORDS) + r")\s+((?:[a-z-]+\s+){0,3}?)"
    r"([a-z]+s)\b",
    re.IGNORECASE,
)
_NOT_ITEMS = frozenset({
    "words", "lines", "minutes", "hours", "seconds", "days", "weeks", "months", "years", "miles",
    "meters", "metres", "kilometers", "kms", "cups", "grams", "kilograms", "pounds", "ounces",
    "servings", "people", "times", "calories", "dollars", "euros", "percent", "steps",
})  # fmt: skip
_COUNT_OF_SOMETHING_ELSE = re.compile(r"(?:\b(?:for|with|by)|(?<!\blist )\bof)\s+$", re.IGNORECASE)
_ITEM = re.compile(r"^\s*(?:\*\*|#+\s*)?(\d{1,2})[.)]\s", re.MULTILINE)
_AND = re.compile(r"\band\b", re.IGNORECASE)
_BULLET = re.compile(r"^\s*[-*•]\s+\S", re.MULTILINE)


def _asked_count(part: str) -> re.Match[str] | None:
    """Where the part asks for a number of things ("the 10 oldest cities"): count and things."""
    return next(
        (
            match
            for match in _ASKED_COUNT.finditer(part)
            if match.group(3).lower() not in _NOT_ITEMS
            and not match.group(2).strip().lower().endswith("of")
            # "a recipe for 4 people", "a flock of 20 chickens": a count of something else
            and not _COUNT_OF_SOMETHING_ELSE.search(part[: match.start(1)])
        ),
        None,
    )


_CODE_REQUEST = re.compile(
    r"\b(?:code|query|queries|sql|script|program|function|api|diagram|mermaid|json|csv|yaml|xml|html)\b",
    re.IGNORECASE,
)


def shorter_list(part: str, reply: str) -> str | None:
    """The part asks for N things ("the 10 oldest cities", "four regions") and the reply's numbered
    list (1, 2, 3, ... in order) stops before N, or the reply gives no list at all."""
    asked = _asked_count(part)
    if asked is None:
        return None
    count = NUMBER_WORDS.get(asked.group(1).lower()) or int(asked.group(1))
    listed = 0
    for item in _ITEM.finditer(reply):
        if int(item.group(1)) == listed + 1:
            listed += 1
    if 2 <= listed < count:
        return f"it lists {listed} {asked.group(3).lower()} where {count} were asked"
    # No list at all: "The 3rd oldest continuously inhabited city is Athens, Greece." for "the 10
    # oldest cities" (reading run of 2026-11-28; with no reason given, the user complained of "the
    # order of the cities"). Names run inline ("Jericho, Damascus, ... and Sidon") take commas; code
    # asked for ("a query for the top 5 customers") finds the things rather than listing them, but
    # code where the things were asked is no list of them (grid run of the evening of 2026-11-29:
    # Python code calling a web API for "the 10 oldest cities", taken as delivered by the user).
    asks_for_code = asked_piece(part) == "code" or bool(_CODE_REQUEST.search(part))
    prose = reply if asks_for_code else FENCE.sub(" ", reply)
    if (
        listed < 2
        and count >= 3
        and not _BULLET.search(prose)
        and not (asks_for_code and "```" in reply)
        and prose.count(",") + len(_AND.findall(prose)) < count - 2
    ):
        return f"it gives no list of {count} {asked.group(3).lower()}"
    return None


# "1. Rome, Italy" ... "7. Rome, Italy": the item's name, before its comma, colon, dash or bracket.
_ITEM_NAME = re.compile(r"^\s*(?:\*\*|#+\s*)?\d{1,2}[.)]\s+\**([^,:;(\n*–—-]{3,60})", re.MULTILINE)


# "5. Eiffel Tower: This is ...", "**Louvre** - ...": an item named, then described; or a name on a
# line of its own ("8. The Auvergne-Rhône-Alpes", seen twice in a list of walking regions).
_NAMED_ITEM = re.compile(
    r"^\s*(?:\*\*|#+\s*)?(\d{1,2})[.)]\s+\**([^,:;(\n*–—]{3,60}?)\**\s*(?::|\s[–—-]\s|$)", re.MULTILINE
)


def repeated_list_item(part: str, reply: str) -> str | None:
    """The reply's numbered list names one thing twice: in a list of the N things the part asks for
    ("the 10 oldest cities" with Rome 1st and 7th, seen on 2026-11-28; the user then complained of
    something else, having no words for what was wrong), or in any list of named places or things
    ("5. Eiffel Tower: ..." and "8. The Eiffel Tower: ..." among walking tours, the same day), names
    on lines of their own too ("5. The Auvergne-Rhône-Alpes" and "8. The Auvergne-Rhône-Alpes",
    2026-11-29). 49 of 33,620 ShareGPT replies do so (22 without the lone names), most of them real
    repeats (a team name twice in a list of 40)."""
    if _asked_count(part) is not None:
        names = [_item_key(match.group(1)) for match in _ITEM_NAME.finditer(reply)]
        twice = next((name for name in names if names.count(name) > 1), None)
        return _listed_again(twice, names)
    # one list at a time: a reply may hold several, each naming "Objection:" or "Example:"
    lists: list[list[str]] = []
    previous = 0
    for match in _NAMED_ITEM.finditer(reply):
        number = int(match.group(1))
        if number != previous + 1 or not lists:
            lists.append([])
        lists[-1].append(_item_key(match.group(2)))
        previous = number
    # A label on every item ("1. Objection: ...", "2. Objection: ...") names no thing: a repeat
    # counts among at least three different names, one of them named twice (or a third of the time).
    for names in lists:
        if len(set(names)) < 3:
            continue
        twice = next((name for name in names if 1 < names.count(name) <= max(2, len(names) / 3)), None)
        if twice:
            return _listed_again(twice, names)
    return None


def _listed_again(name: str | None, names: list[str]) -> str | None:
    """What the user says of a name listed more than once: how often, as counted ("it lists Petra
    4 times": "twice" had been said of four, 2026-11-29)."""
    if name is None:
        return None
    count = names.count(name)
    return f"it lists {name.title()} {'twice' if count == 2 else f'{count} times'}"


def _item_key(name: str) -> str:
    words_of = name.lower().split()
    return " ".join(words_of[1:] if len(words_of) > 1 and words_of[0] == "the" else words_of)


_FRACTION = re.compile(rf"({NUMBER})\s*/\s*({NUMBER})")
_LIST_NUMBER = re.compile(r"^\s*\d+[.)]\s", re.MULTILINE)


def _figures(text: str) -> set[float]:
    """The numbers of ``text``, a fraction ("1/4 cup") read as one (the answer "4 tablespoons" is
    not in the question's "1/4"), the numbers of a numbered list left out."""
    text = _LIST_NUMBER.sub(" ", text)
    fractions = {
        number_value(top) / number_value(bottom)
        for top, bottom in _FRACTION.findall(text)
        if number_value(bottom) != 0
    }
    return fractions | numbers_in(_FRACTION.sub(" ", text))


def topic_stems(text: str) -> set[str]:
    """The stems of what ``text`` is about: its content words but the task verbs."""
    return {stem(word) for word in content_words(text.lower()) if word not in TASK_VERBS}


# What names the piece itself in a request for one ("a poem", "an email"), not what it is about.
_PIECE_STEMS = frozenset(
    stem(noun)
    for noun in (
        "poem", "haiku", "limerick", "sonnet", "email", "letter", "code", "function", "text", "essay",
        "story", "response", "paragraph", "article", "speech", "schedule", "timetable", "itinerary",
    )
)  # fmt: skip
BARE_TOPIC_STEMS = 2  # a request naming more than this asks for more than a piece on a topic


def bare_piece_delivered(part: str, reply: str) -> bool:
    """``part`` asks only for a piece on a topic ("Create a poem about cats") and ``reply`` holds
    that piece, on that topic. A person takes it; the 1.5B reader said P(yes) 0.41, 0.44 and 0.47
    to three poems about cats (reading runs of 2026-11-28/29), and the user asked for the poem again
    with nothing to say against it ("Can you make a poem about cats."). Shape, length and style
    asked for are left to the reader and the plain checks."""
    if asked_piece(part) is None or missing_piece(part, reply) is not None:
        return False
    topic = topic_stems(part) - _PIECE_STEMS
    return 0 < len(topic) <= BARE_TOPIC_STEMS and topic <= topic_stems(reply)


def distinctive_stems(part: str, others: Sequence[str]) -> set[str]:
    """The topic stems of ``part`` that none of the ``others`` parts has."""
    return topic_stems(part) - set().union(*(topic_stems(other) for other in others if other != part))


def answer_to(
    part: str, messages: Sequence[Mapping[str, str]], others: Sequence[str] = ()
) -> tuple[str, list[str]]:
    """The reply to the user message that asks most for ``part`` (the last one on a tie), and the
    replies before it. The words of ``part`` that the ``others`` parts lack count first: "make it
    firmer" asks for "write a firmer version of the email", though the opening "write a polite
    email" shares as many of its words (task verbs aside)."""

    wanted = topic_stems(part)
    distinctive = distinctive_stems(part, others)
    best, best_overlap = -1, (-1, -1)
    for index, message in enumerate(messages):
        if message["role"] != "user" or index + 1 >= len(messages):
            continue
        asked = topic_stems(message["content"])
        overlap = (len(distinctive & asked), len(wanted & asked))
        if overlap >= best_overlap:
            best, best_overlap = index, overlap
    if best < 0:
        return "", []
    earlier = [m["content"] for m in messages[: best + 1] if m["role"] == "assistant"]
    return messages[best + 1]["content"], earlier


def evident_failures(
    parts: Sequence[str], messages: Sequence[Mapping[str, str]], expected_outcome: str | None = None
) -> list[Finding]:
    """Every plain sign that the claimed goal was not met (see the module docstring)."""
    messages = joined_continuations(messages)  # a cut-off reply and its continuation are one
    replies = [message["content"] for message in messages if message["role"] == "assistant"]
    findings = [
        Finding("false_arithmetic", equation) for reply in replies for equation in false_arithmetic(reply)
    ]
    if expected_outcome:
        findings += [
            Finding("missing_expected_number", number)
            for number in missing_expected_numbers(expected_outcome, replies)
        ]
    if replies and all(is_refusal(reply) for reply in replies):
        findings.append(Finding("refused", "every reply"))
    if replies:
        findings += [
            Finding("offered_not_done", f"part {index}: {detail}")
            for index, part in enumerate(parts, start=1)
            if (detail := offers_instead(part, replies[-1]))
        ]
    answers = [answer_to(part, messages, parts) for part in parts]
    asked = [*parts, *(m["content"] for m in messages if m["role"] == "user")]
    languages, excluded = named_languages(asked), excluded_things(asked)
    given = set().union(*(_figures(text) for text in asked))
    for index, (part, (answer, earlier)) in enumerate(zip(parts, answers, strict=True), start=1):
        if (
            answer
            and _gives_no_result(part, answer, given)
            and not _result_came_later(part, answer, messages, given)
        ):
            findings.append(Finding("no_result", f"part {index}: {NO_RESULT}"))
        if detail := shorter_list(part, answer):
            findings.append(Finding("shorter_list", f"part {index}: {detail}"))
        if detail := repeated_list_item(part, answer):
            findings.append(Finding("repeated_item", f"part {index}: {detail}"))
        if detail := wrong_language(answer, languages):
            findings.append(Finding("wrong_language", f"part {index}: {detail}"))
        if (detail := puts_in_excluded(answer, excluded)) and not _mended_later(
            part, answer, messages, lambda reply: puts_in_excluded(reply, excluded) is None
        ):
            findings.append(Finding("excluded_put_in", f"part {index}: {detail}"))
        if detail := missing_piece(part, answer):
            findings.append(Finding("no_piece", f"part {index}: {detail}"))
        if detail := takes_the_other_side(part, answer):
            findings.append(Finding("other_side", f"part {index}: {detail}"))
        if detail := answers_another_item(part, answer, earlier):
            findings.append(Finding("another_item", f"part {index}: {detail}"))
        if detail := wrong_poem_shape(part, answer):
            findings.append(Finding("poem_shape", f"part {index}: {detail}"))
        if detail := not_one_line(part, answer):
            findings.append(Finding("not_one_line", f"part {index}: {detail}"))
        # the chatbot's latest list, whichever message asked for it: the list "without climbing"
        # replaces the first one (gl-122: Paris sights, then five museums)
        if answer and (detail := buildings_for_walks(part, replies)):
            findings.append(Finding("buildings_for_walks", f"part {index}: {detail}"))
        if answer and (detail := wrongly_scaled(part, answer, earlier)):
            findings.append(Finding("wrongly_scaled", f"part {index}: {detail}"))
        if sum(other == answer for other, _ in answers) > 1:
            continue  # one reply answers several parts: its length and text belong to all of them
        if detail := broken_word_limit(part, answer):
            findings.append(Finding("word_limit", f"part {index}: {detail}"))
        if answer and copied_rewrite(part, answer, earlier):
            findings.append(
                Finding("copied_rewrite", f"part {index}: the new version repeats an earlier reply")
            )
        if answer and (detail := same_code_again(part, answer, earlier)):
            findings.append(Finding("same_code", f"part {index}: {detail}"))
        if answer and (detail := line_not_replaced(part, answer, earlier)):
            findings.append(Finding("line_not_replaced", f"part {index}: {detail}"))
        if answer and (detail := same_figures_again(part, answer, earlier)):
            findings.append(Finding("same_figures", f"part {index}: {detail}"))
        others = [other for other, _ in answers if other and other != answer and other in earlier]
        if answer and (detail := same_answer_as_before(part, answer, others)):
            findings.append(Finding("same_answer", f"part {index}: {detail}"))
    return findings
