"""What a follow-up question asks about (nodes.follow_up) and how the prompt names it."""

from __future__ import annotations

from langchain_core.messages import AIMessage, HumanMessage

from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.follow_up import candidates, follow_up_subject
from llm_roleplay.nodes.inquirer_prompt import message_messages
from llm_roleplay.nodes.intents import Intent, Step

TOURS = (
    "Here are some great places for walking tours in France:\n\n"
    "1. **Mont Saint Michel**: a tidal island with gentle paths.\n"
    "2. **Gordes**: a hill village in Provence.\n"
    "3. Loire Valley: flat trails between castles.\n\n"
    "**Note**: check the weather before you go."
)


def test_the_things_a_reply_names_are_its_bold_text_list_heads_code_names_and_quotes() -> None:
    assert candidates(TOURS) == ["Mont Saint Michel", "Gordes", "Loire Valley"]  # "Note" organises it
    code = 'Call `countVowels()` on a `VowelCounter`, or use "regular expressions".'
    assert candidates(code) == ["countVowels", "VowelCounter", "regular expressions"]
    assert candidates("Just mix the flour and the milk, then fry them.") == []


def test_the_subject_is_drawn_with_the_seed_among_things_the_user_has_not_named() -> None:
    drawn = {follow_up_subject(TOURS, ["walking tours in france?"], seed) for seed in range(40)}
    assert drawn == {"Mont Saint Michel", "Gordes", "Loire Valley"}
    assert follow_up_subject(TOURS, ["what about gordes and the loire valley"], 1) == "Mont Saint Michel"
    assert follow_up_subject(TOURS, [], 7) == follow_up_subject(TOURS, [], 7)  # seeded
    assert follow_up_subject("No names here at all.", [], 3) is None


def test_the_follow_up_prompt_names_the_subject() -> None:
    state = {
        "goal": "You plan a walking tour in France without serious climbing.",
        "goal_parts": ["walking tour regions in France"],
        "messages": [HumanMessage("where in france can i do a walking tour"), AIMessage(TOURS)],
        "turn": 1,
        "dialogue_id": "dlg-test",
    }
    prompt, task = message_messages(state, Context(), Step(Intent.FOLLOW_UP, 1), 12, question=True)  # type: ignore[arg-type]
    text = str(prompt[0].content)
    assert task.name == "inquirer_follow_up"
    assert any(f'one short question about "{name}" from' in text for name in candidates(TOURS))
    state["messages"] = [HumanMessage("where in france can i walk"), AIMessage("Anywhere flat is fine.")]
    text = str(message_messages(state, Context(), Step(Intent.FOLLOW_UP, 1), 12, True)[0][0].content)  # type: ignore[arg-type]
    assert "one short question about one thing from the chatbot's last message" in text


def test_the_strings_of_a_replys_code_are_no_subject() -> None:
    # Run of 2026-11-28: "what does black mean to you please?" after `unicorn.color("black")`.
    reply = (
        'Here is the unicorn:\n\n```python\nunicorn.color("black")\nunicorn.penup()\n```\n\n'
        "The `penup` call lifts the pen so that the turtle moves without drawing."
    )
    assert candidates(reply) == ["penup"]
    assert candidates('Use "pen up" before moving.') == ["pen up"]  # quoted in prose: a subject
