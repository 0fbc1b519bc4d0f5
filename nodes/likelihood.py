"""YES or NO, with a probability: decisions that do not rest on one sampled word.

Where the endpoint returns token log-probabilities (llama.cpp, so the embedded model; OpenAI;
vLLM), one call at temperature 0 gives P(YES) directly: at the answer's token, the probability
mass of YES-like tokens over YES-like plus NO-like ones among the top alternatives. Elsewhere the
question is asked ``samples`` times at temperature 0.7 with distinct seeds and P(YES) is the share
of YES answers. A caller then compares P(YES) with a threshold, so "probably yes" (0.6) and "surely
yes" (0.99) are no longer the same verdict.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import BaseMessage

from llm_roleplay.nodes.llm import Reply, accepts_openai_options, ainvoke

TOP_LOGPROBS = 10
_YES = frozenset({"yes", "y", "true"})
_NO = frozenset({"no", "n", "false"})
_ANSWER_WORD = re.compile(r"\b(yes|no)\b", re.IGNORECASE)


@dataclass(frozen=True)
class YesNo:
    p_yes: float | None  # None: the answer held neither YES nor NO
    method: str  # "logprobs", "samples:K" or "text"
    text: str  # the (first) answer's text, e.g. with the judge's evidence
    usage: dict[str, int]


def _word(token: str) -> str:
    return token.strip().strip("*:.\"'").lower()


def p_yes_from_logprobs(content: Sequence[dict[str, Any]], after: str | None = None) -> float | None:
    """P(YES) at the first answer token, optionally only after the text ``after`` (e.g. "Done:").

    ``content`` is the OpenAI ``logprobs.content`` list: per generated token its ``token``, and its
    ``top_logprobs`` alternatives. Tokens before the marker, and whitespace or formatting tokens
    after it, are skipped.
    """
    generated = ""
    for entry in content:
        token = str(entry.get("token", ""))
        ready = after is None or after.lower() in generated.lower()
        generated += token
        if not ready:
            continue
        alternatives = entry.get("top_logprobs") or [{"token": token, "logprob": entry.get("logprob", 0.0)}]
        yes = sum(math.exp(float(a["logprob"])) for a in alternatives if _word(str(a["token"])) in _YES)
        no = sum(math.exp(float(a["logprob"])) for a in alternatives if _word(str(a["token"])) in _NO)
        if yes + no > 0:
            return yes / (yes + no)
        if _word(token):  # a real word that is neither: the answer is not where we looked
            return None
    return None


def p_yes_from_text(text: str, after: str | None = None) -> float | None:
    """1.0 or 0.0 from the first YES/NO word (after ``after`` if given); None if there is none."""
    if after is not None:
        index = text.lower().find(after.lower())
        if index < 0:
            return None
        text = text[index + len(after) :]
    match = _ANSWER_WORD.search(text)
    return None if match is None else float(match.group(1).lower() == "yes")


async def ask_yes_no(
    model: BaseChatModel,
    messages: Sequence[BaseMessage],
    *,
    task: str,
    turn: int,
    seed: Callable[[int], int],
    after: str | None = None,
    samples: int = 3,
    sampler: Callable[[], BaseChatModel] | None = None,
) -> YesNo:
    """Ask a YES/NO question; see the module docstring. ``seed(k)`` gives the k-th call's seed."""
    if accepts_openai_options(model):
        reply = await ainvoke(model, messages, task=task, turn=turn, seed=seed(0), logprobs=TOP_LOGPROBS)
        p_yes = p_yes_from_logprobs(reply.logprobs or [], after) if reply.logprobs else None
        if p_yes is not None:
            return YesNo(p_yes, "logprobs", reply.text, reply.usage)
        return YesNo(p_yes_from_text(reply.text, after), "text", reply.text, reply.usage)
    sampling = sampler() if sampler is not None and samples > 1 else model
    replies: list[Reply] = [
        await ainvoke(sampling, messages, task=task, turn=turn, seed=seed(k)) for k in range(max(samples, 1))
    ]
    votes = [vote for reply in replies if (vote := p_yes_from_text(reply.text, after)) is not None]
    usage: dict[str, int] = {}
    for reply in replies:
        for key, value in reply.usage.items():
            usage[key] = usage.get(key, 0) + value
    p_yes = sum(votes) / len(votes) if votes else None
    return YesNo(p_yes, f"samples:{len(replies)}", replies[0].text, usage)
