"""The embedded server's thread count: the cores other work leaves free now, or the user's."""

from __future__ import annotations

import psutil
import pytest

from llm_roleplay.blocks import local_model
from llm_roleplay.blocks.local_model import busy_cores, default_threads


@pytest.fixture
def two_cores(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ROLEPLAY_LOCAL_THREADS", raising=False)
    monkeypatch.setattr(local_model.os, "cpu_count", lambda: 2)


def cpu_use(monkeypatch: pytest.MonkeyPatch, percent: float) -> list[float]:
    windows: list[float] = []

    def measured(interval: float) -> float:
        windows.append(interval)
        return percent

    monkeypatch.setattr(psutil, "cpu_percent", measured)
    return windows


@pytest.mark.usefixtures("two_cores")
def test_idle_cores_get_a_thread_each_whatever_the_load_average_says(monkeypatch: pytest.MonkeyPatch) -> None:
    # Right after an install the one-minute load average still reads busy cores.
    monkeypatch.setattr(local_model.os, "getloadavg", lambda: (1.4, 1.0, 0.8))
    windows = cpu_use(monkeypatch, 3.0)
    assert default_threads() == 2
    assert windows and 0 < windows[0] <= 0.5  # measured now, over a short window


@pytest.mark.usefixtures("two_cores")
def test_a_core_kept_busy_by_other_work_is_left_to_it(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu_use(monkeypatch, 55.0)
    assert busy_cores(2) == 1
    assert default_threads() == 1


@pytest.mark.usefixtures("two_cores")
def test_at_least_one_thread_on_a_saturated_machine(monkeypatch: pytest.MonkeyPatch) -> None:
    cpu_use(monkeypatch, 100.0)
    assert default_threads() == 1


@pytest.mark.usefixtures("two_cores")
def test_the_environment_variable_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    windows = cpu_use(monkeypatch, 100.0)
    monkeypatch.setenv("ROLEPLAY_LOCAL_THREADS", "3")
    assert default_threads() == 3
    assert windows == []  # nothing measured when the user has chosen
