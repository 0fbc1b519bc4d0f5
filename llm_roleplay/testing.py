"""Simulated users in a test suite: put a goal-driven user in front of your agent, check what it did.

    from llm_roleplay.testing import simulate, tool_called, final_state

    def test_broken_headphones_are_refunded():
        simulate(
            my_agent,                                   # a compiled LangGraph graph, or any target
            goal="Get your money back for the broken headphones of order A1001.",
            persona="A busy nurse who types short messages.",
            max_turns=5,
            script={1: "hi, my headphones from order A1001 arrived broken"},  # pinned first message
            checks=[
                tool_called("refund_order", {"order_id": "A1001"}, match="subset").by_turn(3),
                final_state(lambda state: len(state["refunds"]) == 1),
            ],
            cache="tests/roleplay_cache",                # record once, replay for free
        )

:func:`simulate` runs one dialogue (the roleplay graph, in process) and returns a
:class:`Simulation`: the dialogue record and the check results. When a check fails, or the
dialogue ended by an error, it raises :class:`SimulationFailed` (an ``AssertionError``) whose
message names each failed check and the turn it looked at, followed by the transcript with the
agent's tool calls. The ``assert_*`` helpers check a record after the fact, with the same messages.

**Reruns are free and repeat exactly** with ``cache``: the simulator's own model calls (inquirer
and judge) are recorded in ``FOLDER/<test module>.<test name>.jsonl`` and answered from there
when the same request comes again (:mod:`llm_roleplay.blocks.model_cache`; commit the folder).
``$ROLEPLAY_CACHE_MODE`` picks the mode: ``auto`` (default: misses are recorded, and reported
with a warning naming what changed), ``replay`` (a miss fails the test: use it in CI) or
``record`` (write the files afresh). The agent's own model calls are yours to cache: give its
chat model ``cache=recorded_cache(cache_file(FOLDER))`` and the whole conversation, agent
included, replays from the same file.

**LangSmith**: inside a test marked ``@pytest.mark.langsmith`` the goal, the record and one
feedback score per check are logged to the test's experiment when a key is set; with
``LANGSMITH_TEST_TRACKING=false`` (no key) it all stays offline.
"""

from __future__ import annotations

import os
import re
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.model_cache import CacheMode, mode_from_environment, recorded_cache
from llm_roleplay.evals.agent_checks import (
    Check,
    CheckResult,
    final_state,
    goal_verified,
    run_checks,
    tool_called,
    tool_not_called,
    trajectory,
)
from llm_roleplay.records import DialogueRecord

__all__ = [
    "CacheMissWarning",
    "Simulation",
    "SimulationFailed",
    "assert_checks",
    "assert_final_state",
    "assert_tool_called",
    "assert_tool_not_called",
    "cache_file",
    "final_state",
    "goal_verified",
    "recorded_cache",
    "simulate",
    "tool_called",
    "tool_not_called",
    "trajectory",
]

ERROR_ENDINGS = frozenset({"inquirer_error", "chatbot_error", "judge_error", "inquirer_invalid"})


class SimulationFailed(AssertionError):
    """A check failed, or the dialogue ended by an error."""


class CacheMissWarning(UserWarning):
    """Some of the simulator's calls were not in the cache (``auto`` mode records them)."""


@dataclass(frozen=True)
class CacheUse:
    path: str
    mode: str
    hits: int
    misses: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Simulation:
    """One simulated dialogue: its record, the results of the checks, and what the cache answered."""

    record: DialogueRecord
    results: list[CheckResult]
    cache: CacheUse | None = None

    @property
    def passed(self) -> bool:
        return not self.failures()

    def failures(self) -> list[str]:
        """One line per failed check, and one for an error ending."""
        lines = [result.message() for result in self.results if not result.passed]
        if self.record.termination_reason.value in ERROR_ENDINGS:
            lines.insert(
                0, f"the dialogue ended as {self.record.termination_reason.value}: {self.record.error}"
            )
        return lines

    def assert_passed(self) -> Simulation:
        if self.failures():
            raise SimulationFailed(failure_message(self.record, self.failures()))
        return self


