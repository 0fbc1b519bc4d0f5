"""Evaluate one dataset directory into the ``eval.json`` document (and the report's data).

Order of work: read the records; statistics (no model); LLM judges as LangSmith experiments;
stop accuracy on the labelled set; the reference set; the comparison run. Every metric ends up
with its ``n`` and its bootstrap interval. A comparison run's judge verdicts are taken from its own
``eval.json`` when it was judged by the same judge with the same prompts, so evaluating A, then B,
then A against B does not pay for B's judging twice.
"""

from __future__ import annotations

import json
import random
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.console import plural
from llm_roleplay.dataset_store import DatasetDir, read_records
from llm_roleplay.evals.agent_checks import DatasetChecks, check_metrics, evaluate_records
from llm_roleplay.evals.bootstrap import BootstrapSettings, Metric, difference
from llm_roleplay.evals.goal_labels import (
    DEFAULT_GOAL_LABELS,
    GoalCheckOutcome,
    by_failure,
    goal_check_evaluator,
    goal_check_example,
    goal_check_metrics,
    goal_check_outcomes,
    goal_check_target,
    load_goal_labels,
)
from llm_roleplay.evals.judge_metrics import Verdicts, judge_metrics, judge_summary, share_metric
from llm_roleplay.evals.judges import JUDGES, RECORD_JUDGES, Judge, JudgeResult, build_judge
from llm_roleplay.evals.langsmith_run import (
    ExperimentOutcome,
    ExperimentSpec,
    judge_results,
    paired_evaluator,
    record_evaluator,
    record_example,
    replay_dialogue,
    run_experiment,
    stop_evaluator,
    stop_example,
    stop_outcomes,
    stop_summary,
    stop_target,
)
from llm_roleplay.evals.realism import realism_section
from llm_roleplay.evals.reference import ReferenceSet, load_reference
from llm_roleplay.evals.statistics import (
    DialogueFeatures,
    by_attribute,
    estimates,
    features,
    filter_funnel,
    length_histogram,
    outcome_metrics,
    persona_distribution,
    termination_counts,
    turn_histogram,
    user_side_metrics,
)
from llm_roleplay.evals.stop_accuracy import (
    DEFAULT_LABELS,
    StopOutcome,
    build_decider,
    load_stop_labels,
    stop_metrics,
)
from llm_roleplay.near_duplicates import is_kept_unique, mark_near_duplicates
from llm_roleplay.nodes.context import Context
from llm_roleplay.prompts import load_prompt

EVAL_VERSION = 1
EVAL_FILE = "eval.json"
REPORT_FILE = "report.html"
PAPER_TURNS_PER_DIALOGUE = 5.30  # Tamoyan et al. (2024), mean over their simulated dialogues
EXAMPLE_MESSAGES = 12
EXAMPLE_CHARS = 1200


@dataclass(frozen=True)
class EvalOptions:
    dataset: Path
    judge: str = "local"  # "none" (or --no-llm): statistics only
    judge_base_url: str | None = None
    judge_api_key_env: str | None = None
    judge_attempts: int = 3
    judge_sample: int | None = None  # judge a seeded sample of this many dialogues
    inquirer: str | None = None  # model for stop accuracy; default: the dataset's inquirer
    inquirer_base_url: str | None = None
    inquirer_api_key_env: str | None = None
    reference: Path | None = None
    compare: Path | None = None
    kept_only: bool = False
    bootstrap: BootstrapSettings = field(default_factory=BootstrapSettings)
    concurrency: int = 4
    upload: bool = False
    stop_labels: Path = DEFAULT_LABELS
    goal_labels: Path = DEFAULT_GOAL_LABELS
    progress: bool = True  # the progress display on stderr, a step per judge verdict


Log = Callable[[str], None]


def _quiet(_: str) -> None:
    pass


# Loading ---------------------------------------------------------------------------------------


