"""Text checks shared by the inquirer's regeneration guard and the post-generation filter.

All checks are plain functions of text, cheap and deterministic, so a message that the inquirer
node let through is judged by exactly the same rules in the quality filter.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from collections.abc import Set as AbstractSet
from difflib import SequenceMatcher
from enum import StrEnum
from functools import lru_cache

import snowballstemmer

_WORD = re.compile(r"[\w'’]+", re.UNICODE)

# Phrases a *user* would not open with, but an assistant (or a model that dropped the role) does.
_ASSISTANT_VOICE = re.compile(
    r"^\s*(?:as an ai\b|as a(?:n)? (?:ai|artificial intelligence|large )?language model\b"
    r"|i(?:'m| am) (?:an ai|a language model|an artificial intelligence|a virtual assistant|your assistant)\b"
    r"|(?:sure|certainly|of course|absolutely)[,!.]? i(?:'d| would) be (?:happy|glad) to help"
    # offering a deliverable ("Sure! Here's a recipe"), unlike a user sharing ("Sure, here is my code")
    r"|(?:sure|certainly|of course|absolutely)[,!.]? here(?:'s| is| are) "
    r"(?:a|an|some|your|the answer|the solution)\b"
    r"|i(?:'d| would) be (?:happy|glad) to help(?: you)?\b"
    r"|how (?:can|may) i (?:help|assist) you\b"
    r"|(?:please )?go ahead and (?:type|ask|send)\b)",
    re.IGNORECASE,
)
_AI_SELF_REFERENCE = re.compile(
    r"\b(?:as an ai(?: language model)?|i(?:'m| am) an ai(?: language model)?|i(?:'m| am) role-?playing"
    r"|in this role-?play|as the user,? i)\b",
    re.IGNORECASE,
)
# A speaker label at the start of a line means the model wrote a script with both sides.
_ROLE_MARKER = re.compile(
    r"(?:^|\n)\s*(?:\*\*)?(?:user|assistant|chatbot|ai|bot|human|system)(?:\*\*)?\s*:",
    re.IGNORECASE,
)
# The task's own instructions written out as the message (seen: "Complain that you does not give the
# total ... using realistic made-up values for ..."); none of 30,547 real ShareGPT user messages
# opens with "complain" or "ask/tell the chatbot", or speaks of "made-up values".
_INSTRUCTION_LEAK = re.compile(
    r"^\s*complain\b|^\s*(?:ask|tell|remind|inform)\s+(?:the|this)\s+(?:chatbot|assistant)\b"
    r"|\bmade[- ]up (?:values|numbers|figures|details)\b|\brealistic made[- ]up\b",
    re.IGNORECASE,
)
_CHAT_TEMPLATE_TOKEN = re.compile(r"<\|[a-z_]+\|>|\[/?INST\]|<</?SYS>>", re.IGNORECASE)
# Template blanks such as "[Your Name]": the model produced the deliverable instead of asking for it.
_TEMPLATE_BLANK = re.compile(
    r"\[(?:your|recipient'?s?|landlord'?s?|company'?s?|insert|date|name|address)\b[^\]\n]{0,40}\]",
    re.IGNORECASE,
)
_REFUSAL = re.compile(
    r"^\s*(?:i(?:'m| am) sorry|sorry|i apologi[sz]e|unfortunately)?[,.]?\s*(?:but\s+)?"
    r"(?:i|as an ai,? i)(?:\s+(?:can(?:'|no)?t|cannot|am unable to|am not able to|won't|will not)"
    r"|'m (?:unable|not able) to)\b",
    re.IGNORECASE,
)


def _plain_apostrophes(text: str) -> str:
    return text.replace("’", "'")


class Problem(StrEnum):
    """Why an inquirer output is rejected and regenerated."""

    EMPTY = "empty"
    ROLE_BREAK = "role_break"
    LEAK = "leak"
    REPEAT = "repeat"
    UNPARSEABLE = "unparseable"
    ECHO = "echo"  # copies the chatbot's recent text
    ROLE_CONFUSION = "role_confusion"  # the helper's register, a mirrored request, an empty promise
    GREETING_AGAIN = "greeting_again"  # greets after the first message
    OFF_GOAL = "off_goal"  # shares nothing with what the dialogue is about
    PERSONA_DRIFT = "persona_drift"  # describes the user as someone the persona is not
    FRONT_LOADING = "front_loading"  # asks for a later part of the goal plan already
    WITHHOLDS_DATA = "withholds_data"  # says they lack the facts their situation gives them
    # claims a figure of the situation other than the goal's, a restriction the goal never names, or
    # figures of their own no person has (the 200 m run faster than the 50 m)
    CONTRADICTS_GOAL = "contradicts_goal"
    CUT_OFF = "cut_off"  # ends mid-phrase ("The chatbot didn't list the")
    # asks for a first calculation without any figure the situation holds: a preference (sent when
    # no try does better), never filtered
    MISSING_DETAILS = "missing_details"
    # asks for the next part without a word of it (the part before asked again): a preference too
    MISSES_PART = "misses_part"
    TAKES_BACK = "takes_back"  # a complaint that is all thanks or delight for what was not done
    # a complaint that never says what was wrong (the eggs the recipe has): a preference; when no
    # try says it, the fault is told before the message
    SILENT_COMPLAINT = "silent_complaint"
    # a complaint about what the last reply does not have ("the recipe you gave me had eggs in it"
    # to a recipe without eggs)
    FALSE_COMPLAINT = "false_complaint"


# The guards read the same texts (earlier messages, recent replies, the goal) at every turn of a
# dialogue: these pure functions of text are memoized, a bounded cache per process.
@lru_cache(maxsize=16384)
def words(text: str) -> tuple[str, ...]:
    # quotes around a word ('total is still wrong') are not part of it; inner apostrophes are
    found = (word.lower().replace("’", "'").strip("'") for word in _WORD.findall(text))
    return tuple(word for word in found if word)


# A number as written: 12, 3.5, 1,250,000.50 (comma thousands, read as such by number_value). A
# version or an address ("3.10.4", "192.168.0.1") reads as several numbers: as one, it had made
# float() fail and ended a dialogue.
NUMBER = r"(?:\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?)"


def number_value(text: str) -> float:
    return float(text.replace(",", ""))


def numbers_in(text: str) -> set[float]:
    return {number_value(number) for number in re.findall(NUMBER, text)}


def numbers_of(texts: Iterable[str]) -> set[float]:
    """The numbers of all ``texts`` together."""
    return {value for text in texts for value in numbers_in(text)}


NUMBER_WORDS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9,
    "ten": 10, "eleven": 11, "twelve": 12, "fifteen": 15, "twenty": 20, "thirty": 30, "fifty": 50,
    "hundred": 100,
}  # fmt: skip
# "three cups", not the "one" of "one-third" or "no one"
_NUMBER_WORD = re.compile(r"(?<![\w-])(" + "|".join(NUMBER_WORDS) + r")\b(?!-)", re.IGNORECASE)


def stated_figures(text: str) -> set[float]:
    """The numbers of ``text``, those written as words too ("each of your chickens three cups")."""
    return numbers_in(text) | {NUMBER_WORDS[word.lower()] for word in _NUMBER_WORD.findall(text)}


# A figure and the word or two after it: "three cups", "15 cups of feed", "0.75 cups", "20 chickens".
_FIGURE_AND_UNIT = re.compile(
    rf"(?<![\w.])({NUMBER}|{'|'.join(NUMBER_WORDS)})(?![\w-])[\s-]+([a-z]+)(?:\s+([a-z]+))?", re.IGNORECASE
)


def figures_by_unit(text: str) -> dict[str, set[float]]:
    """The figures of ``text`` by the stems of the one or two words after each ("three separate
    meals" counts 3 for "separ" and for "meal")."""
    found: dict[str, set[float]] = {}
    for figure, *units in _FIGURE_AND_UNIT.findall(text):
        value = NUMBER_WORDS.get(figure.lower()) or number_value(figure)
        for unit in filter(None, units):
            found.setdefault(stem(unit), set()).add(value)
    return found


_STEMMER = snowballstemmer.stemmer("english")


_COMPARATIVE = re.compile(r"(?<=\w{3})i(?:er|est)$")  # "fluffier", "easiest"; not "tier"


@lru_cache(maxsize=8192)
def stem(word: str) -> str:
    """The word's Snowball (Porter 2) stem: "cities" and "city", "established" and "establishment"
    are one word when a message is compared with a goal's parts. Snowball keeps comparatives apart
    ("fluffier", "fluffy"): an opening that asked for "a fluffy texture" was not seen asking ahead
    for "how to make them fluffier" (make demo, 2026-11-28), so "-ier"/"-iest" count as "-y"."""
    return str(_STEMMER.stemWord(_COMPARATIVE.sub("y", word.lower())))


# The instruction verbs a request or a goal plan wraps around what is asked ("calculate the speed",
# "determine the region"): they say nothing of which part a message is about.
TASK_VERBS = frozenset(
    {"calculate", "determine", "find", "provide", "give", "write", "explain", "list", "make", "create"}
    | {"identify", "analyze", "analyse", "evaluate", "describe", "tell", "show", "check", "ensure"}
    | {"generate", "suggest", "help", "answer", "compute", "work", "figure", "know", "get"}
    # the goal's own verbs for the user's move ("then ask how to make them without eggs")
    | {"ask", "learn", "request"}
)


def normalized(text: str) -> str:
    return " ".join(words(text))


# Two user messages this similar, character by character after normalising, are one message sent
# twice: the model wrote the same complaint again and the typing pass gave it other typos ("please
# help me anaoyze the relationship ..." / "analyze the relationship ..."), which an exact comparison
# misses. Measured on the 235 pairs of user messages within dialogues of the runs of 2026-11-27:
# 5 pairs at 0.92-0.99, every one such a re-send; the next highest, 0.79. Real users reuse a
# template with new details at 0.8-0.9 ("write 2 posts for <business>"), which ours do not do.
NEAR_REPEAT_RATIO = 0.9


REORDERED_MIN_WORDS = 5


def repeats(text: str, earlier: Sequence[str]) -> bool:
    """``text`` says again what one of ``earlier`` said: the same words, or nearly the same, or the
    same words in another order ("... risks associated with social media and online gambling?" a
    turn after "... with online gambling and social media?", grid run of the evening of 2026-11-29:
    the chatbot answered word for word again; 4 of 30,547 real user messages reorder an earlier one
    of theirs so, mostly a request sent again with its case or spacing changed)."""
    mine = normalized(text)
    my_words = sorted(words(mine))
    for other in earlier:
        theirs = normalized(other)
        if mine == theirs or (len(my_words) >= REORDERED_MIN_WORDS and my_words == sorted(words(theirs))):
            return True
        matcher = SequenceMatcher(None, mine, theirs, autojunk=False)
        if matcher.real_quick_ratio() >= NEAR_REPEAT_RATIO and matcher.ratio() >= NEAR_REPEAT_RATIO:
            return True
    return False


_ASKS_FOR_FIGURES = re.compile(r"\b(?:calculat\w*|comput\w*|work out|how (?:many|far|fast))\b", re.IGNORECASE)

# A quantity asked for by name ("Determine the amount of feed needed for the final meal", "what's
# the total cost of"): seen on 2026-11-29 answered with no figure at all and accepted, because only
# the verbs above counted as a calculation. Of 13 such real requests not caught above (ShareGPT,
# first 8,800 conversations), 6 replies held no figure of their own: two refusals to price a list,
# four answers to "How can I determine the number of fields", which asks for a method (below).
# "How much" alone is not one: half of its real replies rightly hold no figure ("how much of a
# threat is climate change").
_ASKS_FOR_A_QUANTITY = re.compile(
    r"\b(?:determine|find out|figure out|estimate|tell me|give me"
    r"|what(?:'s| is| are| was| would be| will be))"
    r"\s+(?:the|my|your|our)\s+(?:total\s+|exact\s+|overall\s+)?"
    r"(?:amount|number|cost|price|distance|speed|sum|total|percentage|average|quantity)s?"
    r"\s+(?:of|for|needed|required|in|per)\b",
    re.IGNORECASE,
)
_ASKS_FOR_A_METHOD = re.compile(
    r"\bhow (?:can|could|do|does|should|would|to)\s+(?:(?:i|we|you|one)\s+)?"
    r"(?:determine|find out|figure out|estimate)\b",
    re.IGNORECASE,
)


# "Write a function that counts how many vowels are in a given string" asks for code, whose answer
# holds no figure (seen on 2026-11-28: read as a calculation, a right class was "no result", and the
# user, pressed for figures of their own, failed every try).
_ASKS_FOR_CODE = re.compile(
    r"\b(?:function|program|script|class|code|snippet|method|algorithm|module|api)\b", re.IGNORECASE
)


def asks_for_figures(request: str) -> bool:
    """The request's answer is a figure ("calculate the calories", "how many cups", "determine the
    amount of feed needed"): the user's details for it are numbers, and a reply without a number of
    its own has not answered it."""
    if _ASKS_FOR_CODE.search(request):
        return False
    return bool(_ASKS_FOR_FIGURES.search(request)) or (
        bool(_ASKS_FOR_A_QUANTITY.search(request)) and not _ASKS_FOR_A_METHOD.search(request)
    )


# What a calculation asks for: the words after its verb ("calculate the calories burned during each
# race" -> "calories burned"), up to a preposition.
_RESULT_NAME = re.compile(
    r"\b(?:calculat\w*|comput\w*|work out|estimat\w*)\s+(?:the\s+|my\s+|your\s+|total\s+)*"
    r"((?:[a-z]+\s+){0,1}?[a-z]+)(?=\s+(?:for|of|in|during|per|from|at|when|if|to)\b|\s*[.,;:?!]|\s*$)",
    re.IGNORECASE,
)


def _stated_result(message: str, request: str) -> re.Match[str] | None:
    name = _RESULT_NAME.search(request)
    if not name:
        return None
    words_of_name = r"\s+".join(re.escape(word) for word in name.group(1).split())
    # "my speed for the 50-meter race was approximately 3.33 meters per second" (grid run of the
    # evening of 2026-11-29, the user's answer when asked for their times): what the result is of
    # may stand between its name and the figure.
    stated = re.compile(
        rf"\b{words_of_name}(?:\s+(?:for|of|in|during|on)\s+(?:the\s+|my\s+|each\s+)?[\w-]+(?:\s+[\w-]+)?)?"
        rf"\s*(?::|=|\bis\b|\bwas\b|\bwere\b|\bare\b)"
        rf"\s*(?:about\s+|around\s+|approximately\s+|roughly\s+|~\s*)?{NUMBER}",
        re.IGNORECASE,
    )
    return stated.search(message)


def states_the_result(message: str, request: str) -> bool:
    """The user states the figure the request asks the chatbot to work out ("Calories burned: 2250
    cal." for "calculate the calories burned during each race"): a person gives the inputs and
    asks for the result, they do not supply it."""
    return _stated_result(message, request) is not None


# What leads into a stated result: ", so my ", "; the ", " and my ".
_INTO_RESULT = re.compile(
    r"[,;:]?\s*(?:(?:so|and|which means|that means|meaning|then)\s+)?(?:my|the|your|its)?\s*$"
)


def before_the_result(message: str, request: str) -> str | None:
    """The message cut before the result it states, when what is left gives a figure of the user's:
    "I ran the 50-meter race in 22 seconds, so my speed was about 2.2 meters per second" -> "I ran
    the 50-meter race in 22 seconds" (seen on 2026-11-28: the user's first times, refused whole)."""
    stated = _stated_result(message, request)
    if stated is None:
        return None
    kept = _INTO_RESULT.sub("", message[: stated.start()]).rstrip(" ,;:")
    return kept if len(words(kept)) >= 3 and numbers_in(kept) else None


# A message that stops on an article, a possessive, a conjunction or a negated auxiliary was cut off
# (seen: "The chatbot didn't list the", "recommend a few places in France for a walking tour that
# don't"). Prepositions may end a sentence ("anything I should watch out for"), but not straight
# after a prepositional phrase (seen: "count the number of vowels in a string in"; 2 of 28,657 real
# ShareGPT user messages end so, both cut off themselves). 27 of 30,547 real messages end on the
# first kind (0.09%), mostly a bare "A" answering a quiz; 5 on the second. An auxiliary and its
# subject with no verb after them (seen: "How many cups of feed do i", "... do you") end none of the
# 28,657, nor does a noun phrase left on "that" ("create a poem about cats that"; "for that", "like
# that", "doing that" are whole).
_DANGLING_END = re.compile(
    # "..., including the name of the city, its", "places in France for walking tours without" (seen
    # on 2026-11-28): 0 of 28,657 real messages end with "its" or "our", 1 with "my/your/their" and 1
    # with "without" ("... won't be able to live without"), 0 with "without any" (seen on 2026-11-28:
    # "give me a list of places in France for a walking tour without any")
    r"\b(?:the|a|an|and|or|my|your|their|its|our|without(?: any)?|but|if|when|than|because|whether"
    r"|which|who"
    r"|(?:do|does|did|should|can|could|would|will) (?:i|we|they|you)"
    # "how much feed do you think I" (seen on 2026-11-29, sent as the opening): 0 of 30,547 real
    # user messages end on "think/guess/know/need/... I"
    r"|(?:think|guess|suppose|reckon|believe|know|say|mean|hope|wish|want|need|should) i"
    r"|(?:a|an|the|my|your) (?:\w+(?: \w+){0,3}? )?(?!(?:for|like|about|with|of|to|from|on|in|at|by|do|did"
    r"|does|doing|done|is|was|are|were|know|see|think|say|said|mean|and|or|but)\b)\w+ that"
    r"|(?:do|does|did|is|are|was|were|can|won|would|should)n['’]?t"
    # "Tell me how much feed is" (the chickens opening of the grid run of 2026-11-29, sent as it
    # was): "how much/many X is" wants its verb; 0 of 30,547 real user messages end so
    r"|\bhow (?:much|many) \w+(?: \w+)? (?:is|are|was|were|do|does|did|will|would|should|can)"
    r"|(?:in|of|on|at|for|with|to|from|by) (?:a|an|the|my|your|this|that) \w+(?: \w+)?"
    r" (?:in|of|on|at|with|from|by)"
    # "... count the number of vowels in a string using" (grid run of the evening of 2026-11-29);
    # "what version of python my Mac is using" and "which db is it using" are whole: 2 of 30,547
    # real messages end on "using", "including" or "via" otherwise (one message twice)
    r"|(?<!\bis )(?<!\bare )(?<!\bam )(?<!'m )(?<!'re )(?<!\bwas )(?<!\bwere )(?<!\bit )(?<!\byou )"
    r"(?<!\bthey )(?<!\bwe )(?<!\bi )(?:using|including|via))\s*$",
    re.IGNORECASE,
)


def is_cut_off(text: str) -> bool:
    return bool(_DANGLING_END.search(text.strip()))


def is_empty(text: str) -> bool:
    return not words(text)


def breaks_role(text: str) -> bool:
    """The message speaks as the assistant, writes both sides, says it is an AI, fills a template
    or writes out its task's instructions."""
    text = _plain_apostrophes(text)
    return bool(
        _TEMPLATE_BLANK.search(text)
        or _INSTRUCTION_LEAK.search(text)
        or _ASSISTANT_VOICE.search(text)
        or _AI_SELF_REFERENCE.search(text)
        or _ROLE_MARKER.search(text)
        or _CHAT_TEMPLATE_TOKEN.search(text)
    )


@lru_cache(maxsize=16384)
def longest_common_run(text: str, source: str) -> int:
    """Length, in words, of the longest word sequence that ``text`` copies verbatim from ``source``."""
    return longest_shared_run(words(text), words(source))


def longest_shared_run(
    text: Sequence[str], source: Sequence[str], skip: AbstractSet[int] = frozenset()
) -> int:
    """Length of the longest run of the words ``text`` that ``source`` has verbatim, none of the run
    at a ``skip`` position of ``text``."""
    if not text or not source:
        return 0
    best = 0
    previous = [0] * (len(source) + 1)
    for index, word in enumerate(text):
        current = [0] * (len(source) + 1)
        if index not in skip:
            for j, other in enumerate(source, start=1):
                if word == other:
                    current[j] = previous[j - 1] + 1
                    best = max(best, current[j])
        previous = current
    return best


# A user may say "I'm a nurse"; naming this many of their traits at once is announcing the persona
# ("I'm a non-binary clerk aged 35 to 44 from the United States"), which real users do not do.
ANNOUNCED_TRAITS = 2


_AGE_BRACKET = re.compile(r"^(\d+) to (\d+)$")
_STATED_AGE = re.compile(r"\b(\d{2})[- ]?(?:years?[- ]old|yo|y/o)\b|\bi(?:'m| am) (\d{2})\b", re.IGNORECASE)


# A country's people are named by its name plus a suffix: Egypt -> Egyptian, India -> Indian,
# Japan -> Japanese, Germany -> German(s). Seen: "I'm an Egyptian woman from the Middle East" from
# a persona from Egypt, which passed as naming one trait ("woman").
_DEMONYM_SUFFIX = r"(?:an|ian|n|ese|i|ish)?s?"


def _names_people_of(country: str, haystack: str) -> bool:
    if " " in country or len(country) < 4:
        return False
    root = country[:-1] if country[-1] in "aeiouy" else country
    return re.search(rf" {re.escape(root)}{_DEMONYM_SUFFIX} ", haystack) is not None


def names_traits(text: str, traits: Sequence[str]) -> int:
    """How many of the persona's trait phrases (e.g. "35 to 44", "office clerk") the text contains;
    an age bracket also counts when the text gives an age in it ("a 55-year-old with a high-school
    diploma", seen from the embedded model for a persona aged 55 to 64)."""
    haystack = f" {normalized(text)} "
    ages = [int(a or b) for a, b in _STATED_AGE.findall(_plain_apostrophes(text))]

    def named(trait: str) -> bool:
        needle = normalized(trait)
        bracket = _AGE_BRACKET.match(needle)
        low, high = (int(bracket[1]), int(bracket[2])) if bracket else (0, -1)
        in_bracket = any(low <= age <= high for age in ages)
        return bool(needle) and (
            f" {needle} " in haystack or in_bracket or _names_people_of(needle, haystack)
        )

    return sum(1 for trait in traits if named(trait))


# The persona's familiarity with chatbots is for the simulator, not for the chat: real users
# almost never describe it (this pattern matches 1 of the 30,547 user messages of the ShareGPT
# reference, and not about the writer), while the embedded model wrote "I'm a small business owner
# who's pretty good with AI chatbots".
_CHATBOT_HABITS = re.compile(
    r"\b(?:i(?:'m| am|'ve| have)?|im|who(?:'s| is)?)\s+(?:\w+\s+){0,6}?"
    r"(?:good with|familiar with|new to|used to|use|used|using|tried|talk(?:ed)? to|chat(?:ted)? with)"
    r"\s+(?:\w+\s+){0,2}?(?:chatbots?|chat bots?|ai\b|ai tools?|ai assistants?|language models?)"
    r"|\bfirst time (?:using|with|talking to|trying) (?:a |an |one of these )?(?:chatbots?|ai\b|chat bots?)",
    re.IGNORECASE,
)


def describes_chatbot_habits(text: str) -> bool:
    """The user tells the chatbot how familiar they are with chatbots (a trait of the persona), or
    how good their English is (another: "english isn't my native language, but I'm good at it",
    seen on 2026-11-28; 2 of the 30,547 ShareGPT user messages say anything of the kind)."""
    plain = _plain_apostrophes(text)
    return bool(_CHATBOT_HABITS.search(plain) or _OWN_ENGLISH.search(plain))


_OWN_ENGLISH = re.compile(
    r"\benglish (?:is|isn't|is not|was|wasn't) (?:not )?my (?:native|first|second|mother)"
    r"|\b(?:not|non)[- ]native (?:english )?speaker|\bmy english (?:is|isn't|was)\b"
    r"|\b(?:i'm|i am|im) (?:not )?(?:very |really )?(?:good|bad|fluent) (?:at|with|in) english\b",
    re.IGNORECASE,
)


# The goal speaks to the user ("You want to ..."); a message that says "you want to" of its own
# writer copies that voice (seen: "Also you want to change the style of one of the quatrains to
# reflect ... your favourite poet"). 11 of 30,547 real user messages have it, nearly all role
# prompts addressing the assistant ("Imagine you are a marketer. You want to ...").
_GOAL_VOICE = re.compile(r"(?:^|[.!?]\s+)(?:also,?\s+|and\s+)?you want (?:to|the chatbot)\b", re.IGNORECASE)


# The same voice in any of the goal's sentences: "also you're curious about the other way around"
# (seen on 2026-11-28, from the part "Also you are curious about the other way around"). A sentence
# of the message that opens with four words of the goal's "you ..." speaks of its writer as "you".
_YOU_SENTENCE = re.compile(r"(?:^|[.!?]\s+)(?:also,?\s+|and\s+)?(you(?:\s+[\w']+){3})", re.IGNORECASE)


def _you_are(text: str) -> str:
    return re.sub(r"\byou['’]re\b", "you are", text, flags=re.IGNORECASE).lower()


def speaks_in_the_goals_voice(text: str, goal: str) -> bool:
    if _GOAL_VOICE.search(text) and _GOAL_VOICE.search(goal):
        return True
    goal_words = " ".join(words(_you_are(goal)))
    return any(
        f" {' '.join(words(opening))} " in f" {goal_words} "
        for opening in _YOU_SENTENCE.findall(_you_are(text))
    )


_FIRST_PERSON = r"\b(?:i'm|im|i am|i have|my|i come from|as an?)\b"
# The persona's wording that no person types of themselves: "I don't have a school-leaving
# qualification and I'm looking for a recipe" (`roleplay run`, 2026-11-29); 0 of 30,547 real user
# messages say "school-leaving" at all. (One trait in a person's own words is fine: "I'm a nurse".)
_PERSONA_WORDING = re.compile(r"\bschool[- ]leaving qualification", re.IGNORECASE)


def _states_own_background(text: str, traits: Sequence[str]) -> bool:
    """The user gives their own background in the persona's words ("I have mixed background and
    want to try something new", asking for fluffier pancakes in `make demo` on 2026-11-28); "a
    white background" for an image is no such statement."""
    plain = normalized(text)
    return any(
        re.search(
            rf"{_FIRST_PERSON}(?: \w+){{0,3}} {re.escape(normalized(trait))} background\b",
            plain,
        )
        for trait in traits
        if normalized(trait)
    )


# The persona's identity, named where nothing asks for it: "is the Quai Branly open to non-binary
# guests" from a non-binary persona planning a walking tour (grid run of 2026-11-29). 3 of 30,547
# real user messages say "non-binary", all about a character they are writing. Only the traits no
# ordinary request holds count ("woman", "White" and "mixed" are everyday words).
_IDENTITY_TRAITS = frozenset(
    {"non-binary", "nonbinary"}
    | {
        phrase.lower()
        for phrase in (
            "Hispanic or Latino",
            "Black or African American",
            "Native American or American Indian",
            "Asian or Pacific Islander",
            "Middle Eastern or North African",
        )
    }
)


# ... or a name within a group's: "I'm feeding my 55-year-old Spanish/Latino mother 15 cups of mixed
# chicken feed" from a Hispanic or Latino persona (grid run of 2026-11-29). Not "Black" or "Asian"
# alone (black pepper, Asian recipes): the names no ordinary request holds.
_IDENTITY_NAMES = {
    "hispanic or latino": ("hispanic", "latino", "latina", "latinx"),
    "black or african american": ("african american", "african-american"),
    "native american or american indian": ("native american", "american indian"),
    "asian or pacific islander": ("pacific islander",),
    "middle eastern or north african": ("middle eastern", "north african"),
}


# ... or their schooling: "i have a high-school diploma and want to create something unique", asking
# for a unicorn drawn with turtle (grid run of the evening of 2026-11-29). 2 of 30,547 real user
# messages give their degree in the first person, both about a job they want.
_DEGREE = re.compile(r"\b(?:diploma|degree|doctorate|qualification|college education)\b", re.IGNORECASE)


def names_own_identity(text: str, traits: Sequence[str], goal: str) -> bool:
    """The message names the persona's gender identity or ethnic group, or their schooling in the
    first person, which the goal does not."""
    plain, goal_plain = text.lower(), goal.lower()
    for degree in (trait for trait in traits if _DEGREE.search(trait)):
        wording = re.escape(normalized(degree)).replace(r"\ ", r"\s+")
        said = re.search(
            rf"\b(?:i have|i've got|ive got|i got|i hold|i'm|im|i am)(?: \w+){{0,3}} {wording}\b",
            normalized(text),
        )
        if said and not _DEGREE.search(goal):
            return True
    for trait in (trait.lower() for trait in traits):
        if trait not in _IDENTITY_TRAITS:
            continue
        names = (trait, *_IDENTITY_NAMES.get(trait, ()))
        if any(re.search(rf"\b{re.escape(name)}\b", plain) and name not in goal_plain for name in names):
            return True
    return False


def leaks(
    text: str,
    persona_description: str,
    goal: str,
    persona_words: int,
    goal_fraction: float,
    traits: Sequence[str] = (),
) -> bool:
    """The message copies the persona description or most of the goal, lists the persona's traits,
    describes the persona's chatbot habits, or speaks of its writer in the goal's "you want to"."""
    if describes_chatbot_habits(text) or speaks_in_the_goals_voice(text, goal):
        return True
    if traits and names_traits(text, traits) >= min(ANNOUNCED_TRAITS, len(traits)):
        return True
    if traits and (_states_own_background(text, traits) or names_own_identity(text, traits, goal)):
        return True
    if _PERSONA_WORDING.search(text):
        return True
    persona_threshold = min(persona_words, len(words(persona_description))) or persona_words
    if persona_description and longest_common_run(text, persona_description) >= persona_threshold:
        return True
    goal_length = len(words(goal))
    goal_threshold = max(6, round(goal_fraction * goal_length))
    return goal_length >= goal_threshold and longest_common_run(text, goal) >= goal_threshold


def has_repeated_block(text: str, repeats: int, max_block: int = 12) -> bool:
    """A block of 1..max_block words occurs ``repeats`` times in a row (degenerate looping).

    Single words count only from ``repeats + 2`` in a row, because "very, very, very" is human.
    """
    tokens = words(text)
    for size in range(1, max_block + 1):
        needed = repeats + 2 if size == 1 else repeats
        for start in range(0, len(tokens) - size * needed + 1):
            block = tokens[start : start + size]
            if all(tokens[start + k * size : start + (k + 1) * size] == block for k in range(1, needed)):
                return True
    return False


def is_refusal(text: str) -> bool:
    return bool(_REFUSAL.search(_plain_apostrophes(text)))