def simulate(
    target: Any,
    *,
    goal: str,
    persona: Mapping[str, Any] | str | None = None,
    goal_parts: Sequence[str] | None = None,
    expected_outcome: str | None = None,
    max_turns: int = 6,
    min_turns_before_stop: int = 2,
    script: Mapping[int, str] | None = None,
    checks: Sequence[Check] = (),
    cache: Path | str | None = None,
    cache_name: str | None = None,
    cache_mode: CacheMode | None = None,
    inquirer: Any = "local",
    judge: Any = "local",
    base_url: str | None = None,
    raise_on_failure: bool = True,
    **settings: Any,
) -> Simulation:
    """Run one simulated dialogue against ``target`` and evaluate ``checks`` on its record.

    ``target``: a compiled LangGraph graph (driven through one thread, see
    :mod:`llm_roleplay.blocks.agents`), a spec string (``langgraph:ASSISTANT`` with ``base_url``,
    ``python:module:attr``, ``local``, ``provider:model``), a chat model, or ``fn(messages) -> str``.
    ``goal_parts``: the goal's plan, the requests the user makes one after the other (else the
    judge model derives it); ``expected_outcome``: what a correct answer contains.
    ``min_turns_before_stop``: user messages before the user may end once the goal is met (one
    follow-up question on a one-part goal answered at once); the generator's default asks more, for
    the dataset's dialogue length, which in a test only costs time. ``script``: fixed user messages
    by turn. ``cache``: a folder (this test's file in it, see :func:`cache_file`) or a ``.jsonl``
    file. ``settings``: any other roleplay setting (``seed``, ``temperature``, ``max_part_asks``,
    ...; see ``nodes.context.Context``).
    """
    from llm_roleplay.graphs.roleplay import graph
    from llm_roleplay.nodes.context import Context
    from llm_roleplay.nodes.state import InputState
    from llm_roleplay.records import record_from_state
    from llm_roleplay.runner import preflight

    path = _cache_path(cache, cache_name) if cache is not None else None
    mode = cache_mode or mode_from_environment()
    context = Context(
        inquirer_model=inquirer,
        chatbot_model=target,
        judge_model=judge,
        chatbot_base_url=base_url,
        max_turns=max_turns,
        min_turns_before_stop=min_turns_before_stop,
        script=dict(script or {}),
        model_cache=str(path) if path else None,
        model_cache_mode=mode,
        **settings,
    )
    unreachable = [turn for turn in context.script if turn > max_turns]
    if unreachable:
        raise ConfigError(f"script: turn {unreachable[0]} is beyond max_turns={max_turns}")
    preflight(context)
    before = _cache_counts(path, mode)
    graph_input = InputState(goal=goal, persona=dict(persona) if isinstance(persona, Mapping) else persona)
    if goal_parts:
        graph_input["goal_parts"] = list(goal_parts)
    if expected_outcome:
        graph_input["expected_outcome"] = expected_outcome
    final = graph.invoke(graph_input, context=context)
    record = record_from_state(final, context)
    results = run_checks(record.model_dump(mode="json"), checks, _judge(context, checks))
    use = _cache_use(path, mode, before)
    simulation = Simulation(record, results, use)
    _log_to_langsmith(goal, persona, simulation)
    if use is not None and use.misses and mode == "auto":
        warnings.warn(
            f"roleplay cache {use.path}: {len(use.misses)} call(s) not recorded yet were made and "
            f"recorded (a changed prompt or setting?); first: {use.misses[0]}",
            CacheMissWarning,
            stacklevel=2,
        )
    if raise_on_failure:
        simulation.assert_passed()
    return simulation


def cache_file(folder: Path | str, name: str | None = None) -> Path:
    """This test's recorded-calls file in ``folder``: ``<test module>.<test name>.jsonl``, from
    pytest's ``PYTEST_CURRENT_TEST`` (or ``name`` when given)."""
    if name is None:
        current = os.environ.get("PYTEST_CURRENT_TEST", "")
        if not current:
            raise ConfigError("cache: outside a pytest test, name the cache file (cache_name=...)")
        test_path, _, test_name = current.rpartition(" (")[0].partition("::")
        name = f"{Path(test_path).stem}.{test_name}"
    return Path(folder) / (re.sub(r"[^\w.-]+", "_", name).strip("_") + ".jsonl")


