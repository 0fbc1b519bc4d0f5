"""Running the judges as LangSmith experiments: offline by default, uploaded with a key.

Every LLM evaluation goes through ``langsmith.evaluate``, so the same code that scores a dataset
on a laptop with no account uploads a browsable experiment (dataset, runs, feedback, judge
traces) when ``LANGSMITH_API_KEY`` is set.

Offline, the client is the one from ``/work/shared/NOTES-langgraph.md`` ("LangSmith offline"):
``Client(api_key="offline", info=LangSmithInfo(), tracing_sampling_rate=0.0)`` with
``upload_runs=False`` and ``Example`` objects in memory; ``auto_batch_tracing=False`` also keeps it
from starting the background upload thread at all, and the run is wrapped in
``tracing_context(enabled=False)`` so that no chat model inside falls back to a default client when
``LANGSMITH_TRACING`` is set. It makes no network connection (a unit test blocks sockets and name
lookups, with tracing switched on and a key set, to prove it). With a key, the client is built
normally, the examples are uploaded to a dataset named after their content (so a rerun reuses
it), and the experiment is uploaded.

The evaluators here use LangSmith's ``(inputs, outputs, reference_outputs)`` signature; the target
of a judge experiment just returns the stored dialogue, because the dialogues already exist.
"""

from __future__ import annotations

import contextlib
import dataclasses
import functools
import hashlib
import io
import json
import os
import uuid
import warnings
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from langchain_core.language_models import BaseChatModel
from langsmith import Client, evaluate, tracing_context
from langsmith.schemas import Example, LangSmithInfo

from llm_roleplay.blocks.progress_display import ProgressDisplay
from llm_roleplay.evals.judges import RECORD_JUDGES, Judge, JudgeResult, human_likeness_paired
from llm_roleplay.evals.stop_accuracy import (
    LabelledDialogue,
    StopOutcome,
    labelled_dialogue,
    replay_decisions,
    score_decisions,
)

_NAMESPACE = uuid.UUID("6f1c8a52-0d3e-4c57-9d0b-6a9f1e3b2c41")


def langsmith_key() -> str | None:
    """The LangSmith API key from the environment, if any."""
    return os.environ.get("LANGSMITH_API_KEY") or os.environ.get("LANGCHAIN_API_KEY") or None


def offline_client() -> Client:
    """A client that makes zero network connections (see module docstring)."""
    return Client(
        api_key="offline", info=LangSmithInfo(), tracing_sampling_rate=0.0, auto_batch_tracing=False
    )


@dataclass(frozen=True)
class ExperimentSpec:
    """One experiment: examples as ``{"inputs", "reference_outputs"}`` dicts with an ``inputs["id"]``."""

    prefix: str
    examples: Sequence[Mapping[str, Any]]
    target: Callable[[dict[str, Any]], dict[str, Any]]
    evaluators: Sequence[Callable[..., Any]]
    summary_evaluators: Sequence[Callable[..., Any]] = ()
    description: str = ""


@dataclass
class ExperimentOutcome:
    """Per example id: the target's outputs and the feedback, by key."""

    name: str
    uploaded: bool
    url: str | None = None
    outputs: dict[str, dict[str, Any]] = field(default_factory=dict)
    feedback: dict[str, dict[str, dict[str, Any]]] = field(default_factory=dict)


def _examples(spec: ExperimentSpec) -> list[Example]:
    dataset_id = uuid.uuid5(_NAMESPACE, spec.prefix)
    return [
        Example(
            id=uuid.uuid5(_NAMESPACE, f"{spec.prefix}:{example['inputs']['id']}"),
            dataset_id=dataset_id,
            inputs=dict(example["inputs"]),
            outputs=dict(example.get("reference_outputs") or {}),
        )
        for example in spec.examples
    ]


def _dataset_name(spec: ExperimentSpec) -> str:
    content = json.dumps([dict(example) for example in spec.examples], sort_keys=True, default=str)
    return f"{spec.prefix}-{hashlib.sha256(content.encode()).hexdigest()[:12]}"


def _uploaded_dataset(client: Client, spec: ExperimentSpec) -> str:
    """Upload the examples once; the name is a hash of their content, so reruns reuse it."""
    name = _dataset_name(spec)
    if not client.has_dataset(dataset_name=name):
        dataset = client.create_dataset(name, description=spec.description or spec.prefix)
        client.create_examples(
            dataset_id=dataset.id,
            examples=[
                {"inputs": dict(example["inputs"]), "outputs": dict(example.get("reference_outputs") or {})}
                for example in spec.examples
            ],
        )
    return name


