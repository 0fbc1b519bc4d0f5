"""Style profiles: message features, fitting, per-persona sampling and the typing pass."""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.personas import sample_persona
from llm_roleplay.blocks.style.features import is_english, message_style, typo_share
from llm_roleplay.blocks.style.fit import Conversation, fit_profile, icc, spread_for
from llm_roleplay.blocks.style.profile import (
    PERSON_HABITS,
    PersonaStyle,
    Source,
    default_profile,
    draw_key,
    load_profile,
    sample_style,
)
from llm_roleplay.blocks.style.question_order import in_question_order
from llm_roleplay.blocks.style.requests import plain_complaint
from llm_roleplay.blocks.style.typing_pass import TypedMessage, _please, apply_style

# ---------------------------------------------------------------- features


def test_features_of_a_casual_message() -> None:
    style = message_style("hey can u fix this, its not workng\n\nprint(x)")
    assert style.flags["lowercase_start"] and style.flags["no_closing_punct"] and style.flags["greeting"]
    assert style.flags["several_lines"] and not style.flags["please"] and not style.flags["thanks"]
    assert style.flags["dropped_apostrophe"] is False  # "its" is also a word: not counted
    assert style.typo_share is not None and style.typo_share > 0  # "workng"


def test_features_of_a_polite_request() -> None:
    style = message_style("Could you please help me write an email? Thank you!")
    flags = style.flags
    assert flags["can_you_opening"] and flags["please"] and flags["thanks"] and not flags["lowercase_start"]
    assert not flags["no_closing_punct"] and not flags["ends_question"]
    assert style.words == 10


def test_a_question_is_told_by_its_form_more_than_by_its_mark() -> None:
    questions = [
        "how do i turn a list of strings into ints in python",  # no mark: most real questions
        "whats the difference between a roth ira and a normal one?",
        "is it right",
        "the total is wrong. why 45?",
        "Can you make it shorter",
    ]
    others = [
        "write a short poem about the sea",
        "do the same for the second one",  # "do" before no subject: an order
        "x = a ? b : c\nfix this",  # a question mark inside code
        "```\nwhy = x?y\n```\nrefactor this",
    ]
    assert all(message_style(text).flags["asks_question"] for text in questions)
    assert not any(message_style(text).flags["asks_question"] for text in others)


def test_typo_share_counts_words_outside_the_list() -> None:
    assert typo_share("the function returns the value") == 0.0
    assert typo_share("the fucntion retruns the value") == pytest.approx(2 / 5)
    assert typo_share("OK 42") is None  # nothing to judge: capitals and digits are left out


def test_english_filter() -> None:
    assert is_english("how do i sort a list in python")
    assert not is_english("comment trier une liste en python sans utiliser la fonction")
    assert not is_english("如何在Python中对列表进行排序")


# ---------------------------------------------------------------- fitting


def test_icc_of_perfectly_consistent_and_of_independent_groups() -> None:
    consistent = [[1.0, 1.0, 1.0]] * 20 + [[0.0, 0.0, 0.0]] * 20
    assert icc(consistent) == pytest.approx(0.95)  # clamped
    alternating = [[1.0, 0.0, 1.0, 0.0]] * 40
    assert icc(alternating) == 0.0


def test_spread_grows_with_the_correlation() -> None:
    assert spread_for(0.3, 0.0) == 0.0
    assert 0 < spread_for(0.3, 0.1) < spread_for(0.3, 0.5) < spread_for(0.3, 0.9)


def test_fitting_recovers_shares_of_a_synthetic_log() -> None:
    lowercase = [Conversation(("fix this pls", "now shorter", "ok add a title", "and a summary"))] * 30
    capital = [
        Conversation(("Write me a poem about cats.", "Make it rhyme.", "Add a stanza.", "Thanks."))
    ] * 30
    profile = fit_profile(lowercase + capital, Source(name="synthetic"))
    assert profile.first["lowercase_start"] == pytest.approx(0.5)
    assert profile.later["lowercase_start"] == pytest.approx(0.5)
    assert profile.spread["lowercase_start"] > 3  # everyone is all one way or the other
    assert profile.length.median_first == 4.5  # half 3-word, half 6-word openings
    assert profile.source.conversations == 60 and profile.source.first_messages == 60


