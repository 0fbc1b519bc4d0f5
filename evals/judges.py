"""LLM judges of finished dialogues: goal completion, persona fidelity and human likeness.

Each judge is a plain function of a record dict (and a :class:`Judge`), returning a
:class:`JudgeResult`; :mod:`evals.langsmith_run` wraps the same functions as LangSmith evaluators.

A judge's reply is parsed tolerantly (:mod:`evals.parsing`). A reply that still does not parse is
asked for again, with a new per-call seed, up to ``max_attempts`` times in all; then the verdict is
recorded as ``unparseable`` with the last reply, and the dialogue simply has no score. A failing
call (network, timeout) is recorded as ``error``. Neither ends the evaluation: one bad verdict in a
thousand must not cost the other 999.

Human likeness is the paper's indistinguishability test turned into an automatic judge: shown a
dialogue, is its USER side written by a person or a model? The paired form shows a real and a
simulated dialogue side by side, in a seeded random order, and asks which user is the person; a
simulated user that fools the judge half the time is as human as the judge can tell.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import HumanMessage
from pydantic import ValidationError

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import build_chat_model
from llm_roleplay.evals.parsing import (
    Parsed,
    parse_goal_completion,
    parse_human_likeness,
    parse_paired,
    parse_persona_fidelity,
)
from llm_roleplay.nodes.checkable import evident_failures
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.llm import call_seed, error_text, invoke, role_model
from llm_roleplay.nodes.verification import judge_transcript
from llm_roleplay.prompts import load_prompt

DEFAULT_ATTEMPTS = 3
Status = Literal["ok", "unparseable", "error", "skipped"]

# name -> (prompt file, task tag of the model call)
JUDGES = {
    "goal_completion": ("judge_goal_completion", "eval_goal_completion"),
    "persona_fidelity": ("judge_persona_fidelity", "eval_persona_fidelity"),
    "human_likeness": ("judge_human_likeness", "eval_human_likeness"),
    "human_likeness_paired": ("judge_human_likeness_paired", "eval_human_likeness_paired"),
    "tool_args": ("judge_tool_args", "eval_tool_args"),  # judged argument checks (evals.agent_checks)
}


@dataclass(frozen=True)
class Judge:
    """A judge model and how to call it."""

    model: BaseChatModel
    spec: str
    max_attempts: int = DEFAULT_ATTEMPTS
    seed: int = 0


def build_judge(
    spec: Any,
    *,
    base_url: str | None = None,
    api_key_env: str | None = None,
    max_attempts: int = DEFAULT_ATTEMPTS,
    seed: int = 0,
    timeout_s: float = 300.0,
) -> Judge | None:
    """The judge for a spec string (``local``, ``fake``, ``provider:model``, ...); None for ``none``.

    Built the way the roleplay graph builds its judge (``role_model(context, "judge")``), so the
    judge samples at temperature 0 and a wrong spec or missing key fails here, before any call.
    """
    try:
        context = Context(
            judge_model=spec,
            judge_base_url=base_url,
            judge_api_key_env=api_key_env,
            request_timeout_s=timeout_s,
        )
    except ValidationError as error:
        raise ConfigError(f"--judge: {error.errors()[0]['msg']}") from None
    settings = role_model(context, "judge")
    if settings.disabled:
        return None
    if max_attempts < 1:
        raise ConfigError(f"--judge-attempts must be at least 1 (got {max_attempts})")
    return Judge(
        model=build_chat_model(settings), spec=settings.describe(), max_attempts=max_attempts, seed=seed
    )


@dataclass(frozen=True)
class JudgeResult:
    """One verdict. ``score`` is None unless ``status`` is ``ok``."""

    key: str
    status: Status
    score: float | None = None
    label: str | None = None
    rationale: str = ""
    attempts: int = 0
    extra: dict[str, Any] = field(default_factory=dict)
    raw: str = ""  # the last reply, when it could not be parsed

    def feedback(self) -> dict[str, Any]:
        """The LangSmith evaluator result: ``{"key", "score", "value", "comment"}``."""
        comment = self.rationale if self.status == "ok" else f"{self.status}: {self.rationale or self.raw}"
        return {
            "key": self.key,
            "score": self.score,
            "value": self.label or self.status,
            "comment": comment[:2000],
        }

    def to_json(self) -> dict[str, Any]:
        data: dict[str, Any] = {
            "status": self.status,
            "score": self.score,
            "label": self.label,
            "rationale": self.rationale,
            "attempts": self.attempts,
        }
        if self.extra:
            data["extra"] = self.extra
        if self.raw:
            data["raw"] = self.raw[:500]
        return data

    @classmethod
    def from_json(cls, key: str, data: Mapping[str, Any]) -> JudgeResult:
        return cls(
            key=key,
            status=data.get("status", "error"),
            score=data.get("score"),
            label=data.get("label"),
            rationale=str(data.get("rationale") or ""),
            attempts=int(data.get("attempts") or 0),
            extra=dict(data.get("extra") or {}),
            raw=str(data.get("raw") or ""),
        )


def render_transcript(messages: Sequence[Mapping[str, Any]]) -> str:
    """``User: ...`` / ``Assistant: ...`` paragraphs, as the roleplay graph's judge reads dialogues."""
    return judge_transcript(messages)