def _cache_path(cache: Path | str, name: str | None) -> Path:
    cache = Path(cache)
    return cache if cache.suffix == ".jsonl" else cache_file(cache, name)


def _cache_counts(path: Path | None, mode: CacheMode) -> tuple[int, int]:
    if path is None:
        return (0, 0)
    stats = recorded_cache(path, mode).stats
    return stats.hits, len(stats.misses)


def _cache_use(path: Path | None, mode: CacheMode, before: tuple[int, int]) -> CacheUse | None:
    if path is None:
        return None
    stats = recorded_cache(path, mode).stats
    return CacheUse(str(path), mode, stats.hits - before[0], stats.misses[before[1] :])


def _judge(context: Any, checks: Sequence[Check]) -> Any:
    """The judge of judged argument checks: the run's judge model, with the run's cache."""
    if not any(check.needs_judge() for check in checks):
        return None
    from llm_roleplay.blocks.models import build_chat_model
    from llm_roleplay.evals.judges import Judge
    from llm_roleplay.nodes.llm import role_model

    settings = role_model(context, "judge")
    if settings.disabled:
        raise ConfigError("checks: a judged argument check needs a judge model (judge='none' given)")
    return Judge(model=build_chat_model(settings), spec=settings.describe(), seed=context.seed)


def failure_message(record: DialogueRecord, failures: Sequence[str]) -> str:
    """The failures, then the dialogue (with the agent's tool calls) to see why."""
    turns = max((message.turn for message in record.messages), default=0)
    head = (
        f"{len(failures)} problem(s) in simulated dialogue {record.id} "
        f"(ended as {record.termination_reason.value} after {turns} turn(s)):"
    )
    return "\n".join([head, *(f"  - {line}" for line in failures), "transcript:", transcript(record)])


def transcript(record: DialogueRecord, width: int = 300) -> str:
    lines = []
    for message in record.messages:
        text = " ".join(message.content.split())
        lines.append(f"  [{message.turn}] {message.role}: {text[:width]}{'…' if len(text) > width else ''}")
        for call in message.tool_calls or []:
            result = " ".join(str(call.result).split())[:120]
            lines.append(f"        tool {call.name}({call.args}) -> {result}")
    return "\n".join(lines)


def assert_checks(record: DialogueRecord | Mapping[str, Any], *checks: Check, judge: Any = None) -> None:
    """Raise :class:`SimulationFailed` naming every failed check (and its turn) of ``record``."""
    model = record if isinstance(record, DialogueRecord) else DialogueRecord.model_validate(record)
    failed = [r.message() for r in run_checks(model.model_dump(mode="json"), checks, judge) if not r.passed]
    if failed:
        raise SimulationFailed(failure_message(model, failed))


def assert_tool_called(
    record: DialogueRecord | Mapping[str, Any],
    name: str,
    args: Mapping[str, Any] | None = None,
    *,
    match: str = "exact",
    by_turn: int | None = None,
) -> None:
    check: Check = tool_called(name, args, match=match)  # type: ignore[arg-type]
    assert_checks(record, check.by_turn(by_turn) if by_turn else check)


def assert_tool_not_called(
    record: DialogueRecord | Mapping[str, Any], name: str, *, by_turn: int | None = None
) -> None:
    check: Check = tool_not_called(name)
    assert_checks(record, check.by_turn(by_turn) if by_turn else check)


def assert_final_state(record: DialogueRecord | Mapping[str, Any], predicate: Any) -> None:
    assert_checks(record, final_state(predicate))


def _log_to_langsmith(goal: str, persona: Any, simulation: Simulation) -> None:
    """Inputs, outputs and one feedback per check for a ``@pytest.mark.langsmith`` test; a no-op
    with ``LANGSMITH_TEST_TRACKING=false`` or outside such a test."""
    from langsmith import testing

    try:
        testing.log_inputs({"goal": goal, "persona": persona})
        testing.log_outputs({"record": simulation.record.model_dump(mode="json")})
        for result in simulation.results:
            testing.log_feedback(key=result.check, score=int(result.passed), comment=result.detail)
    except ValueError:  # not inside a @pytest.mark.langsmith test: nothing to log to
        return
