"""The annotation form in a real headless Chromium: answer, reload, export, score the export.

The browser is driven over the Chrome DevTools Protocol with a minimal client (JSON messages on a
websocket, ``websockets`` being installed as a dependency of langgraph-api). Clicks are real DOM
clicks (``element.click()`` through ``Runtime.evaluate``) and key presses real key events
(``Input.dispatchKeyEvent``), so the page's own handlers do all the work; the export is the real
download, caught in a folder with ``Browser.setDownloadBehavior``.

Needs Chromium (Debian: ``apt-get install -y chromium``); skipped, saying so, without it.
"""

from __future__ import annotations

import argparse
import json
import os
import queue
import re
import shutil
import subprocess
import threading
import time
from collections.abc import Iterator
from contextlib import ExitStack
from pathlib import Path
from typing import IO, Any

import pytest

from llm_roleplay.evals.humaneval import command
from llm_roleplay.evals.humaneval.prepare import PrepareOptions, prepare
from tests.unit.test_humaneval_fixtures import REAL, SIMULATED, write_real_jsonl, write_simulated

CHROMIUM = next(
    (found for name in ("chromium", "chromium-browser", "google-chrome") if (found := shutil.which(name))),
    None,
)
pytestmark = pytest.mark.skipif(
    CHROMIUM is None, reason="needs Chromium for the headless-browser test: apt-get install -y chromium"
)
XSS = "<img src=x onerror=\"document.title='pwned'\"> why is my image gone </script><b>bold?</b>"


def _drain(stream: IO[str] | None, lines: queue.Queue[str]) -> None:
    """Chromium's stderr, line by line (read to the end, so that a full pipe never blocks it)."""
    for line in stream or []:
        lines.put(line)


class Browser:
    """Headless Chromium and a DevTools-protocol client: ``call(method, **params)``."""

    def __init__(self, profile: Path) -> None:
        from websockets.sync.client import connect

        args = [str(CHROMIUM), "--headless", "--remote-debugging-port=0", f"--user-data-dir={profile}"]
        args += ["--no-first-run", "--disable-gpu", "--window-size=1100,1000", "about:blank"]
        if os.geteuid() == 0:
            args.insert(1, "--no-sandbox")  # Chromium refuses to run its sandbox as root
        self.process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
        lines: queue.Queue[str] = queue.Queue()
        threading.Thread(target=_drain, args=(self.process.stderr, lines), daemon=True).start()
        deadline, url, seen = time.monotonic() + 30, None, []
        while url is None and time.monotonic() < deadline:
            try:
                seen.append(lines.get(timeout=1))
            except queue.Empty:
                if self.process.poll() is not None:
                    break
                continue
            match = re.search(r"DevTools listening on (ws://\S+)", seen[-1])
            url = match.group(1) if match else None
        if url is None:
            self.process.kill()
            raise RuntimeError(f"{CHROMIUM} did not start its DevTools server: {''.join(seen[-5:])}")
        self.connection = ExitStack()
        self.socket = self.connection.enter_context(connect(url, max_size=None, open_timeout=10))
        self.last_id = 0

    def call(self, method: str, session: str | None = None, **params: Any) -> dict[str, Any]:
        self.last_id += 1
        message: dict[str, Any] = {"id": self.last_id, "method": method, "params": params}
        if session:
            message["sessionId"] = session
        self.socket.send(json.dumps(message))
        while True:  # events arrive in between; this client needs none of them
            reply = json.loads(self.socket.recv(timeout=30))
            if reply.get("id") == self.last_id:
                if "error" in reply:
                    raise RuntimeError(f"{method}: {reply['error']}")
                return reply.get("result", {})

    def close(self) -> None:
        self.connection.close()
        self.process.terminate()
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()


