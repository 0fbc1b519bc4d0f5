"""LLM judges on hand-made dialogues whose answer is known: ``fake`` judges, and langchain_core fakes
returning malformed output (retried a bounded number of times, then recorded, never a crash)."""

from __future__ import annotations

from typing import Any

import pytest
from langchain_core.language_models.fake_chat_models import FakeListChatModel
from langchain_core.messages import HumanMessage

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.fake_models import FakeRoleplayModel
from llm_roleplay.evals.judge_metrics import judge_metrics, judge_summary
from llm_roleplay.evals.judges import (
    Judge,
    JudgeResult,
    build_judge,
    goal_completion,
    human_likeness,
    human_likeness_paired,
    persona_fidelity,
    simulated_shown_first,
)
from llm_roleplay.nodes.llm import invoke
from tests.unit.test_evals_fixtures import make_record

GOAL = "Find a vegetarian lasagna recipe and a shopping list for it"


def _fake() -> Judge:
    judge = build_judge("fake")
    assert judge is not None
    return judge


def test_goal_completion_is_not_met_when_the_plain_checks_fail_whatever_the_judge_says() -> None:
    goal = "You ran 100 m in 20 s. You want to know your speed."
    wrong = make_record("wrong", ["my speed? 100 m in 20 s"], goal=goal, replies=["100 / 20 = 4, so 4 m/s."])
    right = make_record("right", ["my speed? 100 m in 20 s"], goal=goal, replies=["100 / 20 = 5, so 5 m/s."])
    always_met, _ = _scripted('{"verdict": "met", "rationale": "looks fine"}', attempts=1)
    result = goal_completion(wrong, always_met)
    assert (result.label, result.score, result.attempts) == ("not_met", 0.0, 0)
    assert "false_arithmetic" in result.rationale and "100 / 20 = 4" in result.rationale
    assert goal_completion(right, always_met).label == "met"  # only then is the judge asked


def _scripted(*replies: str, attempts: int = 3) -> tuple[Judge, FakeListChatModel]:
    model = FakeListChatModel(responses=list(replies))
    return Judge(model=model, spec="scripted", max_attempts=attempts), model


def test_goal_completion_with_the_fake_judge() -> None:
    answered = make_record(
        "met",
        ["any good vegetarian lasagna recipe?", "and what do i buy"],
        goal=GOAL,
        replies=[
            "Here is a vegetarian lasagna recipe: ...",
            "Your shopping list: pasta sheets, ricotta, spinach.",
        ],
    )
    partly = make_record("partly", ["lasagna ideas?"], goal=GOAL, replies=["Try a vegetarian lasagna."])
    nothing = make_record("not", ["hello?"], goal=GOAL, replies=["Hello! Nice weather today."])
    # goal content words: find vegetarian lasagna recipe shopping list (6)
    assert goal_completion(answered, _fake()).label == "met"  # 5 of 6 used by the replies (not "find")
    assert goal_completion(partly, _fake()).label == "partially_met"  # vegetarian, lasagna: 2 of 6
    result = goal_completion(nothing, _fake())
    assert (result.status, result.label, result.score, result.attempts) == ("ok", "not_met", 0.0, 1)
    assert "0%" in result.rationale


def test_persona_fidelity_with_the_fake_judge() -> None:
    persona = {"age_bracket": "65+", "occupation": "retired teacher"}
    plain = make_record("plain", ["how do i attach a photo to an email"], attributes=persona)
    announcing = make_record(
        "loud", ["As a retired teacher aged 70, how do I attach a photo?"], attributes=persona
    )
    assert persona_fidelity(plain, _fake()).score == 4.0
    flagged = persona_fidelity(announcing, _fake())
    assert flagged.score == 2.0 and flagged.extra == {"announced": True}
    no_persona = make_record("none", ["hi"], description="")
    assert persona_fidelity(no_persona, _fake()).status == "skipped"


def test_human_likeness_single_and_paired_with_the_fake_judge() -> None:
    casual = make_record("sim-casual", ["hey whats a good lasagna", "ok thx"])
    formal = make_record("sim-formal", ["Could you suggest a lasagna recipe?", "Thank you very much."])
    assert human_likeness(casual, _fake()).label == "human"
    assert human_likeness(formal, _fake()).score == 0.0
    real = make_record("real-1", ["lasagna recipe pls", "thx"])
    # the fake judge picks the more casual user as the human, in whichever position it is shown
    fooled = human_likeness_paired(casual, make_record("real-x", ["Could I have a recipe?"]), _fake())
    caught = human_likeness_paired(formal, real, _fake())
    assert (fooled.score, fooled.label) == (1.0, "simulated")
    assert (caught.score, caught.label) == (0.0, "real")
    sides = {simulated_shown_first(f"s{i}", f"r{i}", 0) for i in range(20)}
    assert sides == {True, False}  # the order is a seeded coin, so position bias cancels out


