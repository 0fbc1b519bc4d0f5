"""Goal plans: a goal as the ordered requests a person makes, one after the other.

Real users do not ask for everything at once: they ask for one thing, read the answer, then ask
for the next ("ok now make it firmer"). A goal's plan is that list of parts. It comes from the
goal file (``parts``), from the judge model (``prompts/goal_plan.md``), or, when neither is
available or the judge's answer is unusable, from a sentence split of the goal. The part texts are
instructions to the chatbot ("calculate the speed for each race"), which is what the inquirer asks
for and what the goal check verifies.

Material in the goal (a code block) is what a person pastes rather than types: it is sent as is
with the opening message, after the typed request.
"""

from __future__ import annotations

import re

from llm_roleplay.nodes.checks import TASK_VERBS, numbers_of, stem
from llm_roleplay.nodes.code_layout import laid_out

MAX_PARTS = 6
MIN_PART_WORDS = 2

# "The person wants the chatbot to draw a unicorn" is the request "Draw a unicorn"; left as it was,
# the embedded user asked the chatbot "wanna draw a unicorn using the 'turtle' module?".
_CHATBOT_SHOULD = re.compile(
    r"^(?:(?:the chatbot|the assistant|it) (?:should|must|will|needs to|has to)"
    r"|(?:the person|the user|they|you) (?:wants?|would like|asks?|needs?)"
    r" (?:the chatbot|the assistant|it) to) ",
    re.IGNORECASE,
)
# A goal's sentence in its own voice, "You want to use the chatbot to create a poem about cats", is
# the request "Create a poem about cats"; sent as a part, the embedded user wrote "I need a chatbot to
# help me with that" and "also you're curious about the other way around" (2026-11-28).
_GOALS_WISH = re.compile(
    r"^((?:based on that|after that|then|and),?\s+)?(?:also,?\s+)?you (?:also )?"
    r"(?:(?:want|would like|need|wish)(?: to use the chatbot| the chatbot)? to(?: know,?)?"
    r"|are (?:also )?curious(?: to know)?(?: about)?) ",
    re.IGNORECASE,
)
# "If the chatbot uses functions you do not know, ask about them": a way to behave, not a request
# to make in turn (the user's follow-up questions do it); seen in the embedded judge's plans.
_CONDITION = re.compile(r"^(?:if|when|whenever|in case)\b", re.IGNORECASE)
_CONTENT = re.compile(r"[a-z][a-z']{3,}")


_LIST_ITEM = re.compile(r"^\s*(?:\d+[.)]|[-*•]|step \d+:?)\s*", re.IGNORECASE)
_CODE_FENCE = re.compile(r"```[\w+-]*\s*(.*?)```", re.DOTALL)
# A full stop inside a number ("18.50", "2.5 m") does not end a sentence.
_SENTENCE = re.compile(r"(?:[^.!?]|(?<=\d)\.(?=\d))+(?:[.!?]+|$)")
# Sentences that ask for something, as opposed to setting the scene ("You use a stopwatch ...").
_REQUEST_CUE = re.compile(
    r"\b(?:want|wants|would like|need|needs|ask|asks|find out|know|curious|make|write|create|draw|change"
    r"|substitute|calculate|compute|plan|pick|explain|refine|develop|generate|get|rewrite|translate"
    r"|also|then|after that|based on that)\b",
    re.IGNORECASE,
)


def material_of(goal: str) -> str:
    """Code blocks in the goal: what the user pastes into the chat (empty if none), laid out again
    where the goal flattened them onto one line."""
    return "\n\n".join(laid_out(block.strip()) for block in _CODE_FENCE.findall(goal) if block.strip())


def without_material(goal: str) -> str:
    return _CODE_FENCE.sub(" ", goal).strip()


def parse_plan(text: str, goal: str = "") -> list[str] | None:
    """The parts in a judge's answer (one per line, numbered or bulleted); None if unusable.

    With ``goal``, a part that shares too little with it (under a third of its content words) is
    the model's invention, not a request of the goal, and makes the plan unusable.
    """
    parts: list[str] = []
    for line in text.splitlines():
        if not line.strip():
            continue
        item = as_request(_CHATBOT_SHOULD.sub("", _LIST_ITEM.sub("", line).strip().strip('"').strip()))
        item = item[:1].upper() + item[1:]
        if len(item.split()) >= MIN_PART_WORDS and item.lower() not in {part.lower() for part in parts}:
            parts.append(item)
    requests = [part for part in parts if not _CONDITION.match(part)]
    parts = requests or parts
    if not parts or len(parts) > MAX_PARTS:
        return None
    if goal and any(not _grounded(part, goal) for part in parts):
        return None
    return parts


