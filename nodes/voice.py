"""Is this the user's voice? Echoes of the chatbot and the helper's register in a user message.

Small models playing a user slide into the other side of the chat: they repeat the chatbot's last
sentence back ("Please provide me with the stopwatch readings for each race."), offer help ("let me
know if you have any questions"), ask the chatbot for the very details it asked them for, promise
information they never give ("I'll provide the stopwatch readings now."), or greet again in the
middle of a chat. Each is a plain function of text, shared by the inquirer's regeneration guard and
the quality filter, so both judge a message by the same rules. What a plain rewrite can mend
instead is in :mod:`llm_roleplay.nodes.rewrites`; what the user says of their own facts and
figures, in :mod:`llm_roleplay.nodes.own_facts`.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from functools import lru_cache

from llm_roleplay.blocks.style.sentences import split_sentences
from llm_roleplay.nodes.checks import (
    longest_common_run,
    longest_shared_run,
    numbers_in,
    numbers_of,
    stem,
    words,
)
from llm_roleplay.nodes.own_facts import YOUR_THING

# A user message that copies this many words in a row from a recent chatbot reply is an echo, and
# so is one that copies at least half of itself (from four words on). Runs that also occur in the
# goal are the user's own material (the chatbot quoting it back), not an echo.
ECHO_RUN_WORDS = 8
ECHO_MIN_RUN = 4
ECHO_SHARE = 0.5

_HELPER_REGISTER = re.compile(
    r"\b(?:let me know if (?:you|there)|feel free to|(?:happy|glad) to (?:help|assist|provide)"
    r"|i(?:'d| would| will|'ll| am|'m) (?:be )?(?:happy|glad|here) to (?:help|assist|provide|answer)"
    r"|i hope (?:this|that|it|these) helps?|is there anything else|anything else i can"
    r"|(?:if|do) you have any (?:other |further |more |additional )?(?:questions|concerns)"
    r"|(?:do not|don't) hesitate to|how (?:can|may) i (?:help|assist)|i(?:'m| am) here to (?:help|assist)"
    r"|i can help you (?:with|to)|(?:what|how) (?:would )?you (?:would )?like me to"
    # doing the chatbot's job for it (seen: "give me the time for each race and then I'll calculate
    # it for you?")
    r"|i(?:'ll| will) (?:calculate|work out|do|write|fix|solve) (?:it|that|this|them) for you"
    # ... or without "for you", the user's own figures asked of the chatbot (seen: "let me know the
    # distances and I'll calculate my speeds"; 0 of 30,547 real user messages)
    r"|\band (?:then )?i(?:'ll| will) (?:calculate|compute|work out|figure out)\b"
    # the offer as a sentence of its own (seen: "I can help!", "... infinite loop. I can help with
    # that."); 0 of 30,547 real user messages have one, 7 say "I can help" within other text
    r"|(?:^|(?<=[.!?] ))i can help(?: you)?(?: with (?:that|this|it))?\s*(?=[.!]|$)"
    # asking the chatbot for the input, as a helper asks its user (seen: "let's get started. what's
    # the string you want to use?"; no real ShareGPT user message matches this)
    r"|(?:what|which)(?:'s| is| are)?\s+(?:the\s+)?\w+(?:\s+\w+){0,2}?\s+(?:do\s+)?you\s+"
    r"(?:want|'d like|would like)\s+(?:to use|me to use|to try|to start with)"
    r"|i (?:was|am|'m) (?:not|un)able to (?:give|provide|help) you"
    # the chatbot's hedge about the user's own data: a person knows their weight, they don't assume it
    # asking the chatbot to find what is wrong with its own answer, as a teacher would (seen: "Tell
    # me what is wrong with your answer."; 0 of 30,547 real user messages)
    r"|what(?:'s| is) wrong with (?:your|the|this|that) (?:answer|response|reply)"
    # the chatbot asked of a trip it never made (grid run of the night of 2026-11-29: "was there a
    # particular view that stood out the most during the tour"; 0 of 30,547 real user messages)
    r"|(?:did you|have you|was there|were there)\b[^.?!]{0,80}\b(?:during|on) (?:the|your)"
    r" (?:tour|trip|visit|walk|hike|journey)"
    # the helper's reason for asking (grid run of the night of 2026-11-29: "can you please clarify or
    # provide more context so I can help you better?"; 0 of 30,547 real user messages)
    r"|so (?:that )?i can (?:better )?(?:help|assist) you"
    # ... or why it is wrong (grid run of the evening of 2026-11-29: "Explain why your answer is
    # incorrect", sent when the chatbot gave code for a list; 0 of 30,547 real user messages)
    r"|why (?:your|the|this|that) (?:answer|response|reply) (?:is|was) (?:incorrect|wrong|not correct)"
    # asking what the chatbot wants told, as a helper asks (seen: "Can you clarify what information
    # you would like me to know about these cities instead"; 0 of 30,547 real user messages)
    r"|what (?:information|info|details?|else|data)\s+(?:would you|do you|you would|you)"
    r"\s+(?:like|want)\s+me\s+to"
    # the details the chatbot needs, asked of the chatbot (seen: "Can you give the number of lines,
    # the style of a specific quatrain, or any other details you require"); the 2 of 30,547 real
    # user messages with the phrase ask the chatbot to ask them ("ask me for any more details")
    r"|(?<!ask me for )(?<!ask me )any (?:other |more |additional |further )?(?:details|information|info)"
    r" (?:that )?you (?:require|need)"
    # the chatbot's own admission in the user's mouth (seen in the grid run of 2026-11-29: "It seems
    # my previous answer wasn't accurate", "It seems I didn't get it right before", from a user
    # whose chatbot had given the wrong list); in the first 8,800 ShareGPT conversations, 0 of
    # 30,547 user messages say either, 2 "I apologize for the confusion" (both inside a script)
    r"|\bmy (?:previous|last|earlier) (?:answer|response|reply|explanation)"
    r"|\bi (?:didn't|did not|didnt) get (?:it|that|this) right"
    r"|\bi apologi[sz]e for (?:the|any|my) (?:confusion|mistake|error)"
    r"|i(?:'m| am) assuming (?:i|my)|let's (?:assume|say) (?:i|my)"
    r"|assuming (?:i|my) (?:weigh|weight|age|time))\b",
    re.IGNORECASE,
)
_SIGN_OFF = re.compile(
    r"(?:^|\n)\s*(?:best regards|kind regards|warm regards|regards|sincerely|yours truly|best wishes)"
    r"\b[,.!]?",
    re.IGNORECASE,
)
_PROMISE = re.compile(
    r"\bi(?:'ll| will|'m going to| am going to| shall)\s+(?:now\s+)?(?:provide|send|share|give|get back"
    r"|paste|post|upload|forward|attach|type|list)\b[^.!?\n]*",
    re.IGNORECASE,
)
# A chat has no attachments, and "I have the times" without a number leaves the chatbot to guess
# them: both claim material the message does not hold (seen: "I've attached the times and
# distances, thanks", "I know my distance and time, just need the actual speed").
_ATTACHED = re.compile(
    r"\b(?:i(?:'ve| have)\s+(?:attached|uploaded|enclosed)|(?:see|find|in) the attach\w*"
    r"|attached (?:is|are|file|below|above)"
    # a picture the chat cannot hold (seen: "I want it to look like the one in the picture.")
    r"|(?:in|from|like) the (?:picture|image|photo|screenshot)|the (?:picture|image|photo) i (?:sent|shared))"
    r"\b[^.!?\n]*",
    re.IGNORECASE,
)
_HAVE_DATA = re.compile(
    r"\bi(?:'ve| have| got| know| measured| recorded| noted)\s+(?:all\s+)?(?:the|my)\s+(?:\w+\s+)?"
    r"(?:times?|numbers|measurements?|readings|data|figures|distances?|results|stats|weights?)\b",
    re.IGNORECASE,
)
# "I have the original poem and the poet's name." with no poem after it (seen on 2026-11-28, asked
# for the poem to refine); 0 of the 30,547 ShareGPT user messages say they have "the"/"my" text
# without pasting it (the 3 near ones say "I have a jenkins file with ..." and describe it).
_HAVE_TEXT = re.compile(
    r"(?:^|[.!?]\s+|,\s*|\b(?:and|but|so)\s+)i(?:'ve| have)(?:\s+got)?\s+(?:the|my)\s+(?:\w+\s+)?"
    r"(?:poem|text|code|email|letter|essay|story|draft|document|file|script|article|paragraph)\b(?P<rest>.*)",
    re.IGNORECASE | re.DOTALL,
)
_ANNOUNCED = re.compile(r"\bhere (?:is|are|'s) (?:my|the|some)\b[^.!?\n]*:\s*$", re.IGNORECASE)
_REQUEST_VERBS = re.compile(
    r"\b(?:provide|share|send|give me|tell me|let me know|specify|clarify|what (?:is|are) (?:your|the))\b",
    re.IGNORECASE,
)
_GREETING = re.compile(
    r"^\s*(?:hi|hello|hey|hiya|greetings|good (?:morning|afternoon|evening)|dear)\b", re.IGNORECASE
)
_STOPWORDS = frozenset(
    [
        "a",
        "an",
        "the",
        "to",
        "of",
        "in",
        "for",
        "on",
        "with",
        "and",
        "or",
        "but",
        "is",
        "are",
        "was",
        "were",
        "be",
        "been",
        "it",
        "this",
        "that",
        "these",
        "those",
        "i",
        "me",
        "my",
        "you",
        "your",
        "we",
        "our",
        "they",
        "them",
        "their",
        "he",
        "she",
        "his",
        "her",
        "please",
        "can",
        "could",
        "would",
        "will",
        "shall",
        "should",
        "do",
        "does",
        "did",
        "so",
        "as",
        "at",
        "by",
        "from",
        "about",
        "into",
        "up",
        "out",
        "if",
        "then",
        "than",
        "there",
        "here",
        "what",
        "which",
        "who",
        "how",
        "when",
        "where",
        "why",
        "all",
        "any",
        "some",
        "each",
        "me",
        "just",
        "also",
        "more",
        "most",
        "very",
        "really",
        "now",
        "again",
    ]
)


def content_words(text: str) -> list[str]:
    return [word for word in words(text) if word not in _STOPWORDS and len(word) > 2]


def echoes(
    message: str, recent_replies: Sequence[str], goal: str = "", own_texts: Sequence[str] = ()
) -> bool:
    """The message copies a long stretch, or most of itself, from a recent chatbot reply.

    Words the chatbot took from the goal or from the user's own earlier messages (``own_texts``)
    are the user's to say again: asked again for "how much feed I need for the final meal of the
    day", which the chatbot's refusal had quoted, the embedded model was stopped four times.
    """
    typed = words(message)
    if not typed:
        return False
    # The user's own stretches (OWN_RUN_WORDS words in a row of the goal or their earlier messages)
    # are theirs to say again, however the chatbot wove them into its text: restating their own
    # question ("how many miles I can travel in six hours if I spend one-third of the time
    # walking ...") shared 14 words with the chatbot's restatement of it and 12 with their own, and
    # four complaints in a row were stopped as echoes (reading run of 2026-11-29).
    own = _own_positions(typed, [goal, *own_texts])
    for reply in recent_replies:
        run = longest_shared_run(typed, words(reply), own)
        if run >= ECHO_RUN_WORDS or (run >= ECHO_MIN_RUN and run >= ECHO_SHARE * len(typed)):
            return True
    return False


OWN_RUN_WORDS = 4


def _own_positions(typed: tuple[str, ...], own_texts: Sequence[str]) -> set[int]:
    """The positions of ``typed`` inside a run of OWN_RUN_WORDS words that one of ``own_texts`` has."""
    own_grams: set[tuple[str, ...]] = set()
    for text in own_texts:
        own_words = words(text)
        own_grams.update(zip(*(own_words[k:] for k in range(OWN_RUN_WORDS)), strict=False))
    covered: set[int] = set()
    for start in range(len(typed) - OWN_RUN_WORDS + 1):
        if typed[start : start + OWN_RUN_WORDS] in own_grams:
            covered.update(range(start, start + OWN_RUN_WORDS))
    return covered


# The prompt's own instructions copied into the message ("can you explain it again with details only
# the person knows"): longer runs than for the example messages, as instructions are ordinary prose.
# Read with the person's pronouns made alike, as the model turns "their situation" into "your
# situation" ("I need the details of your situation, like measurements or amounts", seen on
# 2026-11-28 from "They include the details of their situation the chatbot will need").
PROMPT_RUN_WORDS = 5
_PRONOUNS = {
    "their": "one's", "your": "one's", "my": "one's",
    "they": "one", "you": "one", "i": "one",
    "them": "one", "me": "one",
    "theirs": "one's", "yours": "one's", "mine": "one's",
}  # fmt: skip


@lru_cache(maxsize=512)  # the prompt's instructions are the same few texts on every guard call
def person_neutral(text: str) -> str:
    """``text`` with first, second and third person pronouns written alike."""
    return " ".join(_PRONOUNS.get(word, word) for word in words(text))


# The prompts' own talk, reworded: "could you please give me with the figures from your situation
# or make up some reasonable values for a realistic scenario?" (grid run of 2026-11-29; the prompt
# says "the figures their situation gives, or realistic made-up values"). 0 of 30,547 real user
# messages say any of these (first 8,800 ShareGPT conversations).
_PROMPT_TALK = re.compile(
    r"\b(?:make up (?:some )?(?:realistic |reasonable )?(?:values|numbers|figures)"
    r"|made-up (?:values|numbers|figures)"
    r"|(?:figures|numbers|values|details) (?:from|of|in) (?:my|your|the|their) situation"
    # "The figures your situation gives (20 chickens) are not sufficient." (grid run of the evening)
    r"|(?:figures|numbers|values|details) (?:my|your|the|their) situation gives"
    r"|realistic scenario)\b",
    re.IGNORECASE,
)


def copies_instructions(message: str, instructions: Sequence[str]) -> bool:
    """The message copies PROMPT_RUN_WORDS words in a row of the prompt's instructions, whoever the
    pronouns in them point at, or rewords the prompts' own talk (``_PROMPT_TALK``)."""
    if _PROMPT_TALK.search(message.replace("’", "'")):
        return True
    neutral = person_neutral(message)
    return any(longest_common_run(neutral, person_neutral(text)) >= PROMPT_RUN_WORDS for text in instructions)