class Page:
    def __init__(self, browser: Browser, url: str) -> None:
        self.browser = browser
        target = browser.call("Target.createTarget", url=url)["targetId"]
        self.session = browser.call("Target.attachToTarget", targetId=target, flatten=True)["sessionId"]
        browser.call("Emulation.setFocusEmulationEnabled", self.session, enabled=True)  # keys reach the page

    def js(self, expression: str) -> Any:
        result = self.browser.call(
            "Runtime.evaluate", self.session, expression=expression, returnByValue=True, awaitPromise=True
        )
        if "exceptionDetails" in result:
            raise AssertionError(f"{expression}: {result['exceptionDetails']}")
        return result["result"].get("value")

    def wait_for(self, expression: str, timeout: float = 10.0) -> Any:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                value = self.js(expression)
            except (AssertionError, RuntimeError):
                value = None  # the page is (re)loading
            if value:
                return value
            time.sleep(0.05)
        raise AssertionError(f"timed out waiting for {expression}")

    def click(self, selector: str) -> None:
        self.js(f"document.querySelector({json.dumps(selector)}).click()")

    def fill(self, selector: str, value: str) -> None:
        """Set a field's text and fire the ``input`` event typing would fire."""
        self.js(
            f"(() => {{ const field = document.querySelector({json.dumps(selector)}); "
            f"field.value = {json.dumps(value)}; field.dispatchEvent(new Event('input')); }})()"
        )

    def press(self, key: str) -> None:
        text = {"text": key} if len(key) == 1 else {}  # a printable key types its character
        for kind in ("keyDown", "keyUp"):
            self.browser.call("Input.dispatchKeyEvent", self.session, type=kind, key=key, **text)

    def text(self, selector: str) -> str:
        return str(self.js(f"document.querySelector({json.dumps(selector)}).textContent"))


@pytest.fixture
def browser(tmp_path: Path) -> Iterator[Browser]:
    instance = Browser(tmp_path / "profile")
    try:
        yield instance
    finally:
        instance.close()


def _study(tmp_path: Path) -> tuple[Path, dict[str, Any], dict[str, Any]]:
    """All 8 simulated dialogues and 8 real ones, one of them full of HTML."""
    real = [*REAL[:7], ("wc-xss", "coding", [(XSS, "An <img> tag needs a valid src.")])]
    out = tmp_path / "study"
    prepare(
        PrepareOptions(
            simulated=write_simulated(tmp_path / "sim"),
            real=write_real_jsonl(tmp_path / "real.jsonl", real),
            n=2 * len(SIMULATED),
            out=out,
            seed=3,
        )
    )
    items = json.loads((out / "items.json").read_text())
    key = json.loads((out / "key.json").read_text())
    return out, items, key


def _downloaded(folder: Path, timeout: float = 15.0) -> list[Path]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        done = [path for path in folder.glob("*.json")]
        if done and not list(folder.glob("*.crdownload")):
            return done
        time.sleep(0.1)
    return []