def test_the_length_model_is_fitted_on_typed_messages_pasted_text_and_code_left_out() -> None:
    pasted = "rewrite this for me:\n\n" + "My name is Bao and I have run a small web company for years. " * 10
    code = "why does this fail\n```python\nprint(1)\n```"
    typed = Conversation(("fix this pls", "now shorter", "ok add a title", "and a summary"))
    pasting = Conversation((pasted, code, "ok add a title", pasted))
    profile = fit_profile([typed, pasting] * 30, Source(name="synthetic"))
    assert message_style(pasted).typed is False and message_style(code).typed is False
    assert message_style("line one\nline two").typed is True  # a line break is typed, a blank line is not
    assert profile.length.median_first == 3  # "fix this pls"; the pasted openings are left out
    assert profile.length.median_later == 3.5  # 2, 3, 4 and 4 words: the pasted ones left out
    assert profile.reference["first"]["median_words"] > 20  # the report still compares every message


def test_line_breaks_between_sentences_are_a_share_of_the_messages_of_several_sentences() -> None:
    assert message_style("how could i make a pendulum? is a circle a good idea").sentence_lines is False
    assert message_style("how could i make a pendulum?\nis a circle a good idea").sentence_lines is True
    assert message_style("which word is the opposite?\n\nAnxious\nCordial").sentence_lines is True
    assert message_style("how could i make a pendulum").sentence_lines is None  # one sentence
    assert message_style("fix this.\n```\nx = 1\n```").sentence_lines is None  # pasted code
    # one-sentence messages do not count: half of the two-sentence ones break their lines
    broken = Conversation(("hi. fix this", "ok.\nnow shorter", "add a title", "and a summary"))
    joined = Conversation(("hi.\nfix this", "ok. now shorter", "add a title", "and a summary"))
    profile = fit_profile([broken, joined] * 30, Source(name="synthetic"))
    assert profile.first["sentence_lines"] == pytest.approx(0.5)
    assert profile.later["sentence_lines"] == pytest.approx(0.5)


def test_too_little_data_is_a_clear_error() -> None:
    with pytest.raises(ConfigError, match="too few user messages to fit a style profile"):
        fit_profile([Conversation(("hi",))] * 5, Source(name="tiny"))


def test_the_default_profile_matches_the_real_users_figures() -> None:
    profile = default_profile()
    assert profile.source.name == "sharegpt" and profile.source.conversations == 8800
    assert profile.length.median_first == 15 and profile.length.median_later == 13  # typed messages
    assert 0.3 < profile.first["lowercase_start"] < 0.4 and 0.5 < profile.later["no_closing_punct"] < 0.6
    assert profile.first["greeting"] > 10 * profile.later["greeting"]


def test_a_profile_file_that_is_not_a_profile_is_one_line(tmp_path: Path) -> None:
    path = tmp_path / "style.json"
    path.write_text(json.dumps({"hello": 1}))
    with pytest.raises(ConfigError, match=r"^--style .*style.json: not a style profile"):
        load_profile(str(path))
    with pytest.raises(ConfigError, match="cannot read"):
        load_profile(str(tmp_path / "missing.json"))


# ---------------------------------------------------------------- sampling per persona


def _grid_styles(count: int, seed: int = 0) -> list[PersonaStyle]:
    styles = []
    for index in range(count):
        persona = sample_persona(index).model_dump()
        persona["source"] = f"sampled:{seed}:{index}"
        key, position = draw_key(persona, seed)
        styles.append(sample_style(default_profile(), persona["attributes"], person_key=key, index=position))
    return styles


def test_the_same_person_gets_the_same_style() -> None:
    assert _grid_styles(3) == _grid_styles(3)
    assert _grid_styles(3, seed=1) != _grid_styles(3)


def test_a_population_of_personas_types_like_the_real_users() -> None:
    """Attributes and person effects move people around the fitted share, not the share itself."""
    styles = _grid_styles(300)
    profile = default_profile()
    for habit in PERSON_HABITS:
        mean = statistics.fmean(style.later[habit] for style in styles)
        assert mean == pytest.approx(profile.later[habit], abs=0.05 + 0.15 * profile.later[habit]), habit


