"""Inline SVG charts for the report: no plotting library, no script, no network.

Python computes each chart's geometry (positions, lengths and the texts to show); the templates
``evals/templates/*.svg.j2`` lay it out as one ``<svg>`` element sized by its ``viewBox`` (it
scales to the width of its container). The templates are autoescaped: labels come from persona
files and dialogue data, which are untrusted.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup

from llm_roleplay.evals.templating import render

SIMULATED = "#3867d6"
REFERENCE = "#e8833a"
MUTED = "#8a94a6"
GRID = "#e6e9ef"
TEXT = "#2d3340"


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


def _chart(template: str, *, width: int, height: int, label: str, **geometry: object) -> Markup:
    """The chart's template (which extends ``chart.svg.j2``, the ``<svg>`` frame) rendered.

    Markup, so that the report's template embeds the element as it is: it was escaped here.
    """
    colors = {"text": TEXT, "muted": MUTED, "grid": GRID}
    svg = render(template, width=width, height=height, label=label, colors=colors, **geometry)
    return Markup(svg.rstrip("\n"))  # an element, for the report's markup: no line break after it


@dataclass(frozen=True)
class _Bar:
    name: str  # the whole label, in the tooltip
    shown: str  # the label beside the bar, clipped
    value: str
    y: int
    baseline: float  # of the label and the value
    length: float
    value_x: float  # where the value is written, after the bar


def bar_chart(
    items: Sequence[tuple[str, float]],
    *,
    label: str,
    value_text: Callable[[float], str] = _fmt,
    color: str = SIMULATED,
    width: int = 520,
    bar_height: int = 18,
    label_width: int = 170,
) -> Markup:
    """Horizontal bars, one per ``(label, value)``, the value printed after each bar."""
    gap = 6
    height = max(1, len(items)) * (bar_height + gap) + gap
    top = max((value for _, value in items), default=0.0) or 1.0
    span = width - label_width - 70
    bars = []
    for index, (name, value) in enumerate(items):
        y = gap + index * (bar_height + gap)
        length = max(0.0, value) / top * span
        bars.append(
            _Bar(
                name=name,
                shown=_clip(name, 26),
                value=value_text(value),
                y=y,
                baseline=y + bar_height * 0.72,
                length=length,
                value_x=label_width + length + 6,
            )
        )
    return _chart(
        "bar_chart.svg.j2",
        width=width,
        height=height,
        label=label,
        bars=bars,
        color=color,
        bar_height=bar_height,
        bar_x=label_width,
        label_x=label_width - 8,
    )


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


@dataclass(frozen=True)
class _Tick:
    y: float
    text_y: float
    text: str


@dataclass(frozen=True)
class _Column:
    series: str
    value: str
    x: float
    y: float
    width: float
    height: float
    color: str


@dataclass(frozen=True)
class _Category:
    name: str
    columns: list[_Column]
    label_x: float | None  # None: not labelled (one category in so many is)


@dataclass(frozen=True)
class _PlacedMarker:
    x: float
    text_x: float
    text_y: int
    text: str
    color: str


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
) -> Markup:
    """Vertical bars per category, the series side by side; optional vertical markers."""
    left, right, top, bottom = 48, 12, 22, 42
    plot_w, plot_h = width - left - right, height - top - bottom
    peak = max((value for s in series for value in s.values), default=0.0)
    y_max, ticks = nice_axis(peak)
    slot = plot_w / max(1, len(categories))
    bar_w = max(2.0, slot * 0.8 / max(1, len(series)))
    tick_values = [y_max * tick / ticks for tick in range(ticks + 1)]
    tick_ys = [top + plot_h - value / y_max * plot_h for value in tick_values]
    every = max(1, round(len(categories) / 14))
    placed = []
    for index, category in enumerate(categories):
        x0 = left + index * slot + slot * 0.1
        columns = []
        for offset, s in enumerate(series):
            value = s.values[index] if index < len(s.values) else 0.0
            bar_h = value / y_max * plot_h
            x = x0 + offset * bar_w
            columns.append(_Column(s.name, y_text(value), x, top + plot_h - bar_h, bar_w - 1, bar_h, s.color))
        label_x = left + (index + 0.5) * slot if index % every == 0 else None
        placed.append(_Category(category, columns, label_x))
    placed_markers = []
    for number, marker in enumerate(sorted(markers, key=lambda m: m.position)):
        x = left + marker.position * slot
        placed_markers.append(_PlacedMarker(x, x + 4, top + 6 + 13 * number, marker.text, marker.color))
    return _chart(
        "column_chart.svg.j2",
        width=width,
        height=height,
        label=label,
        ticks=[_Tick(y, y + 4, y_text(value)) for value, y in zip(tick_values, tick_ys, strict=True)],
        categories=placed,
        markers=placed_markers,
        left=left,
        right_x=width - right,
        tick_text_x=left - 6,
        top=top,
        marker_top=top - 4,
        axis_y=top + plot_h,
        category_y=top + plot_h + 16,
        x_title=x_title,
        x_title_x=left + plot_w / 2,
        x_title_y=height - 6,
        y_title=y_title,
        y_title_x=12,
        y_title_y=top + plot_h / 2,
    )


@dataclass(frozen=True)
class Interval:
    label: str
    value: float | None
    low: float | None
    high: float | None
    note: str = ""


@dataclass(frozen=True)
class _Row:
    shown: str  # the label, clipped
    y: float
    label_y: float
    whisker: tuple[float, float] | None  # where the interval starts and ends, when it has both ends
    dot: float | None
    tip: str  # the dot's tooltip: label, value, interval and note


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
) -> Markup:
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
    bottom_y = top + len(rows) * row_height

    def x(value: float) -> float:
        return label_width + (value - low) / (high - low) * plot_w

    placed = []
    for index, row in enumerate(rows):
        ends = (row.low, row.high) if row.low is not None and row.high is not None else None
        interval = f" [{value_text(ends[0])}, {value_text(ends[1])}]" if ends else ""
        y = top + index * row_height + row_height / 2
        placed.append(
            _Row(
                shown=_clip(row.label, 16),
                y=y,
                label_y=y + 4,
                whisker=(x(ends[0]), x(ends[1])) if ends else None,
                dot=None if row.value is None else x(row.value),
                tip="" if row.value is None else f"{row.label}: {value_text(row.value)}{interval}{row.note}",
            )
        )
    return _chart(
        "interval_plot.svg.j2",
        width=width,
        height=bottom_y + bottom,
        label=label,
        rows=placed,
        color=color,
        label_x=label_width - 6,
        plot_x=label_width,
        top=top,
        plot_w=plot_w,
        plot_h=bottom_y - top,
        bottom_y=bottom_y,
        zero_x=x(0.0) if zero_line else None,
        axis=(value_text(low + pad), value_text(high - pad)) if axis else None,
        axis_y=bottom_y + 14,
        right_x=width - right,
    )