@dataclass
class Run:
    """One dataset directory's records, with what the evaluation adds to them."""

    root: Path
    records: list[dict[str, Any]]
    bad_lines: list[int]
    manifest: dict[str, Any] | None
    rows: list[DialogueFeatures] = field(default_factory=list)
    verdicts: dict[str, dict[str, JudgeResult]] = field(default_factory=dict)
    stop: list[StopOutcome] | None = None
    goal_checks: list[GoalCheckOutcome] | None = None
    checks: DatasetChecks = field(default_factory=lambda: DatasetChecks({}))  # goals' declared checks

    def setting(self, name: str) -> Any:
        """A defining setting, from the manifest or else the first record."""
        definition = ((self.manifest or {}).get("config") or {}).get("definition") or {}
        if name in (definition.get("settings") or {}):
            return definition["settings"][name]
        return (self.records[0].get("settings") or {}).get(name) if self.records else None


def load_run(root: Path, *, kept_only: bool = False) -> Run:
    """Read a dataset directory; ``kept_only`` keeps what the filters kept, minus near-duplicates."""
    store = DatasetDir(root)
    if not store.records_path.is_file():
        raise ConfigError(f"{root}: no {store.records_path.name} (not a 'roleplay generate' directory)")
    result = read_records(store.records_path)
    duplicates: dict[str, str] = {}
    if store.near_duplicates_path.exists():
        try:
            duplicates = json.loads(store.near_duplicates_path.read_text(encoding="utf-8"))
        except (OSError, ValueError) as error:
            raise ConfigError(f"{store.near_duplicates_path}: unreadable ({error})") from None
    records = mark_near_duplicates(result.records, duplicates if isinstance(duplicates, dict) else {})
    if kept_only:
        records = [record for record in records if is_kept_unique(record)]
    if not records:
        raise ConfigError(f"{root}: no dialogues to evaluate" + (" (none kept)" if kept_only else ""))
    run = Run(root=root, records=records, bad_lines=result.bad_lines, manifest=store.read_manifest())
    run.rows = [features(record) for record in records]
    return run


def _sample(items: Sequence[Any], size: int | None, seed: int, salt: str) -> list[Any]:
    """A seeded sample without replacement, in a stable order; everything when ``size`` is None."""
    if size is None or size >= len(items):
        return list(items)
    return random.Random(f"{seed}:{salt}").sample(list(items), size)


# LLM evaluations -------------------------------------------------------------------------------


def _judge_run(run: Run, judge: Judge, options: EvalOptions, prefix: str) -> ExperimentOutcome:
    records = _sample(run.records, options.judge_sample, options.bootstrap.seed, "judge")
    spec = ExperimentSpec(
        prefix=prefix,
        examples=[record_example(record) for record in records],
        target=replay_dialogue,
        evaluators=[record_evaluator(name, judge) for name in RECORD_JUDGES],
        description=f"roleplay eval of {run.root}: goal completion, persona fidelity, human likeness",
    )
    outcome = run_experiment(
        spec, upload=options.upload, max_concurrency=options.concurrency, progress=options.progress
    )
    for key in RECORD_JUDGES:
        for dialogue_id, result in judge_results(outcome, key).items():
            run.verdicts.setdefault(dialogue_id, {})[key] = result
    return outcome


def judge_fingerprint(judge: Judge | None) -> dict[str, Any] | None:
    """What must match for stored verdicts to be reused: the judge spec and the judge prompts."""
    if judge is None:
        return None
    return {
        "spec": judge.spec,
        "prompts": {name: load_prompt(prompt).version for name, (prompt, _) in JUDGES.items()},
    }


def _stored_verdicts(
    root: Path, fingerprint: dict[str, Any] | None
) -> dict[str, dict[str, JudgeResult]] | None:
    path = root / EVAL_FILE
    if fingerprint is None or not path.exists():
        return None
    try:
        stored = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    if not isinstance(stored, dict) or (stored.get("judges") or {}).get("fingerprint") != fingerprint:
        return None
    return {
        dialogue_id: {key: JudgeResult.from_json(key, data) for key, data in by_key.items()}
        for dialogue_id, by_key in (stored.get("dialogues") or {}).items()
    }