def test_attributes_shift_habits_in_the_documented_direction() -> None:
    def style(**attributes: str) -> PersonaStyle:
        return sample_style(default_profile(), attributes, person_key="same person")

    assert (
        style(chatbot_familiarity="never").first["greeting"]
        > style(chatbot_familiarity="expert").first["greeting"]
    )
    assert style(education="no_qualification").later["typo"] > style(education="doctorate").later["typo"]
    assert (
        style(age_bracket="65+").later["lowercase_start"]
        < style(age_bracket="18-24").later["lowercase_start"]
    )


# ---------------------------------------------------------------- the typing pass


def _style(**rates: float) -> PersonaStyle:
    habits = dict.fromkeys(PERSON_HABITS, 0.0) | rates
    return PersonaStyle(
        profile="test", first=habits, later=habits, words_first=20, words_later=14, words_within=0.8
    )


def test_a_person_without_the_llm_habits_loses_them() -> None:
    typed = apply_style(
        "Hello AI, could you please help me calculate my speed? Thank you!", _style(), "first", "k"
    )
    assert typed.text == "Calculate my speed."  # "could you", "please" and "help me" all go
    assert {"greeting", "thanks", "can_you_opening"} <= set(typed.edits)
    seen = "Hey there Chatbot! I'm looking for help creating a poem about cats."  # 2026-11-28
    assert apply_style(seen, _style(), "first", "k").text.startswith("I'm looking for help")


def test_i_really_appreciate_it_is_a_thanks_and_goes_with_the_habit() -> None:
    seen = (  # the grid run of 2026-11-29: the closing line of two complaints in one dialogue
        "But it only gave me the same figures as before.\nCould you help me find the correct distance?\n"
        "I really appreciate it"
    )
    assert "appreciate" not in apply_style(seen, _style(), "later", "k").text
    kept = apply_style(seen, _style(thanks=1.0), "later", "k")
    assert "I really appreciate it" in kept.text and "thanks" not in kept.text  # no second thanks
    task = "Write a post that says we appreciate the reps' effort."  # a task's own word stays
    assert "appreciate" in apply_style(task, _style(), "first", "k").text


def test_a_message_meant_as_a_question_stays_a_question() -> None:
    asked = "Can you tell me how far I can go in six hours?"
    assert apply_style(asked, _style(), "later", "k").text == "Tell me how far I can go in six hours."
    assert apply_style(asked, _style(), "later", "k", question=True).text == "How far can I go in six hours?"
    why = "Could you explain why the total is 18 miles?"
    assert apply_style(why, _style(), "later", "k", question=True).text == "Why is the total 18 miles?"
    burned = "Can you tell me how many calories I burned?"  # the verb changes: "did I burn"
    assert apply_style(burned, _style(), "later", "k", question=True).text == "How many calories did I burn?"
    really = "Can you tell me how fast I really ran?"  # no verb right after "I": left
    assert apply_style(really, _style(), "later", "k", question=True).text == really
    eye = "Can you explain how the unicorn's eye is drawn with a circle?"  # sent embedded, 2026-11-28
    assert apply_style(eye, _style(), "later", "k", question=True).text == (
        "How is the unicorn's eye drawn with a circle?"
    )
    for left in ("Can you explain how the eye of the unicorn is drawn?", "Can you explain how it works?"):
        assert apply_style(left, _style(), "later", "k", question=True).text == left
    region = "Could you tell me what the region of the 3rd oldest city is?"  # seen on 2026-11-28
    assert apply_style(region, _style(), "later", "k", question=True).text == region
    feed = "Can you explain what a balanced feed is and how it affects egg production?"  # grid run
    assert apply_style(feed, _style(), "later", "k", question=True).text == feed
    for left in (  # a name for subject, a verb other than "be" (grid run of the night of 2026-11-29)
        "Can you tell me which city Ur, Iraq was founded in?",
        "Can you help me understand what the `getInputString` function does?",
    ):
        assert apply_style(left, _style(), "later", "k", question=True).text == left
    # a task has no question form but "can you": without the habit, the person tells it
    other = "Can you make it recursive?"
    assert apply_style(other, _style(), "later", "k", question=True).text == "Make it recursive."
    assert apply_style(other, _style(), "later", "k").text == "Make it recursive."


