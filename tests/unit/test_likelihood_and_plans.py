"""P(YES) from token probabilities or samples, quoted evidence, goal plans and the user's moves."""

from __future__ import annotations

import math

import pytest

from llm_roleplay.nodes.goal_plan import (
    finished_plan,
    goal_names,
    material_of,
    parse_plan,
    split_goal,
    with_goal_names,
    without_derived_steps,
    without_material,
    without_stop_conditions,
)
from llm_roleplay.nodes.intents import asking_sentences, asks_user, cannot_help
from llm_roleplay.nodes.likelihood import p_yes_from_logprobs, p_yes_from_text
from llm_roleplay.nodes.verification import quoted_evidence


def token(text: str, *alternatives: tuple[str, float]) -> dict[str, object]:
    """One generated token with its top alternatives given as probabilities."""
    top = [{"token": name, "logprob": math.log(p)} for name, p in alternatives] or [
        {"token": text, "logprob": 0.0}
    ]
    return {"token": text, "logprob": top[0]["logprob"], "top_logprobs": top}


def test_p_yes_is_the_yes_mass_over_yes_and_no() -> None:
    content = [token("YES", ("YES", 0.6), ("NO", 0.2), ("Yes", 0.1), ("The", 0.1))]
    assert p_yes_from_logprobs(content) == pytest.approx(0.7 / 0.9)


def test_p_yes_is_read_after_the_marker_only() -> None:
    content = [
        token("Evidence"),
        token(":"),
        token(" no", ("no", 0.9), ("yes", 0.1)),  # a "no" inside the evidence, before the marker
        token("\nDone"),
        token(":"),
        token(" YES", (" YES", 0.8), (" NO", 0.2)),
    ]
    assert p_yes_from_logprobs(content, after="Done:") == pytest.approx(0.8)
    assert p_yes_from_logprobs(content[:4], after="Done:") is None


def test_an_answer_that_is_neither_gives_none() -> None:
    assert p_yes_from_logprobs([token("Maybe", ("Maybe", 0.9), ("Perhaps", 0.1))]) is None
    assert p_yes_from_text("Maybe later.") is None
    assert p_yes_from_text("Yes.") == 1.0 and p_yes_from_text("no, not yet") == 0.0
    assert p_yes_from_text("Evidence: none\nDone: YES", after="Done:") == 1.0


REPLY = (
    "To find your speed, divide distance by time. For the 50 m race in 8 s that is 6.25 m/s. "
    "For 100 m in 17 s it is about 5.9 m/s."
)


@pytest.mark.parametrize(
    ("answer", "found"),
    [
        ("Evidence: For the 50 m race in 8 s that is 6.25 m/s.\nDone: YES", True),
        ('Evidence: "for the 50 m race in 8 s that is 6.25 m/s"\nDone: YES', True),
        ("Evidence: For the 200 m race in 40 s that is 5 m/s.\nDone: YES", False),  # made up
        ("Evidence: none\nDone: NO", False),
        ("Done: YES", False),
    ],
)
def test_evidence_must_be_in_the_replies(answer: str, found: bool) -> None:
    assert (quoted_evidence(answer, [REPLY]) is not None) is found


def test_a_worked_example_is_not_evidence_of_the_users_result() -> None:
    """Seen on the embedded model: formulas with a made-up 10K race, verified as the user's speeds."""
    reply = (
        "Here is an example: If you ran a 10K race in 30 minutes, you can calculate your speed as follows: "
        "Speed = 10,000 meters / 0.5 hours = 20,000 meters per hour."
    )
    answer = "Evidence: Speed = 10,000 meters / 0.5 hours = 20,000 meters per hour.\nDone: YES"
    assert quoted_evidence(answer, [reply]) is None
    assumed = "Since we are not given the times, let's assume 10 seconds: speed = 50 / 10 = 5 m/s."
    assert quoted_evidence("Evidence: speed = 50 / 10 = 5 m/s\nDone: YES", [assumed]) is None
    # Seen on 2026-11-28: a table of made-up races, announced at the end of the paragraph before,
    # a long way (past the sentence window) from the row quoted.
    announced = (
        "You can enter the distance and time for each race into a spreadsheet and use the formula to "
        "calculate the speed for each race, one row per race, with its distance and time. Here's an example:"
        "\n\n| Race | Distance (km) | Time (hours) | Speed (km/h) |\n|------|------|------|------|\n"
        "| 1    | 3.5           | 1.2          | 2.86          |\n"
        "| 2    | 5.0           | 2.0          | 2.50          |\n"
        "| 3    | 4.0           | 1.5          | 2.67 for the third race of the three timed |"
    )
    quote = "Evidence: 3 | 4.0 | 1.5 | 2.67 for the third race of the three timed\nDone: YES"
    assert quoted_evidence(quote, [announced]) is None
    assert quoted_evidence(quote, [announced.replace("Here's an example:", "Yours:")]) is not None