def run_experiment(
    spec: ExperimentSpec,
    *,
    upload: bool,
    max_concurrency: int = 4,
    client: Client | None = None,
    progress: bool = True,
) -> ExperimentOutcome:
    """Run ``spec`` through ``langsmith.evaluate`` and collect outputs and feedback by example id.

    ``progress=True`` shows the project's progress display (one step per evaluator result) on
    stderr; LangSmith's own tqdm bar is for ``TQDM_DISABLE`` to silence (``roleplay eval`` sets it).
    ``progress=False`` shows nothing, and swallows LangSmith's bar too.
    """
    if not spec.examples:
        return ExperimentOutcome(name=f"{spec.prefix} (no examples)", uploaded=False)
    with contextlib.ExitStack() as stack:
        evaluators: Sequence[Callable[..., Any]] = spec.evaluators
        if progress:
            display = ProgressDisplay(spec.prefix, unit="verdicts")
            stack.enter_context(display.start(len(spec.examples) * len(spec.evaluators)))
            evaluators = [_advancing(evaluator, display) for evaluator in spec.evaluators]
        else:
            stack.enter_context(contextlib.redirect_stderr(io.StringIO()))
        spec = dataclasses.replace(spec, evaluators=evaluators)
        return _evaluate(spec, upload=upload, max_concurrency=max_concurrency, client=client)


def _advancing(evaluator: Callable[..., Any], display: ProgressDisplay) -> Callable[..., Any]:
    """``evaluator`` that moves ``display`` one step when it returns (LangSmith reads the wrapped
    function's name and signature through ``functools.wraps``)."""

    @functools.wraps(evaluator)
    def advancing(*args: Any, **kwargs: Any) -> Any:
        try:
            return evaluator(*args, **kwargs)
        finally:
            display.advance()

    return advancing


def _evaluate(
    spec: ExperimentSpec, *, upload: bool, max_concurrency: int, client: Client | None
) -> ExperimentOutcome:
    if upload:
        client = client or Client()
        uploaded = evaluate(
            spec.target,
            data=_uploaded_dataset(client, spec),
            evaluators=list(spec.evaluators),
            summary_evaluators=list(spec.summary_evaluators),
            experiment_prefix=spec.prefix,
            description=spec.description,
            max_concurrency=max_concurrency,
            client=client,
        )
        return _collect(uploaded, upload=True)
    client = client or offline_client()
    quiet = io.StringIO()  # evaluate prints the experiment's name, meaningless offline
    # Tracing off for everything inside, whatever LANGSMITH_TRACING says: a chat model called by an
    # evaluator must not fall back to a default (online) client either.
    with warnings.catch_warnings(), contextlib.redirect_stdout(quiet), tracing_context(enabled=False):
        warnings.simplefilter("ignore")  # "'upload_runs' parameter is in beta"
        results = evaluate(
            spec.target,
            data=_examples(spec),
            evaluators=list(spec.evaluators),
            summary_evaluators=list(spec.summary_evaluators),
            experiment_prefix=spec.prefix,
            max_concurrency=max_concurrency,
            upload_runs=False,
            client=client,
        )
        return _collect(results, upload=False)


def _collect(results: Any, upload: bool) -> ExperimentOutcome:
    outcome = ExperimentOutcome(name=results.experiment_name, uploaded=upload)
    for row in results:
        example_id = str((row["example"].inputs or {}).get("id"))
        outcome.outputs[example_id] = dict(row["run"].outputs or {})
        feedback = outcome.feedback.setdefault(example_id, {})
        for result in row["evaluation_results"]["results"]:
            feedback[result.key] = {
                "score": result.score,
                "value": result.value,
                "comment": result.comment,
                "extra": result.extra or {},
            }
    if upload:
        with contextlib.suppress(Exception):  # the URL is a convenience; never fail on it
            outcome.url = results.url
    return outcome


# Evaluators ----------------------------------------------------------------------------------


def _with_detail(result: JudgeResult) -> dict[str, Any]:
    return {**result.feedback(), "extra": {"judge": result.to_json()}}


def record_evaluator(name: str, judge: Judge) -> Callable[..., dict[str, Any]]:
    """A LangSmith evaluator running the record judge ``name`` on the target's dialogue.

    The full verdict (status, attempts, rationale) rides in the result's ``extra``; persona
    fidelity adds a second feedback key, ``persona_announced``.
    """
    judge_record = RECORD_JUDGES[name]

    def evaluator(
        inputs: dict[str, Any], outputs: dict[str, Any], reference_outputs: dict[str, Any]
    ) -> dict[str, Any]:
        result = judge_record({**inputs, **outputs}, judge)
        main = _with_detail(result)
        if name != "persona_fidelity":
            return main
        announced = result.extra.get("announced") if result.status == "ok" else None
        flag = {"key": "persona_announced", "score": None if announced is None else float(announced)}
        return {"results": [main, flag]}

    evaluator.__name__ = name
    return evaluator


def paired_evaluator(judge: Judge) -> Callable[..., dict[str, Any]]:
    def evaluator(
        inputs: dict[str, Any], outputs: dict[str, Any], reference_outputs: dict[str, Any]
    ) -> dict[str, Any]:
        return _with_detail(human_likeness_paired(outputs["simulated"], outputs["real"], judge))

    evaluator.__name__ = "human_likeness_paired"
    return evaluator


