"""The inquirer's prompts, laid out so that one dialogue's calls share the longest prefix.

Every inquirer call is ``inquirer_context`` (persona, situation, the chat so far) followed by one
task: ``inquirer_assess`` (did the last reply deliver the part?) or the message task of the intent
(``inquirer_open``, ``_next``, ``_reask``, ``_answer``, ``_follow_up``) with the message's length
and the person's register. The context only grows from turn to turn and the task comes last, so
llama.cpp's prompt cache reuses the whole context between the assessment and the message, and
the previous turn's context within the next one.

With ``inquirer_history: reversed`` (the paper's form) the persona and situation become a system
prompt, the dialogue is replayed with the roles swapped, and the task is added to the chatbot's
last message as a note.
"""

from __future__ import annotations

import math
import random
import re
from collections.abc import Sequence
from statistics import NormalDist

from langchain_core.messages import AIMessage, BaseMessage, HumanMessage, SystemMessage

from llm_roleplay.nodes.checks import NUMBER, number_value, numbers_of
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.follow_up import follow_up_subject
from llm_roleplay.nodes.goal_plan import material_of
from llm_roleplay.nodes.intents import Intent, Step
from llm_roleplay.nodes.llm import call_seed, text_of, transcript, typed_by_user
from llm_roleplay.nodes.plain_words import in_plain_words
from llm_roleplay.nodes.state import RoleplayState, persona_description
from llm_roleplay.nodes.voice import content_words
from llm_roleplay.prompts import Prompt, load_prompt

TASKS = {
    Intent.OPEN: "inquirer_open",
    Intent.NEXT: "inquirer_next",
    Intent.REASK: "inquirer_reask",
    Intent.ANSWER: "inquirer_answer",
    Intent.FOLLOW_UP: "inquirer_follow_up",
}
NO_STYLE_WORDS = {"first": 15.0, "later": 13.0}  # real users' typed medians (style profile), when it is off
# A message that asks for something takes a few words ("now make it firmer"); the longest typed
# requests of real users run to a paragraph.
MIN_WORDS, MAX_WORDS = 4, 80
_EXAMPLE_LINE = re.compile(r"^- (.+)$", re.MULTILINE)
_PLACEHOLDER = re.compile(r"\{\w+\}")


def noted_results(state: RoleplayState) -> str:
    """The line after the situation that gives the results the user noted (none without them)."""
    details = state.get("own_details")
    return f"\nThe results they noted: {'; '.join(details.splitlines())}" if details else ""


def context_text(state: RoleplayState) -> str:
    messages = state.get("messages", [])
    return load_prompt("inquirer_context").render(
        persona=persona_description(state) or "an ordinary chatbot user",
        goal=state["goal"],
        own_details=noted_results(state),
        transcript=transcript(messages, user="Person", assistant="Chatbot") if messages else "(nothing yet)",
    )


def assessment_messages(state: RoleplayState, context: Context, part: str) -> list[BaseMessage]:
    task = load_prompt("inquirer_assess").render(part=part)
    return _with_task(state, context, task, prefill="")


def target_words(state: RoleplayState, seed_key: str, request: str = "") -> int:
    """This message's length in words, drawn from the person's length distribution (seeded), and
    no fewer than the content words of the ``request`` it makes: a terse person shortens how they
    ask, not what (a 10-word draw for the 20 content words of the skipping question was cut to
    "I want to know if I can skip at 3 miles per hour.", the question itself lost)."""
    position = "first" if state.get("turn", 0) == 0 else "later"
    needed = len(content_words(request))
    style = state.get("style")
    if not style:
        return max(int(NO_STYLE_WORDS[position]), needed)
    median = float(style["words_first" if position == "first" else "words_later"])
    z = NormalDist().inv_cdf(min(max(random.Random(f"length:{seed_key}").random(), 1e-6), 1 - 1e-6))
    drawn = max(MIN_WORDS, min(MAX_WORDS, round(median * math.exp(float(style["words_within"]) * z))))
    return max(drawn, needed)


def put_as_question(state: RoleplayState, seed_key: str) -> bool:
    """Whether this message is put as a question, drawn (seeded) with the person's own rate.

    Real users ask (about 40% of their messages are questions, mostly without a question mark:
    "how do i ..."); a small model told to "ask for" something writes orders ("Calculate ...",
    "Tell me ...": 7% questions in the later messages of the run of 2026-11-28).
    """
    style = state.get("style")
    if not style:
        return False
    position = "first" if state.get("turn", 0) == 0 else "later"
    rate = float(style.get(position, {}).get("asks_question", 0.0))
    return random.Random(f"question:{seed_key}").random() < rate


QUESTION_FORM = (
    'They put it as a question ("how ...", "what ...", "why ...", "is it ..."), not as an order.\n'
)
# Left free, the small model put 82% of openings and 60% of later messages as questions (run of
# 12:23 on 2026-11-28; real users 37% and 39%): a person not drawn to ask is told so too. No example
# words: given ("give me ...", "make it ..."), both openings of the next run began "Give me".
REQUEST_FORM = "They put it as a request, not as a question.\n"
# Only for a goal with figures: told it for "agree that technology causes all societal problems",
# the small model asked "what figures do you know about the impact of technology on society?"
# (reading run of 2026-11-28).
OWN_FACTS = (
    "If the chatbot needs facts only they know for it, they state them: the figures their situation "
    "gives, or realistic made-up values where it gives none, and never ask the chatbot for them. "
)