def copies_example(
    message: str, examples: Sequence[str], run: int = ECHO_MIN_RUN, dialogue: Sequence[str] = ()
) -> bool:
    """The message copies ``run`` (four) or more words in a row from a text shown in the prompt, or a
    number of one that nothing in the ``dialogue`` (goal, messages, replies) holds (seen: "why 45?"
    of a complaint example came back as "why 45 miles", "60 cups instead of 45", "why 45 is
    mentioned as the 3rd" in three dialogues)."""
    if any(longest_common_run(message, example) >= run for example in examples):
        return True
    # Two digits and up: a small number ("8 s") is too common to tell a copy. And only when every
    # figure of the message's own is one shown: "15, 30 and 45 seconds" are the user's times, the
    # example's "45 min" aside (run of 13:47 on 2026-11-29, refused as a copy).
    shown = {n for example in examples for n in numbers_in(example) if n >= 10}
    new = numbers_in(message) - numbers_of(dialogue)
    return bool(new & shown) and new <= shown


def borrows_complaint_topics(message: str, examples: Sequence[str], dialogue: Sequence[str]) -> bool:
    """A complaint with two or more topic words of the prompt's example complaints that nothing in
    the ``dialogue`` has: "Tell me where the second one is. How did you get the total wrong?" to a
    chatbot asked to agree with a statement about technology (grid run of the night of 2026-11-29;
    the examples: "the total is still wrong", "where is the second one?"). The words every
    complaint may use are not counted."""
    shown = {stem(word) for example in examples for word in content_words(example)} - _COMPLAINT_STEMS
    known = {stem(word) for text in dialogue for word in content_words(text)}
    return len({stem(word) for word in content_words(message)} & shown - known) >= 2


