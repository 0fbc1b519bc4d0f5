"""The ``fake`` model family: deterministic, offline and free, for dry runs and tests.

It checks the plumbing of a big run at zero cost. The nodes tag each call with its task
(``roleplay_task`` metadata) and turn, and the fake answers each task the way a well-behaved
model would: as inquirer it reads each reply as not yet delivering what it asked for until its
``turns_before_done``-th message, then as delivered (so a one-part goal takes three user messages);
it plans no goal (the goal is split into its sentences); as chatbot it gives a short reply that
quotes the question; as judge it quotes the chatbot's reply to the part as evidence and agrees.

When it first asks for a part of the goal, the fake user names that part's content words, which the
fake chatbot's reply then quotes: so the evaluation's fake goal-completion rule (the replies use at
least half of the goal's content words, ``fake_judge.py``) finds met the fake dialogues the
fake judge verified, as long as the goal's words are in its parts (not only in pasted material).
The fake reads the part back out of its prompt by matching the prompt file's own template
(:func:`prompt_values`), so rewording a prompt does not break it.
"""

from __future__ import annotations

import re
import string
from collections.abc import Sequence
from functools import cache
from typing import Any

from langchain_core.callbacks import AsyncCallbackManagerForLLMRun, CallbackManagerForLLMRun
from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, BaseMessage
from langchain_core.outputs import ChatGeneration, ChatResult

from llm_roleplay.blocks.fake_judge import content_words, fake_judge_reply, part_check_answer

_FOLLOW_UPS = (
    "Thanks! Could you explain the second part in a bit more detail?",
    "Ok. Can you show me a concrete example of that?",
    "Got it. Is there anything I should watch out for?",
    "And how would I check that the result is right?",
    "Makes sense. Can you sum it up in two lines?",
)


class FakeRoleplayModel(BaseChatModel):
    role: str = "chatbot"
    turns_before_done: int = 3

    @property
    def _llm_type(self) -> str:
        return "roleplay-fake"

    def _generate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: CallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        return self._result(messages, (run_manager.metadata if run_manager else None) or {})

    async def _agenerate(
        self,
        messages: list[BaseMessage],
        stop: list[str] | None = None,
        run_manager: AsyncCallbackManagerForLLMRun | None = None,
        **kwargs: Any,
    ) -> ChatResult:
        # Answered in the loop: the default would hand this quick computation to a thread.
        return self._result(messages, (run_manager.metadata if run_manager else None) or {})

    def _result(self, messages: list[BaseMessage], metadata: dict[str, Any]) -> ChatResult:
        task = str(metadata.get("roleplay_task", ""))
        turn = int(metadata.get("roleplay_turn", 1) or 1)
        text = self._reply(task, turn, messages)
        prompt_tokens = sum(len(message.text.split()) for message in messages)
        message = AIMessage(
            content=text,
            usage_metadata={
                "input_tokens": prompt_tokens,
                "output_tokens": len(text.split()),
                "total_tokens": prompt_tokens + len(text.split()),
            },
        )
        return ChatResult(generations=[ChatGeneration(message=message)])

    def _reply(self, task: str, turn: int, messages: list[BaseMessage]) -> str:
        if task == "inquirer_assess":  # the user's reading of the last reply, from the third on
            return "YES" if turn >= self.turns_before_done else "NO"
        # The part asked for is named first: the inquirer cuts long messages back to whole sentences.
        if task == "inquirer_open":
            topic = _topic(task, messages)
            return f"Hi! I need some help with {topic or 'something'}, can you walk me through it?"
        if task == "inquirer_next":  # the next part of the goal
            topic = _topic(task, messages)
            return (f"Next: {topic}. " if topic else "") + _FOLLOW_UPS[(turn - 2) % len(_FOLLOW_UPS)]
        if task == "inquirer_answer":  # details of the user's own, as the guard asks of an answer
            return f"It is for me, about {turn + 1} weeks from now, budget around {10 * turn + 25} euros."
        if task.startswith("inquirer_"):  # ask again, follow-up
            return _FOLLOW_UPS[(turn - 2) % len(_FOLLOW_UPS)]
        if task == "goal_plan":
            return ""  # no usable plan: the goal is split into its request sentences
        if task == "judge_part_check":
            return part_check_answer(messages[-1].text if messages else "")
        if task == "judge_goal_final":
            return "YES"
        if task.startswith("eval_"):  # evaluation judges (evals/judges.py): fixed rules on the prompt
            return fake_judge_reply(task, messages)
        if task == "persona_goal_plausibility":
            return "YES"
        if task == "persona_description":
            return "A person who writes short, plain chat messages and asks direct questions."
        question = " ".join(messages[-1].text.split()) if messages else ""
        return f"Here is a short answer to “{question}”: take it one step at a time, and ask if unsure."


def _topic(task: str, messages: Sequence[BaseMessage]) -> str:
    """``Plan, Picnic``: the content words of the goal part the prompt asks for ('' if none)."""
    words = content_words(prompt_values(task, messages).get("part", ""))
    # Capitalised, the typing pass leaves them as they are (it misspells lowercase words only).
    return ", ".join(word.capitalize() for word in words)


@cache
def _template_pattern(name: str) -> re.Pattern[str] | None:
    """A regular expression finding ``prompts/<name>.md`` rendered, one group per placeholder."""
    from llm_roleplay.prompts import load_prompt  # prompts are files: read them only when a fake needs them

    try:
        template = load_prompt(name).template.strip()
    except (OSError, ValueError):
        return None
    pattern, named = "", set()
    for literal, field, _, _ in string.Formatter().parse(template):
        pattern += re.escape(literal)
        if field is None:
            continue
        if not field.isidentifier():
            pattern += ".*?"
        elif field in named:
            pattern += f"(?P={field})"
        else:
            pattern += f"(?P<{field}>.*?)"
            named.add(field)
    return re.compile(pattern, re.DOTALL)


def prompt_values(name: str, messages: Sequence[BaseMessage]) -> dict[str, str]:
    """The values the prompt ``name`` was rendered with, read back from the first message that
    contains it ({} if none). A placeholder at the very end of the template reads as empty."""
    pattern = _template_pattern(name)
    for message in messages if pattern else ():
        match = pattern.search(str(message.text)) if pattern else None
        if match:
            return match.groupdict()
    return {}
