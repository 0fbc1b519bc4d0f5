"""Checks on what an agent *did*, beside whether the user reached the goal: its tool calls and its
final state, read from a dialogue record (``messages[i].tool_calls``, ``agent.final_state``).

- :func:`tool_called` / :func:`tool_not_called`: a call of a tool, optionally with arguments that
  match exactly, as a subset (the given keys with these values), or as judged by an LLM against a
  description (``match="judged"``).
- :func:`trajectory`: the sequence of tool names (optionally with arguments) against an expected
  one: ``strict`` (same calls, same order), ``unordered`` (same calls, any order), ``superset``
  (at least the expected calls), ``subset`` (nothing beyond them).
- :func:`final_state`: any Python predicate on the agent's final state (a function or
  ``"module:function"``); it passes when it returns a truthy value (or ``(True, reason)``) and
  fails when it returns a falsy one or raises ``AssertionError`` (whose message is the reason).
- :func:`goal_verified`: the judge verified the goal.

Every check can look at the first turns only (``check.by_turn(3)``: "after turn 3 the refund
tool was called"). Each evaluation gives a :class:`CheckResult` whose :meth:`~CheckResult.message`
names the check and the turn, e.g. ``tool_called('refund_order') by turn 3 failed: ...``.

Goal files declare checks per goal under ``expect`` (see :func:`checks_from_expect`)::

    {"goal": "...", "expect": {"tools_called": ["lookup_order", {"name": "refund_order",
        "args": {"order_id": "A1001"}, "match": "subset"}], "tools_not_called": ["cancel_order"],
        "trajectory": {"steps": ["lookup_order", "refund_order"], "mode": "superset"},
        "final_state": "my_tests.checks:refunded_once"}}
"""

from __future__ import annotations

import dataclasses
import importlib
import json
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal, get_args

from llm_roleplay.blocks.errors import ConfigError

if TYPE_CHECKING:
    from llm_roleplay.evals.judges import Judge

ArgsMatch = Literal["exact", "subset", "judged"]
TrajectoryMode = Literal["strict", "unordered", "superset", "subset"]
ARGS_MATCHES: tuple[str, ...] = get_args(ArgsMatch)
TRAJECTORY_MODES: tuple[str, ...] = get_args(TrajectoryMode)
EXPECT_FIELDS = ("tools_called", "tools_not_called", "trajectory", "final_state", "goal_verified")


@dataclass(frozen=True)
class Call:
    """One tool call as the record holds it, with the turn it happened in."""

    turn: int
    name: str
    args: dict[str, Any]
    result: str | None = None

    def describe(self) -> str:
        return f"{self.name}({_args_text(self.args)}) at turn {self.turn}"


@dataclass(frozen=True)
class CheckResult:
    check: str  # the check as written, e.g. "tool_called('refund_order')"
    passed: bool
    detail: str  # what was found
    turn: int | None  # the last turn looked at (None: the dialogue had no turn)
    scope: str = "end"  # "end": the whole dialogue; "by_turn": its first turns only

    def message(self) -> str:
        where = f"by turn {self.turn}" if self.scope == "by_turn" else f"at the end (turn {self.turn})"
        return f"{self.check} {where} {'passed' if self.passed else 'failed'}: {self.detail}"

    def to_json(self) -> dict[str, Any]:
        return dataclasses.asdict(self)


def tool_calls(record: Mapping[str, Any], by_turn: int | None = None) -> list[Call]:
    """The record's tool calls in order (those of turns 1..``by_turn`` only, when given)."""
    calls = []
    for message in _messages(record):
        turn = int(message.get("turn") or 0)
        if by_turn is not None and turn > by_turn:
            break
        for call in message.get("tool_calls") or []:
            calls.append(
                Call(
                    turn=turn,
                    name=str(call.get("name")),
                    args=dict(call.get("args") or {}),
                    result=call.get("result"),
                )
            )
    return calls


def last_turn(record: Mapping[str, Any]) -> int:
    return max((int(m.get("turn") or 0) for m in _messages(record)), default=0)