def test_a_wish_is_turned_into_the_request_itself_unless_the_person_asks_that_way() -> None:
    seen = "I want to draw a unicorn using the 'turtle' module. I'd like it detailed."  # 2026-11-28
    assert (
        apply_style(seen, _style(), "first", "k").text
        == "Draw a unicorn using the 'turtle' module. I'd like it detailed."
    )
    asked = apply_style(seen, _style(), "first", "k", question=True).text
    assert asked == "How do I draw a unicorn using the 'turtle' module? I'd like it detailed."
    assert apply_style(seen, _style(can_you_opening=1.0), "first", "k").text == seen  # the person's own way
    to_know = "I need to know the oldest cities."
    assert apply_style(to_know, _style(), "first", "k").text == to_know  # no task verb: not a request
    # seen on 2026-11-28: openings began with "I" three times as often as real ones (34% vs 12%)
    looking = "I'm looking to plan a walking tour in France."
    assert apply_style(looking, _style(), "first", "k").text == "Plan a walking tour in France."
    function = "I need a function to count vowels in a string."
    assert apply_style(function, _style(), "first", "k").text == f"Write{function.removeprefix('I need')}"
    assert (
        apply_style("I need a recipe for pancakes without eggs", _style(), "first", "k", question=True).text
        == "A recipe for pancakes without eggs?"
    )
    demo = "I'm looking for a simple recipe for pancakes without eggs"  # make demo of 2026-11-29
    told = apply_style(demo, _style(), "first", "k").text
    assert told == "Give me a simple recipe for pancakes without eggs."
    assert apply_style(demo, _style(), "first", "k", question=True).text == (
        "A simple recipe for pancakes without eggs?"
    )


@pytest.mark.parametrize(
    ("wrapped", "asked"),
    [
        (  # grid run of 2026-11-29; 10 of 30,547 real user messages open with any of these wrappings
            "I'm curious about how to calculate my speed for each race. I use a stopwatch.",
            "How do I calculate my speed for each race? I use a stopwatch.",
        ),
        ("I was wondering how I can calculate my speed", "How can I calculate my speed?"),
        ("I'd like to know how many cups of feed I need", "How many cups of feed do I need?"),
        # a past verb takes "did"
        ("I want to know how many calories I burned", "How many calories did I burn?"),
        ("I'm curious why you chose that", "Why did you choose that?"),
        # an order that cannot be turned stays as it is
        ("I want to know how fast I really ran", "I want to know how fast I really ran."),
    ],
)
def test_a_question_wrapped_in_curiosity_is_asked_directly(wrapped: str, asked: str) -> None:
    assert apply_style(wrapped, _style(), "first", "k").text == asked


def test_can_you_is_dropped_only_before_what_a_chatbot_does() -> None:
    garbled = "Can you walk 6 hours by combining running and walking?"  # grid run of 2026-11-29
    assert apply_style(garbled, _style(), "later", "k").text == garbled
    assert apply_style("Can you calculate how far I walk?", _style(), "later", "k").text == (
        "Calculate how far I walk."
    )


def test_is_it_possible_to_is_asked_as_people_ask() -> None:
    # 7 of 132 user messages of two runs of 2026-11-28 opened so; 20 of 28,657 real ones
    create = "Is it possible to create a poem about cats in English"
    assert apply_style(create, _style(), "later", "k").text == "Create a poem about cats in English."
    # without the habit, no "can you" is made of it, question or not (the run of 10:00 on 2026-11-28
    # opened 11 of 23 dialogues with "can you" so; real users 6%)
    assert (
        apply_style(create, _style(), "later", "k", question=True).text
        == "Create a poem about cats in English."
    )
    assert apply_style(create, _style(can_you_opening=1.0), "later", "k").text == (
        "Can you create a poem about cats in English?"
    )
    develop = "is it possible to develop a function in JavaScript that counts vowels"  # 2026-11-28
    assert apply_style(develop, _style(), "first", "k").text == (
        "Develop a function in JavaScript that counts vowels."
    )
    know = "Is it possible to know how far I can travel in six hours?"
    assert (
        apply_style(know, _style(), "later", "k", question=True).text == "How far can I travel in six hours?"
    )
    assert apply_style(know, _style(can_you_opening=1.0), "later", "k", question=True).text == (
        "Can you tell me how far I can travel in six hours?"
    )


