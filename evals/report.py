"""``report.html``: one self-contained page (inline CSS and SVG, no script, no network) from ``eval.json``.

The page is rendered from the evaluation document alone, so it can be rebuilt from a stored
``eval.json``. Dialogue text, persona descriptions, attribute values and file names are untrusted:
everything that reaches the markup is escaped (:func:`evals.svg.esc`).
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from typing import Any

from llm_roleplay.evals.metric_info import format_value, info
from llm_roleplay.evals.svg import (
    REFERENCE,
    SIMULATED,
    Interval,
    Marker,
    Series,
    bar_chart,
    column_chart,
    esc,
    interval_plot,
)

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

# No script, no remote resource: even markup that slipped through escaping could not run or fetch.
CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
CSS = """
:root { --blue: #3867d6; --orange: #e8833a; --text: #2d3340; --muted: #6b7385; --line: #e3e6ec; }
* { box-sizing: border-box; }
body { margin: 0; background: #f4f5f8; color: var(--text);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, sans-serif; }
header { background: #1f2937; color: #fff; padding: 28px 0 22px; }
header .wrap > p { margin: 4px 0 0; color: #c9d1dd; }
.wrap { max-width: 1120px; margin: 0 auto; padding: 0 24px; }
h1 { margin: 0; font-size: 26px; font-weight: 650; }
h2 { margin: 0 0 4px; font-size: 19px; }
h3 { margin: 18px 0 6px; font-size: 15px; }
nav { margin-top: 14px; display: flex; flex-wrap: wrap; gap: 6px 14px; font-size: 13px; }
nav a { color: #aac4ff; text-decoration: none; }
section { background: #fff; border: 1px solid var(--line); border-radius: 10px; padding: 20px 22px;
  margin: 18px 0; }
.lead { color: var(--muted); margin: 0 0 14px; font-size: 14px; }
.cards { display: grid; grid-template-columns: repeat(auto-fill, minmax(230px, 1fr)); gap: 12px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 12px 14px; background: #fafbfd; }
.card .name { font-size: 12px; color: var(--muted); text-transform: uppercase; letter-spacing: .04em; }
.card .value { font-size: 24px; font-weight: 650; margin-top: 2px; }
.card .ci { font-size: 12px; color: var(--muted); }
table { border-collapse: collapse; width: 100%; font-size: 13.5px; }
th, td { text-align: left; padding: 6px 8px; border-bottom: 1px solid var(--line); vertical-align: middle; }
th { font-weight: 600; color: var(--muted); font-size: 12px; text-transform: uppercase;
  letter-spacing: .03em; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.sig { color: #0f7b4f; font-weight: 600; }
.sig .note { color: #0f7b4f; font-weight: 400; }
td .note { font-size: 11.5px; }
.grid2 { display: grid; grid-template-columns: repeat(auto-fit, minmax(460px, 1fr)); gap: 18px; }
.grid3 { display: grid; grid-template-columns: repeat(auto-fill, minmax(330px, 1fr)); gap: 10px 16px; }
.grid4 { display: grid; grid-template-columns: repeat(auto-fill, minmax(235px, 1fr)); gap: 10px 16px; }
.facet h4 { margin: 6px 0 2px; font-size: 12.5px; color: var(--muted); font-weight: 600; }
svg.chart { max-width: 100%; height: auto; display: block; }
.legend { display: flex; gap: 16px; font-size: 13px; color: var(--muted); margin: 4px 0 8px; }
.swatch { display: inline-block; width: 11px; height: 11px; border-radius: 2px; margin-right: 5px;
  vertical-align: -1px; }
.note { font-size: 13px; color: var(--muted); }
.empty { color: var(--muted); font-style: italic; }
.scroll { overflow-x: auto; }
details { margin-top: 10px; } summary { cursor: pointer; color: var(--blue); font-size: 14px; }
.dialogue { border: 1px solid var(--line); border-radius: 8px; padding: 14px; margin: 14px 0; }
.dialogue .meta { font-size: 13px; color: var(--muted); margin-bottom: 10px; }
.msg { max-width: 82%; padding: 8px 12px; border-radius: 10px; margin: 6px 0; white-space: pre-wrap;
  overflow-wrap: anywhere; font-size: 14px; }
.msg.user { background: #e8eefc; margin-right: auto; border-top-left-radius: 2px; }
.msg.assistant { background: #f1f2f5; margin-left: auto; border-top-right-radius: 2px; }
.msg .who { display: block; font-size: 11px; color: var(--muted); text-transform: uppercase; }
.verdicts { font-size: 13px; margin: 10px 0 0; padding-left: 18px; color: var(--muted); }
footer { color: var(--muted); font-size: 12.5px; padding: 8px 0 40px; }
"""


def _count(value: float) -> str:
    return f"{value:.0f}"


def _value_cell(name: str, value: float | None) -> str:
    return f'<td class="num">{esc(format_value(name, value))}</td>'


def _message(message: Mapping[str, Any]) -> str:
    side = "user" if message.get("role") == "user" else "assistant"
    who = "user" if side == "user" else "chatbot"
    return f'<div class="msg {side}"><span class="who">{who}</span>{esc(message.get("content"))}</div>'


def _estimate_text(name: str, estimate: Mapping[str, Any] | None) -> tuple[str, str]:
    if not estimate:
        return "–", ""
    ci = estimate.get("ci")
    interval = f"{format_value(name, ci[0])} – {format_value(name, ci[1])}" if ci else "no interval"
    return format_value(name, estimate.get("value")), interval


def _legend(*items: tuple[str, str]) -> str:
    return (
        '<div class="legend">'
        + "".join(
            f'<span><span class="swatch" style="background:{color}"></span>{esc(name)}</span>'
            for name, color in items
        )
        + "</div>"
    )


def _section(section_id: str, title: str, lead: str, body: str) -> str:
    lead_html = f'<p class="lead">{lead}</p>' if lead else ""
    return f'<section id="{section_id}"><h2>{esc(title)}</h2>{lead_html}{body}</section>'


def _empty(text: str) -> str:
    return f'<p class="empty">{esc(text)}</p>'


# Sections --------------------------------------------------------------------------------------


def _summary(data: Mapping[str, Any]) -> str:
    metrics = data.get("metrics") or {}
    confidence = round(float((data.get("settings") or {}).get("confidence", 0.95)) * 100)
    cards = []
    for name in HEADLINE:
        if name not in metrics:
            continue
        value, interval = _estimate_text(name, metrics[name])
        extra = ""
        if name == "turns_per_dialogue":
            extra = f" · paper {data.get('paper', {}).get('turns_per_dialogue', 5.30):.2f}"
        cards.append(
            f'<div class="card"><div class="name">{esc(info(name).label)}</div>'
            f'<div class="value">{esc(value)}</div>'
            f'<div class="ci">{confidence}% CI {esc(interval)}{esc(extra)}</div></div>'
        )
    return _section(
        "summary",
        "Summary",
        f"Point estimates with {confidence}% percentile-bootstrap intervals "
        f"({esc((data.get('settings') or {}).get('resamples'))} resamples of whole dialogues).",
        f'<div class="cards">{"".join(cards)}</div>',
    )


def _metrics_table(data: Mapping[str, Any]) -> str:
    metrics = data.get("metrics") or {}
    reference = ((data.get("reference") or {}).get("comparison")) or {}
    compare = ((data.get("compare") or {}).get("metrics")) or {}
    head = '<tr><th>Metric</th><th class="num">Value</th><th class="num">n</th>'
    if reference:
        head += '<th class="num">Real users</th><th class="num">Δ vs real</th>'
    if compare:
        head += '<th class="num">Comparison run</th><th class="num">Δ vs comparison</th>'
    rows = []
    for name, estimate in metrics.items():
        value, interval = _estimate_text(name, estimate)
        row = (
            f'<tr><td title="{esc(info(name).definition)}">{esc(info(name).label)}</td>'
            f'<td class="num"><b>{esc(value)}</b><br><span class="note">{esc(interval)}</span></td>'
            f'<td class="num">{esc(estimate.get("n"))}<br>'
            f'<span class="note">{esc(estimate.get("unit"))}</span></td>'
        )
        for table, present in ((reference, bool(reference)), (compare, bool(compare))):
            if not present:
                continue
            entry = table.get(name)
            if entry is None:
                row += '<td class="num">–</td><td class="num">–</td>'
                continue
            row += _value_cell(name, entry["b"]["value"]) + _delta_cell(name, entry)
        rows.append(row + "</tr>")
    return _section(
        "metrics",
        "All metrics",
        "Every metric with its interval (small type) and the number of observations it rests on. "
        "Hover a name for its definition. Δ is this run minus the other, with a two-sample bootstrap "
        "interval; green when the interval excludes 0.",
        f'<div class="scroll"><table>{head}</tr>{"".join(rows)}</table></div>',
    )


def _delta_cell(name: str, entry: Mapping[str, Any]) -> str:
    """The difference, with its interval in small type below it; green when the interval excludes 0."""
    ci = entry.get("ci")
    text = esc(format_value(name, entry.get("delta"), delta=True))
    if ci:
        low, high = format_value(name, ci[0], delta=True), format_value(name, ci[1], delta=True)
        text += f'<br><span class="note">{esc(low)} to {esc(high)}</span>'
    css = ' class="num sig"' if entry.get("significant") else ' class="num"'
    return f"<td{css}>{text}</td>"


def _turns(data: Mapping[str, Any]) -> str:
    turns = (data.get("distributions") or {}).get("turns") or {}
    simulated = {int(k): v for k, v in (turns.get("simulated") or {}).items()}
    reference = (
        {int(k): v for k, v in (turns.get("reference") or {}).items()} if turns.get("reference") else None
    )
    if not simulated:
        return _section("turns", "Turns per dialogue", "", _empty("No dialogues."))
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
        y_text=lambda v: f"{v * 100:.0f}%",
        x_title="user turns in the dialogue",
        y_title="share of dialogues",
        markers=markers,
        width=1060,
    )
    return _section(
        "turns",
        "Turns per dialogue",
        "Share of dialogues by number of user turns. Dashed lines: this run's mean and the paper's 5.30.",
        _legend(*legend) + chart,
    )


def _lengths(data: Mapping[str, Any]) -> str:
    hist = (data.get("distributions") or {}).get("user_message_words") or {}
    edges = hist.get("edges") or []
    if not edges or not hist.get("simulated_n"):
        return _section("lengths", "User message length", "", _empty("No user messages."))
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
        y_text=lambda v: f"{v * 100:.0f}%",
        x_title="words per user message",
        y_title="share of messages",
        width=1060,
    )
    lead = "Share of user messages by length in words; the last bin is open-ended."
    if hist.get("reference") is None:
        lead += " Pass --reference FILE to compare with real users."
    return _section("lengths", "User message length", lead, _legend(*legend) + chart)


def _termination(data: Mapping[str, Any]) -> str:
    distributions = data.get("distributions") or {}
    reasons = distributions.get("termination_reasons") or {}
    funnel = distributions.get("filter_funnel") or {}
    chart = bar_chart(list(reasons.items()), label="Termination reasons", value_text=lambda v: f"{v:.0f}")
    funnel_items = [
        ("finished", float(funnel.get("finished", 0))),
        ("kept by the filters", float(funnel.get("kept", 0))),
        ("kept, not near-duplicates", float(funnel.get("kept_unique", 0))),
    ]
    funnel_chart = bar_chart(
        funnel_items, label="Filter funnel", value_text=lambda v: f"{v:.0f}", color="#4b9b7a"
    )
    drops = funnel.get("dropped_by_reason") or {}
    drop_text = ", ".join(f"{esc(k)} {esc(v)}" for k, v in drops.items()) or "none"
    body = (
        f'<div class="grid2"><div><h3>Termination reasons</h3>{chart}</div>'
        f'<div><h3>Filter funnel</h3>{funnel_chart}<p class="note">Dropped, by filter (a dialogue may have '
        f"several): {drop_text}.</p></div></div>"
    )
    return _section(
        "termination",
        "How dialogues ended",
        "Dialogues by termination reason, and what the quality filters and near-duplicate marking kept.",
        body,
    )


def _personas(data: Mapping[str, Any]) -> str:
    distribution = (data.get("distributions") or {}).get("persona") or {}
    if not distribution:
        return _section(
            "personas", "Persona distribution", "", _empty("No persona attributes in these records.")
        )
    facets = []
    for attribute, values in distribution.items():
        chart = bar_chart(
            sorted(values.items(), key=lambda item: -item[1]),
            label=f"Persona {attribute}",
            value_text=_count,
            width=340,
            bar_height=14,
            label_width=130,
        )
        facets.append(f'<div class="facet"><h4>{esc(attribute.replace("_", " "))}</h4>{chart}</div>')
    return _section(
        "personas",
        "Persona distribution",
        "Dialogues per value of each persona attribute.",
        f'<div class="grid3">{"".join(facets)}</div>',
    )


def _by_persona(data: Mapping[str, Any]) -> str:
    groups = data.get("by_persona") or {}
    if not groups:
        return _section("by-persona", "Metrics by persona attribute", "", _empty("No persona attributes."))
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
                facets.append(f'<div class="facet"><h4>{esc(info(name).label)}</h4>{plot}</div>')
        title = esc(attribute.replace("_", " "))
        blocks.append(
            f'<h3>{title}</h3><div class="grid4">{"".join(facets)}</div><details><summary>Every metric by '
            f"{title}</summary>{_persona_table(values, list(metrics))}</details>"
        )
    return _section(
        "by-persona",
        "Metrics by persona attribute",
        "Per attribute value (dialogues in brackets): the point estimate and its bootstrap interval. Small "
        "groups have wide intervals, and overlapping intervals are no evidence of a difference. distinct-n "
        "falls as a group grows: compare it only between groups of similar size (MTLD does not).",
        "".join(blocks),
    )


_DOMAINS = {"score5": (1.0, 5.0), "share": (0.0, 1.0)}


def _formatter(name: str, *, delta: bool = False) -> Callable[[float], str]:
    def text(value: float) -> str:
        return format_value(name, value, delta=delta)

    return text


def _persona_table(values: Mapping[str, Any], order: Sequence[str]) -> str:
    """One attribute: a row per metric, a column per value, each cell the estimate and its interval."""
    present = {name for group in values.values() for name in (group.get("metrics") or {})}
    names = [name for name in order if name in present] + sorted(present - set(order))
    head = "<tr><th>Metric</th>" + "".join(
        f'<th class="num">{esc(value)} ({esc(group.get("dialogues"))})</th>'
        for value, group in values.items()
    )
    rows = []
    for name in names:
        cells = []
        for group in values.values():
            value, interval = _estimate_text(name, (group.get("metrics") or {}).get(name))
            cells.append(f'<td class="num">{esc(value)}<br><span class="note">{esc(interval)}</span></td>')
        label = f'<td title="{esc(info(name).definition)}">{esc(info(name).label)}</td>'
        rows.append(f"<tr>{label}{''.join(cells)}</tr>")
    return f'<div class="scroll"><table>{head}</tr>{"".join(rows)}</table></div>'


def _judges(data: Mapping[str, Any]) -> str:
    judges = data.get("judges") or {}
    if not judges.get("spec"):
        return _section(
            "judges", "LLM judges", "", _empty("Not run (--no-llm or --judge none): statistics only.")
        )
    rows = []
    for key, summary in (judges.get("summary") or {}).items():
        status = ", ".join(f"{esc(k)} {esc(v)}" for k, v in summary.get("status", {}).items())
        labels = ", ".join(f"{esc(k)} {esc(v)}" for k, v in summary.get("labels", {}).items())
        problem = summary.get("first_problem")
        rows.append(
            f'<tr><td>{esc(key)}</td><td class="num">{esc(summary.get("verdicts"))}</td><td>{status}</td>'
            f'<td>{labels}</td><td class="num">{esc(summary.get("mean_attempts"))}</td>'
            f"<td>{esc(problem) if problem else ''}</td></tr>"
        )
    experiments = (data.get("langsmith") or {}).get("experiments") or []
    mode = (data.get("langsmith") or {}).get("mode", "offline")
    listing = "".join(
        f"<li>{esc(e.get('name'))} ({esc(e.get('examples'))} examples)"
        + (f' — <a href="{esc(e["url"])}">{esc(e["url"])}</a>' if e.get("url") else "")
        + "</li>"
        for e in experiments
    )
    body = (
        '<table><tr><th>Judge</th><th class="num">Verdicts</th><th>Status</th><th>Labels</th>'
        f'<th class="num">Mean attempts</th><th>First problem</th></tr>{"".join(rows)}</table>'
        f'<p class="note">LangSmith experiments ({esc(mode)}):</p><ul class="note">{listing}</ul>'
    )
    return _section(
        "judges",
        "LLM judges",
        f"Judge model <code>{esc(judges.get('spec'))}</code>. Unparseable or failed verdicts are not scores: "
        "they are left out of the metrics and counted here.",
        body,
    )


def _stop(data: Mapping[str, Any]) -> str:
    stop = data.get("stop_accuracy")
    if not stop:
        return _section(
            "stop", "Stop accuracy", "", _empty("Not run (no LLM evaluation, or no rebuildable inquirer).")
        )
    metrics = data.get("metrics") or {}
    cards = "".join(
        f'<div class="card"><div class="name">{esc(info(name).label)}</div>'
        f'<div class="value">{esc(_estimate_text(name, metrics.get(name))[0])}</div>'
        f'<div class="ci">{esc(_estimate_text(name, metrics.get(name))[1])}</div></div>'
        for name in (
            "stop_precision",
            "stop_recall",
            "stop_f1",
            "stop_right_time",
            "stop_too_early",
            "stop_too_late",
        )
        if name in metrics
    )
    rows = "".join(
        f"<tr><td>{esc(o['id'])}</td><td>{''.join('■' if p else '□' for p in o['predicted_end'])}</td>"
        f"<td>{''.join('■' if t else '□' for t in o['truth_end'])}</td><td>{esc(o['timing'])}</td>"
        f"<td>{esc(o.get('error') or '')}</td></tr>"
        for o in stop.get("dialogues") or []
    )
    return _section(
        "stop",
        "Stop accuracy and goal checks",
        f"The inquirer <code>{esc(stop.get('model'))}</code> replayed on the project's labelled dialogues: "
        "at each point, end or continue? ■ = end, □ = continue, one mark per decision point.",
        f'<div class="cards">{cards}</div><details><summary>Decisions per labelled dialogue</summary>'
        f"<table><tr><th>Dialogue</th><th>Model</th><th>Labels</th><th>Timing</th><th>Error</th></tr>{rows}</table>"
        "</details>" + _goal_checks(data),
    )


def _goal_checks(data: Mapping[str, Any]) -> str:
    """The goal check on the labelled endings: precision, recall, and verified endings per failure."""
    accuracy = data.get("goal_check_accuracy")
    if not accuracy:
        return ""
    metrics = data.get("metrics") or {}
    cards = "".join(
        f'<div class="card"><div class="name">{esc(info(name).label)}</div>'
        f'<div class="value">{esc(_estimate_text(name, metrics.get(name))[0])}</div>'
        f'<div class="ci">{esc(_estimate_text(name, metrics.get(name))[1])}</div></div>'
        for name in ("goal_check_precision", "goal_check_recall")
        if name in metrics
    )
    rows = "".join(
        f"<tr><td>{esc(failure)}</td><td class='num'>{esc(row['endings'])}</td>"
        f"<td class='num'>{esc(row['verified'])}</td><td class='num'>{esc(row['errors'])}</td></tr>"
        for failure, row in sorted((accuracy.get("by_failure") or {}).items())
    )
    return (
        "<h3>Goal checks</h3>"
        f"<p>The judge <code>{esc(accuracy.get('judge'))}</code> "
        f"(threshold {esc(accuracy.get('threshold'))}) "
        "on dialogue endings read in full and labelled by hand: does it verify only goals that were met?</p>"
        f'<div class="cards">{cards}</div>'
        "<table><tr><th>Label</th><th class='num'>Endings</th><th class='num'>Verified</th>"
        f"<th class='num'>Judge errors</th></tr>{rows}</table>"
    )


def _reference(data: Mapping[str, Any]) -> str:
    reference = data.get("reference")
    if not reference:
        return _section("reference", "Against real users", "", _empty("No reference set (--reference FILE)."))
    rows = []
    for name, entry in (reference.get("comparison") or {}).items():
        rows.append(
            f"<tr><td>{esc(info(name).label)}</td>{_value_cell(name, entry['a']['value'])}"
            f"{_value_cell(name, entry['b']['value'])}{_delta_cell(name, entry)}</tr>"
        )
    return _section(
        "reference",
        "Against real users",
        f"User-side statistics of {esc(reference.get('dialogues'))} real dialogues from "
        f"<code>{esc(reference.get('file'))}</code> ({esc(reference.get('format'))}).",
        '<table><tr><th>Metric</th><th class="num">Simulated</th><th class="num">Real</th>'
        f'<th class="num">Δ simulated − real</th></tr>{"".join(rows)}</table>'
        + _realism(reference.get("realism") or {}),
    )


def _realism(realism: Mapping[str, Any]) -> str:
    """How the users type, side by side with the real ones, and the classifier's AUC."""
    if not realism:
        return ""

    def cell(entry: Mapping[str, Any], words: bool) -> str:
        value, ci = entry.get("value"), entry.get("ci")
        if value is None:
            return '<td class="num">–</td>'
        shown = (lambda v: f"{v:.1f}") if words else (lambda v: f"{100 * v:.1f}%")
        interval = f" [{shown(ci[0])}, {shown(ci[1])}]" if ci else ""
        return f'<td class="num">{esc(shown(value))}<span class="ci">{esc(interval)}</span></td>'

    rows = "".join(
        f"<tr><td>{esc(row['statistic'].replace('_', ' '))}</td><td>{esc(row['position'])}</td>"
        f"{cell(row['simulated'], row['statistic'] == 'median_words')}"
        f"{cell(row['reference'], row['statistic'] == 'median_words')}</tr>"
        for row in realism.get("statistics") or []
    )
    classifier = realism.get("classifier") or {}
    auc = classifier.get("auc")
    verdict = (
        f"A classifier on these style features tells simulated from real messages with a cross-validated "
        f"AUC of <b>{auc:.3f}</b> (0.5 = indistinguishable; {esc(classifier.get('simulated_messages'))} "
        f"simulated, {esc(classifier.get('reference_messages'))} real messages; "
        f"{esc(classifier.get('method'))}). Strongest cues: "
        + esc(", ".join(f"{c['feature']} ({c['weight']:+.2f})" for c in classifier.get("strongest") or []))
        + "."
        if auc is not None
        else esc(str(classifier.get("reason") or "No classifier result."))
    )
    return (
        "<h3>How they type</h3>"
        '<table><tr><th>Statistic</th><th>Messages</th><th class="num">Simulated</th>'
        f'<th class="num">Real</th></tr>{rows}</table><p>{verdict}</p>'
    )


def _compare(data: Mapping[str, Any]) -> str:
    compare = data.get("compare")
    if not compare:
        return _section("compare", "Comparison run", "", _empty("No comparison run (--compare DIR2)."))
    rows = []
    for name, entry in (compare.get("metrics") or {}).items():
        ci = entry.get("ci")
        plot = ""
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
        rows.append(
            f"<tr><td>{esc(info(name).label)}</td>{_value_cell(name, entry['a']['value'])}"
            f"{_value_cell(name, entry['b']['value'])}{_delta_cell(name, entry)}<td>{plot}</td></tr>"
        )
    return _section(
        "compare",
        "Comparison run",
        f"This run against <code>{esc(compare.get('dataset'))}</code> "
        f"({esc(compare.get('dialogues'))} dialogues). Δ = this run − comparison, with a two-sample "
        "bootstrap interval; green when it excludes 0.",
        '<table><tr><th>Metric</th><th class="num">This run</th><th class="num">Comparison</th>'
        f'<th class="num">Δ</th><th>Interval</th></tr>{"".join(rows)}</table>',
    )


def _examples(data: Mapping[str, Any]) -> str:
    examples = data.get("examples") or []
    if not examples:
        return _section("examples", "Example dialogues", "", _empty("No dialogues."))
    blocks = []
    for example in examples:
        meta = []
        if example.get("goal"):
            meta.append(f"<b>Goal:</b> {esc(example['goal'])}")
        if example.get("persona"):
            meta.append(f"<b>Persona:</b> {esc(example['persona'])}")
        if example.get("termination_reason"):
            kept = "kept" if example.get("kept") else "dropped by the filters"
            meta.append(f"<b>Ended:</b> {esc(example['termination_reason'])}, {kept}")
        messages = "".join(_message(m) for m in example.get("messages") or [])
        if example.get("omitted_messages"):
            messages += f'<p class="note">… {esc(example["omitted_messages"])} more messages not shown.</p>'
        verdicts = "".join(
            f"<li><b>{esc(key.replace('_', ' '))}</b>: {esc(v.get('label') or v.get('status'))}"
            + (f" — {esc(v.get('rationale'))}" if v.get("rationale") else "")
            + "</li>"
            for key, v in (example.get("verdicts") or {}).items()
        )
        blocks.append(
            f'<div class="dialogue"><h3>{esc(example.get("title"))} '
            f'<span class="note">{esc(example.get("id"))}</span></h3>'
            f'<div class="meta">{"<br>".join(meta)}</div>{messages}'
            + (f'<ul class="verdicts">{verdicts}</ul>' if verdicts else "")
            + "</div>"
        )
    return _section(
        "examples",
        "Example dialogues",
        "A few dialogues as they were generated (text shown as is).",
        "".join(blocks),
    )


def render_report(data: Mapping[str, Any]) -> str:
    """The whole page."""
    dataset = data.get("dataset") or {}
    models = dataset.get("models") or {}
    settings = data.get("settings") or {}
    subtitle = (
        f"{dataset.get('dialogues')} dialogues · inquirer {models.get('inquirer')} · "
        f"chatbot {models.get('chatbot')}"
        f" · judge {settings.get('judge') or 'none (statistics only)'} · LangSmith "
        f"{(data.get('langsmith') or {}).get('mode', 'offline')} · {data.get('created_at', '')}"
    )
    nav = "".join(f'<a href="#{section_id}">{esc(title)}</a>' for section_id, title in SECTIONS)
    sections = [
        _summary(data),
        _metrics_table(data),
        _turns(data),
        _lengths(data),
        _termination(data),
        _personas(data),
        _by_persona(data),
        _judges(data),
        _stop(data),
        _reference(data),
        _compare(data),
        _examples(data),
    ]
    name = str(dataset.get("path", "")).rstrip("/").rsplit("/", 1)[-1] or "dataset"
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en"><head><meta charset="utf-8">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f'<meta http-equiv="Content-Security-Policy" content="{CSP}">'
        f"<title>Evaluation — {esc(name)}</title><style>{CSS}</style></head><body>"
        f'<header><div class="wrap"><h1>Evaluation report — {esc(name)}</h1><p>{esc(subtitle)}</p>'
        f"<p>{esc(dataset.get('path', ''))}</p><nav>{nav}</nav></div></header>"
        f'<main class="wrap">{"".join(sections)}</main>'
        '<footer class="wrap">Generated by <code>roleplay eval</code> (llm-roleplay). Method: Tamoyan, '
        "Schuff and Gurevych, <i>LLM Roleplay: Simulating Human-Chatbot Interaction</i> "
        "(arXiv:2407.03974).</footer>"
        "</body></html>\n"
    )
