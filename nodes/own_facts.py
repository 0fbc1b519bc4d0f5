"""What the simulated user knows of their own situation, and says as theirs.

A person gives their own facts: the figures their goal holds ("three cups each"), never the
chatbot's guesses as what they know, never figures other than the goal's, never "your flock" to the
chatbot, and never "I don't know the times" of times they measured. Each check takes a user message
and the texts it is judged against; :mod:`llm_roleplay.nodes.guard` calls them.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from collections.abc import Set as AbstractSet
from itertools import combinations

from llm_roleplay.nodes.checks import figures_by_unit, numbers_in, numbers_of, stated_figures, stem
from llm_roleplay.nodes.goal_plan import request_sentences, scene_sentences

YOUR_THING = re.compile(r"\byour ([a-z]+)", re.IGNORECASE)


# "I know it had a population of 21 million people": the user tells the chatbot, as what they know,
# the figures the chatbot itself made up (seen on 2026-11-28, three messages of one dialogue about
# the oldest cities); a person asks about them. Corrections ("it should be 0 2 3") are left alone:
# real users correct with the chatbot's own figures. 0 of 25,052 later ShareGPT user messages
# claim to know a figure of the two replies before it that they had not given themselves. The same
# goes for stating it as a fact of their situation ("I have 20 chickens and they need 1-2 cups
# each", the chatbot's guess, from a user whose goal says 3 cups; seen on 2026-11-28): 10 of 19,414
# real later messages (under 600 characters) do so, mostly a count that happens to match ("I have
# 4 gpus available"). Or as the assumption to work with ("..., assuming each chicken eats 2 cups per
# day", the chatbot's guess, from a user whose goal says three cups; seen on 2026-11-28; or
# "considering each chicken eats 2 cups"): 11 of 20,516 real later messages do so ("assume ...
# Step 2", a step the chatbot had numbered). With the measured claims below too, 29 of 23,448 real
# later messages under 600 characters claim a figure of the two replies before it, as without them.
_CLAIMS_KNOWLEDGE = re.compile(
    r"\b(?:i know|i(?:'m| am) sure|i have|i give|i feed|they (?:need|get|eat)|assum(?:e|ing)"
    r"|(?:each|every) \w+ (?:needs?|gets?|eats?)|considering|given that"
    # the claim runs to the end of its sentence; the point of "0.5 pounds" is no full stop
    r"|my \w+ (?:is|are|weighs?|needs?|gets?))\b(?:[^.!?\n]|(?<=\d)\.(?=\d))*",
    re.IGNORECASE,
)


# What the user measured: "For the 50-meter race, it took me 20 seconds", the chatbot's example
# times told as the actual ones (reading run of 2026-11-29). Measured figures are the user's own, not
# the goal's: only a claim of the chatbot's figures counts (``claims_the_replies_facts``).
_CLAIMS_MEASURED = re.compile(
    r"\b(?:(?:it )?took me|i ran|i finished|i completed|my times? (?:was|were|is|are))\b"
    r"(?:[^.!?\n]|(?<=\d)\.(?=\d))*",
    re.IGNORECASE,
)


def claims_the_replies_facts(message: str, replies: Sequence[str], own_texts: Sequence[str]) -> bool:
    """The message claims to know (or to have measured) a figure that only the chatbot's replies
    have given (not the goal, not the user's own earlier messages)."""
    own = numbers_of(own_texts)
    only_theirs = numbers_of(replies) - own
    plain = message.replace("’", "'")
    claims = [*_CLAIMS_KNOWLEDGE.finditer(plain), *_CLAIMS_MEASURED.finditer(plain)]
    # Most of the claim's new figures, not one among several: "the 50-meter race in 30 seconds,
    # the 100-meter race in 60 seconds, and the 200-meter race in 90 seconds" is the user's own,
    # though the reply had said "60 seconds/minute" (run of 13:24 on 2026-11-29, refused).
    return any(
        2 * len(new & only_theirs) > len(new) for claim in claims if (new := numbers_in(claim.group()) - own)
    )


def misstates_the_goals_figures(message: str, goal: str) -> bool:
    """The message claims a figure of something the goal counts in other figures ("Each chicken
    eats about 0.75 cups of feed per day." from a user whose goal says three cups each, seen on
    2026-11-28 when the chatbot asked for the amount): the person would give their own."""
    units, figures = figures_by_unit(goal), stated_figures(goal)
    return any(
        unit in units and claimed - figures
        for claim in _CLAIMS_KNOWLEDGE.finditer(message.replace("’", "'"))
        for unit, claimed in figures_by_unit(claim.group()).items()
    )


# The goal speaks to the user: its "your flock", "your speed", "your favourite poet" are the user's
# own. Said to the chatbot, they ask it for its own (seen on 2026-11-28, answering "Please provide the
# information you have about the chickens": "Provide me with the size of your flock and the amount of
# feed each chicken receives"). What the chatbot makes may be "yours" to either side: left out.
_THE_CHATBOTS_WORK = frozenset(
    stem(word)
    for word in (
        {"answer", "reply", "response", "code", "function", "program", "script", "poem", "email", "letter"}
        | {"text", "essay", "story", "list", "version", "example", "explanation", "calculation", "help"}
        | {"suggestion", "message", "draft", "recipe", "plan", "table", "result", "solution", "output"}
        | {"own", "previous", "last", "first", "new", "formula", "method", "way"}
    )
)  # as stems


# A person's taste is theirs even when the goal plan repeats it: "in the style of your favourite
# poet", sent to the chatbot (seen on 2026-11-22 and 11-28, copied from the judge's plan part), asks
# the chatbot for its taste; a person names the poet, or says "my favourite poet" and is asked who.
_TASTES = frozenset(stem(word) for word in ("favourite", "favorite", "preferred"))


def takes_own_things_for_the_chatbots(message: str, goal: str, requests: Sequence[str] = ()) -> bool:
    """The message says "your X" of something the goal calls the user's own ("your X"), unless a
    request of the goal plan says "your X" itself (the judge's plan part "Make your claims stronger"
    speaks of the chatbot's response)."""
    asked = {stem(noun) for request in requests for noun in YOUR_THING.findall(request.lower())}
    asked -= _TASTES  # the plan copies the goal's "your favourite poet": still the user's own
    owned = {stem(noun) for noun in YOUR_THING.findall(goal.lower())} - asked - _THE_CHATBOTS_WORK
    said = {stem(noun) for noun in YOUR_THING.findall(message.lower())}
    return bool(owned & said)


# "Can you calculate the total amount of feed ... based on the information I provided?" as an
# opening (seen on 2026-11-28): a person refers to data they gave, and this user gave none.
_DATA_GIVEN = re.compile(
    r"\b(?:information|info|details|data|numbers|figures|times|measurements) (?:that )?i (?:have )?"
    r"(?:provided|gave(?: you)?|given|mentioned|shared|sent|listed|told you)\b",
    re.IGNORECASE,
)


def refers_to_data_never_given(message: str, previous_user_messages: Sequence[str]) -> bool:
    """The message points back to data of the user's that no message of theirs holds (no number)."""
    if not _DATA_GIVEN.search(message.replace("’", "'")):
        return False
    return not numbers_of([message, *previous_user_messages])


# "I'm not sure about the times, but I know the distances" from a user whose goal says they timed
# their races: the small model has the person withhold what their situation gives them, and the
# dialogue turns on data nobody has. Not one of 30,547 ShareGPT user messages says so of its data.
def _withheld(subject: str, possessive: str) -> re.Pattern[str]:
    return re.compile(
        rf"\b(?:{subject}\s*(?:do not|don't|dont|didn't|did not)\s*(?:have|know|remember)"
        # "200-meter races, but I haven't got the times for each yet" (grid run of 2026-11-29)
        rf"|{subject}\s*(?:haven't|havent|have not)(?: got)?"
        rf"|{subject}'?(?:m|re| am| are) not sure (?:about|of)|{subject} have no (?:idea|clue) (?:about|of))"
        rf"\s+(?:the|{possessive}|what)\b[^.?!]{{0,40}}?"
        r"\b(?:times?|numbers?|figures?|weights?|distances?|data|details|measurements?|amounts?|values?)\b",
        re.IGNORECASE,
    )


_WITHHELD = _withheld("i", "my")
_WITHHELD_IN_GOAL = _withheld("you", "your")  # goals speak to the user ("you don't know your weight")


# ... or asks the chatbot for them: "I need the times for the 50, 100, and 200-meter races. can you
# please give them?" from a user who timed the races with a stopwatch (grid run of 2026-11-29,
# after the chatbot had asked for the times twice). Only where the goal has the user measure them.
_ASKS_FOR_DATA = re.compile(
    r"\b(?:can|could|would|will) you\s+(?:please\s+)?(?:give|provide|tell|send|share|list)\b[^.?!\n]{0,30}?"
    r"\b(?:(?:the|my|those|these) (?:\w+ )?(?:times?|measurements?|weights?|distances?|data)|them)\b",
    re.IGNORECASE,
)
_DATA_NEEDED = re.compile(
    r"\bi (?:need|want) (?:the|my) (?:\w+ )?(?:times|measurements|weights|data)\b", re.IGNORECASE
)
_GOAL_MEASURES = re.compile(
    r"\byou (?:use a stopwatch|measure|measured|record|recorded|time|timed|weigh|weighed|track|tracked)\b",
    re.IGNORECASE,
)


# ... or sets out to measure them now, taking up the chatbot's how-to: "Okay, I'll start the
# stopwatch, finish the 50-meter race, read the time, repeat for the 100-meter and 200-meter races."
# (run of 13:24 on 2026-11-29, from a user whose goal says they timed the races). 0 of 30,547 real.
# ("\w*watch": the typing pass's typos, "stipwatch", come before the guard.)
_MEASURES_NOW = re.compile(
    r"\b(?:i'll|i will|let's|let me|i'm going to|i am going to|im going to)\s+(?:\w+\s+){0,2}?"
    r"(?:(?:start|stop|read|reset)\s+the\s+(?:\w*watch|timer|clock)|(?:run|finish|time)\s+the\s+\d+)",
    re.IGNORECASE,
)


def measures_own_data(goal: str) -> bool:
    """The goal has the user measure, time or weigh something: they have those figures to give."""
    return bool(_GOAL_MEASURES.search(goal))


def withholds_own_data(message: str, goal: str) -> bool:
    """The user says they lack their own figures or details, where the goal does not say so, or
    asks the chatbot for the data the goal has them measure, or sets out to measure it now."""
    plain = message.replace("’", "'")
    withheld = _WITHHELD.search(plain)
    # "I am not sure about my weight, but I know it's around 85 kg" gives it after all (grid run of
    # the night of 2026-11-29: refused, and a message with no weight was sent)
    rest_of_sentence = re.split(r"(?<=[.!?])\s", plain[withheld.end() :], maxsplit=1)[0] if withheld else ""
    given_after = numbers_in(rest_of_sentence) - numbers_in(goal)
    if withheld and not given_after and not _WITHHELD_IN_GOAL.search(goal.replace("’", "'")):
        return True
    if not measures_own_data(goal):
        return False
    if _MEASURES_NOW.search(plain):
        return True
    request = _ASKS_FOR_DATA.search(plain)
    # "them" is the data only after the user has named it ("I need the times ... give them?")
    return bool(request and (not request.group().endswith("them") or _DATA_NEEDED.search(plain)))


# The goal speaks to the user; the user speaks of themselves. "you" in a subject's place (the start,
# after a comma, "and", "if", ...) is "I", elsewhere ("it takes you") "me".
_YOU_FORMS = [
    (re.compile(r"\byou're\b", re.IGNORECASE), "I'm"),
    (re.compile(r"\byou are\b", re.IGNORECASE), "I am"),
    (re.compile(r"\byou were\b", re.IGNORECASE), "I was"),
    (re.compile(r"\byourself\b", re.IGNORECASE), "myself"),
    (re.compile(r"\byours\b", re.IGNORECASE), "mine"),
    (re.compile(r"\byour\b", re.IGNORECASE), "my"),
]
_YOU_SUBJECT = re.compile(
    r"(^\s*|[,;:]\s+|\b(?:and|but|if|that|when|than|as|so|where)\s+)you\b", re.IGNORECASE
)
_YOU_OBJECT = re.compile(r"\byou\b", re.IGNORECASE)


def in_first_person(sentence: str) -> str:
    """ "In the morning, you give your flock 15 cups" -> "In the morning, I give my flock 15 cups"."""
    for pattern, mine in _YOU_FORMS:
        sentence = pattern.sub(_cased_as_found(mine), sentence)
    sentence = _YOU_SUBJECT.sub(lambda match: f"{match.group(1)}I", sentence)
    return _YOU_OBJECT.sub("me", sentence)


def _cased_as_found(word: str) -> Callable[[re.Match[str]], str]:
    return lambda match: word[:1].upper() + word[1:] if match.group()[:1].isupper() else word


def situation_told(goal: str, said: Sequence[str], asked_with: AbstractSet[float] = frozenset()) -> str:
    """The goal's scene sentences (not its requests) that hold figures nobody has typed yet, in the
    user's own words: what a person adds to a calculation they ask for ("Every day, I feed each of
    my chickens three cups ..."); then the condition of the goal's question that holds a figure of
    ``asked_with`` (the figures the question for this part is asked with) nobody typed: "The size of
    my flock is 20 chickens." (grid run of the evening of 2026-11-29: the scene was told, the flock
    never, and the chatbot's 40 cups for the final meal was taken). Empty when there are none."""
    known = set().union(*(stated_figures(text) for text in said)) if said else set()
    told = []
    for sentence in scene_sentences(goal):
        figures = stated_figures(sentence)
        if figures - known:
            told.append(in_first_person(sentence))
            known |= figures
    for sentence in request_sentences(goal):
        for condition in _CONDITION.finditer(sentence):
            clause = condition.group(1).strip()
            figures = stated_figures(clause)
            if figures & asked_with - known:
                told.append(in_first_person(clause[:1].upper() + clause[1:]) + ".")
                known |= figures
    return " ".join(told)


# A question's condition: "... in the final meal of the day if the size of your flock is 20 chickens?"
_CONDITION = re.compile(r"\bif\s+((?:[^?!.,;]|(?<=\d)[.,](?=\d))+)", re.IGNORECASE)


# Made-up figures a person could have: "I completed the 50-meter race in 40 seconds, the 100-meter
# race in 25 seconds, and the 200-meter race in 20 seconds" (grid run of 2026-11-29) has the longest
# race run fastest, at 10 m/s. Nobody runs faster than the world records (about 10.4 m/s over 100 and
# 200 m), and a longer race takes longer.
_RACE_TIME = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*-?\s*(?:m|meters?|metres?)\b(?:\s*(?:race|run|sprint|dash))?"
    r"[^\d\n.;]{0,25}?\b(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|mins?|minutes?)\b",
    re.IGNORECASE,
)
# ... and the time told first: "30 seconds for the 50-meter run, 40 seconds for the 100-meter run"
# (grid run of 2026-11-29), which the pattern above pairs wrongly (50 m with 40 s).
_TIME_FIRST = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*(s|secs?|seconds?|mins?|minutes?)\s+(?:for|in|on|at)\s+(?:the|my|a)?\s*"
    r"(\d+(?:\.\d+)?)\s*-?\s*(?:m|meters?|metres?)\b",
    re.IGNORECASE,
)
FASTEST_RUN_M_PER_S = 10.5
# A longer race is run at a lower average speed: over 50, 100 and 200 m a sprinter's speed falls a
# little (world records: 10.4 and 10.4 m/s, 50 m about 9 m/s from a standing start), so 30 s for
# 50 m and 60 s for 200 m (1.7 against 3.3 m/s, seen on 2026-11-29) is nobody's running. Slack for a
# standing start over the shortest distance and for made-up round figures (30, 60 and 90 s: 1.33x).
LONGER_RACE_SPEEDUP = 1.5
# ... and a race is run, not walked: "I finished the 50-meter race in 5 minutes" (the chatbot's own
# example taken up, run of 13:11 on 2026-11-29) is 0.17 m/s; a brisk walk is about 1.5 m/s.
SLOWEST_RUN_M_PER_S = 1.5


