"""Parsers of model output and text checks: exact examples, and properties on arbitrary text."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from llm_roleplay.nodes.checks import (
    Problem,
    breaks_role,
    has_repeated_block,
    is_empty,
    is_refusal,
    leaks,
    longest_common_run,
    normalized,
    repeats,
    words,
)
from llm_roleplay.nodes.guard import Situation, message_problem
from llm_roleplay.nodes.parsing import (
    Decision,
    Verdict,
    clean_message,
    extract_message,
    parse_decision,
    parse_verdict,
)
from llm_roleplay.prompts import load_prompt

PROPERTY = settings(max_examples=200, deadline=None)

# ---------------------------------------------------------------- parse_decision


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("YES", Decision.GOAL_MET),
        ("YES.", Decision.GOAL_MET),
        ("yes", Decision.GOAL_MET),
        ("  Yes - every part was answered", Decision.GOAL_MET),
        ("**YES**", Decision.GOAL_MET),
        ("NO", Decision.CONTINUE),
        ("No, not yet", Decision.CONTINUE),
        ("no.", Decision.CONTINUE),
        ("GIVEUP", Decision.GIVE_UP),
        ("giveup", Decision.GIVE_UP),
        ("Give up", Decision.GIVE_UP),
        ("GIVE-UP.", Decision.GIVE_UP),
        ("Answer: NO", Decision.CONTINUE),
        ("NO. Yes would be wrong.", Decision.CONTINUE),  # the earliest keyword wins
        ("Yes, though no more questions", Decision.GOAL_MET),
        ("I would give up, no", Decision.GIVE_UP),
    ],
)
def test_parse_decision_examples(text: str, expected: Decision) -> None:
    assert parse_decision(text) is expected


@pytest.mark.parametrize("text", ["", "   ", "maybe", "I know", "nothing", "yesterday", "Nope", "up"])
def test_parse_decision_without_a_keyword_is_none(text: str) -> None:
    assert parse_decision(text) is None


@PROPERTY
@given(st.text())
def test_parse_decision_never_raises(text: str) -> None:
    result = parse_decision(text)
    assert result is None or isinstance(result, Decision)


KEYWORDS = {"YES": Decision.GOAL_MET, "NO": Decision.CONTINUE, "GIVEUP": Decision.GIVE_UP}


@PROPERTY
@given(st.text(), st.sampled_from(sorted(KEYWORDS)), st.text())
def test_parse_decision_finds_the_first_keyword(prefix: str, keyword: str, suffix: str) -> None:
    if parse_decision(prefix) is not None:
        return  # the prefix has a keyword of its own
    assert parse_decision(f"{prefix} {keyword} {suffix}") is KEYWORDS[keyword]


# ---------------------------------------------------------------- parse_verdict


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ('{"goal_met": true, "rationale": "All answered."}', Verdict(True, "All answered.")),
        ('{"goal_met": false, "rationale": " Missing step. "}', Verdict(False, "Missing step.")),
        (
            'Here is my verdict:\n```json\n{"goal_met": true, "rationale": "Done."}\n```\nThanks!',
            Verdict(True, "Done."),
        ),
        ('{"rationale": "Half of it.", "goal_met": "no"}', Verdict(False, "Half of it.")),
        ('{"goal_met": "yes"}', Verdict(True, "")),
        ('{"goal_met": "not met", "rationale": 3}', Verdict(False, "")),
        ('{"note": "first"} then {"goal_met": true, "rationale": "second"}', Verdict(True, "second")),
        ("goal_met: false", Verdict(False, "")),
        ('"goal_met" = TRUE', Verdict(True, "")),
        ('{"goal_met": true, "rationale": "unclosed', Verdict(True, "")),
    ],
)
def test_parse_verdict_examples(text: str, expected: Verdict) -> None:
    assert parse_verdict(text) == expected


@pytest.mark.parametrize(
    "text",
    ["", "The goal was met.", "{}", '{"goal_met": null}', '{"goal_met": "perhaps"}', "[true]", "{not json}"],
)
def test_parse_verdict_without_a_verdict_is_none(text: str) -> None:
    assert parse_verdict(text) is None


@PROPERTY
@given(st.text())
def test_parse_verdict_never_raises(text: str) -> None:
    result = parse_verdict(text)
    assert result is None or (isinstance(result.goal_met, bool) and isinstance(result.rationale, str))


PROSE = st.text(alphabet=st.characters(exclude_characters="{}"), max_size=40).filter(
    lambda text: "goal_met" not in text.lower()
)


@PROPERTY
@given(PROSE, st.booleans(), st.text(alphabet=st.characters(exclude_characters="{}")), PROSE)
def test_parse_verdict_reads_json_inside_prose(before: str, met: bool, rationale: str, after: str) -> None:
    text = before + json.dumps({"goal_met": met, "rationale": rationale}) + after
    assert parse_verdict(text) == Verdict(met, rationale.strip())


# ---------------------------------------------------------------- clean_message


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ('User: "hi"', "hi"),
        ("user: hi there", "hi there"),
        ("**User**: hello", "hello"),
        ("Message: can you help?", "can you help?"),
        ("“How do I bake bread?”", "How do I bake bread?"),
        ("'single quoted'", "single quoted"),
        ("  plain text  ", "plain text"),
        ("Can you help? [Write your next message to the assistant now.]", "Can you help?"),
        ('"He said \\"hi\\""', 'He said \\"hi\\"'),
        ('"', '"'),
        ("", ""),
        ("I said: hi", "I said: hi"),  # a colon inside a message is not a label
        ('"unbalanced', '"unbalanced'),
    ],
)
def test_clean_message_examples(raw: str, expected: str) -> None:
    assert clean_message(raw) == expected


@PROPERTY
@given(st.text())
def test_clean_message_returns_a_stripped_part_of_its_input(raw: str) -> None:
    cleaned = clean_message(raw)
    assert isinstance(cleaned, str)
    assert cleaned in raw
    assert cleaned == cleaned.strip()


PLAIN = st.text(alphabet=st.sampled_from("abcdefghijklmnopqrstuvwxyzABC0123456789 .,?!-\n"))


@PROPERTY
@given(PLAIN)
def test_clean_message_leaves_plain_text_alone(text: str) -> None:
    assert clean_message(text) == text.strip()


def test_bold_label_with_the_colon_inside_is_stripped() -> None:
    """BUG: `_LEADING_LABEL` allows "**User**:" but not the more common "**User:**" (leaves "** hello")."""
    assert clean_message("**User:** hello") == "hello"


# ---------------------------------------------------------------- extract_message

OPENING_PREFILL = load_prompt("inquirer_open").prefill


def test_the_opening_prompt_is_prefilled_with_a_quotation() -> None:
    assert OPENING_PREFILL.rstrip().endswith('"')


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("hi, can you help?", "hi, can you help?"),
        ('"hi, can you help?"', "hi, can you help?"),
        ("“hi, can you help?”", "hi, can you help?"),
        (OPENING_PREFILL + 'hi, can you help?"\nThis message asks for help.', "hi, can you help?"),
        (OPENING_PREFILL.strip() + "hi, can you help?", "hi, can you help?"),
        ('hi, can you help?"\n\n(The person is polite.)', "hi, can you help?"),
        ('""', ""),
        ("", ""),
        ('what does "autolyse" mean?', 'what does "autolyse" mean?'),
    ],
)
def test_extract_message_examples(raw: str, expected: str) -> None:
    assert extract_message(raw, OPENING_PREFILL) == expected


def test_extract_message_without_prefill_is_clean_message() -> None:
    assert extract_message('User: "hi"') == "hi"
    assert extract_message('say "hi"\nthere') == 'say "hi"\nthere'


def test_extract_message_strips_a_label_before_a_quotation() -> None:
    """BUG: with a quotation prefill, 'User: "hi"' gives '"hi' (the closing quote is cut first,
    so clean_message no longer sees a wrapping pair). clean_message alone gives 'hi'."""
    assert extract_message('User: "hi, can you help?"', OPENING_PREFILL) == "hi, can you help?"


def test_extract_message_keeps_a_quoted_word_at_the_end() -> None:
    """BUG: a message that ends with a quoted word loses its closing quote: the quote that closes
    the inner quotation is taken for the end of the prefilled quotation."""
    message = 'my recipe says to "autolyse"'
    assert extract_message(message, OPENING_PREFILL) == message


@PROPERTY
@given(st.text(), st.sampled_from(["", '"', OPENING_PREFILL, "Message:"]))
def test_extract_message_never_raises(raw: str, prefill: str) -> None:
    assert isinstance(extract_message(raw, prefill), str)


@PROPERTY
@given(PLAIN.filter(lambda text: text.strip()))
def test_extract_message_finds_a_plain_message_in_every_answer_form(message: str) -> None:
    expected = message.strip()
    assert extract_message(message, OPENING_PREFILL) == expected
    assert extract_message(f'"{message}"', OPENING_PREFILL) == expected
    assert extract_message(f'{OPENING_PREFILL}{message}"\nA friendly opener.', OPENING_PREFILL) == expected
    assert extract_message(f'{message}"\n', OPENING_PREFILL) == expected


# ---------------------------------------------------------------- checks

ANY_TEXT = st.text(max_size=300)


@PROPERTY
@given(ANY_TEXT, ANY_TEXT, ANY_TEXT, st.integers(3, 12), st.floats(0.05, 1.0))
def test_checks_never_raise_and_return_the_right_types(
    text: str, persona: str, goal: str, persona_words: int, goal_fraction: float
) -> None:
    assert isinstance(words(text), tuple)
    assert isinstance(normalized(text), str)
    assert is_empty(text) is (normalized(text) == "")
    assert isinstance(breaks_role(text), bool)
    assert isinstance(is_refusal(text), bool)
    assert isinstance(has_repeated_block(text, 3), bool)
    assert isinstance(leaks(text, persona, goal, persona_words, goal_fraction), bool)
    run = longest_common_run(text, persona)
    assert isinstance(run, int)
    assert 0 <= run <= min(len(words(text)), len(words(persona)))
    assert run == longest_common_run(persona, text)
    problem = message_problem(
        text,
        Situation(
            goal=goal,
            persona_description=persona,
            previous_user_messages=[persona, goal],
            leak_persona_words=persona_words,
            leak_goal_fraction=goal_fraction,
        ),
    )
    assert problem is None or isinstance(problem, Problem)
    if is_empty(text):
        assert problem is Problem.EMPTY


@PROPERTY
@given(ANY_TEXT)
def test_a_text_shares_all_its_words_with_itself(text: str) -> None:
    assert longest_common_run(text, text) == len(words(text))


WORD = st.text(alphabet=st.sampled_from("abcdefghij"), min_size=1, max_size=6)


@PROPERTY
@given(st.lists(WORD, min_size=2, max_size=12), st.integers(2, 5))
def test_a_block_repeated_enough_times_is_found(block: list[str], repeats: int) -> None:
    text = "intro " + " ".join(block * repeats) + " end"
    assert has_repeated_block(text, repeats)


@PROPERTY
@given(st.lists(WORD, min_size=1, max_size=20, unique=True))
def test_distinct_words_never_repeat(tokens: list[str]) -> None:
    assert not has_repeated_block(" ".join(tokens), 2)


@PROPERTY
@given(st.lists(WORD, min_size=3, max_size=20))
def test_copying_the_persona_is_a_leak(tokens: list[str]) -> None:
    persona = " ".join(tokens)
    assert leaks(f"well, {persona}!", persona, "", 8, 0.6)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("very, very, very good", False),
        ("no no no no no", True),
        ("bake it bake it bake it", True),
        ("bake it bake it", False),
        ("", False),
    ],
)
def test_has_repeated_block_examples(text: str, expected: bool) -> None:
    assert has_repeated_block(text, 3) is expected


@pytest.mark.parametrize(
    "text",
    [
        "As an AI language model, I can help",
        "as an AI, I would say yes",
        "I am an AI and cannot bake.",
        "User: hi\nAssistant: hello",
        "hello\n**Assistant:** hi",
        "Sure! Here's a recipe.",
        "Certainly, here is the answer.",
        "I'd be happy to help you with that.",
        "How can I help you today?",
        "Go ahead and ask your question.",
        "In this roleplay I play a baker.",
        "<|im_start|>user",
        "[INST] bake bread [/INST]",
    ],
)
def test_role_breaks(text: str) -> None:
    assert breaks_role(text)


@pytest.mark.parametrize(
    "text",
    [
        "hi, how do i bake bread?",
        "can you help me with my starter?",
        "I said: no more yeast",
        "my AI class starts soon, so quickly please",
        "sure, thanks. what temperature then?",
    ],
)
def test_not_role_breaks(text: str) -> None:
    assert not breaks_role(text)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("I'm sorry, but I can't help with that.", True),
        ("Sorry, I cannot do that.", True),
        ("I apologize, but I am unable to assist.", True),
        ("Unfortunately, I won't be doing that.", True),
        ("As an AI, I can't taste bread.", True),
        ("I can help with that!", False),
        ("Here is how: mix flour and water. I cannot stress this enough.", False),
    ],
)
def test_refusal_examples(text: str, expected: bool) -> None:
    assert is_refusal(text) is expected


def test_leak_examples() -> None:
    persona = "A retired electrician from Leeds who types in short lowercase sentences."
    goal = "Learn how to keep a sourdough starter alive and bake a first loaf of bread at home"
    assert leaks("i am a retired electrician from Leeds who types in short lowercase", persona, goal, 8, 0.6)
    assert not leaks("i am a retired electrician, any tips?", persona, goal, 8, 0.6)
    assert leaks("how to keep a sourdough starter alive and bake a first loaf", persona, goal, 8, 0.6)
    assert not leaks("how do i keep a sourdough starter alive?", persona, goal, 8, 0.6)
    # a goal too short to copy "by a large share" never counts as leaked
    assert not leaks("find a cheap flight", "", "find a cheap flight", 8, 0.6)


def test_inquirer_problem_order() -> None:
    def problem(message: str, *previous: str) -> Problem | None:
        return message_problem(message, Situation(goal="bake bread", previous_user_messages=list(previous)))

    assert problem("  ") is Problem.EMPTY
    assert problem("As an AI, hi", "As an AI, hi") is Problem.ROLE_BREAK  # role break before repeat
    assert problem("Hi there!", "hi, there") is Problem.REPEAT
    assert problem("hi there", "hello") is None


def test_typographic_apostrophes_count_as_apostrophes_in_words() -> None:
    assert words("I’m OK") == ("i'm", "ok")


def test_role_break_with_a_typographic_apostrophe() -> None:
    """BUG: `breaks_role` only knows the ASCII apostrophe, although `words` treats ’ like '."""
    assert breaks_role("I’m an AI, so I can’t taste your bread.")


def test_quotes_around_words_are_not_part_of_them() -> None:
    # seen in make demo: "what you meant by 'total is still wrong'" copied a prompt example unseen
    assert words("by 'total is still wrong'. didn't") == ("by", "total", "is", "still", "wrong", "didn't")


def test_the_same_words_in_another_order_are_a_repeat() -> None:
    # Grid run of the evening of 2026-11-29: the chatbot answered the reordered question word for word.
    asked = "Can you tell me about the risks associated with online gambling and social media?"
    again = "Can you tell me about the risks associated with social media and online gambling?"
    assert repeats(again, [asked])
    assert not repeats("what about the risks of social media for teens?", [asked])
    assert not repeats("so ok what next", ["ok so what next"])  # too short to tell
