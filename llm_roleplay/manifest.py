"""``manifest.json`` of a dataset directory: what was asked for, what came out, and at what cost."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any

from llm_roleplay.errors import ConfigError
from llm_roleplay.near_duplicates import is_kept_unique, mark_near_duplicates
from llm_roleplay.records import package_versions

MANIFEST_VERSION = 1


def check_same_configuration(previous: dict[str, Any] | None, definition: dict[str, Any], root: str) -> None:
    """Refuse to mix two configurations in one directory (ids would differ and silently coexist)."""
    if not previous:
        return
    before = _flatten(previous.get("config", {}).get("definition", {}))
    after = _flatten(definition)
    changed = sorted(key for key in before.keys() | after.keys() if before.get(key) != after.get(key))
    if changed:
        details = ", ".join(f"{key} {before.get(key)!r} -> {after.get(key)!r}" for key in changed[:3])
        raise ConfigError(
            f"{root} holds dialogues generated with other settings ({details}); "
            "use a new --out directory or the original settings"
        )


def _flatten(tree: dict[str, Any], prefix: str = "") -> dict[str, Any]:
    """``{"settings": {"seed": 1}}`` -> ``{"seed": 1}``: leaf settings by their own names."""
    flat: dict[str, Any] = {}
    for key, value in tree.items():
        if isinstance(value, dict):
            flat.update(_flatten(value, f"{prefix}{key}." if key != "settings" else prefix))
        else:
            flat[prefix + key] = value
    return flat


def build_manifest(
    *,
    config: dict[str, Any],
    records: Iterable[dict[str, Any]],
    planned_ids: set[str],
    grid: dict[str, Any],
    run: dict[str, Any],
    previous: dict[str, Any] | None,
    near_duplicates: Mapping[str, str],
) -> dict[str, Any]:
    """``near_duplicates``: near-duplicate id -> the id it nearly copies, over the whole directory.

    Counts use one vocabulary: ``kept`` = kept by the filters; ``kept_unique`` = kept and not a
    near-duplicate, which is what ``--kept-only`` (export, eval) selects."""
    rows = [record for record in records if record.get("id") in planned_ids]
    runs = [*(previous or {}).get("runs", []), run]
    summary = summarize_records(rows)
    return {
        "manifest_version": MANIFEST_VERSION,
        "status": "complete" if len(rows) == len(planned_ids) else "partial",
        "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "config": config,
        "versions": package_versions(),
        "grid": grid,
        "counts": {
            "planned": len(planned_ids),
            "finished": len(rows),
            "remaining": len(planned_ids) - len(rows),
            "kept": summary["filter_funnel"]["kept"],
            "kept_unique": sum(map(is_kept_unique, mark_near_duplicates(rows, near_duplicates))),
            "near_duplicates": len(near_duplicates),
        },
        **summary,
        "wall_time_s": round(sum(entry.get("wall_s") or 0.0 for entry in runs), 3),  # None: interrupted
        "runs": runs,
    }


def summarize_records(rows: list[dict[str, Any]]) -> dict[str, Any]:
    """Termination reasons, filter funnel, persona distributions, usage and turn counts."""
    kept = [record for record in rows if record.get("filter", {}).get("keep")]
    reasons: Counter[str] = Counter(
        reason for record in rows for reason in record.get("filter", {}).get("reasons", [])
    )
    return {
        "termination_reasons": dict(Counter(str(record.get("termination_reason")) for record in rows)),
        "filter_funnel": {
            "total": len(rows),
            "kept": len(kept),
            "dropped": len(rows) - len(kept),
            "dropped_by_reason": dict(reasons.most_common()),
        },
        "persona_distribution": {"all": _distribution(rows), "kept": _distribution(kept)},
        "usage": _usage(rows),
        "turns": _turn_stats(rows),
    }


def _distribution(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    counts: dict[str, Counter[str]] = {}
    for record in records:
        for name, value in (record.get("persona", {}).get("attributes") or {}).items():
            counts.setdefault(name, Counter())[value] += 1
    return {name: dict(sorted(values.items())) for name, values in sorted(counts.items())}


def _usage(records: list[dict[str, Any]]) -> dict[str, dict[str, int]]:
    totals: dict[str, Counter[str]] = {}
    for record in records:
        for role, values in (record.get("usage") or {}).items():
            totals.setdefault(role, Counter()).update(values)
    return {role: dict(values) for role, values in sorted(totals.items())}


def _turn_stats(records: list[dict[str, Any]]) -> dict[str, float]:
    turns = [sum(1 for m in record.get("messages", []) if m.get("role") == "user") for record in records]
    return {
        "mean_user_turns": round(sum(turns) / len(turns), 3) if turns else 0.0,
        "max_user_turns": max(turns, default=0),
    }
