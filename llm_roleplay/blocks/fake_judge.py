"""What the ``fake`` model answers to the evaluation judges: fixed, documented rules on the prompt.

The rules are crude on purpose: they make the whole evaluation runnable offline and make the
answer for a hand-written dialogue known in advance, so tests can check the plumbing end to end.
They read the dialogue from the ``<dialogue>`` blocks of the judge prompts (``prompts/judge_*.md``).

- goal completion: the share of the goal's content words (4+ letters, not a stop word) that the
  assistant's replies use: at least 0.5 -> ``met``, at least 0.2 -> ``partially_met``, else ``not_met``.
  On the fake models' own dialogues (``llm_roleplay.blocks.fake_models``: the user names each part's
  content words, the chatbot quotes them) this finds met what the fake goal check verified.
- persona fidelity: 2 with ``announces_attributes`` when a user message describes the user
  ("as a ...", "I am a ...", "I'm an ..."), else 4.
- human likeness: ``human`` when at least half of the user messages look casually typed (start in
  lower case, or end without ``.``, ``!`` or ``?``), else ``model``.
- paired: the dialogue with the larger share of casually typed user messages; A on a tie.
- part checks of the graph's goal check (``judge_part_check``): it quotes a sentence of the reply
  to the user message that shares the most content words with the part (the sentence that
  shares the most words and numbers with the part, each weighted by how few sentences use it;
  the first on a tie) and agrees. Parts asked one after the other so get a quote each, as the
  goal check needs (one sentence quoted for two parts delivers only the first unless it names the
  second: ``nodes.verification``).
- tool arguments: ``matches`` when at least half of the expected text's content words occur in
  the arguments (their JSON, lower-cased).
"""

from __future__ import annotations

import json
import re
from collections import Counter
from collections.abc import Sequence

from langchain_core.messages import BaseMessage

from llm_roleplay.blocks.style.sentences import SENTENCE

_STOP_WORDS = frozenset(
    {"about", "after", "also", "been", "before", "being", "could", "does", "from", "have", "into", "just"}
    | {"like", "make", "more", "most", "much", "need", "only", "other", "over", "some", "such", "than"}
    | {"that", "their", "them", "then", "there", "these", "they", "this", "those", "very", "want", "what"}
    | {"when", "where", "which", "while", "will", "with", "would", "your"}
)
_SELF_DESCRIPTION = re.compile(r"\b(?:as an?|i am an?|i'm an?|i’m an?)\s+\w", re.IGNORECASE)
_WORD = re.compile(r"[a-z]{4,}")


_PARAGRAPH = re.compile(r"\n\n(?=(?:User|Assistant): )")  # one message of a judge transcript
_ASKED_PART = re.compile(r"^The user asked for this: (.*)$", re.MULTILINE)
_TOKEN = re.compile(r"[a-z0-9]+(?:[.,'][a-z0-9]+)*")
_FUNCTION_WORDS = frozenset({"a", "an", "and", "the", "of", "to", "in", "for", "on", "is", "it", "each"})


def _tokens(text: str) -> set[str]:
    """Words and numbers of ``text`` but the commonest function words ("2.5", "lb", "plan", "b")."""
    return set(_TOKEN.findall(text.lower())) - _FUNCTION_WORDS


def part_check_answer(prompt: str) -> str:
    """The fake judge's answer to a part check (see the module docstring)."""
    asked = _ASKED_PART.search(prompt)
    part = asked.group(1) if asked else ""
    wanted, topic = _tokens(part), _content_words(part)
    transcript = prompt[: asked.start()] if asked else prompt
    candidates: list[tuple[str, set[str], int]] = []  # sentence, its tokens, the asking message's
    asked_words = 0
    for paragraph in _PARAGRAPH.split(transcript):
        if paragraph.startswith("User: "):
            asked_words = len(topic & _content_words(paragraph))
        elif paragraph.startswith("Assistant: "):
            for sentence in SENTENCE.findall(paragraph.removeprefix("Assistant: ")):
                if sentence.strip():
                    candidates.append((sentence.strip(), _tokens(sentence), asked_words))
    # A word of the part that few sentences use tells more than one that most do ("total" beside "tip").
    spread = Counter(token for _, tokens, _ in candidates for token in tokens & wanted)
    quote, best = "none", (-1, -1.0)
    for sentence, tokens, asking in candidates:
        score = (asking, sum(1 / spread[token] for token in tokens & wanted))
        if score > best:
            quote, best = sentence, score
    return f"Evidence: {quote}\nDone: YES"