def _stop_run(
    spec: Any, options: EvalOptions, prefix: str, base_url: str | None, key_env: str | None
) -> tuple[list[StopOutcome] | None, ExperimentOutcome | None]:
    decider = build_decider(spec, base_url=base_url, api_key_env=key_env) if spec else None
    if decider is None:
        return None, None
    dialogues = load_stop_labels(options.stop_labels)
    experiment = ExperimentSpec(
        prefix=prefix,
        examples=[stop_example(dialogue) for dialogue in dialogues],
        target=stop_target(decider, options.bootstrap.seed),
        evaluators=[stop_evaluator],
        summary_evaluators=[stop_summary],
        description="stop accuracy of the inquirer on the project's labelled dialogues",
    )
    outcome = run_experiment(
        experiment, upload=options.upload, max_concurrency=options.concurrency, progress=options.progress
    )
    return stop_outcomes(outcome, dialogues), outcome


def _goal_check_run(
    run: Run, options: EvalOptions
) -> tuple[list[GoalCheckOutcome] | None, ExperimentOutcome | None]:
    """The dataset's goal-check judge (its judge model, threshold and samples) on the labelled endings."""
    spec = run.setting("judge_model")
    if not isinstance(spec, str) or spec.startswith("object:") or spec.strip().lower() in {"none", "off"}:
        return None, None
    settings = {
        name: run.setting(name)
        for name in ("judge_model", "judge_base_url", "judge_threshold", "judge_samples")
        if run.setting(name) is not None
    }
    context = Context(**settings, judge_api_key_env=options.judge_api_key_env)
    endings = load_goal_labels(options.goal_labels)
    experiment = ExperimentSpec(
        prefix="roleplay-goal-check",
        examples=[goal_check_example(ending) for ending in endings],
        target=goal_check_target(context),
        evaluators=[goal_check_evaluator],
        description="precision and recall of the goal check on the project's labelled endings",
    )
    outcome = run_experiment(
        experiment, upload=options.upload, max_concurrency=options.concurrency, progress=options.progress
    )
    return goal_check_outcomes(outcome.outputs, endings), outcome


def _inquirer_spec(run: Run, options: EvalOptions) -> tuple[Any, str | None, str | None]:
    if options.inquirer is not None:
        return options.inquirer, options.inquirer_base_url, options.inquirer_api_key_env
    return run.setting("inquirer_model"), run.setting("inquirer_base_url"), options.inquirer_api_key_env


# Metrics ---------------------------------------------------------------------------------------


def run_metrics(run: Run) -> list[Metric[Any]]:
    """Every top-level metric of a run: statistics, outcomes, judges and stop accuracy."""
    ids = [row.id for row in run.rows]
    metrics = [*user_side_metrics(run.rows), *outcome_metrics(run.rows), *judge_metrics(ids, run.verdicts)]
    metrics += check_metrics(run.checks)
    if run.stop is not None:
        metrics += stop_metrics(run.stop)
    if run.goal_checks is not None:
        metrics += goal_check_metrics(run.goal_checks)
    return metrics


def _persona_metrics(verdicts: Verdicts) -> Callable[[Sequence[DialogueFeatures]], list[Metric[Any]]]:
    """Per attribute value: every statistic, outcome and judge metric of the run."""

    def build(rows: Sequence[DialogueFeatures]) -> list[Metric[Any]]:
        return [
            *user_side_metrics(rows),
            *outcome_metrics(rows),
            *judge_metrics([row.id for row in rows], verdicts),
        ]

    return build


