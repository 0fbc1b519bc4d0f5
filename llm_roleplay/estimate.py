"""Token and time estimate of dialogues before they run (``roleplay generate --dry-run``).

Two sources, the better one first:

- **calibration**: dialogues of the same grid already in the output directory. Their records give
  the tokens per dialogue and role, and the manifest's run times the seconds per dialogue (at the
  concurrency those runs used).
- **stated assumptions** (:class:`Assumptions`), printed with the estimate: a rough guide, as the
  cost of a dialogue depends on the models. A dialogue of ``T`` user turns costs, per turn, one
  inquirer message and one reading of the last reply (each prompt: instructions plus the dialogue
  so far) and one chatbot reply (the dialogue so far); then a goal check of a few judge calls on the
  whole dialogue. Speeds: the embedded model at the prompt and
  generation rates measured on two cores, all dialogues sharing it (concurrency does not divide its
  time), with llama.cpp's prompt cache reusing each prompt's earlier part (only the instructions
  and the newest exchange are processed again); the fake models at the framework's cost per call;
  any other model at a fixed latency per call plus a generation rate, with calls of concurrent
  dialogues overlapping.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from llm_roleplay.blocks.models import ROLES
from llm_roleplay.nodes.context import Context

PAPER_USER_TURNS = 5.30  # Tamoyan et al. (2024): mean user turns of their simulated dialogues
FAKE_USER_TURNS = 3  # the fake inquirer's messages before it claims the goal (fake_models)


@dataclass(frozen=True)
class Assumptions:
    user_message_tokens: int = 40
    reply_tokens: int = 250  # at most max_reply_tokens
    instruction_tokens: int = 250  # the prompt around the dialogue (persona, goal, instructions)
    decision_tokens: int = 2  # a YES/NO reading of a reply
    judge_calls: int = 3  # a goal check: two goal parts, then the whole goal
    verdict_tokens: int = 40
    local_prompt_tokens_per_s: float = 75.0  # embedded model, 2 cores (shared NOTES-local-models)
    local_generated_tokens_per_s: float = 30.0
    fake_seconds_per_call: float = 0.005  # framework overhead per turn (benchmarks/README.md)
    remote_seconds_per_call: float = 1.5
    remote_generated_tokens_per_s: float = 50.0

    def describe(self, user_turns: float) -> str:
        return (
            f"{user_turns:g} user turns per dialogue, {self.user_message_tokens}-token user messages, "
            f"{self.reply_tokens}-token replies, {self.instruction_tokens} tokens of instructions per "
            f"prompt, {self.judge_calls} judge calls per goal check; "
            f"local model {self.local_prompt_tokens_per_s:g} prompt and "
            f"{self.local_generated_tokens_per_s:g} generated tokens/s for all dialogues together, "
            "earlier turns cached; other models "
            f"{self.remote_seconds_per_call:g} s per call plus {self.remote_generated_tokens_per_s:g} "
            "generated tokens/s, concurrent dialogues overlapping"
        )


@dataclass
class Usage:
    calls: float = 0.0
    input_tokens: float = 0.0
    output_tokens: float = 0.0
    uncached_input_tokens: float = 0.0  # what a server with a prompt cache processes again

    def add(
        self, calls: float, input_tokens: float, output_tokens: float, uncached: float | None = None
    ) -> None:
        self.calls += calls
        self.input_tokens += input_tokens
        self.output_tokens += output_tokens
        self.uncached_input_tokens += input_tokens if uncached is None else uncached

    def times(self, factor: float) -> Usage:
        return Usage(
            self.calls * factor,
            self.input_tokens * factor,
            self.output_tokens * factor,
            self.uncached_input_tokens * factor,
        )

    @property
    def tokens(self) -> float:
        return self.input_tokens + self.output_tokens


@dataclass
class Estimate:
    dialogues: int
    usage: dict[str, Usage] = field(default_factory=dict)  # per role, all dialogues to run
    seconds: float = 0.0
    basis: str = ""

    @property
    def tokens(self) -> float:
        return sum(usage.tokens for usage in self.usage.values())


def user_turns(context: Context) -> float:
    if context.inquirer_model == "fake":
        return float(min(context.max_turns, FAKE_USER_TURNS))
    return min(float(context.max_turns), PAPER_USER_TURNS)


def dialogue_usage(context: Context, assumptions: Assumptions) -> dict[str, Usage]:
    """Calls and tokens of one dialogue per role, under ``assumptions``."""
    a = assumptions
    turns = user_turns(context)
    reply = min(a.reply_tokens, context.max_reply_tokens)
    exchange = a.user_message_tokens + reply
    earlier = exchange * turns * (turns - 1) / 2  # the dialogue before each turn, summed over turns
    fresh = a.instruction_tokens + exchange  # per call, beyond the cached earlier turns
    usage: dict[str, Usage] = {role: Usage() for role in ROLES}
    usage["inquirer"].add(
        turns, turns * a.instruction_tokens + earlier, turns * a.user_message_tokens, turns * fresh
    )
    readings = turns * a.instruction_tokens + earlier + exchange * turns  # each reply read once
    usage["inquirer"].add(turns, readings, turns * a.decision_tokens, turns * fresh)
    usage["chatbot"].add(turns, earlier + turns * a.user_message_tokens, turns * reply, turns * exchange)
    if context.judge_model not in ("none", "off"):
        checks, prompt = a.judge_calls, a.instruction_tokens + exchange * turns
        # The checks share the transcript at the start of their prompts: cached after the first.
        uncached = prompt + (checks - 1) * a.instruction_tokens
        usage["judge"].add(checks, checks * prompt, checks * a.verdict_tokens, uncached)
    return usage


def _seconds(spec: Any, usage: Usage, concurrency: int, a: Assumptions) -> float:
    if spec == "local":
        return (
            usage.uncached_input_tokens / a.local_prompt_tokens_per_s
            + usage.output_tokens / a.local_generated_tokens_per_s
        )
    if spec == "fake":
        return usage.calls * a.fake_seconds_per_call
    per_call = usage.calls * a.remote_seconds_per_call + usage.output_tokens / a.remote_generated_tokens_per_s
    return per_call / concurrency


def from_assumptions(
    context: Context, dialogues: int, concurrency: int, assumptions: Assumptions | None = None
) -> Estimate:
    a = assumptions or Assumptions()
    estimate = Estimate(dialogues=dialogues, basis="assumed: " + a.describe(user_turns(context)))
    for role, one in dialogue_usage(context, a).items():
        total = one.times(dialogues)
        estimate.usage[role] = total
        estimate.seconds += _seconds(getattr(context, f"{role}_model"), total, concurrency, a)
    return estimate


def from_finished(
    records: Sequence[Mapping[str, Any]], runs: Sequence[Mapping[str, Any]], dialogues: int, where: str
) -> Estimate | None:
    """Scale what finished dialogues of the same grid cost; None when there are none to learn from."""
    timed = [run for run in runs if run.get("wall_s") and run.get("finished")]
    if not records or not timed:
        return None
    per_dialogue = sum(run["wall_s"] for run in timed) / sum(run["finished"] for run in timed)
    scale = dialogues / len(records)
    estimate = Estimate(
        dialogues=dialogues,
        seconds=per_dialogue * dialogues,
        basis=f"calibrated on {len(records)} finished dialogues in {where}",
    )
    for role in ROLES:
        usage = Usage()
        for record in records:
            counts = (record.get("usage") or {}).get(role) or {}
            usage.add(counts.get("calls", 0), counts.get("input_tokens", 0), counts.get("output_tokens", 0))
        estimate.usage[role] = usage.times(scale)
    return estimate