# The last reply of a JavaScript dialogue of 2026-11-28 (shortened): right, and introduced as an example.
CODE_REPLY = (
    "To get the input string via an API call, you can use a library like Axios. Here's an example of "
    "how you can make an API call and pass the string to the `countVowels` method:\n\n```javascript\n"
    "const axios = require('axios');\n\nclass VowelCounter {\n  constructor(str) { this.str = str; }\n"
    "  countVowels() { return (this.str.match(/[aeiou]/gi) || []).length; }\n}\n\n"
    "axios.get('https://api.example.com/vowels')\n  .then(response => {\n"
    "    const vowelCounter = new VowelCounter(response.data);\n  });\n```\n\n"
    "Replace the URL with your API endpoint."
)


def test_a_line_of_code_is_evidence_however_the_reply_introduces_it() -> None:
    quote = "Evidence: axios.get('https://api.example.com/vowels')\nDone: YES"
    assert quoted_evidence(quote, [CODE_REPLY]) == "axios.get('https://api.example.com/vowels')"
    # ... but not for a calculation: a program's example inputs are not the user's result
    assert quoted_evidence(quote, [CODE_REPLY], code_counts=False) is None


def test_code_copied_without_its_comments_is_evidence() -> None:
    # What the embedded judge quoted for the reading run's JavaScript function (2026-11-28).
    reply = (
        "Below is a JavaScript function:\n\n```javascript\nfunction countVowels(str) {\n"
        "  // Define a string containing all vowels\n  const vowels = 'aeiouAEIOU';\n"
        "  // Initialize a counter for vowels\n  let count = 0;\n  for (let i = 0; i < str.length; i++) {\n"
        "    // Check if the current character is a vowel\n    if (vowels.includes(str[i])) {\n"
        "      count++;\n    }\n  }\n  return count;\n}\n```"
    )
    copied = (
        "Evidence: function countVowels(str) {\n  const vowels = 'aeiouAEIOU';\n  let count = 0;\n"
        "  for (let i = 0; i < str.length; i++) {\n    if (vowels.includes(str[i])) {\n      count++;\n"
        "    }\n  }\n  return count;\n}\nDone: YES"
    )
    assert quoted_evidence(copied, [reply]) is not None
    other = "Evidence: def count_vowels(text):\n    return sum(c in 'aeiou' for c in text)\nDone: YES"
    assert quoted_evidence(other, [reply]) is None  # code the reply does not have


def test_code_the_judge_describes_by_name_is_quoted_by_the_lines_of_those_names() -> None:
    # What the embedded judge answered for a right JavaScript class (2026-11-28).
    described = (
        "Evidence: The assistant provided a class `VowelCounter` with a method `countVowels` that "
        "takes a string and returns the number of vowels.\nDone: YES"
    )
    assert quoted_evidence(described, [CODE_REPLY]) == (
        "class VowelCounter { / countVowels() { return (this.str.match(/[aeiou]/gi) || []).length; }"
    )
    # what sets the API part apart is in its other name: the line that uses it
    api = "Evidence: The class `VowelCounter` gets its string from `axios.get`.\nDone: YES"
    assert (
        quoted_evidence(api, [CODE_REPLY])
        == "class VowelCounter { / axios.get('https://api.example.com/vowels')"
    )
    invented = "Evidence: The assistant provided a function `count_vowels` in Python.\nDone: YES"
    assert quoted_evidence(invented, [CODE_REPLY]) is None  # a name the code does not have
    assert quoted_evidence(described, ["A VowelCounter class would count them."]) is None  # no code


