"""`--chatbot-rps`: one rate limit for all dialogues in flight, measured at a real server."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from tests.support.openai_stub import OpenAIStub

REPO = Path(__file__).resolve().parents[2]
ROLEPLAY = Path(sys.executable).parent / "roleplay"


def test_chatbot_requests_never_exceed_the_rate(tmp_path: Path) -> None:
    goals = tmp_path / "goals.jsonl"
    goals.write_text("".join(f'{{"goal": "You want help with small task {i}."}}\n' for i in range(6)))
    rate = 4.0
    with OpenAIStub() as stub:
        result = subprocess.run(
            [
                str(ROLEPLAY),
                "generate",
                "--goals",
                str(goals),
                "--out",
                str(tmp_path / "out"),
                "--personas",
                "2",
                "--inquirer",
                "fake",
                "--judge",
                "none",
                "--max-turns",
                "2",
                "--chatbot",
                "openai:stub",
                "--chatbot-base-url",
                stub.base_url,
                "--chatbot-rps",
                str(rate),
                "--concurrency",
                "8",
                "--quiet",
            ],
            env={**os.environ, "PYTHONPATH": str(REPO), "LANGSMITH_TRACING": "false"},
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr
        times = sorted(request.received_at for request in stub.log)
    assert len(times) == 12 * 2  # 12 dialogues, 2 chatbot calls each
    # With no bursts allowed, n requests need at least (n - 1) / rate seconds (10% timing slack);
    # unlimited, the 8 dialogues in flight would send them all within a fraction of a second.
    for window in (8, len(times)):
        for start in range(len(times) - window + 1):
            assert times[start + window - 1] - times[start] >= 0.9 * (window - 1) / rate