_COMPLAINT_STEMS = {
    stem(word)
    for word in (
        "no", "not", "that", "thats", "what", "asked", "ask", "read", "my", "question", "again", "same",
        "before", "still", "wrong", "wait", "where", "only", "did", "first", "one", "you", "do", "is",
        "answer", "right", "correct", "missing", "why", "how", "please", "mean",
    )
}  # fmt: skip


def helper_register(message: str) -> bool:
    """Offers help, hopes it helps, invites questions or signs off: the assistant's lines."""
    plain = message.replace("’", "'")
    return bool(_HELPER_REGISTER.search(plain) or _SIGN_OFF.search(plain))


def empty_promise(message: str, goal: str = "") -> bool:
    """Promises to provide something ("I'll provide the readings now"), or says it has or attached
    it ("I have the times and distances", "I have the original poem"), without providing it.

    A promise followed by the material itself (a colon or line break, then five or more words, or
    any number) is a user handing over data, not an empty promise. Said to have the data, only a
    number the goal does not hold counts as given (seen: "I know the time and distance for each
    race. let's start with the 50-meter race.", the 50 being the goal's distance).
    """
    plain = message.replace("’", "'")
    for match in [*_PROMISE.finditer(plain), *_ATTACHED.finditer(plain)]:
        rest = plain[match.end() :]
        if re.search(r"\d", match.group() + rest):
            continue
        if re.match(r"\s*[:\n]", rest) and len(words(rest)) >= 5:
            continue
        return True
    have = _HAVE_DATA.search(plain)
    if have:
        clause = re.split(r"[.!?\n]", plain[have.end() :], maxsplit=1)[0]  # "... are 50m, 100m"
        if not re.search(r"\d", clause) and not numbers_in(plain) - numbers_in(goal):
            return True
    has_text = _HAVE_TEXT.search(plain)
    if has_text and not re.search(r"[\n:\"`]", has_text.group("rest")):
        return True
    return bool(_ANNOUNCED.search(plain.rstrip()))