def test_paired_order_is_reported_and_both_orders_score_the_same() -> None:
    formal = make_record("x", ["Could you suggest a lasagna recipe?"])
    ids = [(f"sim{i}", f"real{i}") for i in range(40)]
    first = next(pair for pair in ids if simulated_shown_first(*pair, 0))
    second = next(pair for pair in ids if not simulated_shown_first(*pair, 0))
    for sim_id, real_id in (first, second):
        result = human_likeness_paired(
            {**formal, "id": sim_id}, make_record(real_id, ["lasagna pls"]), _fake()
        )
        assert result.score == 0.0
        assert result.extra["simulated_side"] == ("A" if (sim_id, real_id) == first else "B")


def test_malformed_output_is_retried_then_parsed() -> None:
    judge, model = _scripted("I'd say it went well.", '```json\n{"verdict": "met", "rationale": "ok"}\n```')
    result = goal_completion(make_record("r", ["q"]), judge)
    assert (result.status, result.label, result.attempts) == ("ok", "met", 2)
    assert model.i == 0  # both scripted replies consumed (the list wrapped around)


def test_malformed_output_every_time_is_recorded_as_unparseable() -> None:
    judge, _ = _scripted("nope", "still nope", '{"verdict": "perhaps"', attempts=3)
    result = persona_fidelity(make_record("r", ["q"], attributes={"age": "young"}), judge)
    assert result.status == "unparseable"
    assert result.score is None and result.attempts == 3
    assert result.raw == '{"verdict": "perhaps"'  # the last reply is kept for the report
    feedback = result.feedback()
    assert feedback["key"] == "persona_fidelity" and feedback["score"] is None
    assert feedback["comment"].startswith("unparseable")


def test_attempts_are_bounded() -> None:
    calls: list[str] = []

    class Counting(FakeListChatModel):
        def _call(self, *args: Any, **kwargs: Any) -> str:
            calls.append("call")
            return super()._call(*args, **kwargs)

    judge = Judge(model=Counting(responses=["garbage"]), spec="counting", max_attempts=4)
    assert human_likeness(make_record("r", ["q"]), judge).status == "unparseable"
    assert len(calls) == 4


def test_a_failing_model_is_an_error_verdict_not_a_crash() -> None:
    class Broken(FakeListChatModel):
        def _call(self, *args: Any, **kwargs: Any) -> str:
            raise TimeoutError("judge server timed out")

    result = goal_completion(make_record("r", ["q"]), Judge(model=Broken(responses=["x"]), spec="broken"))
    assert result.status == "error" and result.score is None
    assert "TimeoutError: judge server timed out" in result.rationale


def test_build_judge() -> None:
    assert build_judge("none") is None
    assert isinstance(_fake().model, FakeRoleplayModel)
    with pytest.raises(ConfigError, match="unknown spec"):
        build_judge("nonsense")
    with pytest.raises(ConfigError, match="judge-attempts"):
        build_judge("fake", max_attempts=0)


def test_fake_reply_branch_is_deterministic_json() -> None:
    model = FakeRoleplayModel(role="judge")
    prompt = "<dialogue>\nUser: hey there\n\nAssistant: hi\n</dialogue>"
    replies = {
        invoke(model, [HumanMessage(prompt)], task="eval_human_likeness", turn=1, seed=s).text for s in (1, 2)
    }
    assert replies == {
        '{"author": "human", "rationale": "100% of the user\'s messages look casually typed."}'
    }


def test_metrics_leave_out_unparseable_verdicts_and_the_summary_counts_them() -> None:
    verdicts = {
        "a": {"goal_completion": JudgeResult("goal_completion", "ok", 1.0, "met")},
        "b": {"goal_completion": JudgeResult("goal_completion", "ok", 0.5, "partially_met")},
        "c": {
            "goal_completion": JudgeResult("goal_completion", "unparseable", raw="??", rationale="no verdict")
        },
    }
    [completion, met] = judge_metrics(["a", "b", "c"], verdicts)
    assert completion.name == "goal_completion" and completion.statistic(completion.units) == 0.75
    assert completion.count(completion.units) == 2  # the unparseable verdict is missing, not a zero
    assert met.statistic(met.units) == 0.5
    summary = judge_summary([by_key["goal_completion"] for by_key in verdicts.values()])
    assert summary["status"] == {"ok": 2, "unparseable": 1}
    assert summary["labels"] == {"met": 1, "partially_met": 1}
    assert summary["first_problem"] == "no verdict | last reply: ??"