def test_answer_reload_export_and_score_in_a_real_browser(tmp_path: Path, browser: Browser) -> None:
    study, items, key = _study(tmp_path)
    downloads = tmp_path / "downloads"
    downloads.mkdir()
    browser.call("Browser.setDownloadBehavior", behavior="allow", downloadPath=str(downloads))
    page = Page(browser, (study / "form.html").as_uri())
    total = len(items["items"])
    assert page.wait_for(
        "document.readyState === 'complete' && document.getElementById('progress').textContent"
    )
    assert page.text("#progress") == f"1 / {total}"
    assert page.text("#question") == "Was the USER in this conversation a human or a model?"

    # Export is refused without a name, and nothing is downloaded.
    page.click("#export")
    assert "Enter your name" in page.text("#status")
    assert not _downloaded(downloads, timeout=0.5)

    # Items 1-3 by clicking, item 4 with the keyboard shortcuts.
    plan = [("human", 4, "typos, no capitals"), ("model", 5, ""), ("model", 2, "")]
    for label, confidence, comment in plan:
        page.click(f'input[name="label"][value="{label}"]')
        page.click(f'input[name="confidence"][value="{confidence}"]')
        if comment:
            page.fill("#comment", comment)
        page.click("#next")
    assert page.text("#progress") == f"4 / {total}"
    # The failed export put the focus in the name field: a key typed there is text, not an answer.
    page.press("m")
    assert page.js("document.getElementById('annotator').value") == "m"
    assert page.js("document.querySelector('input[name=\"label\"]:checked')") is None
    page.js("document.activeElement.blur()")
    page.press("m")
    page.press("3")
    assert page.js('document.querySelector(\'input[name="label"][value="model"]\').checked') is True
    page.press("ArrowRight")
    assert page.text("#progress") == f"5 / {total}"
    assert page.text("#answered") == "4 answered"
    page.fill("#annotator", "Alice")

    # Answers, name and position survive a reload (localStorage, keyed by the study id).
    page.js("window.beforeReload = true")
    browser.call("Page.reload", page.session)
    assert page.wait_for("!window.beforeReload && document.readyState === 'complete'")
    assert page.text("#answered") == "4 answered"
    assert page.text("#progress") == f"5 / {total}"
    assert page.js("document.getElementById('annotator').value") == "Alice"
    assert page.js(f"localStorage.getItem('humaneval:{items['study_id']}') !== null") is True
    page.click("#chips button:nth-child(1)")
    assert page.js("document.getElementById('comment').value") == "typos, no capitals"
    assert page.js('document.querySelector(\'input[name="confidence"][value="4"]\').checked') is True

    # Untrusted text is shown as text: no element is created from it, no script runs.
    xss_index = next(i for i, item in enumerate(items["items"]) if "<img" in item["messages"][0]["content"])
    page.click(f"#chips button:nth-child({xss_index + 1})")
    assert XSS in page.text("#dialogue")
    assert page.js("document.querySelectorAll('#dialogue *').length") == 3 * len(
        items["items"][xss_index]["messages"]
    )
    assert page.js("document.querySelectorAll('img, b').length") == 0
    assert page.js("document.title") == "Conversation study"
    roles = page.js("[...document.querySelectorAll('#dialogue .turn')].map(t => t.className)")
    assert roles == ["turn user", "turn assistant"]

    shot = browser.call("Page.captureScreenshot", page.session, format="png")["data"]
    assert len(shot) > 10_000  # a rendered page, not a blank one (base64 PNG)

    # The real download, scored together with a second annotator's file.
    page.click("#export")
    files = _downloaded(downloads)
    assert [path.name for path in files] == [f"answers-alice-{items['study_id']}.json"]
    exported = json.loads(files[0].read_text())
    first_four = [item["item_id"] for item in items["items"][:4]]
    assert exported == {
        "study_id": items["study_id"],
        "annotator": "Alice",
        "answers": [
            {"item_id": first_four[0], "label": "human", "confidence": 4, "comment": "typos, no capitals"},
            {"item_id": first_four[1], "label": "model", "confidence": 5, "comment": ""},
            {"item_id": first_four[2], "label": "model", "confidence": 2, "comment": ""},
            {"item_id": first_four[3], "label": "model", "confidence": 3, "comment": ""},
        ],
    }
    assert page.text("#status") == "Exported 4 of 16 answers (12 not answered yet)."

    # On a shared computer the next annotator starts over (the page asks first; the test says yes).
    page.js("window.confirm = () => true")
    page.click("#clear")
    assert (page.text("#answered"), page.text("#progress")) == ("0 answered", f"1 / {total}")
    assert page.js("document.getElementById('annotator').value") == ""
    stored = json.loads(page.js(f"localStorage.getItem('humaneval:{items['study_id']}')"))
    assert stored == {"annotator": "", "position": 0, "answers": {}}

    bob = tmp_path / "bob.json"
    bob.write_text(
        json.dumps(
            {
                "study_id": items["study_id"],
                "annotator": "Bob",
                "answers": [
                    {"item_id": i, "label": "human", "confidence": 3, "comment": ""} for i in first_four
                ],
            }
        )
    )
    parser = argparse.ArgumentParser(prog="roleplay")
    command.add_parser(parser.add_subparsers(dest="command"))
    assert command.run(parser.parse_args(["humaneval", "score", str(study), str(files[0]), str(bob)])) == 0
    score = json.loads((study / "score.json").read_text())
    sources = [key["items"][item_id]["source"] for item_id in first_four]
    alice = ["human", "model", "model", "model"]
    simulated_alice = [label for label, source in zip(alice, sources, strict=True) if source == "simulated"]
    assert score["per_annotator"]["Alice"]["answered"] == 4
    assert score["per_annotator"]["Alice"]["undetected_rate"]["k"] == simulated_alice.count("human")
    assert score["per_annotator"]["Alice"]["undetected_rate"]["n"] == len(simulated_alice)
    assert score["agreement"]["pairwise"][0]["items"] == 4
    assert score["agreement"]["pairwise"][0]["observed"] == 0.25