def test_a_question_about_the_persons_own_doing_is_not_made_an_order() -> None:
    # `make demo` on 2026-11-28: "Make pancakes without eggs." was refused by the chatbot
    for asked in (
        "Is it possible to make pancakes without eggs?",
        "I want to make pancakes without eggs.",
        # grid run of the evening of 2026-11-29: sent as "Provide enough feed to achieve high egg production."
        "Is it possible to provide enough feed to achieve high egg production?",
    ):
        assert apply_style(asked, _style(), "first", "k").text == asked
    given = "Is it possible to give me a recipe for pancakes without eggs?"
    assert apply_style(given, _style(), "first", "k").text == "Give me a recipe for pancakes without eggs."
    helped = "Is it possible for you to help me make pancakes without eggs?"  # the demo's first try
    assert apply_style(helped, _style(), "first", "k", question=True).text == (
        "Help me make pancakes without eggs."
    )


def test_i_was_wondering_if_you_could_show_is_a_request() -> None:
    seen = "I was wondering if you could show me what the world's 10 oldest continuously inhabited cities are"
    assert apply_style(seen, _style(), "later", "k").text.startswith("Show me what the world's 10 oldest")


def test_i_was_wondering_is_no_way_to_open() -> None:
    # 2 of 4 openings of a run of 2026-11-28; 0 of 28,657 real messages open with this preamble
    preamble = "I was wondering if you could help me out with something. How far can I skip in six hours?"
    assert apply_style(preamble, _style(), "first", "k").text == "How far can I skip in six hours?"
    wondering = "I was wondering if you could help me calculate my speed. I ran 50 m."
    assert apply_style(wondering, _style(), "first", "k").text == "Calculate my speed. I ran 50 m."
    just = "I was just wondering if you could help me calculate my speed. I ran 50 m."  # 2026-11-29
    assert apply_style(just, _style(), "first", "k").text == "Calculate my speed. I ran 50 m."
    assert apply_style(wondering, _style(can_you_opening=1.0), "first", "k").text == (
        "Can you help me calculate my speed? I ran 50 m."
    )


def test_a_complaint_is_put_as_people_put_it() -> None:
    # seen on 2026-11-28: 13 of 385 of our user messages opened with "your answer", 6 of 28,657 real
    def complain(text: str) -> str:
        return apply_style(text, _style(), "later", "k", complaint=True).text

    assert complain("Sorry, your answer is incorrect.") == "That's incorrect."
    assert complain("Your answer doesn't say who founded it.") == "That doesn't say who founded it."
    assert complain("Sorry, but you did not include the 2nd city.") == "You did not include the 2nd city."
    assert (
        complain("Sorry, I typed the wrong number.") == "Sorry, I typed the wrong number."
    )  # their own slip
    assert apply_style("Your answer is wrong.", _style(), "later", "k").text == "Your answer is wrong."


@pytest.mark.parametrize(
    ("typed", "sent"),
    [
        # seen in the reading runs of 2026-11-28/29: 8 of 180 of our messages re-asked so, 0 real ones
        (
            "Your response does not match. Could you give the correct distances?",
            "That does not match. Try again.",
        ),
        (
            "that's the same as before. could you give me the correct total again?",
            "That's the same as before. Try again.",
        ),
        (
            "It lists Rome twice. Could you tell me again? I need ten cities.",
            "It lists Rome twice. Try again. I need ten cities.",
        ),
    ],
)
def test_a_complaint_says_try_again_not_a_polite_reask(typed: str, sent: str) -> None:
    assert apply_style(typed, _style(), "later", "k", complaint=True).text == sent


def test_a_request_that_goes_on_is_no_polite_reask() -> None:
    asked = "That's wrong. Could you clarify how much time I spend walking?"
    assert plain_complaint(asked) == asked
    assert plain_complaint("That's wrong. Could you clarify?") == "That's wrong. Try again."
    current = "Your current response doesn't list the world's 10 oldest continuously inhabited cities."
    assert (
        plain_complaint(current) == "That doesn't list the world's 10 oldest continuously inhabited cities."
    )