def replay_dialogue(inputs: dict[str, Any]) -> dict[str, Any]:
    """Target of a judge experiment: the dialogue already exists, so it is returned as stored."""
    return {key: inputs[key] for key in ("messages", "simulated", "real") if key in inputs}


def record_example(record: Mapping[str, Any]) -> dict[str, Any]:
    """A dialogue record as an experiment example (what the judges read, nothing else)."""
    return {
        "inputs": {
            "id": str(record.get("id")),
            "goal": record.get("goal") or "",
            "persona": record.get("persona") or {},
            # what the plain goal checks read beside the transcript
            "goal_plan": record.get("goal_plan") or {},
            "expected_outcome": record.get("expected_outcome"),
            "messages": [
                {"role": message.get("role"), "content": message.get("content")}
                for message in record.get("messages") or []
            ],
        }
    }


def judge_results(outcome: ExperimentOutcome, key: str) -> dict[str, JudgeResult]:
    """The verdicts of one evaluator by example id; a missing one (an evaluator crash) is an error."""
    results = {}
    for example_id in outcome.outputs:
        entry = outcome.feedback.get(example_id, {}).get(key)
        detail = (entry or {}).get("extra", {}).get("judge")
        if detail:
            results[example_id] = JudgeResult.from_json(key, detail)
        else:
            comment = (entry or {}).get("comment") or "the evaluator returned no result"
            results[example_id] = JudgeResult(key=key, status="error", rationale=str(comment))
    return results


# Stop accuracy: a real target (the inquirer's decisions) against labelled references ----------


def stop_example(dialogue: LabelledDialogue) -> dict[str, Any]:
    return {
        "inputs": {
            "id": dialogue.id,
            "goal": dialogue.goal,
            "goal_parts": list(dialogue.goal_parts),
            "messages": [dict(m) for m in dialogue.messages],
        },
        "reference_outputs": {"label": dialogue.label, "should_end_from": dialogue.should_end_from},
    }


def stop_target(decider: BaseChatModel, seed: int) -> Callable[[dict[str, Any]], dict[str, Any]]:
    """Target: replay the inquirer's end-or-continue decision at every point of a labelled dialogue."""

    def replay_stop_decisions(inputs: dict[str, Any]) -> dict[str, Any]:
        dialogue = labelled_dialogue({**inputs, "label": "ended_too_early", "should_end_from": None})
        predicted, unparseable, error = replay_decisions(dialogue, decider, seed=seed)
        return {"predicted_end": predicted, "unparseable": unparseable, "error": error}

    return replay_stop_decisions


def _stop_outcome(
    inputs: Mapping[str, Any], outputs: Mapping[str, Any], reference: Mapping[str, Any]
) -> StopOutcome:
    dialogue = labelled_dialogue({**inputs, **reference})
    return score_decisions(
        dialogue,
        outputs.get("predicted_end") or [],
        int(outputs.get("unparseable") or 0),
        outputs.get("error"),
    )


def stop_evaluator(
    inputs: dict[str, Any], outputs: dict[str, Any], reference_outputs: dict[str, Any]
) -> dict[str, Any]:
    """Per labelled dialogue: the timing of the first end decision and the confusion counts."""
    outcome = _stop_outcome(inputs, outputs, reference_outputs)
    if outcome.error:
        return {"key": "stop_timing", "score": None, "value": "error", "comment": outcome.error}
    return {
        "results": [
            {"key": "stop_timing", "score": float(outcome.timing == "right_time"), "value": outcome.timing},
            {"key": "stop_tp", "score": outcome.tp},
            {"key": "stop_fp", "score": outcome.fp},
            {"key": "stop_fn", "score": outcome.fn},
        ]
    }


def stop_summary(
    inputs: list[dict[str, Any]], outputs: list[dict[str, Any]], reference_outputs: list[dict[str, Any]]
) -> dict[str, Any]:
    """Experiment-level precision and recall of end decisions (shown by LangSmith beside the rows)."""
    outcomes = [_stop_outcome(i, o, r) for i, o, r in zip(inputs, outputs, reference_outputs, strict=True)]
    ok = [outcome for outcome in outcomes if outcome.error is None]
    tp, fp, fn = sum(o.tp for o in ok), sum(o.fp for o in ok), sum(o.fn for o in ok)
    return {
        "results": [
            {"key": "stop_precision", "score": tp / (tp + fp) if tp + fp else None},
            {"key": "stop_recall", "score": tp / (tp + fn) if tp + fn else None},
        ]
    }


def stop_outcomes(outcome: ExperimentOutcome, dialogues: Sequence[LabelledDialogue]) -> list[StopOutcome]:
    """Rescore the experiment's outputs locally (for intervals); a missing run is an error."""
    results = []
    for dialogue in dialogues:
        outputs = outcome.outputs.get(dialogue.id)
        if outputs is None:
            results.append(StopOutcome(dialogue.id, (), (), 0, "the target produced no output"))
        else:
            results.append(
                score_decisions(
                    dialogue,
                    outputs.get("predicted_end") or [],
                    int(outputs.get("unparseable") or 0),
                    outputs.get("error"),
                )
            )
    return results
