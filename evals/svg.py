"""Hand-written inline SVG charts for the report: no plotting library, no script, no network.

Each function returns one ``<svg>`` element sized by its ``viewBox`` (it scales to the width of
its container). Every text that reaches the markup goes through :func:`esc`: labels come from
persona files and dialogue data, which are untrusted.
"""

from __future__ import annotations

import html
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

SIMULATED = "#3867d6"
REFERENCE = "#e8833a"
MUTED = "#8a94a6"
GRID = "#e6e9ef"
TEXT = "#2d3340"
FONT = "font-family=\"system-ui,-apple-system,'Segoe UI',Roboto,sans-serif\""


def esc(text: object) -> str:
    return html.escape(str(text), quote=True)


def el(tag: str, content: str = "", /, **attributes: object) -> str:
    """One SVG element; attribute names use ``_`` for ``-`` (``text_anchor`` -> ``text-anchor``).

    Floats are written with one decimal; ``content`` must already be markup (escape text first).
    """
    rendered = " ".join(
        f'{name.rstrip("_").replace("_", "-")}="{esc(f"{value:.1f}" if isinstance(value, float) else value)}"'
        for name, value in attributes.items()
    )
    return f"<{tag} {rendered}>{content}</{tag}>" if content else f"<{tag} {rendered}/>"


def _fmt(value: float) -> str:
    return f"{value:.3g}" if abs(value) < 1000 else f"{value:,.0f}"


def nice_axis(value: float) -> tuple[float, int]:
    """A round axis maximum at or above ``value`` and a tick count that keeps every tick round:
    1 in 5 steps, 2 in 4, 2.5 in 5, 5 in 5 (times a power of ten)."""
    if value <= 0:
        return 1.0, 5
    magnitude = 10 ** math.floor(math.log10(value))
    for step, ticks in ((1, 5), (2, 4), (2.5, 5), (5, 5), (10, 5)):
        if step * magnitude >= value * (1 - 1e-12):
            return step * magnitude, ticks
    return 10 * magnitude, 5  # pragma: no cover - the loop always returns


def nice_step(span: float) -> float:
    """A round step (1, 2 or 5 times a power of ten) that cuts ``span`` into about four parts."""
    if span <= 0:
        return 1.0
    raw = span / 4
    magnitude = 10 ** math.floor(math.log10(raw))
    return next(step * magnitude for step in (1, 2, 5, 10) if step * magnitude >= raw)


def _svg(width: int, height: int, label: str, body: list[str]) -> str:
    return (
        f'<svg class="chart" viewBox="0 0 {width} {height}" width="{width}" role="img" '
        f'aria-label="{esc(label)}" xmlns="http://www.w3.org/2000/svg" {FONT} font-size="12" fill="{TEXT}">'
        f"<title>{esc(label)}</title>{''.join(body)}</svg>"
    )


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    label: str,
    value_text: Callable[[float], str] = _fmt,
    color: str = SIMULATED,
    width: int = 520,
    bar_height: int = 18,
    label_width: int = 170,
) -> str:
    """Horizontal bars, one per ``(label, value)``, the value printed after each bar."""
    gap = 6
    height = max(1, len(items)) * (bar_height + gap) + gap
    top = max((value for _, value in items), default=0.0) or 1.0
    span = width - label_width - 70
    body = []
    for index, (name, value) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = max(0.0, value) / top * span
        baseline = y + bar_height * 0.72
        tip = el("title", f"{esc(name)}: {esc(value_text(value))}")
        body += [
            el("text", esc(_clip(name, 26)), x=label_width - 8, y=baseline, text_anchor="end"),
            el("rect", tip, x=label_width, y=y, width=length, height=bar_height, rx=3, fill=color),
            el("text", esc(value_text(value)), x=label_width + length + 6, y=baseline, fill=MUTED),
        ]
    return _svg(width, height, label, body)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


@dataclass(frozen=True)
class Series:
    name: str
    values: Sequence[float]
    color: str


@dataclass(frozen=True)
class Marker:
    """A vertical line at a (fractional) category position, e.g. a mean."""

    position: float
    text: str
    color: str = MUTED