def test_help_me_is_the_can_you_habits_twin() -> None:
    assert apply_style("Help me calculate my speed.", _style(), "later", "k").text == "Calculate my speed."
    kept = "Help me calculate my speed."
    assert apply_style(kept, _style(can_you_opening=1.0), "later", "k").text == kept
    assert apply_style("Help me understand it.", _style(), "later", "k").text == "Help me understand it."


def test_asking_for_help_is_asked_as_the_question_itself() -> None:
    # "Can you help me ..." opened 10 of 23 openings of the run of 10:00 on 2026-11-28 (real: 0.1%)
    def asked(text: str) -> str:
        return apply_style(text, _style(), "first", "k", question=True).text

    assert asked("Could you help me figure out how many miles I can travel in six hours?") == (
        "How many miles can I travel in six hours?"
    )
    assert asked("Can you help me calculate the speed for each race I did?") == (
        "How do I calculate the speed for each race I did?"
    )
    assert (
        asked("help me calculate my speed. I ran 50 m in 8 s")
        == "How do I calculate my speed? I ran 50 m in 8 s."
    )
    # a task is told, not asked about, by a person without the habit: 4 of 11 openings of a run of
    # 2026-11-28 began "can you" from persons whose habit is 1-3% (real: 6%)
    assert asked("Can you help me create a poem about cats?") == "Create a poem about cats."
    assert asked("can you write a function that counts vowels? in JavaScript") == (
        "Write a function that counts vowels. In JavaScript."
    )
    assert apply_style(
        "Can you write a poem?", _style(can_you_opening=1.0), "first", "k", question=True
    ).text == ("Can you write a poem?")
    assert asked("Can you help me make pancakes?") == "Can you help me make pancakes?"  # the person cooks
    assert asked("Can you help me find out how many calories I burned?") == "How many calories did I burn?"
    # seen on 2026-11-28: "figure out if ..." has no direct form; the help asked for on its own
    assert asked("Can you help me figure out if I can skip?") == "Can you help me figure out if I can skip?"
    assert asked("Can you help me out? If I skip at 3 mph, how far do I get?") == (
        "If I skip at 3 mph, how far do I get?"
    )
    # a "can you" request typed without its question mark is still a request
    typed = apply_style("Can you draw a unicorn using the turtle module in Python", _style(), "first", "k")
    assert typed.text == "Draw a unicorn using the turtle module in Python."
    assert apply_style("Can you believe it.", _style(), "first", "k").text == "Can you believe it."


def test_a_casual_typer_loses_capitals_and_closing_punctuation() -> None:
    style = _style(lowercase_start=1.0, no_closing_punct=1.0, dropped_apostrophe=1.0, lowercase_i=1.0)
    typed = apply_style("I don't know the formula. Can you show it?", style, "later", "k")
    assert typed.text == "i dont know the formula. can you show it"


def test_a_person_who_breaks_lines_puts_each_sentence_on_its_own() -> None:
    text = "I have 20 chickens, e.g. hens. Each eats 3 cups. How much for the last meal?"
    typed = apply_style(text, _style(sentence_lines=1.0), "first", "k")
    assert typed.text == "I have 20 chickens, e.g. hens.\nEach eats 3 cups.\nHow much for the last meal?"
    assert typed.edits == ["sentence_lines"] and message_style(typed.text).flags["several_lines"]
    assert apply_style(text, _style(), "first", "k").text == text
    assert apply_style("How much for the last meal?", _style(sentence_lines=1.0), "first", "k").edits == []


def test_habits_the_person_has_are_added() -> None:
    typed = apply_style("Make it shorter.", _style(please=1.0, thanks=1.0, greeting=1.0), "first", "k")
    assert typed.text.lower().startswith(("hi", "hello", "hey"))
    assert "please" in typed.text and "thanks" in typed.text
    question = apply_style("How far can I walk in six hours?", _style(thanks=1.0), "later", "k")
    assert question.text == "How far can I walk in six hours? Thanks."  # not "hours, thanks?"
    complaint = apply_style(
        "Why is the answer not correct?", _style(thanks=1.0), "later", "k", complaint=True
    )
    assert complaint.text == "Why is the answer not correct?"  # no thanks for a wrong answer
    later = apply_style("Make it shorter.", _style(greeting=1.0), "later", "k")
    assert later.text == "Make it shorter."  # greetings only ever open a dialogue


