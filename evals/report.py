"""``report.html``: one self-contained page (inline CSS and SVG, no script, no network) from ``eval.json``.

The page is rendered from the evaluation document alone, so it can be rebuilt from a stored
``eval.json``. This module works out what each section shows (values as text, rows, charts); the
templates lay it out: ``evals/templates/report.html.j2``, the page, and ``report_sections.html.j2``,
a macro per section. Dialogue text, persona descriptions, attribute values and file names are
untrusted, and the templates are autoescaped (``evals/templating.py``).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from markupsafe import Markup

from llm_roleplay.evals.metric_info import MetricInfo, format_value, info
from llm_roleplay.evals.svg import (
    REFERENCE,
    SIMULATED,
    Interval,
    Marker,
    Series,
    bar_chart,
    column_chart,
    interval_plot,
)
from llm_roleplay.evals.templating import render

SECTIONS = (
    ("summary", "Summary"),
    ("metrics", "All metrics"),
    ("turns", "Turns per dialogue"),
    ("lengths", "User message length"),
    ("termination", "How dialogues ended"),
    ("personas", "Persona distribution"),
    ("by-persona", "Metrics by persona attribute"),
    ("judges", "LLM judges"),
    ("stop", "Stop accuracy and goal checks"),
    ("reference", "Against real users"),
    ("compare", "Comparison run"),
    ("examples", "Example dialogues"),
)
HEADLINE = (
    "turns_per_dialogue",
    "user_message_words",
    "mtld",
    "kept_share",
    "goal_completion",
    "persona_fidelity",
    "human_likeness",
    "stop_f1",
)
PERSONA_PLOTS_JUDGED = ("turns_per_dialogue", "user_message_words", "persona_fidelity", "goal_completion")
PERSONA_PLOTS_PLAIN = ("turns_per_dialogue", "user_message_words", "question_share", "mtld")


@dataclass(frozen=True)
class Card:
    """A headline metric: its name, value and interval (and, in the summary, the paper's value)."""

    metric: MetricInfo
    value: str
    interval: str
    paper: str = ""


@dataclass(frozen=True)
class Difference:
    """One metric of this run and of another set, and this minus the other with its interval."""

    this: str
    other: str
    delta: str
    low: str | None
    high: str | None
    significant: bool


def _count(value: float) -> str:
    return f"{value:.0f}"


def _estimate_text(name: str, estimate: Mapping[str, Any] | None) -> tuple[str, str]:
    if not estimate:
        return "–", ""
    ci = estimate.get("ci")
    interval = f"{format_value(name, ci[0])} – {format_value(name, ci[1])}" if ci else "no interval"
    return format_value(name, estimate.get("value")), interval


def _cards(metrics: Mapping[str, Any], names: Sequence[str]) -> list[Card]:
    return [Card(info(name), *_estimate_text(name, metrics.get(name))) for name in names if name in metrics]


def _difference(name: str, entry: Mapping[str, Any]) -> Difference:
    ci = entry.get("ci")
    low, high = (
        (format_value(name, ci[0], delta=True), format_value(name, ci[1], delta=True)) if ci else (None, None)
    )
    return Difference(
        this=format_value(name, entry["a"]["value"]),
        other=format_value(name, entry["b"]["value"]),
        delta=format_value(name, entry.get("delta"), delta=True),
        low=low,
        high=high,
        significant=bool(entry.get("significant")),
    )


def _share(value: float) -> str:
    return f"{value * 100:.0f}%"


# Sections: each returns what its macro in report_sections.html.j2 shows, None for "not run" ----


def _summary(data: Mapping[str, Any]) -> dict[str, Any]:
    metrics = data.get("metrics") or {}
    cards = [
        Card(
            info(name),
            *_estimate_text(name, metrics[name]),
            _paper_turns(data) if name == "turns_per_dialogue" else "",
        )
        for name in HEADLINE
        if name in metrics
    ]
    settings = data.get("settings") or {}
    return {
        "confidence": round(float(settings.get("confidence", 0.95)) * 100),
        "resamples": settings.get("resamples"),
        "cards": cards,
    }


def _paper_turns(data: Mapping[str, Any]) -> str:
    return f" · paper {data.get('paper', {}).get('turns_per_dialogue', 5.30):.2f}"


def _metrics_table(data: Mapping[str, Any]) -> dict[str, Any]:
    metrics = data.get("metrics") or {}
    others = {
        "reference": ((data.get("reference") or {}).get("comparison")) or {},
        "compare": ((data.get("compare") or {}).get("metrics")) or {},
    }
    others = {key: table for key, table in others.items() if table}
    rows = []
    for name, estimate in metrics.items():
        value, interval = _estimate_text(name, estimate)
        rows.append(
            {
                "metric": info(name),
                "value": value,
                "interval": interval,
                "n": estimate.get("n"),
                "unit": estimate.get("unit"),
                # None where the other set has no such metric
                "differences": [
                    None if (entry := table.get(name)) is None else _difference(name, entry)
                    for table in others.values()
                ],
            }
        )
    return {"reference": "reference" in others, "compare": "compare" in others, "rows": rows}


def _turns(data: Mapping[str, Any]) -> dict[str, Any] | None:
    turns = (data.get("distributions") or {}).get("turns") or {}
    simulated = {int(k): v for k, v in (turns.get("simulated") or {}).items()}
    reference = (
        {int(k): v for k, v in (turns.get("reference") or {}).items()} if turns.get("reference") else None
    )
    if not simulated:
        return None
    top = max([*simulated, *(reference or {})])
    categories = [str(t) for t in range(0, top + 1)]
    total = sum(simulated.values()) or 1
    series = [Series("simulated", [simulated.get(t, 0) / total for t in range(top + 1)], SIMULATED)]
    legend = [("simulated", SIMULATED)]
    if reference:
        ref_total = sum(reference.values()) or 1
        series.append(
            Series("real users", [reference.get(t, 0) / ref_total for t in range(top + 1)], REFERENCE)
        )
        legend.append(("real users", REFERENCE))
    paper = (data.get("paper") or {}).get("turns_per_dialogue", 5.30)
    mean = ((data.get("metrics") or {}).get("turns_per_dialogue") or {}).get("value")
    markers = [Marker(paper + 0.5, f"paper {paper:.2f}")]
    if mean is not None:
        markers.append(Marker(mean + 0.5, f"mean {mean:.2f}", SIMULATED))
    chart = column_chart(
        categories,
        series,
        label="Histogram of user turns per dialogue",
        y_text=_share,
        x_title="user turns in the dialogue",
        y_title="share of dialogues",
        markers=markers,
        width=1060,
    )
    return {"legend": legend, "chart": chart}


def _lengths(data: Mapping[str, Any]) -> dict[str, Any] | None:
    hist = (data.get("distributions") or {}).get("user_message_words") or {}
    edges = hist.get("edges") or []
    if not edges or not hist.get("simulated_n"):
        return None
    categories = [
        str(edges[i]) if edges[i + 1] - edges[i] == 1 else f"{edges[i]}–{edges[i + 1] - 1}"
        for i in range(len(edges) - 2)
    ] + [f"{edges[-2]}+"]
    series = [Series(f"simulated (n={hist['simulated_n']})", hist["simulated"], SIMULATED)]
    legend = [(f"simulated, {hist['simulated_n']} messages", SIMULATED)]
    if hist.get("reference") is not None:
        series.append(Series(f"real users (n={hist['reference_n']})", hist["reference"], REFERENCE))
        legend.append((f"real users, {hist['reference_n']} messages", REFERENCE))
    chart = column_chart(
        categories,
        series,
        label="Distribution of user message lengths in words",
        y_text=_share,
        x_title="words per user message",
        y_title="share of messages",
        width=1060,
    )
    return {"legend": legend, "chart": chart, "reference": hist.get("reference") is not None}


def _termination(data: Mapping[str, Any]) -> dict[str, Any]:
    distributions = data.get("distributions") or {}
    reasons = distributions.get("termination_reasons") or {}
    funnel = distributions.get("filter_funnel") or {}
    funnel_items = [
        ("finished", float(funnel.get("finished", 0))),
        ("kept by the filters", float(funnel.get("kept", 0))),
        ("kept, not near-duplicates", float(funnel.get("kept_unique", 0))),
    ]
    return {
        "reasons": bar_chart(list(reasons.items()), label="Termination reasons", value_text=_count),
        "funnel": bar_chart(funnel_items, label="Filter funnel", value_text=_count, color="#4b9b7a"),
        "dropped": funnel.get("dropped_by_reason") or {},
    }


def _personas(data: Mapping[str, Any]) -> list[tuple[str, Markup]] | None:
    """A bar chart per persona attribute: (attribute, chart)."""
    distribution = (data.get("distributions") or {}).get("persona") or {}
    if not distribution:
        return None
    return [
        (
            attribute.replace("_", " "),
            bar_chart(
                sorted(values.items(), key=lambda item: -item[1]),
                label=f"Persona {attribute}",
                value_text=_count,
                width=340,
                bar_height=14,
                label_width=130,
            ),
        )
        for attribute, values in distribution.items()
    ]


def _by_persona(data: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    groups = data.get("by_persona") or {}
    if not groups:
        return None
    metrics = data.get("metrics") or {}
    preferred = PERSONA_PLOTS_JUDGED if "persona_fidelity" in metrics else PERSONA_PLOTS_PLAIN
    chosen = [name for name in preferred if name in metrics]
    blocks = []
    for attribute, values in groups.items():
        facets = []
        for name in chosen:
            rows = []
            for value, group in values.items():
                estimate = (group.get("metrics") or {}).get(name)
                if not estimate:
                    continue
                ci = estimate.get("ci")
                rows.append(
                    Interval(
                        f"{value} ({group['dialogues']})",
                        estimate.get("value"),
                        ci[0] if ci else None,
                        ci[1] if ci else None,
                    )
                )
            if rows:
                plot = interval_plot(
                    rows,
                    label=f"{info(name).label} by {attribute}",
                    value_text=_formatter(name),
                    domain=_DOMAINS.get(info(name).kind),
                )
                facets.append((info(name).label, plot))
        blocks.append(
            {
                "attribute": attribute.replace("_", " "),
                "facets": facets,
                "table": _persona_table(values, list(metrics)),
            }
        )
    return blocks


_DOMAINS = {"score5": (1.0, 5.0), "share": (0.0, 1.0)}


def _formatter(name: str, *, delta: bool = False) -> Callable[[float], str]:
    def text(value: float) -> str:
        return format_value(name, value, delta=delta)

    return text


def _persona_table(values: Mapping[str, Any], order: Sequence[str]) -> dict[str, Any]:
    """One attribute: a row per metric, a column per value, each cell the estimate and its interval."""
    present = {name for group in values.values() for name in (group.get("metrics") or {})}
    names = [name for name in order if name in present] + sorted(present - set(order))
    return {
        "columns": [(value, group.get("dialogues")) for value, group in values.items()],
        "rows": [
            (
                info(name),
                [_estimate_text(name, (group.get("metrics") or {}).get(name)) for group in values.values()],
            )
            for name in names
        ],
    }


def _judges(data: Mapping[str, Any]) -> dict[str, Any] | None:
    judges = data.get("judges") or {}
    if not judges.get("spec"):
        return None
    langsmith = data.get("langsmith") or {}
    return {
        "spec": judges.get("spec"),
        "summaries": [
            {
                "judge": key,
                "verdicts": summary.get("verdicts"),
                "status": summary.get("status", {}),
                "labels": summary.get("labels", {}),
                "mean_attempts": summary.get("mean_attempts"),
                "first_problem": summary.get("first_problem") or "",
            }
            for key, summary in (judges.get("summary") or {}).items()
        ],
        "mode": langsmith.get("mode", "offline"),
        "experiments": [
            {"name": e.get("name"), "examples": e.get("examples"), "url": e.get("url")}
            for e in langsmith.get("experiments") or []
        ],
    }


STOP_CARDS = (
    "stop_precision",
    "stop_recall",
    "stop_f1",
    "stop_right_time",
    "stop_too_early",
    "stop_too_late",
)


def _stop(data: Mapping[str, Any]) -> dict[str, Any] | None:
    stop = data.get("stop_accuracy")
    if not stop:
        return None
    return {
        "model": stop.get("model"),
        "cards": _cards(data.get("metrics") or {}, STOP_CARDS),
        "dialogues": [
            {
                "id": o["id"],
                "predicted": o["predicted_end"],
                "truth": o["truth_end"],
                "timing": o["timing"],
                "error": o.get("error") or "",
            }
            for o in stop.get("dialogues") or []
        ],
        "goal_checks": _goal_checks(data),
    }


def _goal_checks(data: Mapping[str, Any]) -> dict[str, Any] | None:
    """The goal check on the labelled endings: precision, recall, and verified endings per failure."""
    accuracy = data.get("goal_check_accuracy")
    if not accuracy:
        return None
    return {
        "judge": accuracy.get("judge"),
        "threshold": accuracy.get("threshold"),
        "cards": _cards(data.get("metrics") or {}, ("goal_check_precision", "goal_check_recall")),
        "failures": sorted((accuracy.get("by_failure") or {}).items()),
    }


def _reference(data: Mapping[str, Any]) -> dict[str, Any] | None:
    reference = data.get("reference")
    if not reference:
        return None
    return {
        "dialogues": reference.get("dialogues"),
        "file": reference.get("file"),
        "format": reference.get("format"),
        "rows": [
            (info(name), _difference(name, entry))
            for name, entry in (reference.get("comparison") or {}).items()
        ],
        "realism": _realism(reference.get("realism") or {}),
    }


def _realism(realism: Mapping[str, Any]) -> dict[str, Any] | None:
    """How the users type, side by side with the real ones, and the classifier's AUC."""
    if not realism:
        return None

    def cell(entry: Mapping[str, Any], words: bool) -> tuple[str, str] | None:
        """(value, interval) as text; None without a value."""
        value, ci = entry.get("value"), entry.get("ci")
        if value is None:
            return None
        shown = (lambda v: f"{v:.1f}") if words else (lambda v: f"{100 * v:.1f}%")
        return shown(value), f" [{shown(ci[0])}, {shown(ci[1])}]" if ci else ""

    classifier = realism.get("classifier") or {}
    auc = classifier.get("auc")
    verdict = None
    if auc is not None:
        verdict = {
            "auc": f"{auc:.3f}",
            "simulated_messages": classifier.get("simulated_messages"),
            "reference_messages": classifier.get("reference_messages"),
            "method": classifier.get("method"),
            "cues": ", ".join(
                f"{c['feature']} ({c['weight']:+.2f})" for c in classifier.get("strongest") or []
            ),
        }
    return {
        "statistics": [
            {
                "statistic": row["statistic"].replace("_", " "),
                "position": row["position"],
                "cells": [
                    cell(row[side], row["statistic"] == "median_words") for side in ("simulated", "reference")
                ],
            }
            for row in realism.get("statistics") or []
        ],
        "classifier": verdict,  # None: no classifier result, and the reason why
        "reason": str(classifier.get("reason") or "No classifier result."),
    }


def _compare(data: Mapping[str, Any]) -> dict[str, Any] | None:
    compare = data.get("compare")
    if not compare:
        return None
    rows = []
    for name, entry in (compare.get("metrics") or {}).items():
        ci = entry.get("ci")
        plot = Markup()
        if entry.get("delta") is not None and ci:
            plot = interval_plot(
                [Interval("", entry["delta"], ci[0], ci[1])],
                label=f"Difference in {info(name).label}, with its interval; the dark line is 0",
                value_text=_formatter(name, delta=True),
                zero_line=True,
                width=200,
                row_height=16,
                label_width=4,
                axis=False,
                color="#0f7b4f" if entry.get("significant") else "#8a94a6",
            )
        rows.append((info(name), _difference(name, entry), plot))
    return {"dataset": compare.get("dataset"), "dialogues": compare.get("dialogues"), "rows": rows}


def _examples(data: Mapping[str, Any]) -> list[dict[str, Any]] | None:
    examples = data.get("examples") or []
    if not examples:
        return None
    return [_example(example) for example in examples]


def _example(example: Mapping[str, Any]) -> dict[str, Any]:
    meta = []
    if example.get("goal"):
        meta.append(("Goal", example["goal"]))
    if example.get("persona"):
        meta.append(("Persona", example["persona"]))
    if example.get("termination_reason"):
        kept = "kept" if example.get("kept") else "dropped by the filters"
        meta.append(("Ended", f"{example['termination_reason']}, {kept}"))
    return {
        "title": example.get("title"),
        "id": example.get("id"),
        "meta": meta,
        "messages": [_message(m) for m in example.get("messages") or []],
        "omitted": example.get("omitted_messages"),
        "verdicts": [
            (key.replace("_", " "), v.get("label") or v.get("status"), v.get("rationale"))
            for key, v in (example.get("verdicts") or {}).items()
        ],
    }


def _message(message: Mapping[str, Any]) -> tuple[str, str, Any]:
    """(side, the speaker's name, text); the side is also the message's CSS class."""
    if message.get("role") == "user":
        return "user", "user", message.get("content")
    return "assistant", "chatbot", message.get("content")


def render_report(data: Mapping[str, Any]) -> str:
    """The whole page."""
    dataset = data.get("dataset") or {}
    models = dataset.get("models") or {}
    header = {
        "name": str(dataset.get("path", "")).rstrip("/").rsplit("/", 1)[-1] or "dataset",
        "path": dataset.get("path", ""),
        "dialogues": dataset.get("dialogues"),
        "inquirer": models.get("inquirer"),
        "chatbot": models.get("chatbot"),
        "judge": (data.get("settings") or {}).get("judge") or "none (statistics only)",
        "langsmith": (data.get("langsmith") or {}).get("mode", "offline"),
        "created_at": data.get("created_at", ""),
    }
    views = {section_id: view(data) for (section_id, _), view in zip(SECTIONS, _VIEWS, strict=True)}
    return render("report.html.j2", header=header, sections=SECTIONS, titles=dict(SECTIONS), views=views)


# What each of SECTIONS shows, in the same order (its macro in report_sections.html.j2 lays it out).
_VIEWS: tuple[Callable[[Mapping[str, Any]], Any], ...] = (
    _summary,
    _metrics_table,
    _turns,
    _lengths,
    _termination,
    _personas,
    _by_persona,
    _judges,
    _stop,
    _reference,
    _compare,
    _examples,
)
