"""``roleplay generate``: plan the persona x goal x trial grid and run it into a dataset directory."""

from __future__ import annotations

import asyncio
import hashlib
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_roleplay.batch import BatchListener, BatchReport, run_batch
from llm_roleplay.blocks.goals import Goal, read_goals
from llm_roleplay.blocks.persona_grid import (
    GridPlan,
    PersonaSample,
    pair_grid,
    read_personas,
    sample_personas,
)
from llm_roleplay.blocks.personas import Persona, default_schema
from llm_roleplay.cells import Cell, cells_from_grid
from llm_roleplay.checkpoints import CheckpointDB, check_db, db_label
from llm_roleplay.cluster_options import DEFAULT_CHUNK_SIZE
from llm_roleplay.dataset_store import DatasetDir
from llm_roleplay.manifest import build_manifest, check_same_configuration
from llm_roleplay.near_duplicates import find_near_duplicates
from llm_roleplay.nodes.context import Context
from llm_roleplay.plausibility import llm_plausibility_check
from llm_roleplay.prompts import prompt_versions
from llm_roleplay.records import write_json_atomic
from llm_roleplay.runner import preflight

# The embedded model shares one CPU: more parallel slots than this only add context memory.
MAX_LOCAL_SLOTS = 8


@dataclass(frozen=True)
class GenerateOptions:
    goals: str  # a path, or "example" for the packaged example set
    out: Path
    personas: int | Path = 5
    trials: int = 1
    concurrency: int = 4
    max_tokens: int | None = None
    plausibility_check: bool = False  # ask the judge model whether each persona fits each goal
    context: Context = field(default_factory=Context)
    db: CheckpointDB | None = None  # checkpoints (default: the dataset's SQLite file)
    ray: str | None = None  # a Ray cluster address (auto, local, host:port): run the grid on it
    chunk_size: int = DEFAULT_CHUNK_SIZE  # dialogues per Ray task
    # The command's resolved configuration (flags, --config file and defaults), in the shape of a
    # run file; the manifest records it, with the settings the batch really ran with.
    resolved: dict[str, Any] | None = None


@dataclass(frozen=True)
class Plan:
    cells: list[Cell]
    grid: GridPlan
    goals: list[Goal]
    config: dict[str, Any]


def batch_context(options: GenerateOptions) -> Context:
    """The settings every dialogue of the batch runs with."""
    if "local_parallel_slots" in options.context.model_fields_set:  # the user chose it
        return options.context
    # The embedded model's slots follow the concurrency; it starts with the settings it first gets.
    return options.context.model_copy(
        update={"local_parallel_slots": min(options.concurrency, MAX_LOCAL_SLOTS)}
    )


def plan(options: GenerateOptions, *, call_models: bool = True) -> Plan:
    """Read and check every input, models and servers included, before anything is written.

    ``call_models=False`` (a dry run) checks the model specs and keys without starting the embedded
    model, probing a server or asking the plausibility judge, so the grid may be larger than the
    real run's (pairs the judge would reject are in it).
    """
    goals = read_goals(options.goals)
    personas: list[Persona] | PersonaSample = (
        read_personas(options.personas)
        if isinstance(options.personas, Path)
        else sample_personas(options.personas, options.context.seed)
    )
    base = batch_context(options)
    preflight(base, start=call_models)  # after the cheap checks; before the plausibility check
    plausible = llm_plausibility_check(base) if options.plausibility_check and call_models else None
    grid = pair_grid(personas, goals, trials=options.trials, seed=options.context.seed, plausible=plausible)
    cells = cells_from_grid(grid, base)
    config = {
        "definition": {
            "settings": base.defining_settings(),
            "prompts": prompt_versions(),
            "persona_schema": default_schema().version,
        },
        "goals": {"source": options.goals, "count": len(goals), "sha256": _goals_digest(goals)},
        "personas": (
            {"source": "sampled", "count": options.personas, "seed": options.context.seed}
            if not isinstance(options.personas, Path)
            else {
                "source": str(options.personas),
                "count": len({cell.persona_index for cell in grid.cells}),
            }
        ),
        "trials": options.trials,
        "plausibility_check": options.plausibility_check,
        "concurrency": options.concurrency,
        "max_tokens": options.max_tokens,
    }
    if options.resolved is not None:
        config["resolved"] = {**options.resolved, "settings": base.model_dump(mode="json")}
    return Plan(cells=cells, grid=grid, goals=goals, config=config)


def generate(
    options: GenerateOptions, listener: BatchListener | None = None
) -> tuple[BatchReport, dict[str, Any]]:
    store = DatasetDir(options.out)
    db = options.db or store.checkpoint_path
    if options.ray is not None:
        from llm_roleplay import cluster

        cluster.check_options(options.ray, db, options.context, options.chunk_size)
    the_plan = plan(options)
    # The database and the cluster must answer before the dataset directory is touched.
    check_db(db)
    if options.ray is not None:
        cluster.connect(options.ray)
    store.prepare()
    previous = store.read_manifest()
    check_same_configuration(previous, the_plan.config["definition"], str(options.out))
    started_at = time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())
    # The manifest is written first, so that even a run killed at once has claimed the directory
    # for its configuration.
    store.write_manifest(previous or {"config": the_plan.config, "runs": []})
    report: BatchReport | None = None
    executor: dict[str, Any] = {"ray": options.ray, "checkpoints": db_label(db)}
    try:
        if options.ray is None:
            batch = run_batch(
                the_plan.cells,
                store,
                concurrency=options.concurrency,
                max_tokens=options.max_tokens,
                listener=listener,
                db=db,
            )
        else:
            executor["chunk_size"] = options.chunk_size
            batch = cluster.run_on_cluster(
                the_plan.cells,
                store,
                db=db,
                concurrency=options.concurrency,
                max_tokens=options.max_tokens,
                chunk_size=options.chunk_size,
                listener=listener,
            )
        report = asyncio.run(batch)
    finally:
        manifest = finish(store, the_plan, previous, started_at, report, executor)
    return report, manifest


def finish(
    store: DatasetDir,
    the_plan: Plan,
    previous: dict[str, Any] | None,
    started_at: str,
    report: BatchReport | None,
    executor: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """Mark near-duplicates and rewrite the manifest (also after an interruption)."""
    # Two passes over the records file rather than one list of every record: the end of a run
    # needs memory for the near-duplicate signatures only, whatever the size of the dataset.
    duplicates = find_near_duplicates(store.records())
    write_json_atomic(store.near_duplicates_path, duplicates)
    run = {
        "started_at": started_at,
        "wall_s": round(report.wall_s, 3) if report else None,
        "finished": report.finished if report else None,
        "failed": [{"id": ident, "error": error} for ident, error in report.failed] if report else None,
        "budget_reached": report.budget_reached if report else None,
        "ended_by_error": report.ended_by_error if report else None,
        "stopped": report.stopped if report else None,
        "resumed": report.resumed if report else None,
        "interrupted": report is None,
        **({"executor": executor} if executor else {}),
    }
    manifest = build_manifest(
        config=the_plan.config,
        records=store.records(),
        planned_ids={cell.dialogue_id for cell in the_plan.cells},
        grid=the_plan.grid.stats(),
        run=run,
        previous=previous,
        near_duplicates=duplicates,
    )
    store.write_manifest(manifest)
    return manifest


def _goals_digest(goals: list[Goal]) -> str:
    # A goal without checks digests as before ``expect`` existed.
    canonical = "\n".join(
        goal.model_dump_json(exclude={"expect"} if goal.expect is None else None) for goal in goals
    )
    return hashlib.sha256(canonical.encode()).hexdigest()