def mirrors_request(message: str, last_reply: str) -> bool:
    """The chatbot asked the user for something and the user asks the chatbot for the same thing."""
    if not last_reply or not _REQUEST_VERBS.search(message):
        return False
    asked = [
        sentence
        for sentence in re.split(r"(?<=[.!?])\s+|\n+", last_reply)
        if _REQUEST_VERBS.search(sentence)
        # "Please provide me with the times for each race." asks the user too
        and re.search(r"\b(?:you|your)\b|^\W*please\b", sentence, re.IGNORECASE)
    ]

    def stems(text: str) -> set[str]:  # the message's figures ("the 100-meter race") are no request
        return {stem(word) for word in content_words(text) if not word.isdigit()}

    mine = stems(message)
    if len(mine) < 2:
        return False
    for sentence in asked:
        shared = mine & stems(sentence)
        if len(shared) >= 2 and len(shared) >= 0.6 * len(mine):
            return True
    return False


# "I do not have access to your personal speed data" answered with "I need to know your personal
# speed data to calculate it" (seen on 2026-11-29): the user's own data, named in the chatbot's words
# as the chatbot's. Of the 30,547 ShareGPT user messages none repeats a "your ..." phrase of a reply
# that said it lacks (access to, knowledge of) "your ..."; real users' "your" phrases are quotes.
_LACKS_YOUR = re.compile(
    r"\b(?:access to|know|have|see|information (?:about|on)) your ((?:[a-z]+ ){1,2}[a-z]+)", re.IGNORECASE
)