def test_typos_reach_the_persons_rate_capped_and_are_deterministic() -> None:
    text = "please rewrite the paragraph about the history of the village and the old church tower " * 3
    style = _style(typo=0.05)
    first = apply_style(text, style, "later", "seed-a")
    assert first == apply_style(text, style, "later", "seed-a")
    shares = [typo_share(apply_style(text, style, "later", f"seed-{n}").text) or 0.0 for n in range(60)]
    assert statistics.fmean(shares) == pytest.approx(0.05, abs=0.02)
    capped = [
        typo_share(apply_style(text, _style(typo=0.5), "later", f"seed-{n}").text) or 0.0 for n in range(60)
    ]
    assert statistics.fmean(capped) == pytest.approx(0.06, abs=0.02)  # never above MAX_TYPO_RATE


def test_a_repeated_word_is_not_misspelt_the_same_everywhere() -> None:
    text = "race one race two race three race four race five race six race seven race eight"
    typed = apply_style(text, _style(typo=0.06), "later", "k").text
    assert typed.count("race") >= 6
    without_typos = apply_style(text, _style(please=1.0), "later", "seed-a").text
    assert without_typos == text[0].upper() + text[1:] + "."


def test_the_pass_leaves_acronyms_and_a_message_without_habits_alone() -> None:
    style = _style(lowercase_start=1.0)
    assert apply_style("SQL index for this query?", style, "first", "k").text == "SQL index for this query?"
    assert apply_style("why is the sky blue?", _style(), "first", "k").text == "Why is the sky blue?"


def test_a_person_who_says_please_says_it_once() -> None:
    message = TypedMessage("please, can you please tell me how much feed?")  # seen in a run
    _please(message, wanted=True)
    assert message.text == "please, can you tell me how much feed?" and message.edits == ["please"]


def test_a_please_of_its_own_goes_whole() -> None:
    seen = "I need it to be without eggs and without sugar. Please!"  # had left "... sugar.\n!"
    assert apply_style(seen, _style(), "later", "k").text == "I need it to be without eggs and without sugar."
    pleading = "It still has eggs in it. Please help!"  # make demo of 2026-11-29: "Help!" was left
    assert apply_style(pleading, _style(), "later", "k").text == "It still has eggs in it."


def test_please_goes_before_an_order_and_after_a_question() -> None:
    asked = TypedMessage("do you happen to know how much feed my 20 chickens need?")
    _please(asked, wanted=True)  # not "please do you ..."
    assert asked.text == "do you happen to know how much feed my 20 chickens need please?"
    ordered = TypedMessage("do it again with my times")
    _please(ordered, wanted=True)
    assert ordered.text == "please do it again with my times"


def test_a_wish_the_chatbot_is_then_asked_to_do_stays_a_request() -> None:
    seen = "I want to write a poem about cats. Can you do that?"  # grid run of the night of 2026-11-29
    typed = apply_style(seen, _style(), "first", "k", question=True).text
    assert not typed.lower().startswith("how do i")


def test_help_me_figure_out_is_asked_as_the_question_itself() -> None:
    # grid run of the evening of 2026-11-29: sent as the order "Figure out how fast I ran each race."
    seen = "Can you help me figure out how fast I ran each race?"
    assert apply_style(seen, _style(), "first", "k").text == "How fast did I run each race?"
    assert apply_style(seen, _style(), "first", "k", question=True).text == "How fast did I run each race?"
    assert in_question_order("how many calories I burned") == "how many calories did I burn"
    assert in_question_order("how fast I really ran") == "how fast I really ran"  # left: no verb after I
    # a calculation asked as an order stays one
    assert (
        apply_style("Can you help me calculate my speed?", _style(), "first", "k").text
        == "Calculate my speed."
    )