def test_items_of_a_list_in_the_reply_are_evidence() -> None:
    reply = (
        "Here are some great places for walking tours in France:\n\n1. **Mont Saint Michel**: a tidal "
        "island.\n2. **Gordes**: a hill village in Provence.\n3. **Lyon**: old town lanes.\n"
        "4. **Paris**: the Seine quays."
    )
    listed = "Evidence: Mont Saint Michel, Gordes, Lyon and Paris\nDone: YES"
    assert quoted_evidence(listed, [reply]) == "Mont Saint Michel, Gordes, Lyon and Paris"
    assert quoted_evidence("Evidence: Mont Saint Michel, Gordes, Lyon, Nice\nDone: YES", [reply]) is None
    assert quoted_evidence("Evidence: Gordes and Lyon\nDone: YES", [reply]) is None  # two names are no list


def test_plans_from_a_judge_answer() -> None:
    assert parse_plan("1. calculate the speed for each race\n2. calculate the calories burned") == [
        "Calculate the speed for each race",
        "Calculate the calories burned",
    ]
    assert parse_plan("- The chatbot should make it recursive\n- add a CLI\n- add a CLI") == [
        "Make it recursive",
        "Add a CLI",
    ]
    assert parse_plan("- The person wants the chatbot to draw a unicorn using the 'turtle' module.") == [
        "Draw a unicorn using the 'turtle' module."
    ]  # seen on 2026-11-28: the user then asked the chatbot "wanna draw a unicorn ...?"
    assert parse_plan("YES") is None
    goal = "You want to know your speed in each race, and the calories you burned."
    assert parse_plan("- calculate the speed in each race\n- calculate the calories burned", goal)
    # a part the goal never asked for (here: the prompt's own example) makes the plan unusable
    assert parse_plan("- calculate the speed in each race\n- write an email to my landlord", goal) is None
    assert parse_plan("- - - - - - - -\n", goal) is None  # seen from the embedded judge: asks for nothing
    assert parse_plan("\n".join(f"{n}. step number {n}" for n in range(1, 9))) is None  # too many
    # seen from the embedded judge on the paper's JavaScript goal: a way to behave is not a request
    javascript = (
        "- The chatbot needs to write a function that counts the vowels in a string.\n"
        "- The function should be written in OOP.\n"
        "- If the chatbot uses functions it is not familiar with, it should ask follow-up questions."
    )
    assert parse_plan(javascript) == [
        "Write a function that counts the vowels in a string.",
        "The function should be written in OOP.",
    ]


def test_plans_without_a_model_are_the_request_sentences() -> None:
    goal = (
        "You use a stopwatch for a 50-meter and 100-meter race. You want to know how to calculate your "
        "speed for each race. Based on that, you also want to calculate the calories burned."
    )
    assert split_goal(goal) == [
        "How to calculate your speed for each race.",
        "Based on that, calculate the calories burned.",
    ]
    # the paper's poem and skipping goals: parts in the goal's "you want" voice came back in the
    # user's messages ("I need a chatbot to help me with that", "also you're curious about ...")
    poem = (
        "You want to use the chatbot to create a poem about cats. Refine the poem until you are satisfied. "
        "Also you want to change the style of one of the quatrains to reflect your favourite poet."
    )
    assert split_goal(poem) == [
        "Create a poem about cats.",
        "Refine the poem until you are satisfied.",
        "Change the style of one of the quatrains to reflect your favourite poet.",
    ]
    skipping = (
        "You want to know how far you get. Also you are curious about the other way around (walking first)."
    )
    assert split_goal(skipping) == [
        "How far you get.",
        "The other way around (walking first).",
    ]
    assert split_goal("Tell me a joke") == ["Tell me a joke"]
    # "..., and then ..." is two requests, in order
    assert split_goal("I want a polite email to my landlord about the heater, and then make it firmer.") == [
        "I want a polite email to my landlord about the heater",
        "Make it firmer.",
    ]
    # a decimal point is not a full stop (the fallback once cut a price to "what they cost at 18.")
    assert split_goal("Walls are 2.5 m high. You want to know what 4 tins cost at 18.50 each.") == [
        "What 4 tins cost at 18.50 each."
    ]