def _messages(record: Mapping[str, Any]) -> list[Mapping[str, Any]]:
    messages = record.get("messages") if isinstance(record, Mapping) else None
    return [m for m in messages or [] if isinstance(m, Mapping)]


def _args_text(args: Mapping[str, Any]) -> str:
    return ", ".join(f"{key}={value!r}" for key, value in args.items())


def _calls_text(calls: Sequence[Call]) -> str:
    return "; ".join(call.describe() for call in calls) if calls else "no tool calls"


class Check(ABC):
    """A check on one record; ``by_turn`` limits it to the record's first turns."""

    turn: int | None = None

    def by_turn(self, turn: int) -> Check:
        """The same check, on turns 1..``turn`` only ("after turn 3, the refund tool was called")."""
        if turn < 1:
            raise ValueError(f"by_turn({turn}): turns start at 1")
        copy = dataclasses.replace(self)  # type: ignore[type-var]
        copy.turn = turn
        return copy

    def evaluate(self, record: Mapping[str, Any], judge: Judge | None = None) -> CheckResult:
        if self.turn is not None and last_turn(record) < self.turn:
            return self._result(False, f"the dialogue ended at turn {last_turn(record)}", record)
        passed, detail = self._verdict(record, judge)
        return self._result(passed, detail, record)

    def _result(self, passed: bool, detail: str, record: Mapping[str, Any]) -> CheckResult:
        turn = self.turn if self.turn is not None else last_turn(record)
        return CheckResult(
            self.describe(), passed, detail, turn, "by_turn" if self.turn is not None else "end"
        )

    @abstractmethod
    def _verdict(self, record: Mapping[str, Any], judge: Judge | None) -> tuple[bool, str]: ...

    @abstractmethod
    def describe(self) -> str: ...

    def needs_judge(self) -> bool:
        return False


@dataclass
class ToolCalled(Check):
    name: str
    args: Mapping[str, Any] | str | None = None
    match: ArgsMatch = "exact"
    negate: bool = False
    turn: int | None = None

    def __post_init__(self) -> None:
        if self.match not in ARGS_MATCHES:
            raise ValueError(f"match={self.match!r}: use one of {', '.join(ARGS_MATCHES)}")
        if self.match == "judged" and not isinstance(self.args, str):
            raise ValueError("match='judged' needs args as a description (text) of the expected arguments")
        if self.match != "judged" and self.args is not None and not isinstance(self.args, Mapping):
            raise ValueError(f"args must be a mapping for match={self.match!r} (text is for match='judged')")

    def describe(self) -> str:
        function = "tool_not_called" if self.negate else "tool_called"
        parts = [repr(self.name)]
        if self.args is not None:
            parts.append(f"args={dict(self.args) if isinstance(self.args, Mapping) else self.args!r}")
            if self.match != "exact":
                parts.append(f"match={self.match!r}")
        return f"{function}({', '.join(parts)})"

    def needs_judge(self) -> bool:
        return self.match == "judged"

    def _verdict(self, record: Mapping[str, Any], judge: Judge | None) -> tuple[bool, str]:
        calls = tool_calls(record, self.turn)
        named = [call for call in calls if call.name == self.name]
        matching: list[Call] = []
        reasons: list[str] = []
        for call in named:
            ok, why = self._args_match(call, record, judge)
            if ok:
                matching.append(call)
            else:
                reasons.append(f"{call.describe()}: {why}")
        if self.negate:
            if matching:
                return False, f"called: {_calls_text(matching)}"
            return True, f"not called ({_calls_text(calls)})"
        if matching:
            return True, f"called: {matching[0].describe()}"
        if named:
            return False, "called, but the arguments do not match: " + "; ".join(reasons)
        return False, f"{self.name} was never called ({_calls_text(calls)})"

    def _args_match(self, call: Call, record: Mapping[str, Any], judge: Judge | None) -> tuple[bool, str]:
        if self.args is None:
            return True, ""
        if self.match == "judged":
            return judge_args(call, str(self.args), record, judge)
        expected = dict(self.args)  # type: ignore[arg-type]
        if self.match == "exact":
            return (call.args == expected), f"expected exactly ({_args_text(expected)})"
        missing = {k: v for k, v in expected.items() if call.args.get(k, _MISSING) != v}
        return (not missing), f"expected {_args_text(missing)}"


