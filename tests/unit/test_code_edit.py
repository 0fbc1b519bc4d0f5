"""A change to code asked for, and the same code again (nodes/code_edit.py)."""

from __future__ import annotations

from llm_roleplay.nodes.checkable import evident_failures, evidently_undelivered
from llm_roleplay.nodes.code_edit import SAME_CODE, line_not_replaced, same_code_again

PART = "Substitute the 10th line, which includes number arguments, with the value 73."
CODE = "```python\nimport turtle\nt = turtle.Turtle()\nt.circle(100)\nt.circle(50)\nt.goto(0, -200)\n```"
# the reading run of 2026-11-29: the same code under new words, cut off in its last line
AGAIN = (
    "Certainly! Here is the modified code with the value 73 for the 10th line:\n\n"
    "```python\nimport turtle\nt = turtle.Turtle()\nt.circle(100)\nt.circle(50)\nt.goto(0, -1"
)
CHANGED = "Here you go:\n\n" + CODE.replace("t.circle(50)", "t.circle(73)")


def test_code_with_no_new_line_is_no_change() -> None:
    assert same_code_again(PART, AGAIN, [CODE]) == SAME_CODE
    assert same_code_again(PART, CHANGED, [CODE]) is None
    # trailing spaces and indentation are changes (markdown line breaks, a block moved in)
    assert same_code_again("add line breaks", CODE.replace("t.circle(50)", "t.circle(50)  "), [CODE]) is None
    # a question, or code too short to tell, is not read
    assert same_code_again("what does line 10 do?", AGAIN, [CODE]) is None
    assert same_code_again(PART, "```python\nt.circle(50)\n```", [CODE]) is None


def test_the_goal_check_and_the_users_reading_see_the_same_code() -> None:
    parts = ["Draw a unicorn in Python using the turtle module.", PART]
    messages = [
        {"role": "user", "content": "draw a unicorn in python with turtle"},
        {"role": "assistant", "content": CODE},
        {"role": "user", "content": "replace the 10th line with the value 73"},
        {"role": "assistant", "content": AGAIN},
    ]
    assert ("same_code", f"part 2: {SAME_CODE}") in [
        (f.check, f.detail) for f in evident_failures(parts, messages)
    ]
    assert evidently_undelivered(PART, AGAIN, [CODE], []) == SAME_CODE


def _code(line_ten: str) -> str:
    lines = [f"t.forward({n})" for n in range(1, 13)]
    lines[9] = line_ten
    return "Here it is:\n```python\n" + "\n".join(lines) + "\n```"


def test_the_line_asked_to_change_is_read_in_both_codes() -> None:
    # the labelled set's unicorn endings (gl-027 to gl-030)
    part = "replace the number(s) on the 10th line of the code with 73"
    old = _code("t.goto(-60, -10)")
    assert line_not_replaced(part, _code("t.goto(73, 73)"), [old]) is None
    assert line_not_replaced(part, _code("t.goto(73, -10)"), [old]) == "line 10 still has -10"
    assert line_not_replaced(part, old.replace("Here it is", "I've updated the 10th line"), [old]) == (
        "line 10 is unchanged (t.goto(-60, -10))"
    )
    assert line_not_replaced(part, _code("t.goto(x, y)"), [old]) == "line 10 has no 73"
    # not read: a snippet that does not reach the line, an old line without numbers, no value asked
    assert line_not_replaced(part, "```python\nt.goto(73, 73)\n```", [old]) is None
    assert line_not_replaced(part, _code("t.pendown()"), [_code("t.pendown()")]) is None
    assert line_not_replaced("what does the 10th line do?", _code("t.goto(73, -10)"), [old]) is None
