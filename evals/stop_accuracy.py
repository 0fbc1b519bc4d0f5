"""Stop accuracy: does the simulated user end the chat when a person would?

The inquirer decides after every chatbot reply whether to end (``YES`` goal met, ``GIVEUP``) or
go on (``NO``). Ending too early leaves the goal half-done; ending too late pads the dialogue
with turns no person would write. This is measured against ``data/stop_labels.jsonl``: short
dialogues written for this project (not model output), each labelled with when ending is right.

Definition
----------
A labelled dialogue has ``n`` exchanges (user message + reply) and ``should_end_from`` = ``g``:
the first exchange after which a person would end — the goal is fully answered, or the assistant
has made clear it cannot help — or null if ending is never right within the written dialogue.
Its ``label`` says how the *written* user ended and must agree with ``g``: ``right_time`` (g = n),
``too_late`` (g < n) or ``ended_too_early`` (g null).

The inquirer model under test is replayed with the roleplay graph's own decision logic
(:func:`nodes.intents.next_step`: the goal plan given in the label file, the per-part reading
``prompts/inquirer_assess.md`` at temperature 0, ``max_part_asks`` at its default and
``min_turns_before_stop`` at 2, the convention the labels were written in: a one-part goal answered
at once gets one follow-up question. The generator's default asks more follow-ups before the user
may stop, to reach the paper's dialogue length; that is a choice of length, not of reading the
goal, and is not what this eval measures) at each *decision point* k = 1..n (the transcript of
the first k exchanges), carrying the plan position from point to point as the graph does. It
predicts **end** (the goal is claimed, or the user gives up) or **continue** (any message). The
truth at point k is **end** iff g is not null and k >= g. Over all decision points of all labelled dialogues:

- ``stop_precision`` = TP / (TP + FP): of the points where the model ends, the share where
  ending is right;
- ``stop_recall`` = TP / (TP + FN): of the points where ending is right, the share where the
  model ends; ``stop_f1`` their harmonic mean;

with TP = predicted end and truth end, FP = predicted end and truth continue, FN = predicted
continue and truth end. Per dialogue, the model's *first* end point e gives its timing:
``right_time`` if e = g (or neither exists), ``too_early`` if e < g or g is null, ``too_late``
if e > g or the model never ends although g exists; ``stop_right_time`` etc. are their shares.
Intervals resample labelled dialogues (all points of a dialogue together).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path
from typing import Any, Literal, cast

from langchain_core.language_models import BaseChatModel
from langchain_core.messages import AIMessage, AnyMessage, BaseMessage, HumanMessage
from pydantic import ValidationError

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import build_chat_model
from llm_roleplay.blocks.sync_bridge import run_sync
from llm_roleplay.evals.bootstrap import Metric, ratio_metric
from llm_roleplay.evals.labelled_files import alternating_messages, load_labelled, text_list
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.goal_plan import split_goal
from llm_roleplay.nodes.inquirer_prompt import assessment_messages
from llm_roleplay.nodes.intents import next_step
from llm_roleplay.nodes.likelihood import ask_yes_no
from llm_roleplay.nodes.llm import call_seed, error_text, role_model
from llm_roleplay.nodes.state import RoleplayState

DEFAULT_LABELS = Path(__file__).parent / "data" / "stop_labels.jsonl"
LABELS = ("right_time", "too_late", "ended_too_early")
LABELS_MIN_TURNS = 2  # the labels' convention: one follow-up on a one-part goal answered at once
Timing = Literal["right_time", "too_early", "too_late"]


@dataclass(frozen=True)
class LabelledDialogue:
    id: str
    goal: str
    messages: tuple[Mapping[str, str], ...]
    label: str
    should_end_from: int | None
    line: int = 0
    goal_parts: tuple[str, ...] = ()  # the plan; the goal's request sentences when not given

    @property
    def exchanges(self) -> int:
        return sum(1 for message in self.messages if message["role"] == "user")

    def truth(self) -> list[bool]:
        """Per decision point k = 1..n: is ending right?"""
        g = self.should_end_from
        return [g is not None and k >= g for k in range(1, self.exchanges + 1)]

    def prefix(self, k: int) -> list[BaseMessage]:
        """The first k exchanges as chat messages, as the graph holds them."""
        result: list[BaseMessage] = []
        users = 0
        for message in self.messages:
            if message["role"] == "user":
                users += 1
                if users > k:
                    break
                result.append(HumanMessage(message["content"]))
            else:
                result.append(AIMessage(message["content"]))
        return result


def labelled_dialogue(data: Mapping[str, Any], line: int = 0) -> LabelledDialogue:
    """Validate one labelled entry (a dict as in the JSONL file); ``ValueError`` says what is wrong."""
    messages = alternating_messages(data)
    label, end_from = data.get("label"), data.get("should_end_from")
    if label not in LABELS:
        raise ValueError(f"label must be one of {', '.join(LABELS)} (got {label!r})")
    n = len(messages) // 2
    if end_from is not None and (not isinstance(end_from, int) or not 1 <= end_from <= n):
        raise ValueError(f"should_end_from must be null or an exchange number 1..{n} (got {end_from!r})")
    implied = "ended_too_early" if end_from is None else "right_time" if end_from == n else "too_late"
    if implied != label:
        raise ValueError(
            f"label {label!r} contradicts should_end_from={end_from} with {n} exchanges ({implied})"
        )
    if not isinstance(data.get("goal"), str) or not data["goal"].strip():
        raise ValueError('"goal" must be a non-empty text')
    return LabelledDialogue(
        goal_parts=text_list(data, "goal_parts", required=False),
        id=str(data.get("id") or f"line-{line}"),
        goal=data["goal"],
        messages=messages,
        label=label,
        should_end_from=end_from,
        line=line,
    )


def load_stop_labels(path: Path = DEFAULT_LABELS) -> list[LabelledDialogue]:
    """Read and validate the labelled set; a bad line is a one-line ``ConfigError`` (file:line)."""
    return load_labelled(path, labelled_dialogue, "labelled dialogues")


def build_decider(
    spec: Any, *, base_url: str | None = None, api_key_env: str | None = None
) -> BaseChatModel | None:
    """The inquirer model as the graph builds it for readings (temperature 0, 1 token); None for none."""
    if isinstance(spec, str) and (spec.startswith("object:") or spec.strip().lower() in {"none", "off"}):
        return None  # an in-process object cannot be rebuilt from its description
    try:
        context = Context(inquirer_model=spec, inquirer_base_url=base_url, inquirer_api_key_env=api_key_env)
    except ValidationError as error:
        raise ConfigError(f"--inquirer: {error.errors()[0]['msg']}") from None
    return build_chat_model(role_model(context, "inquirer", temperature=0.0, max_tokens=1))


@dataclass(frozen=True)
class StopOutcome:
    """The replayed decisions on one labelled dialogue and how they score."""

    id: str
    predicted: tuple[bool, ...]  # per decision point: did the model end?
    truth: tuple[bool, ...]
    unparseable: int = 0
    error: str | None = None

    def _count(self, predicted: bool, truth: bool) -> int:
        return sum(
            1 for p, t in zip(self.predicted, self.truth, strict=True) if p is predicted and t is truth
        )

    @property
    def tp(self) -> int:
        return self._count(True, True)

    @property
    def fp(self) -> int:
        return self._count(True, False)

    @property
    def fn(self) -> int:
        return self._count(False, True)

    @property
    def tn(self) -> int:
        return self._count(False, False)

    @property
    def timing(self) -> Timing:
        first_end = next((k for k, p in enumerate(self.predicted, start=1) if p), None)
        should = next((k for k, t in enumerate(self.truth, start=1) if t), None)
        if first_end == should:
            return "right_time"
        if first_end is None:
            return "too_late"
        return "too_early" if should is None or first_end < should else "too_late"

    def to_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "predicted_end": list(self.predicted),
            "truth_end": list(self.truth),
            "tp": self.tp,
            "fp": self.fp,
            "fn": self.fn,
            "tn": self.tn,
            "timing": self.timing,
            "unparseable": self.unparseable,
            "error": self.error,
        }


def replay_decisions(
    dialogue: LabelledDialogue, decider: BaseChatModel, *, seed: int = 0
) -> tuple[list[bool], int, str | None]:
    """The model's end-or-continue decision at each point: ``(ends, unparseable answers, error)``.

    A failing call stops the replay there and returns the error with the decisions made so far.
    """
    context = Context(min_turns_before_stop=LABELS_MIN_TURNS)
    state: RoleplayState = {
        "goal": dialogue.goal,
        "goal_parts": list(dialogue.goal_parts) or split_goal(dialogue.goal),
        "dialogue_id": dialogue.id,
        "persona": {},
        "part": 0,
        "part_asks": 1,
    }
    predicted: list[bool] = []
    unparseable = 0

    async def assess(part: str, k: int) -> float | None:
        nonlocal unparseable
        answer = await ask_yes_no(
            decider,
            assessment_messages(state, context, part),
            task="inquirer_assess",
            turn=k,
            seed=lambda attempt: call_seed(seed, dialogue.id, "inquirer_assess", k, attempt),
            samples=1,
        )
        unparseable += answer.p_yes is None
        return answer.p_yes

    for k in range(1, dialogue.exchanges + 1):
        state["messages"] = cast(list[AnyMessage], dialogue.prefix(k))
        state["turn"] = k
        try:
            step = run_sync(next_step(state, context, partial(assess, k=k)))
        except Exception as error:
            return predicted, unparseable, error_text(error)
        predicted.append(step.intent is None)
        for key in ("part", "part_asks"):
            if key in step.update:
                state[key] = step.update[key]
    return predicted, unparseable, None


def score_decisions(
    dialogue: LabelledDialogue, predicted: Sequence[bool], unparseable: int = 0, error: str | None = None
) -> StopOutcome:
    """Score replayed decisions against the labels (a failed replay keeps its error)."""
    truth = dialogue.truth()
    if error is None and len(predicted) != len(truth):
        error = f"{len(predicted)} decisions for {len(truth)} decision points"
    return StopOutcome(dialogue.id, tuple(predicted), tuple(truth[: len(predicted)]), unparseable, error)


def stop_accuracy(
    dialogue: Mapping[str, Any] | LabelledDialogue, decider: BaseChatModel, *, seed: int = 0
) -> StopOutcome:
    """Replay and score the model's decisions on one labelled dialogue (a dict as in the JSONL file)."""
    labelled = dialogue if isinstance(dialogue, LabelledDialogue) else labelled_dialogue(dialogue)
    return score_decisions(labelled, *replay_decisions(labelled, decider, seed=seed))


def stop_metrics(outcomes: Sequence[StopOutcome]) -> list[Metric[Any]]:
    """Precision, recall, F1 and timing shares over the outcomes that did not fail."""
    rows = [outcome for outcome in outcomes if outcome.error is None]
    return [
        ratio_metric("stop_precision", [(o.tp, o.tp + o.fp) for o in rows], unit="end decisions"),
        ratio_metric("stop_recall", [(o.tp, o.tp + o.fn) for o in rows], unit="points where ending is right"),
        Metric(
            name="stop_f1",
            units=[(o.tp, o.fp, o.fn, len(o.predicted)) for o in rows],
            statistic=_f1,
            count=lambda units: sum(unit[3] for unit in units),
            unit="decision points",
        ),
        *(
            ratio_metric(
                f"stop_{timing}",
                [(1 if o.timing == timing else 0, 1) for o in rows],
                unit="labelled dialogues",
            )
            for timing in ("right_time", "too_early", "too_late")
        ),
    ]


def _f1(units: Sequence[tuple[int, int, int, int]]) -> float | None:
    tp, fp, fn = (sum(unit[i] for unit in units) for i in range(3))
    return 2 * tp / (2 * tp + fp + fn) if tp + fp + fn else None