JS_GOAL = (
    "You have a little project where you need to use JavaScript, a language you don't use every day. "
    "You want a function that counts the vowels in a string, in OOP, and it should print 'The COUNT'."
)


def test_a_technical_name_no_part_has_goes_with_the_first_part() -> None:
    # reading run of 2026-11-28: the plan dropped JavaScript, and the user took Python without a word
    assert goal_names(JS_GOAL) == ["JavaScript", "OOP"]  # quoted text ('The COUNT') names nothing
    planned = ["Develop a function that counts vowels in a string.", "Implement it in OOP."]
    assert with_goal_names(planned, JS_GOAL) == [
        "Develop a function that counts vowels in a string using JavaScript",
        "Implement it in OOP.",
    ]
    named = ["Write a JavaScript function that counts vowels.", "Implement it in OOP."]
    assert with_goal_names(named, JS_GOAL) == named
    assert goal_names("You plan a trip to France on a Monday.") == []  # places and days are no setting


@pytest.mark.parametrize(
    ("part", "kept"),
    [
        ("Refine the poem until satisfied", "Refine the poem"),  # the judge's plan of 2026-11-28
        (
            "Refine the poem until you are satisfied and it is coherent.",
            "Refine the poem so that it is coherent.",
        ),
        ("Refine the poem until you are happy with it", "Refine the poem"),
        ("Bake the pancakes until golden", "Bake the pancakes until golden"),  # a step, not a stop
    ],
)
def test_a_stop_condition_is_no_part_of_the_request(part: str, kept: str) -> None:
    assert without_stop_conditions([part]) == [kept]
    assert finished_plan([part], "You want a poem about cats.") == [kept]


CATS = (
    "You want to use the chatbot to create a poem about cats. Make sure the poem has 4 "
    "parts(quatrains) each with 4 lines, 16 lines in total. Refine the poem until you are satisfied "
    "and it is coherent. Also you want to change the style of one of the quatrains to reflect the "
    "distinctive style of your favourite poet."
)


def test_a_condition_of_the_goal_with_figures_no_part_has_joins_its_closest_part() -> None:
    # The embedded judge's plan of 2026-11-28: the user asked for "a poem about cats", got 12 lines
    # and had nothing to complain of.
    planned = ["Create a poem about cats", "Refine the poem", "Change the style of one of the quatrains"]
    assert finished_plan(planned, CATS) == [
        "Create a poem about cats. Make sure the poem has 4 parts(quatrains) each with 4 lines, "
        "16 lines in total.",
        "Refine the poem",
        "Change the style of one of the quatrains",
    ]
    # a plan that has the figures already, or a goal whose conditions hold none, is left as it is
    with_figures = ["Create a poem about cats in 4 quatrains, 16 lines", "Refine the poem"]
    assert finished_plan(with_figures, CATS) == with_figures
    assert finished_plan(["Draw a unicorn"], "You want a unicorn in turtle. Make sure it has a horn.") == [
        "Draw a unicorn"
    ]


def test_material_is_the_code_the_user_pastes() -> None:
    goal = "You want this function recursive. ``` def f(n): return 1 ``` Then add a CLI."
    assert material_of(goal) == "def f(n): return 1"
    assert "def f" not in without_material(goal)
    assert material_of("no code here") == ""


@pytest.mark.parametrize(
    ("reply", "asks"),
    [
        ("Sure. Please provide me with the stopwatch readings for each race.", True),
        ("Which match do you mean? Arsenal men's or women's team?", True),
        ("What are your times for each race?", True),
        ("Your speed is 6.25 m/s. Let me know if you have any other questions!", False),
        ("Here is the email. Would you like me to make it firmer?", False),
        ("The capital is Canberra.", False),
        ("Since we are not given the time for each race, I'll assume 10 seconds for the 50 m.", True),
    ],
)
def test_asks_user(reply: str, asks: bool) -> None:
    assert asks_user(reply) is asks


def test_asking_sentences_are_what_the_answer_prompt_quotes() -> None:
    reply = (
        "To find your speed, divide distance by time. Let's assume you weigh 70 kg. "
        "What were your times for each race? Let me know if you have any other questions!"
    )
    assert asking_sentences(reply) == ["Let's assume you weigh 70 kg.", "What were your times for each race?"]
    assert asking_sentences("Your speed is 6.25 m/s. Let me know if you have any other questions!") == []
    # an offer to redo it with other figures asks for nothing (grid run of the evening of 2026-11-29)
    redo = "200 / 45 = 4.44 m/s. If you have different times, please provide them so I can recalculate."
    assert asking_sentences(redo) == []