def register(state: RoleplayState) -> str:
    """A word on tone for the prompt; the typing pass does the rest."""
    style = state.get("style")
    if not style:
        return "plain and direct"
    later = style.get("later", {})
    casual = later.get("lowercase_start", 0) > 0.5 or later.get("no_closing_punct", 0) > 0.7
    # Not "like a quick text message": the small model read "quick" as hurry ("Let's go fast, I need
    # it now", "I need that information quickly", in three messages of one dialogue).
    return "casual, the way people type in a chat" if casual else "plain and direct"


def message_messages(
    state: RoleplayState, context: Context, step: Step, words: int, question: bool = False
) -> tuple[list[BaseMessage], Prompt]:
    """The prompt for the message of ``step``, and the task prompt (for its name and prefill);
    ``question``: the message is put as a question (tasks with a ``{form}`` placeholder)."""
    parts = state.get("goal_parts") or [state["goal"]]
    task = load_prompt(TASKS[step.intent]) if step.intent else load_prompt("inquirer_follow_up")
    material = material_of(state["goal"]) if step.intent is Intent.OPEN else ""
    text = task.render(
        # the part in the words people type: shown "Ensure ...", the small model typed "ensure ..."
        part=in_plain_words(parts[step.part]) if step.part < len(parts) else "",
        done=in_plain_words(parts[step.part - 1]) if 0 < step.part <= len(parts) else "",
        reason=f" ({step.reason.rstrip('.')})" if step.reason else "",
        asked=_guesses_blanked(step.reason, state) if step.intent is Intent.ANSWER else step.reason,
        material="They paste their code right below the message, so the message only says what they want "
        "done with it.\n"
        if material
        else "",
        words=words,
        register=register(state),
        # with ``--style off`` (no sampled style) the model's own form is left alone
        form=QUESTION_FORM if question else REQUEST_FORM if state.get("style") else "",
        own_facts=OWN_FACTS if numbers_of([state["goal"]]) else "",
        subject=_follow_up_subject(state, context) if step.intent in (None, Intent.FOLLOW_UP) else "",
    )
    return _with_task(state, context, text, prefill=task.prefill), task


def _follow_up_subject(state: RoleplayState, context: Context) -> str:
    """What the follow-up asks about: a thing the last reply names, else anything in it."""
    messages: Sequence[BaseMessage] = state.get("messages", [])
    reply = text_of(messages[-1]) if messages and messages[-1].type == "ai" else ""
    typed = typed_by_user(messages)
    seed = call_seed(context.seed, state.get("dialogue_id", ""), "follow_up_subject", state.get("turn", 0))
    subject = follow_up_subject(reply, typed, seed)
    return f'"{subject}"' if subject else "one thing"


# Shown the chatbot's guess ("if you ran a 50-meter race in 10 seconds"), the small model gave it
# back as the user's own time (14 of 18 tries of one dialogue of 2026-11-28 refused as echoes, the
# dialogue lost): the figures the person must give are shown as blanks to fill.
FIGURE_BLANK = "[your figure]"


def users_own_numbers(state: RoleplayState) -> set[float]:
    """The numbers the user has of their own: the goal's, the results they noted, what they typed."""
    typed = typed_by_user(state.get("messages", []))
    return numbers_of([state["goal"], state.get("own_details") or "", *typed])


def _guesses_blanked(asked: str, state: RoleplayState) -> str:
    """``asked`` with every figure that neither the goal nor the user's messages hold blanked."""
    known = users_own_numbers(state)
    return re.sub(
        NUMBER, lambda match: match.group() if number_value(match.group()) in known else FIGURE_BLANK, asked
    )


def examples(task: Prompt) -> list[str]:
    """The example messages in a task prompt: a user message must not copy them."""
    return _EXAMPLE_LINE.findall(task.template)


def instructions(task: Prompt) -> list[str]:
    """The task prompt's own wording, example lines left out, in pieces between its placeholders
    (what fills them, the goal's part, is the user's to repeat): a user message must not copy it."""
    prose = _EXAMPLE_LINE.sub("\n", task.template)
    return [piece.strip() for piece in _PLACEHOLDER.split(prose) if piece.strip()]


def _with_task(state: RoleplayState, context: Context, task: str, prefill: str) -> list[BaseMessage]:
    if context.inquirer_history == "reversed":
        conversation = _reversed(state, task)
    else:
        conversation = [HumanMessage(context_text(state) + "\n\n" + task)]
    if prefill:
        conversation.append(AIMessage(prefill))
    return conversation


def _reversed(state: RoleplayState, task: str) -> list[BaseMessage]:
    """The paper's form: the inquirer's own messages become 'assistant', the chatbot's 'user'."""
    system = load_prompt("inquirer_followup_reversed").render(
        persona=persona_description(state) or "an ordinary chatbot user",
        goal=state["goal"],
        own_details=noted_results(state),
    )
    flipped: list[BaseMessage] = [SystemMessage(system)]
    messages: Sequence[BaseMessage] = state.get("messages", [])
    for message in messages:
        flipped.append(
            AIMessage(text_of(message)) if message.type == "human" else HumanMessage(text_of(message))
        )
    note = f"[Note for you, the user: {task}]"
    if flipped and isinstance(flipped[-1], HumanMessage):
        flipped[-1] = HumanMessage(f"{text_of(flipped[-1])}\n\n{note}")
    else:
        flipped.append(HumanMessage(note))
    return flipped