def borrows_the_chatbots_your(message: str, last_reply: str) -> bool:
    """The chatbot says it lacks "your X Y" and the user speaks of "your X Y" too."""
    lacked = {" ".join(phrase.lower().split()[:2]) for phrase in _LACKS_YOUR.findall(last_reply)}
    return any(
        " ".join(phrase.lower().split()[:2]) in lacked
        for phrase in re.findall(r"\byour ((?:[a-z]+ ){1,2}[a-z]+)", message, re.IGNORECASE)
    )


_QUESTION_WORD = re.compile(
    r"^\s*(?:what|which|how|when|where|who|why|can|could|would|do|does|is|are)\b", re.IGNORECASE
)


def answers_for_the_chatbot(message: str, asked: str) -> bool:
    """Asked for "your weight", the user gives "your weight" back ("let's say your weight is 90
    kilograms"): their own data, spoken of as the chatbot's. Only the things the chatbot asked
    about count; "your answer is wrong" is the user speaking to the chatbot."""
    asked_about = {word.lower() for word in YOUR_THING.findall(asked)}
    return any(word.lower() in asked_about for word in YOUR_THING.findall(message))


def asks_back(message: str) -> bool:
    """Asked for information, the user asks a question back and gives none (no number, no detail)."""
    plain = message.replace("’", "'").strip()
    is_question = "?" in plain or bool(_QUESTION_WORD.match(plain))
    return is_question and not re.search(r"\d", plain) and len(words(plain)) < 25