def test_cannot_help() -> None:
    assert cannot_help("I'm sorry, I don't have access to live data, so I can't give you the score.")
    assert cannot_help("I can't access your bank account. Please use your bank's app.")
    long_but_helpful = "I can't run code, but here is how you would do it. " + "Step by step. " * 40
    assert not cannot_help(long_but_helpful)
    assert not cannot_help("Your speed is 6.25 m/s.")


def test_a_forms_optional_plural_is_written_out_in_the_plan() -> None:
    # The paper's goal 5 as the embedded judge planned it; the user typed the "(s)" as it stood
    # (reading run of 2026-11-29).
    planned = ["Substitute the 10th line, which includes number argument(s), with the value 73(s)."]
    goal = "You want to draw a unicorn in python using the 'turtle' module."
    assert finished_plan(planned, goal) == [
        "Substitute the 10th line, which includes number arguments, with the value 73."
    ]


def test_the_goals_reason_for_a_request_is_no_part() -> None:
    goal = (
        "You have written a content that disagrees with the following statement: 'Technology is the cause "
        "of all societal problems' And you want the chatbot to generate a response that agrees with the "
        "statement, to make your claims stronger."
    )
    planned = ["Generate a response that agrees with the statement", "Make your claims stronger"]
    assert finished_plan(planned, goal) == ["Generate a response that agrees with the statement"]
    # a request after "to" is a request
    recursive = "You want the chatbot to make it recursive, and to add a CLI."
    assert finished_plan(["Make it recursive", "Add a CLI"], recursive) == ["Make it recursive", "Add a CLI"]


CHICKENS = (
    "Every day, you feed each of your chickens three cups of mixed chicken feed, containing seeds, mealworms "
    "and vegetables to help keep them healthy. You give the chickens their feed in three separate meals. In "
    "the morning, you give your flock of chickens 15 cups of feed. In the afternoon, you give your chickens "
    "another 25 cups of feed. You want to know how many cups of feed do you need to give your chickens in "
    "the final meal of the day if the size of your flock is 20 chickens?  Also you want to know how much "
    "does the chicken egg production rate depend on the feed you give? And if you provide enough feed to "
    "your chickens for high-rate egg production."
)


def test_a_step_the_judge_added_to_the_plan_is_left_out() -> None:
    # The embedded judge's plan of the grid runs of 2026-11-29 (twice): the user opened with the total.
    planned = [
        "Calculate the total amount of feed given to the chickens in a day.",
        "Determine the amount of feed needed for the final meal of the day.",
        "Analyze the relationship between the amount of feed given and the chicken egg production rate.",
        "Evaluate if providing enough feed to achieve high egg production is feasible.",
    ]
    assert without_derived_steps(planned, CHICKENS) == planned[1:]


def test_parts_that_each_ask_words_of_their_own_or_the_same_in_another_order_stay() -> None:
    factorial = (
        "You want the chatbot to make it recursive to have memory optimal function, but make sure that it "
        "doesn't enter to an infinite loop. After that you want to plug a CLI to this function."
    )
    parts = [
        "Make the function recursive to have memory optimal.",
        "Ensure that the function does not enter an infinite loop.",
        "Plug a CLI to the function.",
    ]
    assert without_derived_steps(parts, factorial) == parts
    skipping = (
        "You want to know how many miles you can travel in six hours if you spend one-third of the time "
        "running and two-thirds walking. Also the other way around (one-third walking, two-thirds running)."
    )
    cases = [
        "Determine the distance traveled in the first scenario (one-third running, two-thirds walking).",
        "Determine the distance traveled in the second scenario (one-third walking, two-thirds running).",
    ]
    assert without_derived_steps(cases, skipping) == cases
    vowels = "You need to write a function that counts vowels in JavaScript. And you need it in OOP."
    oop = ["Write a function that counts vowels using JavaScript", "The function should be written in OOP."]
    assert without_derived_steps(oop, vowels) == oop
