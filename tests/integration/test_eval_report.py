"""The evaluation report in a real browser: generate a dataset, evaluate it, open report.html in
headless Chromium, and check the screenshot and the rendered DOM.

Needs a Chromium binary (``apt-get install -y chromium`` on Debian); skipped with a clear reason
when none is installed.
"""

from __future__ import annotations

import json
import os
import shutil
import struct
import subprocess
import sys
import zlib
from html.parser import HTMLParser
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
ROLEPLAY = Path(sys.executable).parent / "roleplay"
BROWSERS = ("chromium", "chromium-browser", "google-chrome", "google-chrome-stable")
SECTIONS = (
    "summary", "metrics", "turns", "lengths", "termination", "personas", "by-persona",
    "judges", "stop", "reference", "compare", "examples",
)  # fmt: skip
# `roleplay eval` exactly as llm_roleplay/cli.py wires it: evals.command.add_parser and run.
EVAL = (
    "import argparse, sys\n"
    "from evals import command\n"
    "parser = argparse.ArgumentParser(prog='roleplay')\n"
    "command.add_parser(parser.add_subparsers(dest='command', required=True))\n"
    "sys.exit(command.run(parser.parse_args(sys.argv[1:])))\n"
)
GOALS = [
    {"id": f"g{i}", "domain": "test", "goal": f"You want help with {topic}, then a short summary of it."}
    for i, topic in enumerate(
        ["a budget for a bike", "a birthday poem", "a bug in a loop", "a letter to a bank"]
    )
]


def _browser() -> str:
    for name in BROWSERS:
        found = shutil.which(name)
        if found:
            return found
    pytest.skip(f"no headless browser: none of {', '.join(BROWSERS)} on PATH (apt-get install -y chromium)")


def _environment() -> dict[str, str]:
    env = {**os.environ, "PYTHONPATH": str(REPO), "LANGSMITH_TRACING": "false"}
    env.pop("LANGSMITH_API_KEY", None)
    env.pop("LANGCHAIN_API_KEY", None)
    return env


def _run(args: list[str], **kwargs: object) -> subprocess.CompletedProcess[str]:
    result = subprocess.run(args, env=_environment(), capture_output=True, text=True, timeout=180, **kwargs)  # type: ignore[call-overload]
    assert result.returncode == 0, f"{args[:3]} failed:\n{result.stdout}\n{result.stderr}"
    return result


def _generate(goals: Path, out: Path, personas: str, seed: str) -> Path:
    _run([
        str(ROLEPLAY), "generate", "--goals", str(goals), "--out", str(out), "--personas", personas,
        "--seed", seed, "--inquirer", "fake", "--chatbot", "fake", "--judge", "fake", "--quiet",
    ])  # fmt: skip
    return out


def _chromium(browser: str, profile: Path, *args: str) -> subprocess.CompletedProcess[str]:
    command = [
        browser, "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        f"--user-data-dir={profile}", "--window-size=1200,2000", *args,
    ]  # fmt: skip
    return subprocess.run(command, capture_output=True, text=True, timeout=120)