def race_times(text: str) -> list[tuple[float, float]]:
    """The (metres, seconds) pairs the text gives, by distance ("50-meter: 27 seconds", "30 seconds
    for the 50-meter run", "in 2 minutes")."""
    time_first = [(distance, time, unit) for time, unit, distance in _TIME_FIRST.findall(text)]
    pairs = time_first or _RACE_TIME.findall(text)
    return sorted(
        (float(distance), float(time) * (60 if unit.lower().startswith("m") else 1))
        for distance, time, unit in pairs
        if float(time) > 0
    )


def implausible_race_times(message: str) -> bool:
    """Race times the message gives as the user's own that no runner has: faster than the world
    records or slower than a walk, a longer race run in less time than a shorter one, or at a much
    higher speed."""
    races = race_times(message)
    if any(
        not SLOWEST_RUN_M_PER_S <= distance / seconds <= FASTEST_RUN_M_PER_S for distance, seconds in races
    ):
        return True
    return any(
        longer[0] > shorter[0]
        and (longer[1] < shorter[1] or longer[0] / longer[1] > LONGER_RACE_SPEEDUP * shorter[0] / shorter[1])
        for shorter, longer in combinations(races, 2)
    )


def changes_own_race_times(message: str, previous_user_messages: Sequence[str]) -> bool:
    """A race time the user gave before, given again as another: "I ran a 200-meter race, it took
    me 28 seconds" from a user whose "200-meter: 55 seconds" was four messages back (grid run of
    2026-11-29). A person's times stay theirs."""
    told = dict(pair for text in previous_user_messages for pair in race_times(text))
    return any(distance in told and told[distance] != seconds for distance, seconds in race_times(message))