def _block(text: str, tag: str) -> str:
    match = re.search(rf"<{tag}>\n?(.*?)\n?</{tag}>", text, re.DOTALL)
    return match.group(1) if match else ""


def _messages(transcript: str, speaker: str) -> list[str]:
    """The messages of one speaker in a ``User: ...`` / ``Assistant: ...`` transcript."""
    parts = _PARAGRAPH.split(transcript.strip())
    prefix = f"{speaker}: "
    return [part[len(prefix) :].strip() for part in parts if part.startswith(prefix)]


def content_words(text: str) -> list[str]:
    """The text's content words (4+ letters, not a stop word), lower case, first occurrences in order."""
    return list(dict.fromkeys(word for word in _WORD.findall(text.lower()) if word not in _STOP_WORDS))


def _content_words(text: str) -> set[str]:
    return set(content_words(text))


def casual_share(user_messages: Sequence[str]) -> float:
    """Share of messages that start in lower case or end without sentence punctuation."""
    if not user_messages:
        return 0.0
    casual = sum(
        1 for message in user_messages if message and (message[0].islower() or message[-1] not in ".!?")
    )
    return casual / len(user_messages)


def _goal_completion(prompt: str) -> dict[str, object]:
    goal_words = _content_words(_block(prompt, "goal"))
    replies = " ".join(_messages(_block(prompt, "dialogue"), "Assistant"))
    covered = len(goal_words & _content_words(replies)) / len(goal_words) if goal_words else 0.0
    verdict = "met" if covered >= 0.5 else "partially_met" if covered >= 0.2 else "not_met"
    return {"verdict": verdict, "rationale": f"The replies use {covered:.0%} of the goal's content words."}


def _persona_fidelity(prompt: str) -> dict[str, object]:
    announced = any(_SELF_DESCRIPTION.search(m) for m in _messages(_block(prompt, "dialogue"), "User"))
    if announced:
        return {"score": 2, "announces_attributes": True, "rationale": "The user describes themself."}
    return {"score": 4, "announces_attributes": False, "rationale": "The user never describes themself."}


def _human_likeness(prompt: str) -> dict[str, object]:
    share = casual_share(_messages(_block(prompt, "dialogue"), "User"))
    author = "human" if share >= 0.5 else "model"
    return {"author": author, "rationale": f"{share:.0%} of the user's messages look casually typed."}


def _paired(prompt: str) -> dict[str, object]:
    share_a = casual_share(_messages(_block(prompt, "dialogue_a"), "User"))
    share_b = casual_share(_messages(_block(prompt, "dialogue_b"), "User"))
    side = "B" if share_b > share_a else "A"
    return {"human": side, "rationale": f"Casually typed messages: A {share_a:.0%}, B {share_b:.0%}."}


def _tool_args(prompt: str) -> dict[str, object]:
    expected = _content_words(_block(prompt, "expected"))
    arguments = _block(prompt, "arguments").lower()
    found = sum(1 for word in expected if word in arguments) / len(expected) if expected else 0.0
    return {"matches": found >= 0.5, "rationale": f"{found:.0%} of the expected words are in the arguments."}


_RULES = {
    "eval_goal_completion": _goal_completion,
    "eval_persona_fidelity": _persona_fidelity,
    "eval_human_likeness": _human_likeness,
    "eval_human_likeness_paired": _paired,
    "eval_tool_args": _tool_args,
}


def fake_judge_reply(task: str, messages: Sequence[BaseMessage]) -> str:
    """The fake model's JSON answer to an evaluation judge prompt (the last human message)."""
    prompt = str(messages[-1].text) if messages else ""
    rule = _RULES.get(task)
    if rule is None:
        return json.dumps({"error": f"no fake rule for task {task!r}"})
    return json.dumps(rule(prompt))