def _grounded(part: str, goal: str) -> bool:
    # Instruction verbs a plan adds to the goal's own words ("calculate", "determine" ...) aside.
    mine = {stem(word) for word in _CONTENT.findall(part.lower()) if word not in TASK_VERBS}
    known = {stem(word) for word in _CONTENT.findall(goal.lower())}
    # A part with no content words of its own ("- - - -", seen from the embedded judge) asks for
    # nothing: the plan is unusable, not trivially grounded.
    return bool(mine) and len(mine & known) >= len(mine) / 3


# A technical name: "JavaScript", "OOP", "CSV" (an inner capital, or all capitals). Capitalised
# words ("France", "Monday") are left out: a plan keeps its places, and a weekday is no setting.
_NAME = re.compile(r"\b([A-Z][a-z]+[A-Z][A-Za-z]*|[A-Z]{2,}s?)\b")
_QUOTED = re.compile(r"(?<!\w)'[^']+'(?!\w)|\"[^\"]+\"|“[^”]+”")


def goal_names(goal: str) -> list[str]:
    """The technical names the goal uses (languages, formats, acronyms), in order; quoted text
    aside ("prints 'The factorial of NUMBER'" names nothing)."""
    found: list[str] = []
    for name in _NAME.findall(_QUOTED.sub(" ", without_material(goal))):
        if name not in found:
            found.append(name)
    return found


def with_goal_names(parts: list[str], goal: str) -> list[str]:
    """The plan with the goal's names that no part has added to the first part ("... using X").

    A plan's parts are what the user asks for; a name left out of all of them never reaches the
    chat. The embedded judge planned "Develop a function that counts the number of vowels in a
    given string" for a goal in JavaScript: the user never said JavaScript and took the chatbot's
    Python without a word (reading run of 2026-11-28)."""
    text = " ".join(parts).lower()
    missing = [name for name in goal_names(goal) if name.lower() not in text]
    if not parts or not missing:
        return parts
    # "using": the bracket form "(JavaScript)" was typed as is ("a given string (JavaScript) for my
    # project", reading run of 2026-11-28).
    return [f"{parts[0].rstrip('.')} using {' and '.join(missing)}", *parts[1:]]


# "until you are satisfied": when the user stops, not what they ask for. Typed as it stood, it made
# "refine the poem until satisfied." (reading run of 2026-11-28). A criterion after it stays.
_STOP_CONDITION = re.compile(
    r"\s+until\s+(?:(?:you|they|i)(?:'re|'m| are| am)\s+)?(?:satisfied|happy|content)\b"
    r"(?:\s+with\s+(?:it|them|the\s+\w+))?"
    r"(?:\s+and\s+(?=(?:it|the \w+) is\b))?",
    re.IGNORECASE,
)


def without_stop_conditions(parts: list[str]) -> list[str]:
    """ "Refine the poem until you are satisfied and it is coherent" -> "Refine the poem so that it is
    coherent"; "Refine the poem until satisfied" -> "Refine the poem"."""
    return [_STOP_CONDITION.sub(lambda m: " so that " if m.group().rstrip().endswith("and") else "", part)
            for part in parts]  # fmt: skip


# "Make sure the poem has 4 parts(quatrains) each with 4 lines": a condition the goal sets on what
# is asked, with figures a person states when they ask.
_CONSTRAINT = re.compile(
    r"^(?:make sure|ensure|be sure|it (?:should|must)|there (?:should|must))\b", re.IGNORECASE
)


def with_goal_constraints(parts: list[str], goal: str) -> list[str]:
    """The plan with each of the goal's conditions whose figures no part has added to the part that
    shares most words with it.

    The embedded judge planned "Create a poem about cats" for a goal that makes sure the poem has 4
    quatrains of 4 lines: the user asked for "a poem about cats", got 12 lines and had nothing to
    complain of (run of 2026-11-28)."""
    planned = [*parts]
    known = numbers_of(planned)
    for sentence in _SENTENCE.findall(without_material(goal)):
        condition = sentence.strip()
        figures = numbers_of([condition])
        if not planned or not _CONSTRAINT.match(condition) or not figures or figures <= known:
            continue
        words_of = {stem(word) for word in _CONTENT.findall(condition.lower())}
        overlaps = [len(words_of & {stem(w) for w in _CONTENT.findall(part.lower())}) for part in planned]
        best = overlaps.index(max(overlaps))
        planned[best] = f"{planned[best].rstrip('.')}. {condition}"
        known |= figures
    return planned


def without_derived_steps(parts: list[str], goal: str) -> list[str]:
    """The judge's plan without a step of its own: a part in words of its own beside the goal's
    ("total"), whose goal words the other parts all ask too. For "how many cups of feed do you need
    to give your chickens in the final meal of the day ...?" the embedded judge planned "Calculate
    the total amount of feed given to the chickens in a day" first, the user asked it as their
    opening, and the dialogue went round the total (grid runs of 2026-11-29: twice). "Make it
    recursive" and "make sure it does not enter an infinite loop" come from one sentence, but each
    asks words of its own; the two cases of the skipping question ask the same words in another
    order: all stay."""
    in_goal = _stems(goal)

    def asked(part: str) -> set[str]:
        return _stems(part) & in_goal

    kept = list(parts)
    for part in parts:
        others = [asked(other) for other in kept if other is not part]
        if (
            others
            and _stems(part) - in_goal
            and asked(part) <= set().union(*others)
            and asked(part) not in others
        ):
            kept.remove(part)
    return kept


