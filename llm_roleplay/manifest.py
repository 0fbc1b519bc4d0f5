"""``manifest.json`` of a dataset directory: what was asked for, what came out, and at what cost."""

from __future__ import annotations

import time
from collections import Counter
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.near_duplicates import is_kept_unique
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
    near-duplicate, which is what ``--kept-only`` (export, eval) selects.

    One pass over a stream of records: a dataset of any size is summarised in constant memory."""
    kept_unique = 0

    def planned_rows() -> Iterator[dict[str, Any]]:
        nonlocal kept_unique
        for record in records:
            if record.get("id") in planned_ids:
                duplicate_of = near_duplicates.get(str(record.get("id")))
                kept_unique += is_kept_unique({**record, "near_duplicate_of": duplicate_of})
                yield record

    summary = summarize_records(planned_rows())
    finished = summary["filter_funnel"]["total"]
    runs = [*(previous or {}).get("runs", []), run]
    return {
        "manifest_version": MANIFEST_VERSION,
        "status": "complete" if finished == len(planned_ids) else "partial",
        "updated_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime()),
        "config": config,
        "versions": package_versions(),
        "grid": grid,
        "counts": {
            "planned": len(planned_ids),
            "finished": finished,
            "remaining": len(planned_ids) - finished,
            "kept": summary["filter_funnel"]["kept"],
            "kept_unique": kept_unique,
            "near_duplicates": len(near_duplicates),
        },
        **summary,
        "wall_time_s": round(sum(entry.get("wall_s") or 0.0 for entry in runs), 3),  # None: interrupted
        "runs": runs,
    }


def summarize_records(rows: Iterable[dict[str, Any]]) -> dict[str, Any]:
    """Termination reasons, filter funnel, persona distributions, usage and turn counts, in one pass."""
    endings: Counter[str] = Counter()
    reasons: Counter[str] = Counter()
    attributes: dict[str, dict[str, Counter[str]]] = {"all": {}, "kept": {}}
    usage: dict[str, Counter[str]] = {}
    total = kept = turns = max_turns = 0
    for record in rows:
        total += 1
        keep = bool(record.get("filter", {}).get("keep"))
        kept += keep
        endings[str(record.get("termination_reason"))] += 1
        reasons.update(record.get("filter", {}).get("reasons", []))
        for group in ("all", "kept") if keep else ("all",):
            for name, value in (record.get("persona", {}).get("attributes") or {}).items():
                attributes[group].setdefault(name, Counter())[value] += 1
        for role, values in (record.get("usage") or {}).items():
            usage.setdefault(role, Counter()).update(values)
        user_turns = sum(1 for m in record.get("messages", []) if m.get("role") == "user")
        turns += user_turns
        max_turns = max(max_turns, user_turns)
    return {
        "termination_reasons": dict(endings),
        "filter_funnel": {
            "total": total,
            "kept": kept,
            "dropped": total - kept,
            "dropped_by_reason": dict(reasons.most_common()),
        },
        "persona_distribution": {
            group: {name: dict(sorted(values.items())) for name, values in sorted(counts.items())}
            for group, counts in attributes.items()
        },
        "usage": {role: dict(values) for role, values in sorted(usage.items())},
        "turns": {
            "mean_user_turns": round(turns / total, 3) if total else 0.0,
            "max_user_turns": max_turns,
        },
    }
