"""Automatic human-likeness verdicts for a study, to set beside the humans' (``roleplay humaneval judge``).

Does an LLM judge tell simulated users from real ones as people do? The evals package's
human-likeness judge (:func:`evals.judges.human_likeness`: "was the USER written by a person or a
model?") is run on exactly what the annotators see — the blinded items of ``items.json``, real ones
included — and its verdicts go to ``STUDY/auto.json``, where ``roleplay humaneval score`` finds them:

    {"judge": "openai:gpt-4o", "verdicts": {"item-01": {"label": "human" | "model" | null,
                                                        "status": "ok" | "unparseable" | "error",
                                                        "rationale": "..."}, ...}}

``score --auto FILE`` also reads ``DIR/eval.json`` of ``roleplay eval DIR --judge SPEC`` (its
per-dialogue ``human_likeness`` verdicts, keyed by dialogue id), which covers the simulated items
only and was judged on the raw, not the normalised, text; and any plain ``{id: "human" | "model"}``.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.progress_display import ProgressDisplay
from llm_roleplay.evals.humaneval.study import ITEMS_FILE, load_json, mapping


def judge_study(
    root: Path,
    judge: Any,
    *,
    concurrency: int = 4,
    judge_one: Callable[..., Any] | None = None,
    progress: bool = False,
) -> dict[str, Any]:
    """The ``auto.json`` document: one human-likeness verdict per item of ``root/items.json``.

    A verdict the judge could not give (``unparseable``, ``error``) has label null; ``score``
    counts and skips it. ``progress`` shows the project's progress display on stderr.
    """
    from llm_roleplay.evals.judges import human_likeness

    judge_one = judge_one or human_likeness
    if concurrency < 1:
        raise ConfigError(f"--concurrency must be at least 1 (got {concurrency})")
    items = mapping(load_json(root / ITEMS_FILE, "the blinded items")).get("items")
    if not isinstance(items, list):
        raise ConfigError(f"{root / ITEMS_FILE}: not a study items file (no items list)")
    records = [{"id": item["item_id"], "messages": item["messages"]} for item in items]
    display = ProgressDisplay("human-likeness judge", unit="items", enabled=progress)

    def verdict(record: dict[str, Any]) -> Any:
        try:
            return judge_one(record, judge)
        finally:
            display.advance()

    with display.start(len(records)), ThreadPoolExecutor(max_workers=concurrency) as pool:
        results = list(pool.map(verdict, records))
    verdicts = {
        record["id"]: {
            "label": result.label if result.status == "ok" else None,
            "status": result.status,
            "rationale": result.rationale,
        }
        for record, result in zip(records, results, strict=True)
    }
    return {"judge": getattr(judge, "spec", None), "verdicts": verdicts}


def verdict_mapping(data: Any) -> tuple[Mapping[str, Any], str | None]:
    """``(id -> verdict, judge spec)`` from any of the three accepted shapes (module docstring)."""
    data = mapping(data)
    if isinstance(data.get("verdicts"), Mapping):  # written by judge_study
        return data["verdicts"], data.get("judge")
    if isinstance(data.get("dialogues"), Mapping) and isinstance(data.get("judges"), Mapping):  # eval.json
        verdicts = {
            ident: by_judge["human_likeness"]
            for ident, by_judge in data["dialogues"].items()
            if isinstance(by_judge, Mapping) and isinstance(by_judge.get("human_likeness"), Mapping)
        }
        return verdicts, data["judges"].get("spec")
    return data, None