_WORD = re.compile(r"[a-z][a-z'-]{2,}")  # three letters and up: "OOP", "API", "CLI" are words here


def _stems(text: str) -> set[str]:
    return {stem(word) for word in _WORD.findall(text.lower()) if word not in TASK_VERBS} - _STOP_STEMS


_STOP_STEMS = {
    stem(word) for word in ("the", "and", "for", "that", "this", "with", "you", "your", "are", "can")
}


def finished_plan(parts: list[str], goal: str) -> list[str]:
    """A plan as the user pursues it: stop conditions and purposes out, the goal's names and
    conditions in, a form's "(s)" written out."""
    planned = without_stop_conditions(without_purposes(parts, goal))
    planned = with_goal_constraints(with_goal_names(planned, goal), goal)
    return [without_optional_plurals(part) for part in planned]


def without_purposes(parts: list[str], goal: str) -> list[str]:
    """The plan without a part that is the goal's reason for a request, not a request: "... a
    response that agrees with the statement, to make your claims stronger." was planned as a part
    "Make your claims stronger", and the user typed it to the chatbot, where it asked the chatbot to
    strengthen its own claims (reading run of 2026-11-29). A purpose follows a comma or "in order"
    ("so as"); "you want the chatbot to make it recursive" is a request. One part is always kept."""
    folded_goal = " ".join(goal.lower().split())
    kept = [
        part
        for part in parts
        if not re.search(
            r"(?:,|\bin order|\bso as)\s+to\s+" + re.escape(" ".join(part.lower().rstrip(" .").split())),
            folded_goal,
        )
    ]
    return kept or parts[:1]


# A form's "(s)": "number argument(s)", "the value 73(s)" (the paper's goal 5, typed as it stood by
# the embedded user, reading run of 2026-11-29); people write the plural, or the number alone.
# Parts only: in a message "print(s)" is code.
_OPTIONAL_PLURAL = re.compile(r"(?<=[A-Za-z])\(s\)")
_NUMBER_PLURAL = re.compile(r"(?<=\d)\(s\)")


def without_optional_plurals(part: str) -> str:
    """ "number argument(s) ... the value 73(s)" -> "number arguments ... the value 73"."""
    return _NUMBER_PLURAL.sub("", _OPTIONAL_PLURAL.sub("s", part))


_THEN = re.compile(r",?\s+(?:and\s+)?then,?\s+", re.IGNORECASE)


def as_request(part: str) -> str:
    """ "Also you want to change the style ..." -> "Change the style ..."; other parts as they are."""
    request = _GOALS_WISH.sub(r"\1", part, count=1).strip()
    if not request or request == part.strip():
        return part
    return request[:1].upper() + request[1:]


def _split_then(sentence: str) -> list[str]:
    """ "write a polite email, and then make it firmer" is two requests, in that order."""
    clauses = [clause.strip(" ,;") for clause in _THEN.split(sentence)]
    if len(clauses) > 1 and all(len(clause.split()) >= 3 for clause in clauses):
        return [clause[:1].upper() + clause[1:] for clause in clauses]
    return [sentence]


def scene_sentences(goal: str) -> list[str]:
    """The goal's sentences that set the scene rather than ask for something ("In the morning, you
    give your flock of chickens 15 cups of feed.")."""
    sentences = [s.strip() for s in _SENTENCE.findall(without_material(goal)) if s.strip()]
    return [sentence for sentence in sentences if not _REQUEST_CUE.search(sentence)]


def request_sentences(goal: str) -> list[str]:
    """The goal's sentences that ask for something (the complement of :func:`scene_sentences`)."""
    sentences = [s.strip() for s in _SENTENCE.findall(without_material(goal)) if s.strip()]
    return [sentence for sentence in sentences if _REQUEST_CUE.search(sentence)]


def split_goal(goal: str) -> list[str]:
    """A plan without a model: the goal's request sentences, in order (at least the whole goal)."""
    requests = request_sentences(goal)
    if not requests:
        return [" ".join(goal.split())]
    merged: list[str] = []
    for sentence in requests:  # very short fragments belong to the request before them
        if merged and len(sentence.split()) < 4:
            merged[-1] = f"{merged[-1]} {sentence}"
        else:
            merged.append(sentence)
    return [as_request(clause) for sentence in merged for clause in _split_then(sentence)][:MAX_PARTS]