def _png_pixels(path: Path) -> tuple[int, int, list[bytes]]:
    """Decode an 8-bit RGB(A) PNG with zlib and struct: width, height and the rows of pixel bytes."""
    data = path.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n", "not a PNG"
    position, idat, width, height, channels = 8, b"", 0, 0, 0
    while position < len(data):
        length, kind = struct.unpack(">I4s", data[position : position + 8])
        body = data[position + 8 : position + 8 + length]
        position += 12 + length
        if kind == b"IHDR":
            width, height, depth, colour = struct.unpack(">IIBB", body[:10])
            assert depth == 8 and colour in (2, 6), (depth, colour)
            channels = 3 if colour == 2 else 4
        elif kind == b"IDAT":
            idat += body
    raw, stride = zlib.decompress(idat), width * channels
    rows, previous, offset = [], bytearray(stride), 0
    for _ in range(height):
        kind, line = raw[offset], bytearray(raw[offset + 1 : offset + 1 + stride])
        offset += 1 + stride
        for x in range(stride):
            left = line[x - channels] if x >= channels else 0
            up, corner = previous[x], previous[x - channels] if x >= channels else 0
            if kind == 1:
                line[x] = (line[x] + left) & 255
            elif kind == 2:
                line[x] = (line[x] + up) & 255
            elif kind == 3:
                line[x] = (line[x] + (left + up) // 2) & 255
            elif kind == 4:
                p = left + up - corner
                best = min((abs(p - left), 0, left), (abs(p - up), 1, up), (abs(p - corner), 2, corner))
                line[x] = (line[x] + best[2]) & 255
        rows.append(bytes(line))
        previous = line
    return width, height, rows


class _Dom(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.ids: set[str] = set()
        self.tags: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append(tag)
        self.ids |= {value for name, value in attrs if name == "id" and value}

    def handle_data(self, data: str) -> None:
        self.text.append(data)


@pytest.fixture(scope="module")
def report(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("eval_report")
    goals = tmp / "goals.jsonl"
    goals.write_text("".join(json.dumps(goal) + "\n" for goal in GOALS), encoding="utf-8")
    run = _generate(goals, tmp / "run", personas="4", seed="0")
    other = _generate(goals, tmp / "other", personas="3", seed="1")
    reference = tmp / "real.jsonl"
    reference.write_text(
        "".join(
            json.dumps(
                {"messages": [{"role": "user", "content": text}, {"role": "assistant", "content": "Sure."}]}
            )
            + "\n"
            for text in (
                "hey can u fix my loop",
                "need a poem for my mum's bday",
                "bike budget?? like 300 max",
            )
        ),
        encoding="utf-8",
    )
    args = [sys.executable, "-c", EVAL, "eval", str(run), "--judge", "fake", "--reference", str(reference),
            "--compare", str(other), "--resamples", "300", "--quiet"]  # fmt: skip
    _run(args, cwd=tmp)
    assert json.loads((run / "eval.json").read_text())["metrics"]["turns_per_dialogue"]["n"] == 16
    return run / "report.html"


def test_report_renders_in_headless_chromium(report: Path, tmp_path: Path) -> None:
    browser = _browser()
    blank_html = tmp_path / "blank.html"
    blank_html.write_text("<!DOCTYPE html><html><body></body></html>", encoding="utf-8")
    shots = {}
    for name, page in (("blank", blank_html), ("report", report)):
        shots[name] = tmp_path / f"{name}.png"
        result = _chromium(
            browser, tmp_path / f"profile-{name}", f"--screenshot={shots[name]}", page.as_uri()
        )
        assert shots[name].exists(), f"no screenshot of {name}: {result.stderr[-2000:]}"
    assert shots["report"].stat().st_size > 10 * shots["blank"].stat().st_size
    width, height, rows = _png_pixels(shots["report"])
    assert (width, height) == (1200, 2000)
    colours = {row[x : x + 3] for row in rows[::16] for x in range(0, len(row), 4 * 13)}
    assert len(colours) > 50, f"the screenshot is nearly uniform ({len(colours)} colours)"
    top = {row[x : x + 3] for row in rows[:150] for x in range(0, len(row), 4 * 7)}
    assert len(top) > 5  # the header band is drawn, with text on it
    shutil.copy(shots["report"], report.with_suffix(".png"))  # kept beside the report for a look


def test_report_dom_has_every_section(report: Path, tmp_path: Path) -> None:
    browser = _browser()
    result = _chromium(browser, tmp_path / "profile", "--dump-dom", report.as_uri())
    assert result.returncode == 0, result.stderr[-2000:]
    dom = _Dom()
    dom.feed(result.stdout)
    missing = [section for section in SECTIONS if section not in dom.ids]
    assert not missing, f"sections missing from the rendered page: {missing}"
    assert dom.tags.count("svg") >= 10
    assert "script" not in dom.tags
    text = " ".join(dom.text)
    for phrase in (
        "Turns per dialogue",
        "paper 5.30",
        "Example dialogues",
        "Against real users",
        "Stop precision",
    ):
        assert phrase in text, phrase
    # the fake inquirer's opening, in an example (the typing pass may drop its "Hi!")
    assert "need some help with" in text