def _example(record: Mapping[str, Any], title: str, verdicts: Mapping[str, JudgeResult]) -> dict[str, Any]:
    messages = list(record.get("messages") or [])
    return {
        "id": record.get("id"),
        "title": title,
        "goal": record.get("goal") or "",
        "persona": ((record.get("persona") or {}).get("description") or "")
        if isinstance(record.get("persona"), dict)
        else "",
        "termination_reason": record.get("termination_reason"),
        "kept": (record.get("filter") or {}).get("keep"),
        "messages": [
            {"role": m.get("role"), "content": str(m.get("content") or "")[:EXAMPLE_CHARS]}
            for m in messages[:EXAMPLE_MESSAGES]
        ],
        "omitted_messages": max(0, len(messages) - EXAMPLE_MESSAGES),
        "verdicts": {key: result.to_json() for key, result in verdicts.items()},
    }


def choose_examples(run: Run, reference: ReferenceSet | None) -> list[dict[str, Any]]:
    """A typical dialogue (median turns), the longest, one that ended badly, and a real one."""
    by_turns = sorted(
        zip(run.rows, run.records, strict=True), key=lambda pair: (pair[0].user_turns, pair[0].id)
    )
    chosen: list[tuple[str, Mapping[str, Any]]] = [("Typical length", by_turns[len(by_turns) // 2][1])]
    if by_turns[-1][1] is not chosen[0][1]:
        chosen.append(("Longest", by_turns[-1][1]))
    bad = next(
        (
            record
            for row, record in by_turns
            if (row.kept is False or row.termination_reason not in ("goal_verified", "goal_claimed"))
            and all(record is not taken for _, taken in chosen)
        ),
        None,
    )
    if bad is not None:
        chosen.append((f"Ended as {bad.get('termination_reason')}", bad))
    examples = [
        _example(record, title, run.verdicts.get(str(record.get("id")), {})) for title, record in chosen
    ]
    if reference is not None:
        real = reference.records[len(reference.records) // 2]
        examples.append(_example(real, f"Real user (reference line {real['source_line']})", {}))
    return examples


# The whole evaluation --------------------------------------------------------------------------


def _judged(run: Run, options: EvalOptions) -> int:
    size = options.judge_sample
    return len(run.records) if size is None else min(size, len(run.records))


def judging_plan(
    run: Run, judge: Judge, options: EvalOptions, reference: ReferenceSet | None, other: Run | None
) -> str:
    """Before any judge call: which judge, how many verdicts, and how many calls they take."""
    judged = _judged(run, options)
    verdicts = len(RECORD_JUDGES) * judged
    parts = [f"{len(RECORD_JUDGES)} judges x {plural(judged, 'dialogue')}"]
    if reference is not None:
        size = min(len(reference.records), judged)
        verdicts += 2 * size  # the single judge on real dialogues, and the paired judge
        parts.append(f"{plural(size, 'real dialogue')} and {plural(size, 'real/simulated pair')}")
    if other is not None:  # the comparison run, unless its stored verdicts are reused
        other_judged = _judged(other, options)
        verdicts += len(RECORD_JUDGES) * other_judged
        parts.append(f"{len(RECORD_JUDGES)} judges x {plural(other_judged, 'dialogue')} of {other.root}")
    return (
        f"judge {judge.spec}: {plural(verdicts, 'verdict')} ({'; '.join(parts)}), "
        f"{verdicts} to {verdicts * options.judge_attempts} calls (--judge-attempts {options.judge_attempts})"
    )


def stop_plan(spec: Any, base_url: str | None, key_env: str | None, options: EvalOptions) -> str:
    """Which inquirer model the stop-accuracy replay asks, and how often."""
    if build_decider(spec, base_url=base_url, api_key_env=key_env) is None:
        return f"stop accuracy: skipped (inquirer {spec})"
    dialogues = load_stop_labels(options.stop_labels)
    points = sum(dialogue.exchanges for dialogue in dialogues)
    return (
        f"stop accuracy: inquirer {spec} on {plural(len(dialogues), 'labelled dialogue')}, "
        f"{plural(points, 'decision point')} (a call or more each)"
    )


def evaluate_dataset(options: EvalOptions, log: Log = _quiet) -> dict[str, Any]:
    """Everything ``eval.json`` holds, computed for ``options.dataset``."""
    timings: dict[str, float] = {}
    clock = time.monotonic()

    def lap(name: str) -> None:
        nonlocal clock
        now = time.monotonic()
        timings[name] = round(now - clock, 3)
        clock = now

    settings = options.bootstrap
    run = load_run(options.dataset, kept_only=options.kept_only)
    reference = load_reference(options.reference) if options.reference else None
    other = load_run(options.compare, kept_only=options.kept_only) if options.compare else None
    judge = build_judge(
        options.judge,
        base_url=options.judge_base_url,
        api_key_env=options.judge_api_key_env,
        max_attempts=options.judge_attempts,
        seed=settings.seed,
    )
    inquirer = _inquirer_spec(run, options) if judge is not None else (None, None, None)
    lap("load")
    run.checks = evaluate_records(run.records, judge)
    if other is not None:
        other.checks = evaluate_records(other.records, judge)
    if run.checks.results:
        log(f"agent checks: {len(run.checks.results)} dialogues declare checks")
    lap("agent_checks")
    log(
        f"{plural(len(run.records), 'dialogue')} from {run.root}"
        + (f", {len(reference.records)} reference" if reference else "")
    )

    experiments: list[dict[str, Any]] = []

    def note(outcome: ExperimentOutcome | None, examples: int) -> None:
        if outcome is not None:
            experiments.append({"name": outcome.name, "url": outcome.url, "examples": examples})

    stored = _stored_verdicts(other.root, judge_fingerprint(judge)) if other is not None else None
    reference_calibration: list[JudgeResult] = []
    paired: list[JudgeResult] = []
    if judge is None:
        log(
            "no judge named: statistics only, no model calls (name one with --judge SPEC, e.g. "
            "--judge local, or judge: in the eval section of a --config file)"
        )
    else:
        log(judging_plan(run, judge, options, reference, other if stored is None else None))
        log(stop_plan(inquirer[0], inquirer[1], inquirer[2], options))
        note(_judge_run(run, judge, options, "roleplay-judges"), len(run.verdicts))
        run.stop, stop_outcome = _stop_run(inquirer[0], options, "roleplay-stop", inquirer[1], inquirer[2])
        note(stop_outcome, len(run.stop or []))
        log(f"goal check of {run.setting('judge_model')} on the labelled endings ...")
        run.goal_checks, goal_outcome = _goal_check_run(run, options)
        note(goal_outcome, len(run.goal_checks or []))
        if reference is not None:
            reference_calibration, paired = _reference_judging(run, reference, judge, options, note)
        lap("judges")

    comparison = None
    if other is not None:
        if stored is not None:
            other.verdicts = stored
            log(f"reusing the verdicts stored in {other.root / EVAL_FILE}")
        elif judge is not None:
            log(f"judging {other.root} with {judge.spec} ...")
            note(_judge_run(other, judge, options, "roleplay-judges-compare"), len(other.records))
        if judge is not None:
            other_inquirer = _inquirer_spec(other, options)
            if other_inquirer == inquirer:
                other.stop = run.stop
            else:
                spec, base_url, key_env = other_inquirer
                other.stop, outcome = _stop_run(spec, options, "roleplay-stop-compare", base_url, key_env)
                note(outcome, len(other.stop or []))
        ours = {metric.name: metric for metric in run_metrics(run)}
        theirs = {metric.name: metric for metric in run_metrics(other)}
        if other.stop is run.stop:  # the same inquirer: its stop accuracy is one measurement, not two
            theirs = {name: metric for name, metric in theirs.items() if not name.startswith("stop_")}
        comparison = {
            "dataset": str(other.root),
            "dialogues": len(other.records),
            "metrics": {
                name: difference(ours[name], theirs[name], settings).to_json()
                for name in ours
                if name in theirs
            },
            "only_here": sorted(set(ours) - set(theirs)),
            "only_there": sorted(set(theirs) - set(ours)),
        }
        lap("compare")

    metrics = {name: value.to_json() for name, value in estimates(run_metrics(run), settings).items()}
    if reference_calibration:
        metrics["human_likeness_reference"] = estimates(
            [share_metric("human_likeness_reference", reference_calibration)], settings
        )["human_likeness_reference"].to_json()
    if paired:
        metrics["human_likeness_paired"] = estimates(
            [share_metric("human_likeness_paired", paired, unit="pairs")], settings
        )["human_likeness_paired"].to_json()
    lap("metrics")
    by_persona = {
        attribute: {
            value: {
                "dialogues": group["dialogues"],
                "metrics": {k: v.to_json() for k, v in group["metrics"].items()},
            }
            for value, group in values.items()
        }
        for attribute, values in by_attribute(run.rows, _persona_metrics(run.verdicts), settings).items()
    }
    lap("by_persona")

    reference_section = None
    if reference is not None:
        reference_rows = [features(record) for record in reference.records]
        ours_user = {metric.name: metric for metric in user_side_metrics(run.rows)}
        reference_section = {
            "file": str(reference.path),
            "format": reference.format,
            "dialogues": len(reference.records),
            "skipped_without_user": reference.skipped_without_user,
            "metrics": {
                k: v.to_json() for k, v in estimates(user_side_metrics(reference_rows), settings).items()
            },
            "comparison": {
                metric.name: difference(ours_user[metric.name], metric, settings).to_json()
                for metric in user_side_metrics(reference_rows)
            },
            "realism": realism_section(run.records, reference.records, settings),
        }
        lap("reference")

    reference_rows_for_plots = [features(record) for record in reference.records] if reference else []
    all_verdicts = [result for by_key in run.verdicts.values() for result in by_key.values()]
    judges_section: dict[str, Any] = {
        "spec": judge.spec if judge else None,
        "fingerprint": judge_fingerprint(judge),
    }
    if judge is not None:
        judges_section["summary"] = {
            key: judge_summary([r for r in all_verdicts if r.key == key]) for key in RECORD_JUDGES
        }
        if reference_calibration:
            judges_section["summary"]["human_likeness_reference"] = judge_summary(reference_calibration)
        if paired:
            judges_section["summary"]["human_likeness_paired"] = judge_summary(paired)
    return {
        "eval_version": EVAL_VERSION,
        "created_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "dataset": {
            "path": str(run.root),
            "dialogues": len(run.records),
            "bad_lines": run.bad_lines,
            "kept_only": options.kept_only,
            "models": {role: run.setting(f"{role}_model") for role in ("inquirer", "chatbot", "judge")},
            "max_turns": run.setting("max_turns"),
        },
        "settings": {
            "judge": judge.spec if judge else None,
            "judge_attempts": options.judge_attempts,
            "judge_sample": options.judge_sample,
            "stop_model": str(inquirer[0]) if run.stop is not None else None,
            "resamples": settings.resamples,
            "confidence": settings.confidence,
            "seed": settings.seed,
        },
        "langsmith": {"mode": "uploaded" if options.upload else "offline", "experiments": experiments},
        "paper": {"turns_per_dialogue": PAPER_TURNS_PER_DIALOGUE},
        "metrics": metrics,
        "by_persona": by_persona,
        "distributions": {
            "turns": {
                "simulated": turn_histogram(run.rows),
                "reference": turn_histogram(reference_rows_for_plots) if reference else None,
            },
            "user_message_words": length_histogram(run.rows, reference_rows_for_plots or None),
            "termination_reasons": termination_counts(run.rows),
            "filter_funnel": filter_funnel(run.rows),
            "persona": persona_distribution(run.rows),
        },
        "judges": judges_section,
        "stop_accuracy": {
            "model": str(inquirer[0]),
            "labels": str(options.stop_labels),
            "dialogues": [outcome.to_json() for outcome in run.stop],
        }
        if run.stop is not None
        else None,
        "goal_check_accuracy": {
            "judge": run.setting("judge_model"),
            "threshold": run.setting("judge_threshold"),
            "labels": str(options.goal_labels),
            "by_failure": by_failure(run.goal_checks),
            "endings": [outcome.to_json() for outcome in run.goal_checks],
        }
        if run.goal_checks is not None
        else None,
        "reference": reference_section,
        "agent_checks": run.checks.to_json() if run.checks.results else None,
        "compare": comparison,
        "examples": choose_examples(run, reference),
        "dialogues": {
            dialogue_id: {key: result.to_json() for key, result in by_key.items()}
            for dialogue_id, by_key in sorted(run.verdicts.items())
        },
        "timing_s": timings,
    }


def _reference_judging(
    run: Run,
    reference: ReferenceSet,
    judge: Judge,
    options: EvalOptions,
    note: Callable[[ExperimentOutcome | None, int], None],
) -> tuple[list[JudgeResult], list[JudgeResult]]:
    """Calibration (the single human-likeness judge on real dialogues) and the paired test."""
    seed = options.bootstrap.seed
    size = min(len(reference.records), len(run.verdicts) or len(run.records))
    real = _sample(reference.records, size, seed, "reference")
    calibration = ExperimentSpec(
        prefix="roleplay-reference-calibration",
        examples=[record_example(record) for record in real],
        target=replay_dialogue,
        evaluators=[record_evaluator("human_likeness", judge)],
        description="the human-likeness judge on real dialogues: how often it recognises a real user",
    )
    outcome = run_experiment(
        calibration, upload=options.upload, max_concurrency=options.concurrency, progress=options.progress
    )
    note(outcome, len(real))
    calibration_results = list(judge_results(outcome, "human_likeness").values())

    judged_ids = set(run.verdicts) or {str(record.get("id")) for record in run.records}
    simulated = _sample(
        [r for r in run.records if str(r.get("id")) in judged_ids], size, seed, "paired-simulated"
    )
    pairs = list(zip(simulated, _sample(real, len(real), seed, "paired-real"), strict=False))
    paired_spec = ExperimentSpec(
        prefix="roleplay-paired",
        examples=[
            {
                "inputs": {
                    "id": f"{sim.get('id')}|{ref.get('id')}",
                    "simulated": record_example(sim)["inputs"],
                    "real": record_example(ref)["inputs"],
                }
            }
            for sim, ref in pairs
        ],
        target=replay_dialogue,
        evaluators=[paired_evaluator(judge)],
        description="paired indistinguishability: a real and a simulated dialogue, which user is human",
    )
    outcome = run_experiment(
        paired_spec, upload=options.upload, max_concurrency=options.concurrency, progress=options.progress
    )
    note(outcome, len(pairs))
    return calibration_results, list(judge_results(outcome, "human_likeness_paired").values())


def write_outputs(root: Path, data: dict[str, Any], html: str) -> tuple[Path, Path]:
    """Write ``eval.json`` and ``report.html`` atomically into the dataset directory."""
    from llm_roleplay.records import write_json_atomic

    eval_path, report_path = root / EVAL_FILE, root / REPORT_FILE
    try:
        write_json_atomic(eval_path, data)
        temp = report_path.with_name(f".{REPORT_FILE}.tmp")
        temp.write_text(html, encoding="utf-8")
        temp.replace(report_path)
    except OSError as error:
        raise ConfigError(f"{root}: cannot write the evaluation ({error.strerror or error})") from None
    return eval_path, report_path
