"""Chatbot replies are read as a person sees them: math rendered, code and money as written."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage

from llm_roleplay.nodes.inquirer_prompt import context_text
from llm_roleplay.nodes.rendering import as_rendered
from llm_roleplay.nodes.verification import judge_transcript, quoted_evidence

# As the embedded chatbot wrote it on 2026-11-28; the judge then found "no sentence of the
# replies" that gave the speeds, and the user called the correct speeds wrong.
SPEEDS = (
    "Now that you have the recorded times, we can calculate the speeds for each race as follows:\n\n"
    "1. **50-meter race:**\n"
    "   \\[ \\text{Speed} = \\frac{50 \\text{ meters}}{15 \\text{ seconds}} "
    "\\approx 3.33 \\text{ meters/second} \\]\n"
    "2. **100-meter race:** \\( \\frac{100}{25} = 4 \\) meters per second."
)


def test_math_is_read_as_rendered() -> None:
    rendered = as_rendered(SPEEDS)
    assert "Speed = 50 meters/15 seconds ≈3.33 meters/second" in rendered
    assert "100/25 = 4 meters per second" in rendered
    assert "\\" not in rendered and "**50-meter race:**" in rendered  # markdown itself is left


def test_code_blocks_money_and_plain_text_are_left_as_written() -> None:
    code = '```python\nprint("\\[ x \\]")  # \\frac{1}{2}\n```'
    assert as_rendered(code) == code
    assert as_rendered("It costs $5 and $6.") == "It costs $5 and $6."
    assert as_rendered("Each pays \\$46.15 ($$ \\$184.60 \\div 4 $$).") == "Each pays $46.15 ($184.60 ÷4)."


def test_malformed_math_does_not_raise() -> None:
    assert as_rendered("\\[ \\frac{1}{ \\]").strip() == "1/"


def test_the_user_and_the_judge_read_the_rendered_reply_the_chatbot_keeps_its_own() -> None:
    messages = [HumanMessage("50 m in 15 s, 100 m in 25 s. speeds?"), AIMessage(SPEEDS)]
    seen_by_user = context_text({"goal": "You want your speed in each race.", "messages": messages})
    assert "≈3.33 meters/second" in seen_by_user and "\\text" not in seen_by_user
    assert messages[1].content == SPEEDS

    records = [{"role": "user", "content": "speeds?"}, {"role": "assistant", "content": SPEEDS}]
    assert "\\frac" not in judge_transcript(records)
    answer = "Evidence: Speed = 50 meters/15 seconds ≈3.33 meters/second\nDone: YES"
    assert quoted_evidence(answer, [as_rendered(SPEEDS)]) is not None
    assert quoted_evidence(answer, [SPEEDS]) is None  # what the judge could not quote before