def column_chart(
    categories: Sequence[str],
    series: Sequence[Series],
    *,
    label: str,
    y_text: Callable[[float], str] = _fmt,
    x_title: str = "",
    y_title: str = "",
    markers: Sequence[Marker] = (),
    width: int = 520,
    height: int = 240,
) -> str:
    """Vertical bars per category, the series side by side; optional vertical markers."""
    left, right, top, bottom = 48, 12, 22, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((value for s in series for value in s.values), default=0.0)
    y_max, ticks = nice_axis(peak)
    slot = plot_w / max(1, len(categories))
    bar_w = max(2.0, slot * 0.8 / max(1, len(series)))
    body = []
    for tick in range(ticks + 1):
        value = y_max * tick / ticks
        y = top + plot_h - value / y_max * plot_h
        body += [
            el("line", x1=left, x2=width - right, y1=y, y2=y, stroke=GRID),
            el("text", esc(y_text(value)), x=left - 6, y=y + 4, text_anchor="end", fill=MUTED),
        ]
    every = max(1, round(len(categories) / 14))
    for index, category in enumerate(categories):
        x0 = left + index * slot + slot * 0.1
        for offset, s in enumerate(series):
            value = s.values[index] if index < len(s.values) else 0.0
            bar_h = value / y_max * plot_h
            x = x0 + offset * bar_w
            tip = el("title", f"{esc(s.name)}, {esc(category)}: {esc(y_text(value))}")
            body.append(
                el("rect", tip, x=x, y=top + plot_h - bar_h, width=bar_w - 1, height=bar_h, fill=s.color)
            )
        if index % every == 0:
            body.append(
                el(
                    "text",
                    esc(category),
                    x=left + (index + 0.5) * slot,
                    y=top + plot_h + 16,
                    text_anchor="middle",
                    fill=MUTED,
                )
            )
    for number, marker in enumerate(sorted(markers, key=lambda m: m.position)):
        x = left + marker.position * slot
        body += [
            el(
                "line",
                x1=x,
                x2=x,
                y1=top - 4,
                y2=top + plot_h,
                stroke=marker.color,
                stroke_width=1.5,
                stroke_dasharray="4 3",
            ),
            el("text", esc(marker.text), x=x + 4, y=top + 6 + 13 * number, fill=marker.color),
        ]
    middle = top + plot_h / 2
    body += [
        el("line", x1=left, x2=width - right, y1=top + plot_h, y2=top + plot_h, stroke=MUTED),
        el("text", esc(x_title), x=left + plot_w / 2, y=height - 6, text_anchor="middle"),
        el(
            "text",
            esc(y_title),
            x=12,
            y=middle,
            text_anchor="middle",
            transform=f"rotate(-90 12 {middle:.1f})",
        ),
    ]
    return _svg(width, height, label, body)


@dataclass(frozen=True)
class Interval:
    label: str
    value: float | None
    low: float | None
    high: float | None
    note: str = ""


def interval_plot(
    rows: Sequence[Interval],
    *,
    label: str,
    value_text: Callable[[float], str] = _fmt,
    domain: tuple[float, float] | None = None,
    zero_line: bool = False,
    color: str = SIMULATED,
    width: int = 300,
    row_height: int = 22,
    label_width: int = 110,
    axis: bool = True,
) -> str:
    """A dot with its interval whisker per row, on one shared axis (a forest plot).

    ``axis=False`` leaves out the axis end labels: a one-row sparkline for a table cell.
    """
    values = [v for row in rows for v in (row.value, row.low, row.high) if v is not None]
    low, high = domain if domain else (min(values, default=0.0), max(values, default=1.0))
    if zero_line:
        low, high = min(low, 0.0), max(high, 0.0)
    if high - low < 1e-9:
        low, high = low - 0.5, high + 0.5
    if not domain:  # round the data range outwards to whole steps, so the axis ends are round numbers
        step = nice_step(high - low)
        low, high = math.floor(low / step) * step, math.ceil(high / step) * step
    pad = (high - low) * 0.06
    low, high = low - pad, high + pad
    top, bottom, right = (6, 22, 14) if axis else (2, 2, 4)
    plot_w = width - label_width - right
    height = top + len(rows) * row_height + bottom

    def x(value: float) -> float:
        return label_width + (value - low) / (high - low) * plot_w

    bottom_y = top + len(rows) * row_height
    body = [el("rect", x=label_width, y=top, width=plot_w, height=bottom_y - top, fill="#fafbfc")]
    if zero_line:
        body.append(el("line", x1=x(0.0), x2=x(0.0), y1=top, y2=bottom_y, stroke=TEXT, stroke_width=1.2))
    for index, row in enumerate(rows):
        y = top + index * row_height + row_height / 2
        body.append(el("text", esc(_clip(row.label, 16)), x=label_width - 6, y=y + 4, text_anchor="end"))
        if row.low is not None and row.high is not None:
            body.append(
                el(
                    "line",
                    x1=x(row.low),
                    x2=x(row.high),
                    y1=y,
                    y2=y,
                    stroke=color,
                    stroke_width=2,
                    stroke_linecap="round",
                    opacity=0.55,
                )
            )
        if row.value is not None:
            interval = (
                f" [{value_text(row.low)}, {value_text(row.high)}]"
                if row.low is not None and row.high is not None
                else ""
            )
            tip = el("title", esc(f"{row.label}: {value_text(row.value)}{interval}{row.note}"))
            body.append(el("circle", tip, cx=x(row.value), cy=y, r=4, fill=color))
    axis_y = top + len(rows) * row_height + 14
    body += (
        []
        if not axis
        else [
            el("text", esc(value_text(low + pad)), x=label_width, y=axis_y, fill=MUTED),
            el("text", esc(value_text(high - pad)), x=width - right, y=axis_y, text_anchor="end", fill=MUTED),
        ]
    )
    return _svg(width, height, label, body)