_MISSING = object()


def judge_args(
    call: Call, description: str, record: Mapping[str, Any], judge: Judge | None
) -> tuple[bool, str]:
    """Ask the judge whether ``call``'s arguments fit ``description`` (cached like any judge call)."""
    if judge is None:
        raise ConfigError(f"a judged argument check of {call.name} needs a judge model (judge='none' given)")
    from llm_roleplay.evals.judges import ask
    from llm_roleplay.evals.parsing import parse_match
    from llm_roleplay.prompts import load_prompt

    arguments = "\n".join(
        f"{key}: {value if isinstance(value, str) else json.dumps(value, ensure_ascii=False)}"
        for key, value in call.args.items()
    )
    prompt = load_prompt("judge_tool_args").render(tool=call.name, arguments=arguments, expected=description)
    result = ask(judge, "tool_args", prompt, parse_match, call_id=str(record.get("id", "")), turn=call.turn)
    if result.status != "ok":
        return False, f"the judge gave no verdict ({result.status}: {result.rationale})"
    return result.label == "match", f"judge: {result.rationale}"


def tool_called(
    name: str, args: Mapping[str, Any] | str | None = None, *, match: ArgsMatch = "exact"
) -> ToolCalled:
    """``name`` was called (with ``args``: exactly, as a ``subset``, or ``judged`` against a text)."""
    return ToolCalled(name, args, match)


def tool_not_called(
    name: str, args: Mapping[str, Any] | str | None = None, *, match: ArgsMatch = "exact"
) -> ToolCalled:
    """``name`` was not called (with ``args``, when given: other calls of it are fine)."""
    return ToolCalled(name, args, match, negate=True)


@dataclass
class Trajectory(Check):
    steps: Sequence[str | Mapping[str, Any]]
    mode: TrajectoryMode = "strict"
    args_match: Literal["exact", "subset"] = "subset"
    turn: int | None = None

    def __post_init__(self) -> None:
        if self.mode not in TRAJECTORY_MODES:
            raise ValueError(f"mode={self.mode!r}: use one of {', '.join(TRAJECTORY_MODES)}")
        for step in self.steps:
            if not isinstance(step, str) and not (isinstance(step, Mapping) and "name" in step):
                raise ValueError(
                    f"trajectory step {step!r}: a tool name, or {{'name': ..., 'args': {{...}}}}"
                )

    def describe(self) -> str:
        names = [step if isinstance(step, str) else step["name"] for step in self.steps]
        return f"trajectory({names!r}, mode={self.mode!r})"

    def _step_matches(self, step: str | Mapping[str, Any], call: Call) -> bool:
        if isinstance(step, str):
            return call.name == step
        if call.name != step["name"]:
            return False
        args = step.get("args")
        if args is None:
            return True
        if self.args_match == "exact":
            return call.args == dict(args)
        return all(call.args.get(k, _MISSING) == v for k, v in args.items())

    def _verdict(self, record: Mapping[str, Any], judge: Judge | None) -> tuple[bool, str]:
        calls = tool_calls(record, self.turn)
        actual = " -> ".join(call.name for call in calls) or "no tool calls"
        if self.mode == "strict":
            ok = len(calls) == len(self.steps) and all(
                self._step_matches(step, call) for step, call in zip(self.steps, calls, strict=True)
            )
        else:
            matched = _max_matching(self.steps, calls, self._step_matches)
            ok = {
                "unordered": matched == len(self.steps) == len(calls),
                "superset": matched == len(self.steps),
                "subset": matched == len(calls),
            }[self.mode]
        return ok, f"actual: {actual}"