_QUANTITY = re.compile(
    r"\b(?:how (?:many|much|long|old|far|often)|weigh\w*|height|age|budget|times?|distance|price|cost"
    r"|size)\b",
    re.IGNORECASE,
)
# Words of assent and chat that answer nothing ("sure, i know how to do that").
_NOTHING_WORDS = frozenset(
    {"sure", "yes", "yeah", "yep", "okay", "know", "like", "want", "need", "get", "got", "have", "thing"}
    | {"i'm", "i've", "i'd", "i'll", "looking", "trying", "wondering"}
)


def gives_nothing_new(
    message: str,
    asked: str,
    replies: Sequence[str],
    wants_figures: bool = False,
    earlier: Sequence[str] = (),
    goal: str = "",
) -> bool:
    """Asked for their own information, the user gives none the chatbot did not already say.

    Where the chatbot asked for (or guessed) a quantity, or asked for "the details" of a request
    whose answer is a figure (``wants_figures``: "calculate the calories burned in each race"), the
    answer needs a number of the user's own: repeating the chatbot's "70 kg" or "3500 calories"
    back is parroting, and "I want to know how many calories I burned" answers nothing.
    Otherwise it needs a few words that neither the chatbot nor the user's own ``earlier``
    messages said: restating the request is not an answer (seen, asked for the string to count
    the vowels in: "I'm looking for a project where I need to count the number of vowels in a
    string"). Numbers the user gave before may be given again, when the chatbot asks again, and so
    may the ``goal``'s, which are the user's own even when the chatbot has said them (a user whose
    goal holds every figure, "20 chickens, 3 cups each", was refused all four answers).
    """
    said = " ".join(replies)
    own_numbers = numbers_in(message) - (numbers_in(said) - numbers_in(goal))
    if wants_figures or numbers_in(asked) or _QUANTITY.search(asked):
        return not own_numbers
    known = set(content_words(said)) | set(content_words(" ".join(earlier))) | _NOTHING_WORDS
    return not own_numbers and len(set(content_words(message)) - known) < 2


def confuses_roles(message: str, last_reply: str, goal: str = "") -> bool:
    """Speaks as the helper: the assistant's register, a mirrored request, the chatbot's words for
    the user's own things, or an empty promise."""
    return (
        helper_register(message)
        or empty_promise(message, goal)
        or mirrors_request(message, last_reply)
        or borrows_the_chatbots_your(message, last_reply)
    )


# The prompts call the other side "the chatbot"; a small model narrates the persona's wish for one
# ("I need a chatbot to help me with that", seen on 2026-11-28) where a person just asks. 8 of 28,657
# real ShareGPT user messages name a chatbot at all, every one about building or using chatbots.
_A_CHATBOT = re.compile(r"\bchatbots?\b", re.IGNORECASE)
_ADDRESSEE = re.compile(r"\bthe chatbot(?:'s)?\b", re.IGNORECASE)


def speaks_of_a_chatbot(message: str, goal: str) -> bool:
    """The message mentions a chatbot (what ``to_the_chatbots_face`` could not turn into "you") while
    the goal names none but its addressee, "the chatbot"."""
    return bool(_A_CHATBOT.search(message)) and not _A_CHATBOT.search(_ADDRESSEE.sub("", goal))


_LETTER_OPENING = re.compile(
    r"^\s*(?:dear\b|to whom it may concern|(?:mr|mrs|ms|dr)\.?\s+\w+\s*[,:])", re.IGNORECASE
)
_RECIPIENT = re.compile(r"\bto (?:my|the|our|your|a|an) ([a-z]+)(?: ([a-z]+))?", re.IGNORECASE)


def writes_to_someone_else(message: str, goal: str) -> bool:
    """The message is the letter, not a request to the chatbot: it opens like a letter ("Dear ...")
    or addresses someone the goal writes to ("landlord, could you fix the heater": the goal was
    "an email to my landlord"), seen from the embedded model."""
    if _LETTER_OPENING.match(message):
        return True
    opening = re.match(r"^\s*(?:hi|hello|hey)?\s*([a-z]+(?: [a-z]+)?)\s*[,:!]", message, re.IGNORECASE)
    if not opening:
        return False
    addressed = opening.group(1).lower()
    recipients = set()
    for first, second in _RECIPIENT.findall(goal.lower()):  # "my landlord", "my new landlord"
        recipients |= {first, f"{first} {second}", second} - {""}
    return addressed in recipients


