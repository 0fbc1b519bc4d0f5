"""Test-wide settings, read before any test module is imported.

LangSmith's pytest integration (``@pytest.mark.langsmith``) uploads each marked test as an
experiment, and fails offline; with no key set, it is switched off here so the suite runs offline.
A CI with ``LANGSMITH_API_KEY`` (and tracking left on) logs the experiments.
"""

from __future__ import annotations

import os

if not os.environ.get("LANGSMITH_API_KEY"):
    os.environ.setdefault("LANGSMITH_TEST_TRACKING", "false")
    os.environ.setdefault("LANGSMITH_TRACING", "false")

# `pytester` runs the pytest helper (llm_roleplay.testing) on test files of its own.
pytest_plugins = ["pytester"]