# A distance and its unit, for what a user says they run: "2 miles", "100-meter", "5 km".
_DISTANCE = re.compile(
    r"\b(\d+(?:\.\d+)?)\s*-?\s*(m|meters?|metres?|km|kilometers?|kilometres?|mi|miles?)\b"
    r"(?!\s*/|\s*per\b)",  # a speed ("5 m/s", "3 miles per hour") is no distance run
    re.IGNORECASE,
)
_METRES_PER = {"m": 1.0, "k": 1000.0, "mi": 1609.344}


def distances_run(text: str) -> set[float]:
    """The distances the text names, in metres."""
    found: set[float] = set()
    for value, unit in _DISTANCE.findall(text):
        lowered = unit.lower()
        factor = _METRES_PER["mi"] if lowered.startswith("mi") else _METRES_PER[lowered[0]]
        found.add(round(float(value) * factor))
    return found


def strays_from_noted_races(message: str, own_details: str) -> bool:
    """A user who noted the times of their races tells of races they never ran: "I'm having a 2-hour
    race. I'll be running 2 miles, 3 miles, and 4 miles" from a user whose noted races were 50, 100
    and 200 metres (grid run of the evening of 2026-11-29, asked what the calories need)."""
    noted = {round(distance) for distance, _ in race_times(own_details)}
    return bool(noted) and bool(distances_run(message) - noted)
