"""An interrupted dialogue continues from its SQLite checkpoint without redoing finished turns."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from llm_roleplay.nodes.context import Context
from llm_roleplay.runner import resume_dialogue, run_dialogue


class Crash(BaseException):
    """Stands in for a killed process: not an Exception, so no node swallows it."""


class CountingBot:
    """A chatbot that records the turns it answered."""

    def __init__(self) -> None:
        self.answered: list[int] = []

    def __call__(self, messages: list[dict[str, Any]]) -> str:
        turn = sum(1 for message in messages if message["role"] == "user")
        self.answered.append(turn)
        return f"Answer {turn} to “{messages[-1]['content']}”: do this, then that."  # the fake judge's rule


def crash_after_user_turn(turn: int) -> Callable[[str, dict[str, Any]], None]:
    """A step listener that kills the run when the user's ``turn``-th message is written, before the
    chatbot answers it."""

    def on_step(node: str, update: dict[str, Any]) -> None:
        if node == "inquirer_turn" and update.get("turn") == turn:
            raise Crash

    return on_step


GOAL = "Find out how to repot a cactus without hurting my hands."


def test_interrupted_run_resumes_from_the_checkpoint_without_redoing_turns(tmp_path: Path) -> None:
    bot = CountingBot()
    context = Context(inquirer_model="fake", chatbot_model=bot, judge_model="fake", max_turns=6)
    db = tmp_path / "checkpoints.sqlite"

    with pytest.raises(Crash):
        run_dialogue(GOAL, None, context, db, on_step=crash_after_user_turn(3))
    assert bot.answered == [1, 2]

    outcome = run_dialogue(GOAL, None, context, db)  # the same command again

    assert outcome.status == "resumed"
    assert bot.answered == [1, 2, 3, 4]  # turns 1 and 2 came from the checkpoint
    record = outcome.record
    assert [m.turn for m in record.messages if m.role == "assistant"] == [1, 2, 3, 4]
    assert record.termination_reason == "goal_verified"


def test_finished_dialogue_is_returned_not_rerun(tmp_path: Path) -> None:
    bot = CountingBot()
    context = Context(inquirer_model="fake", chatbot_model=bot, judge_model="fake")
    db = tmp_path / "checkpoints.sqlite"
    first = run_dialogue(GOAL, None, context, db)
    calls = list(bot.answered)
    second = run_dialogue(GOAL, None, context, db)
    assert second.status == "already finished"
    assert bot.answered == calls
    assert second.record.messages == first.record.messages


def test_resume_by_id_uses_the_saved_settings(tmp_path: Path) -> None:
    db = tmp_path / "checkpoints.sqlite"
    context = Context(inquirer_model="fake", chatbot_model="fake", judge_model="none", max_turns=2, seed=7)
    first = run_dialogue(GOAL, {"attributes": {"occupation": "nurse"}}, context, db)
    again = resume_dialogue(first.record.id, db)
    assert again.status == "already finished"
    assert again.record.settings["max_turns"] == 2
    assert again.record.settings["seed"] == 7
    assert again.record.persona["attributes"] == {"occupation": "nurse"}