def _max_matching(steps: Sequence[Any], calls: Sequence[Call], matches: Callable[[Any, Call], bool]) -> int:
    """The largest one-to-one pairing of expected steps with calls (bipartite, augmenting paths)."""
    owner: dict[int, int] = {}  # call index -> step index

    def place(step: int, seen: set[int]) -> bool:
        for index, call in enumerate(calls):
            if index in seen or not matches(steps[step], call):
                continue
            seen.add(index)
            if index not in owner or place(owner[index], seen):
                owner[index] = step
                return True
        return False

    return sum(place(step, set()) for step in range(len(steps)))


def trajectory(
    steps: Sequence[str | Mapping[str, Any]],
    mode: TrajectoryMode = "strict",
    *,
    args_match: Literal["exact", "subset"] = "subset",
) -> Trajectory:
    """The tool calls against ``steps`` (names, or ``{"name", "args"}``): strict, unordered,
    superset or subset."""
    return Trajectory(list(steps), mode, args_match)


StatePredicate = Callable[[dict[str, Any]], Any]


@dataclass
class FinalState(Check):
    predicate: StatePredicate | str
    turn: int | None = None

    def describe(self) -> str:
        name = self.predicate if isinstance(self.predicate, str) else _qualified(self.predicate)
        return f"final_state({name})"

    def by_turn(self, turn: int) -> Check:
        raise ValueError("final_state checks look at the agent's state at the end of the dialogue")

    def _verdict(self, record: Mapping[str, Any], judge: Judge | None) -> tuple[bool, str]:
        agent = record.get("agent") if isinstance(record, Mapping) else None
        if not isinstance(agent, Mapping):
            return False, "the record has no agent state (the target was not a LangGraph agent)"
        function = resolve_predicate(self.predicate)
        try:
            outcome = function(dict(agent.get("final_state") or {}))
        except AssertionError as error:
            return False, str(error) or "assertion failed"
        except Exception as error:
            return False, f"the predicate raised {type(error).__name__}: {error}"
        if isinstance(outcome, tuple) and len(outcome) == 2:
            return bool(outcome[0]), str(outcome[1])
        return bool(outcome), f"the predicate returned {outcome!r}"


def _qualified(function: Callable[..., Any]) -> str:
    return f"{getattr(function, '__module__', '?')}:{getattr(function, '__qualname__', repr(function))}"


def resolve_predicate(predicate: StatePredicate | str) -> StatePredicate:
    """A predicate function, or one named ``"module:function"`` (imported now)."""
    if callable(predicate):
        return predicate
    module_name, _, attribute = str(predicate).partition(":")
    if not module_name or not attribute:
        raise ConfigError(f"final_state {predicate!r}: expected 'module:function'")
    try:
        value: Any = importlib.import_module(module_name)
        for part in attribute.split("."):
            value = getattr(value, part)
    except (ImportError, AttributeError) as error:
        raise ConfigError(f"final_state {predicate!r}: {error}") from None
    if not callable(value):
        raise ConfigError(f"final_state {predicate!r}: not a function")
    return value


def final_state(predicate: StatePredicate | str) -> FinalState:
    """``predicate(agent_final_state)`` holds (a function, or ``"module:function"``)."""
    return FinalState(predicate)


@dataclass
class GoalVerified(Check):
    turn: int | None = None

    def describe(self) -> str:
        return "goal_verified()"

    def _verdict(self, record: Mapping[str, Any], judge: Judge | None) -> tuple[bool, str]:
        reason = record.get("termination_reason")
        return reason == "goal_verified", f"the dialogue ended as {reason}"


def goal_verified() -> GoalVerified:
    """The simulated user said the goal is met and the judge agreed."""
    return GoalVerified()


def run_checks(
    record: Mapping[str, Any], checks: Sequence[Check], judge: Judge | None = None
) -> list[CheckResult]:
    return [check.evaluate(record, judge) for check in checks]


# Goal files --------------------------------------------------------------------------------------


def checks_from_expect(expect: Any, where: str) -> list[Check]:
    """The checks a goal declares under ``expect``; ``where`` (file and line) prefixes any error."""
    if not isinstance(expect, Mapping):
        raise ConfigError(f"{where}: 'expect' must be an object")
    checks: list[Check] = []
    for key, value in expect.items():
        field = f"{where}: expect.{key}"
        try:
            checks += _expect_field(str(key), value, field)
        except ValueError as error:
            raise ConfigError(f"{field}: {error}") from None
    return checks