# The goal's document asks its recipient for something: "an email to my landlord asking to fix a
# broken heater" -> "fix".
_DOCUMENT_ASKS = re.compile(
    r"\b(?:email|e-mail|letter|message|note|complaint)\b[^.]*?\b(?:ask(?:ing|s)?|request(?:ing|s)?|tell(?:ing|s)?)"
    r"\s+(?:(?:him|her|them|the \w+)\s+)?to\s+([a-z]+)",
    re.IGNORECASE,
)
_ABOUT_THE_DOCUMENT = re.compile(
    r"\b(?:e-?mail|letter|message|note|complaint|write|draft|rewrite|firmer|polite|tone|version)\b",
    re.IGNORECASE,
)


def asks_the_chatbot_to_act(message: str, goal: str) -> bool:
    """The goal is a document asking someone to act ("an email to my landlord asking to fix a broken
    heater") and the message asks the chatbot itself to act, with no word of the document: "I asked
    you to fix my broken heater.", "Fix my heater." and "I need the heater fixed immediately ... can you
    look at it?" (all seen in `make demo`)."""
    asked = _DOCUMENT_ASKS.search(goal)
    if not asked or _ABOUT_THE_DOCUMENT.search(message):
        return False
    recipients = {word for pair in _RECIPIENT.findall(goal.lower()) for word in pair if word}
    if recipients & set(words(message.lower())):  # "tell my landlord to fix it": about the letter
        return False
    wanted = stem(asked.group(1))  # "fix", "fixed", "fixing" (seen: "I need the heater fixed immediately")
    return any(stem(word) == wanted for word in words(message))


# A complaint that opens "Thanks for your help! I understand the problem now." takes itself back:
# the small model pads a reask with the satisfied user's lines (seen on 2026-11-28, followed by
# "The answer you provided was not accurate").
_SATISFIED = re.compile(
    # "Thank you, that helps me understand how much feed is needed ..." (grid run of 2026-11-29: sent
    # as the complaint about a final meal the chatbot had got wrong)
    r"^(?:(?:thanks|thank you)\b.*\b(?:help(?:s|ed|ful)?|explanation|answer|understand)\b"
    r"|i (?:now )?(?:understand|get)\b.*\bnow\b"
    r"|(?:that|this|it) (?:makes sense|helps|helped)\b|got it\b|(?:great|perfect|awesome)\W*$"
    r"|i know you can do (?:this|it)\b|wow\b|i (?:didn't|did not) know\b"
    # "Wow, I never thought I could run a 200-meter race in 41.3 seconds. That's amazing", the whole
    # complaint to a chatbot that had given stopwatch code for the speeds (grid run of the night of
    # 2026-11-29)
    r"|(?:that|this|it)(?:'s| is| was) (?:so |really )?"
    r"(?:amazing|great|awesome|impressive|cool|perfect)\W*$)",
    re.IGNORECASE,
)


def takes_itself_back(complaint: str) -> bool:
    """Every sentence of the complaint is a satisfied user's ("Wow, I didn't know that the world's 10
    oldest cities are so diverse and interesting!", seen after the chatbot had refused to list them)."""
    sentences = split_sentences(complaint)
    return bool(sentences) and all(_SATISFIED.match(sentence.replace("’", "'")) for sentence in sentences)


def without_satisfaction(complaint: str) -> str:
    """A complaint without its sentences of a satisfied user ("Thanks for your help!", "I
    understand the problem now."); unchanged when nothing else would be left."""
    sentences = split_sentences(complaint)
    kept = [sentence for sentence in sentences if not _SATISFIED.match(sentence.replace("’", "'"))]
    return " ".join(kept) if kept and len(kept) < len(sentences) else complaint


def greets_again(message: str, turn: int) -> bool:
    """A greeting that opens a message after the first one (turn counts user messages from 1)."""
    return turn > 1 and bool(_GREETING.match(message))
