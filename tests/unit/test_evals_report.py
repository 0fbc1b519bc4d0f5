"""The report page: every section rendered, self-contained, and untrusted text escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser
from pathlib import Path

import pytest

from llm_roleplay.evals.bootstrap import BootstrapSettings
from llm_roleplay.evals.pipeline import EvalOptions, evaluate_dataset
from llm_roleplay.evals.report import SECTIONS, render_report
from llm_roleplay.evals.svg import (
    Interval,
    Marker,
    Series,
    bar_chart,
    column_chart,
    interval_plot,
    nice_axis,
    nice_step,
)
from tests.unit.test_evals_fixtures import make_record, varied_records, write_dataset, write_reference

SETTINGS = BootstrapSettings(resamples=100)
ATTACK = '<script>alert("x")</script><img src=x onerror=alert(1)>'
# Ends a double-quoted attribute and its tag unless the quote is escaped: the page would get a
# script element, an <injected> one and its attribute.
HOSTILE = '"><script>alert(1)</script><injected data-injected="'


class _Page(HTMLParser):
    """Collects tags, ids and attributes of a page (a real parser, not regexes on markup)."""

    def __init__(self) -> None:
        super().__init__()
        self.tags: list[str] = []
        self.ids: set[str] = set()
        self.attributes: list[tuple[str, str | None]] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.attributes += attrs
        self.ids |= {value for name, value in attrs if name == "id" and value}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


def _parse(html: str) -> _Page:
    page = _Page()
    page.feed(html)
    return page


@pytest.fixture(scope="module")
def full_report(tmp_path_factory: pytest.TempPathFactory) -> str:
    tmp = tmp_path_factory.mktemp("report")
    records = varied_records(24, seed=4)
    records[0] = make_record(
        "dlg-evil",
        [
            ATTACK,
            "and & more \"quotes\" 'here'",
            *(f"then {i}?" for i in range(12)),
        ],  # the longest: an example
        goal=f"Goal {ATTACK}",
        attributes={"age_bracket": ATTACK, "native_english": "yes", "education": "bachelor"},
        description=f"Persona {ATTACK}",
        termination="max_turns",
    )
    root = write_dataset(tmp / "run", records)
    other = write_dataset(tmp / "other", varied_records(10, seed=5, prefix="other"))
    options = EvalOptions(
        dataset=root,
        judge="fake",
        reference=write_reference(tmp / "real.jsonl", count=10),
        compare=other,
        bootstrap=SETTINGS,
        progress=False,
    )
    return render_report(evaluate_dataset(options))


def _section_body(html: str, section_id: str) -> str:
    match = re.search(rf'<section id="{section_id}">(.*?)</section>', html, re.DOTALL)
    assert match is not None, f"no section {section_id}"
    return match.group(1)


def test_every_section_is_rendered_with_content(full_report: str) -> None:
    page = _parse(full_report)
    for section_id, title in SECTIONS:
        assert section_id in page.ids, section_id
        assert 'class="empty"' not in _section_body(full_report, section_id), f"{title} is empty"
    charts = {
        section_id: _section_body(full_report, section_id).count("<svg")
        for section_id in ("turns", "lengths", "termination", "personas", "by-persona", "compare")
    }
    assert all(count >= 1 for count in charts.values()), charts
    assert "real users" in full_report  # the reference series in the plots
    assert "paper 5.30" in full_report  # the paper's mean in the turns histogram


def test_untrusted_text_is_escaped(full_report: str) -> None:
    page = _parse(full_report)
    assert "script" not in page.tags and "img" not in page.tags
    assert not any(name.startswith("on") for name, _ in page.attributes)
    assert "<script>" not in full_report and "<img src=x" not in full_report
    text = "".join(page.text)
    assert ATTACK in text  # shown to the reader as text
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in full_report
    assert "and &amp; more &#34;quotes&#34; &#39;here&#39;" in full_report


def test_the_page_is_self_contained(full_report: str) -> None:
    page = _parse(full_report)
    assert "link" not in page.tags and "iframe" not in page.tags
    urls = [value for name, value in page.attributes if name in ("src", "href") and value]
    assert all(url.startswith("#") for url in urls), urls  # in-page navigation only
    assert "default-src 'none'" in full_report  # a CSP forbids scripts and remote loads


def test_statistics_only_report_says_what_was_not_run(tmp_path: Path) -> None:
    root = write_dataset(tmp_path / "run", varied_records(6))
    html = render_report(evaluate_dataset(EvalOptions(dataset=root, judge="none", bootstrap=SETTINGS)))
    for section_id in ("judges", "stop", "reference", "compare"):
        assert 'class="empty"' in _section_body(html, section_id), section_id
    assert "statistics only" in html


def test_svg_helpers() -> None:
    assert nice_axis(0.43) == (0.5, 5)
    assert nice_axis(7) == (10, 5)
    assert nice_axis(1.6) == (2, 4)
    assert nice_axis(0) == (1.0, 5)
    assert nice_step(4.6) == 2
    chart = bar_chart([("<b>bold</b>", 3.0)], label='say "hi"')
    assert (
        "<b>" not in chart and "&lt;b&gt;bold&lt;/b&gt;" in chart and 'aria-label="say &#34;hi&#34;"' in chart
    )


def _no_markup_from(page: _Page) -> None:
    assert "script" not in page.tags and "injected" not in page.tags
    assert not any(name.startswith("on") or name == "data-injected" for name, _ in page.attributes)


def test_hostile_text_stays_text_in_the_report_and_its_attributes(tmp_path: Path) -> None:
    """Goal, dialogue, persona attribute and experiment URL with markup and quotes: shown as given,
    in text, in SVG attributes (aria-label) and in an href, never parsed as elements or attributes."""
    records = varied_records(6)
    records[0] = make_record(
        "dlg-hostile",
        [f"user {HOSTILE}", *(f"then {i}?" for i in range(12))],  # the longest: an example
        goal=f"Goal {HOSTILE}",
        attributes={"age_bracket": HOSTILE, HOSTILE: "yes"},
        description=f"Persona {HOSTILE}",
    )
    options = EvalOptions(
        dataset=write_dataset(tmp_path / "run", records), judge="fake", bootstrap=SETTINGS, progress=False
    )
    data = evaluate_dataset(options)
    data["langsmith"]["experiments"][0]["url"] = f"https://example.org/?q={HOSTILE}"
    html = render_report(data)
    page = _parse(html)
    _no_markup_from(page)
    text = "".join(page.text)
    assert f"Goal {HOSTILE}" in text and f"user {HOSTILE}" in text
    assert ("aria-label", f"Persona {HOSTILE}") in page.attributes  # the persona chart's label
    assert ("href", f"https://example.org/?q={HOSTILE}") in page.attributes


def test_hostile_text_stays_text_in_every_chart() -> None:
    charts = {
        "bar": bar_chart([(HOSTILE, 2.0)], label=HOSTILE),
        "column": column_chart(
            [HOSTILE],
            [Series(HOSTILE, [1.0], "#000")],
            label=HOSTILE,
            x_title=HOSTILE,
            markers=[Marker(0.5, HOSTILE)],
        ),
        "interval": interval_plot([Interval(HOSTILE, 1.0, 0.5, 1.5, note=HOSTILE)], label=HOSTILE),
    }
    for kind, chart in charts.items():
        page = _parse(chart)
        _no_markup_from(page)
        assert page.tags[0] == "svg" and ("aria-label", HOSTILE) in page.attributes, kind
        assert HOSTILE in "".join(page.text), kind  # the title and the tooltips