def _expect_field(key: str, value: Any, field: str) -> list[Check]:
    if key in ("tools_called", "tools_not_called"):
        negate = key == "tools_not_called"
        return [_tool_check(item, negate, index) for index, item in enumerate(_as_list(value), start=1)]
    if key == "trajectory":
        spec: Any = {"steps": value} if isinstance(value, list) else value
        if not isinstance(spec, Mapping) or not isinstance(spec.get("steps"), list):
            raise ValueError("a list of steps, or {'steps': [...], 'mode': ...}")
        return [Trajectory(list(spec["steps"]), spec.get("mode", "strict"), spec.get("args_match", "subset"))]
    if key == "final_state":
        items = _as_list(value)
        if not all(isinstance(item, str) for item in items):
            raise ValueError("'module:function' names of predicates")
        return [final_state(item) for item in items]
    if key == "goal_verified":
        if not isinstance(value, bool):
            raise ValueError("true or false")
        return [goal_verified()] if value else []
    raise ValueError(f"unknown check (known: {', '.join(EXPECT_FIELDS)})")


def _as_list(value: Any) -> list[Any]:
    return list(value) if isinstance(value, list) else [value]


def _tool_check(item: Any, negate: bool, index: int) -> Check:
    if isinstance(item, str):
        return ToolCalled(item, negate=negate)
    if isinstance(item, Mapping) and isinstance(item.get("name"), str):
        unknown = set(item) - {"name", "args", "match", "by_turn"}
        if unknown:
            raise ValueError(
                f"item {index}: unknown key(s) {sorted(unknown)} (known: name, args, match, by_turn)"
            )
        check: Check = ToolCalled(item["name"], item.get("args"), item.get("match", "exact"), negate=negate)
        return check.by_turn(int(item["by_turn"])) if item.get("by_turn") is not None else check
    raise ValueError(f"item {index}: a tool name, or {{'name': ..., 'args': {{...}}, 'match': ...}}")


# roleplay eval -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class DatasetChecks:
    """The declared checks of a dataset's records: results by dialogue id, and how many judged
    checks were left out because the evaluation runs without a judge."""

    results: dict[str, list[CheckResult]]
    skipped_judged: int = 0

    def to_json(self) -> dict[str, Any]:
        return {
            "dialogues": {
                key: [r.to_json() for r in results] for key, results in sorted(self.results.items())
            },
            "skipped_judged": self.skipped_judged,
        }


def evaluate_records(records: Sequence[Mapping[str, Any]], judge: Judge | None) -> DatasetChecks:
    """Run each record's ``expect`` checks (records without one are not checked)."""
    results: dict[str, list[CheckResult]] = {}
    skipped = 0
    for record in records:
        if not record.get("expect"):
            continue
        where = f"dialogue {record.get('id')} (goal {record.get('goal_id') or '?'})"
        checks = checks_from_expect(record["expect"], where)
        runnable = [check for check in checks if judge is not None or not check.needs_judge()]
        skipped += len(checks) - len(runnable)
        results[str(record.get("id"))] = run_checks(record, runnable, judge)
    return DatasetChecks(results, skipped)


def check_metrics(checks: DatasetChecks) -> list[Any]:
    """``agent_checks_passed`` (dialogues whose checks all pass) and ``check:NAME`` per check."""
    from llm_roleplay.evals.bootstrap import ratio_metric

    if not checks.results:
        return []
    metrics = [
        ratio_metric(
            "agent_checks_passed",
            [(1 if all(r.passed for r in rs) else 0, 1) for rs in checks.results.values()],
        )
    ]
    names = sorted({result.check for results in checks.results.values() for result in results})
    for name in names:
        outcomes = [r.passed for results in checks.results.values() for r in results if r.check == name]
        metrics.append(ratio_metric(f"check:{name}", [(1 if passed else 0, 1) for passed in outcomes]))
    return metrics