def persona_text(record: Mapping[str, Any]) -> str:
    """The persona's description and attribute list, or "" when the record has no persona."""
    persona = record.get("persona")
    if not isinstance(persona, Mapping):
        return ""
    description = str(persona.get("description") or "").strip()
    attributes = persona.get("attributes")
    if not isinstance(attributes, Mapping):
        attributes = {}
    listed = "\n".join(f"- {name.replace('_', ' ')}: {value}" for name, value in attributes.items())
    return "\n\n".join(part for part in (description, f"Attributes:\n{listed}" if listed else "") if part)


def ask(
    judge: Judge,
    key: str,
    prompt: str,
    parse: Callable[[str], Parsed | None],
    *,
    call_id: str,
    turn: int = 0,
) -> JudgeResult:
    """Call the judge until its reply parses, at most ``judge.max_attempts`` times."""
    task = JUDGES[key][1]
    raw = ""
    for attempt in range(1, judge.max_attempts + 1):
        try:
            reply = invoke(
                judge.model,
                [HumanMessage(prompt)],
                task=task,
                turn=turn,
                seed=call_seed(judge.seed, call_id, task, attempt),
            )
        except Exception as error:  # a failed call is this verdict's outcome, not the evaluation's
            return JudgeResult(key=key, status="error", rationale=error_text(error), attempts=attempt)
        parsed = parse(reply.text)
        if parsed is not None:
            return JudgeResult(
                key=key,
                status="ok",
                score=parsed.score,
                label=parsed.label,
                rationale=parsed.rationale,
                attempts=attempt,
                extra=parsed.extra,
            )
        raw = reply.text
    return JudgeResult(
        key=key,
        status="unparseable",
        rationale=f"no parseable verdict in {judge.max_attempts} attempts",
        attempts=judge.max_attempts,
        raw=raw,
    )


def _user_turns(record: Mapping[str, Any]) -> int:
    return sum(1 for message in record.get("messages") or [] if message.get("role") == "user")


def _ask_about(
    record: Mapping[str, Any], judge: Judge, key: str, prompt: str, parse: Callable[[str], Parsed | None]
) -> JudgeResult:
    """``ask`` for a judgement of one dialogue, with the record's id and length as call metadata."""
    return ask(judge, key, prompt, parse, call_id=str(record.get("id", "")), turn=_user_turns(record))


