"""``roleplay generate --dry-run``: what a run would do and cost, with nothing written or called.

It reads and checks every input as the real run does (goals, personas, settings, model specs and
keys, an existing dataset's configuration), plans the same grid and dialogue ids, counts those
already in the output directory, and estimates tokens and time (:mod:`llm_roleplay.estimate`).
It starts no model, contacts no server and writes no file.
"""

from __future__ import annotations

import sys
from dataclasses import dataclass
from typing import TextIO

from llm_roleplay.blocks.models import ROLES
from llm_roleplay.console import plural
from llm_roleplay.dataset_store import DatasetDir
from llm_roleplay.estimate import Estimate, from_assumptions, from_finished
from llm_roleplay.generate import GenerateOptions, batch_context, plan
from llm_roleplay.manifest import check_same_configuration
from llm_roleplay.nodes.llm import role_model


@dataclass(frozen=True)
class DryRun:
    goals: int
    personas: int
    trials: int
    planned: int
    done: int
    models: dict[str, str]
    concurrency: int
    estimate: Estimate
    out: str
    plausibility_check: bool

    @property
    def to_run(self) -> int:
        return self.planned - self.done


def dry_run(options: GenerateOptions) -> DryRun:
    the_plan = plan(options, call_models=False)
    store = DatasetDir(options.out)
    previous = store.read_manifest() if store.root.is_dir() else None
    check_same_configuration(previous, the_plan.config["definition"], str(options.out))
    planned = {cell.dialogue_id for cell in the_plan.cells}
    finished = [record for record in store.records() if record.get("id") in planned]
    to_run = len(planned) - len(finished)
    context = batch_context(options)
    estimate = from_finished(
        finished, (previous or {}).get("runs", []), to_run, str(options.out)
    ) or from_assumptions(context, to_run, options.concurrency)
    return DryRun(
        goals=len(the_plan.goals),
        personas=len({cell.persona_index for cell in the_plan.grid.cells}),
        trials=options.trials,
        planned=len(planned),
        done=len(finished),
        models={role: role_model(context, role).describe() for role in ROLES},
        concurrency=options.concurrency,
        estimate=estimate,
        out=str(options.out),
        plausibility_check=options.plausibility_check,
    )


def _tokens(count: float) -> str:
    if count >= 1e6:
        return f"{count / 1e6:.1f} M"
    return f"{count / 1e3:.0f} k" if count >= 1e3 else f"{count:.0f}"


def _duration(seconds: float) -> str:
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes = round(seconds / 60)
    return f"{minutes // 60} h {minutes % 60:02d} min" if minutes >= 60 else f"{minutes} min"


def print_dry_run(result: DryRun, stream: TextIO | None = None) -> None:
    estimate = result.estimate
    by_role = ", ".join(
        f"{role} {_tokens(usage.tokens)}" for role, usage in estimate.usage.items() if usage.calls
    )
    grid = (
        f"{plural(result.goals, 'goal')} x {plural(result.personas, 'persona')} x "
        f"{plural(result.trials, 'trial')} = {plural(result.planned, 'dialogue')}: "
        f"{result.done} already in {result.out}, {result.to_run} to run"
    )
    if result.plausibility_check:
        grid += " (before the plausibility check, which may leave pairs out)"
    rows = [
        ("dry run", "nothing was written and no model was called"),
        ("grid", grid),
        ("models", ", ".join(f"{role} {spec}" for role, spec in result.models.items())),
        (
            "estimate",
            f"about {_tokens(estimate.tokens)} tokens ({by_role or 'none'}) and "
            f"{_duration(estimate.seconds)} at --concurrency {result.concurrency}",
        ),
        ("basis", estimate.basis),
    ]
    if estimate.basis.startswith("assumed"):
        rows.append(
            (
                "measure",
                "for a measured estimate run a few dialogues first (they count towards the grid), e.g. "
                "the same command with --max-tokens 20000 instead of --dry-run, then --dry-run again",
            )
        )
    width = max(len(name) for name, _ in rows)
    print("\n".join(f"{name.ljust(width)}  {value}" for name, value in rows), file=stream or sys.stdout)