def goal_completion(record: Mapping[str, Any], judge: Judge) -> JudgeResult:
    """Did the chatbot give the user everything the goal asks for? met 1, partially_met 0.5, not_met 0."""
    if not record.get("goal"):
        return JudgeResult(key="goal_completion", status="skipped", rationale="the record has no goal")
    # The plain checks the generation's goal check runs first (false arithmetic, expected numbers
    # missing, word limits broken, ...) decide here too, for every judge: a judge does not pass
    # what the dialogue's own goal check saw fail, and the `fake` judge agrees with generation.
    findings = evident_failures(
        (record.get("goal_plan") or {}).get("parts") or [record["goal"]],
        [m for m in record.get("messages") or [] if m.get("role") in ("user", "assistant")],
        record.get("expected_outcome"),
    )
    if findings:
        found = "; ".join(f"{finding.check}: {finding.detail}" for finding in findings)
        return JudgeResult(
            key="goal_completion",
            status="ok",
            score=0.0,
            label="not_met",
            rationale=f"evidently not met ({found})",
        )
    prompt = load_prompt("judge_goal_completion").render(
        goal=record["goal"], transcript=render_transcript(record.get("messages") or [])
    )
    return _ask_about(record, judge, "goal_completion", prompt, parse_goal_completion)


def persona_fidelity(record: Mapping[str, Any], judge: Judge) -> JudgeResult:
    """Does the user's language and behaviour fit the persona, without announcing it? Score 1-5.

    ``extra["announced"]`` is the judge's flag for a user who states their own attributes.
    """
    persona = persona_text(record)
    if not persona:
        return JudgeResult(key="persona_fidelity", status="skipped", rationale="the record has no persona")
    prompt = load_prompt("judge_persona_fidelity").render(
        persona=persona, transcript=render_transcript(record.get("messages") or [])
    )
    return _ask_about(record, judge, "persona_fidelity", prompt, parse_persona_fidelity)


def human_likeness(record: Mapping[str, Any], judge: Judge) -> JudgeResult:
    """Was the USER side written by a human? Score 1 when the judge says human, else 0."""
    prompt = load_prompt("judge_human_likeness").render(
        transcript=render_transcript(record.get("messages") or [])
    )
    return _ask_about(record, judge, "human_likeness", prompt, parse_human_likeness)


def simulated_shown_first(simulated_id: str, real_id: str, seed: int) -> bool:
    """The seeded coin that decides whether the simulated dialogue is shown as A (so position
    bias of the judge cancels out over pairs instead of favouring one side)."""
    return call_seed(seed, "paired-order", simulated_id, real_id) % 2 == 0


def human_likeness_paired(simulated: Mapping[str, Any], real: Mapping[str, Any], judge: Judge) -> JudgeResult:
    """A real and a simulated dialogue side by side: which user is the human?

    Score 1 when the judge picks the *simulated* user as the human (the simulation fooled it),
    0 when it picks the real one; 0.5 on average means the judge cannot tell them apart.
    """
    simulated_id, real_id = str(simulated.get("id", "")), str(real.get("id", ""))
    first = simulated_shown_first(simulated_id, real_id, judge.seed)
    a, b = (simulated, real) if first else (real, simulated)
    prompt = load_prompt("judge_human_likeness_paired").render(
        transcript_a=render_transcript(a.get("messages") or []),
        transcript_b=render_transcript(b.get("messages") or []),
    )
    result = ask(judge, "human_likeness_paired", prompt, parse_paired, call_id=f"{simulated_id}|{real_id}")
    if result.status != "ok":
        return result
    simulated_side = "A" if first else "B"
    fooled = result.label == simulated_side
    return JudgeResult(
        key=result.key,
        status="ok",
        score=1.0 if fooled else 0.0,
        label="simulated" if fooled else "real",
        rationale=result.rationale,
        attempts=result.attempts,
        extra={"simulated_side": simulated_side, "picked": result.label, "real_id": real_id},
    )


RECORD_JUDGES: dict[str, Callable[[Mapping[str, Any], Judge], JudgeResult]] = {
    "goal_completion": goal_completion,
    "persona_fidelity": persona_fidelity,
    "human_likeness": human_likeness,
}
