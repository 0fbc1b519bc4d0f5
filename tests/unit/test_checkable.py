"""Plain evidence that a goal was not met, found without a model."""

from __future__ import annotations

import pytest

from llm_roleplay.nodes.checkable import (
    answer_to,
    broken_word_limit,
    copied_rewrite,
    evident_failures,
    evidently_undelivered,
    false_arithmetic,
    missing_expected_numbers,
)
from llm_roleplay.nodes.checks import numbers_in
from tests.support.seen_replies import CHICKEN_PARTS, FINAL_MEAL_AS_TOTAL, FINAL_MEAL_RIGHT, TOTAL_REPLY


@pytest.mark.parametrize(
    ("text", "wrong"),
    [
        ("Case (b): 2 h walking + 4 h running = 3 + 24 = 28 miles", ["3 + 24 = 28"]),
        ("Running: 2 h × 6 mph = 12 miles", []),
        ("6% ÷ 12 = 0.005 per month", []),
        ("0.25 × 92 + 0.25 × 85 = 23 + 21.25 = 44.25", []),  # a chain: only whole links are checked
        ("100 / 17 = 5.9 m/s", []),  # rounding
        ("217.83 ÷ 4 = $54.64 each", ["217.83 ÷ 4 = $54.64"]),
        ("200 ml x 3 = 500 ml", ["200 ml x 3 = 500"]),
        ("1,200 + 800 = 2,000", []),
        ("see section 3 - 4 = overview", []),
        # bold beside "=" (the labelled set's wrong 200 m speed)
        ("- 200 m: 200 ÷ 30.1 = **7.64 m/s** (27.5 km/h)", ["200 ÷ 30.1 = 7.64"]),
        ("- 50 m: 50 ÷ 7.5 = **6.67 m/s**", []),
    ],
)
def test_false_arithmetic(text: str, wrong: list[str]) -> None:
    assert false_arithmetic(text) == wrong


def test_expected_numbers_must_be_given() -> None:
    replies = ["Run 6 mph, walk 1.5 mph. Case 1: 18 miles. Case 2: 27.0 miles."]
    assert missing_expected_numbers("18 miles first, 27 miles second", replies) == []
    assert missing_expected_numbers("18 miles first, 27 miles second", ["Case 1: 18, case 2: 24"]) == ["27"]
    assert missing_expected_numbers("total $2,399", ["That comes to $2,399.29"]) == []  # rounding


def test_word_limits() -> None:
    short = "Dear landlord, the heater is broken. Please fix it this week. Thanks, Anna"
    assert broken_word_limit("shorten it to under 100 words", short) is None
    assert broken_word_limit("shorten it to under 10 words", short) == "13 words where at most 10 were asked"
    assert broken_word_limit("make it firmer", short) is None


def test_a_rewrite_that_copies_the_old_text() -> None:
    polite = "Dear Mr Smith, the heater in my flat has stopped working. Could you arrange a repair soon? " * 2
    assert copied_rewrite("make the email firmer", polite, [polite])
    assert not copied_rewrite(
        "make the email firmer", "I expect the heater repaired by Friday. " * 5, [polite]
    )
    assert not copied_rewrite("write the email", polite, [polite])  # not a rewrite
    # the old text whole between a new first and last sentence (the labelled set's gl-051)
    framed = f"Here's a refined version with tighter wording:\n\n{polite}\n\nIt now reads more smoothly."
    assert copied_rewrite("refine the email", framed, [polite])
    # the old text and a new one after it: a new version is there
    both = f"Your original:\n{polite}\nThe firmer one:\n" + "I expect the heater repaired by Friday. " * 5
    assert not copied_rewrite("make the email firmer", both, [polite])


def test_the_answer_to_a_part_is_the_reply_to_the_message_asking_for_it() -> None:
    messages = [
        {"role": "user", "content": "write a polite email about the heater"},
        {"role": "assistant", "content": "Dear landlord ..."},
        {"role": "user", "content": "now make the email firmer"},
        {"role": "assistant", "content": "Dear landlord, this is my second request ..."},
    ]
    answer, earlier = answer_to("make the email firmer", messages)
    assert answer.startswith("Dear landlord, this is my second") and earlier == ["Dear landlord ..."]
    # the part's own words count first: "make it firmer" shares only "firmer" with the part, the
    # opening "write a polite email" shares "email" (seen in the labelled set, gl-054)
    messages[2] = {"role": "user", "content": "ok but its been ages, can you make it firmer"}
    parts = ["write a polite email about the heater", "write a firmer version of the email"]
    assert answer_to(parts[1], messages, parts)[0].startswith("Dear landlord, this is my second")


def test_evident_failures_name_the_check_and_the_part() -> None:
    messages = [
        {"role": "user", "content": "how far do i get in each case"},
        {"role": "assistant", "content": "(a) 12 + 6 = 18 miles (b) 3 + 24 = 28 miles"},
    ]
    findings = evident_failures(["work out case a", "work out case b"], messages, "18 miles and 27 miles")
    assert [(f.check, f.detail) for f in findings] == [
        ("false_arithmetic", "3 + 24 = 28"),
        ("missing_expected_number", "27"),
    ]
    refusals = [
        {"role": "user", "content": "score?"},
        {"role": "assistant", "content": "I'm sorry, I can't do that."},
    ]
    assert [f.check for f in evident_failures(["give the score"], refusals)] == ["refused"]


def test_an_offer_in_the_last_reply_is_a_part_not_done() -> None:
    messages = [
        {
            "role": "user",
            "content": "write a cover letter for a junior data analyst job, and a shorter one too",
        },
        {
            "role": "assistant",
            "content": "Dear Hiring Manager, ...\n\nWould you like me to also prepare a shorter version?",
        },
    ]
    parts = [
        "write a cover letter for a junior data analyst position",
        "write a shorter version under 150 words",
    ]
    assert [(f.check, f.detail[:26]) for f in evident_failures(parts, messages)] == [
        ("offered_not_done", "part 2: it only offers it:")
    ]
    done = [*messages[:1], {"role": "assistant", "content": "Dear Hiring Manager, ... Short version: ..."}]
    assert evident_failures(parts, done) == []


def test_the_labelled_set_has_no_evident_failure_among_met_goals() -> None:
    from llm_roleplay.evals.goal_labels import load_goal_labels

    flagged = [
        e.id
        for e in load_goal_labels()
        if e.goal_met and evident_failures(e.parts, e.messages, e.expected_outcome)
    ]
    assert flagged == []


RACES = "You timed your 50 m, 100 m and 200 m races and want your speed in each."


@pytest.mark.parametrize(
    ("part", "reply", "seen"),
    [
        # the method only, with the user's own figures back (seen on the embedded model)
        (
            "calculate the speed for each race",
            "Speed = Distance / Time.\n1. 50m race: Speed = 50 / Time\n2. 100m race: Speed = 100 / Time",
            "it gives no result",
        ),
        (
            "calculate the speed for each race",
            "50 m: 50 / 8.1 = 6.17 m/s; 100 m: 100 / 15.2 = 6.58 m/s",
            None,
        ),
        # a time where speeds were asked (reading run of the evening of 2026-11-29: the user's own
        # times summed, wrongly, taken for the speeds)
        (
            "calculate the speed for each race",
            "You ran 50 m in 15 s, 100 m in 30 s and 200 m in 75 s: a total time of 4 minutes 60 seconds.",
            "it gives no result",
        ),
        ("calculate the speed for each race", "The 50 m race: 3.33 meters per second.", None),
        ("calculate the speed for each race", "50 m in 15 s is 12 km/h.", None),
        ("how many tablespoons are in a quarter cup", "There are 4 tablespoons in 1/4 US cup.", None),
        ("calculate the total feed", "15 + 25 = 45 cups in total", "15 + 25 = 45 is wrong"),
        # calories no body burns (grid run of the evening of 2026-11-29)
        (
            "Calculate the calories burned during each race.",
            "So, the calories burned for the races are:\n- 50 meters in 15 seconds: 2304.75 calories",
            "2304.75 calories in 15 seconds is more than anyone burns",
        ),
        ("Calculate the calories burned during each race.", "- 50 meters in 15 seconds: 4.2 calories", None),
        (  # the race's time from the user's message (grid run of the night of 2026-11-29)
            "Calculate the calories burned during each race.",
            "So the calories burned are:\n- 100 m race: 305 calories",
            "305 calories in 15.2 seconds is more than anyone burns",
        ),
        # what is left answered with what was given (grid run of the evening of 2026-11-29)
        (
            "Determine the amount of feed needed for the final meal of the day.",
            "20 chickens x 3 cups = 60 cups a day.\nSo the feed needed for the final meal is 40 cups.",
            "40 is just the 15 and 25 given already, added up, not what is left",
        ),
        (
            "Determine the amount of feed needed for the final meal of the day.",
            "20 chickens x 3 cups = 60 cups a day, 40 given already.\nSo the final meal is 20 cups.",
            None,
        ),
        (  # the figure without its unit (grid run of the night of 2026-11-29)
            "Determine the amount of feed needed for the final meal of the day.",
            "15 cups + 25 cups = 40 cups\n\nSo, the feed needed for the final meal is \\(\\boxed{40}\\).",
            "40 is just the 15 and 25 given already, added up, not what is left",
        ),
        (
            "write a poem about cats in under 10 words",
            "Soft paws, warm naps, whiskers in the sun, a purring heart.",
            "11 words where at most 10 were asked",
        ),
        ("what is the capital of France", "Paris.", None),  # no figure asked for
        # a numbered list that stops short of the count asked for (the labelled set's 9 of 10 cities)
        (
            "list the 10 oldest continuously inhabited cities",
            "Here are the 10 oldest cities:\n1. Jericho\n2. Byblos\n3. Aleppo\n4. Damascus",
            "it lists 4 cities where 10 were asked",
        ),
        # ... or gives no list at all (the reading run of 2026-11-28: the user then complained of "the
        # order of the cities", having no reason to give) ...
        (
            "List the world's 10 oldest continuously inhabited cities.",
            "Sure! The 3rd oldest continuously inhabited city is Athens, Greece.",
            "it gives no list of 10 cities",
        ),
        (  # names run inline are a list
            "List the world's 10 oldest continuously inhabited cities.",
            "They are Jericho, Damascus, Aleppo, Byblos, Athens, Argos, Susa, Erbil, Sidon and Plovdiv.",
            None,
        ),
        (  # and code finds the things rather than listing them (the labelled set's SQL endings)
            "write a query for the top 5 customers by total order amount",
            "```sql\nSELECT name FROM customers ORDER BY total DESC LIMIT 5;\n```",
            None,
        ),
        (  # ... but code where the things themselves were asked is no list (grid run, evening of 2026-11-29)
            "List the world's 10 oldest continuously inhabited cities.",
            "You can use the following Python code:\n\n```python\nimport requests\n"
            "data = requests.get(url).json()\noldest = sorted(data, key=age)[:10]\n```\n\n"
            "This code uses the Worldometers API to retrieve the list.",
            "it gives no list of 10 cities",
        ),
        # any list of named things that names one twice (walking tours, run of 2026-11-28) ...
        (
            "Provide a list of locations in France that are good for walking tours.",
            "  1. Montmartre: a charming area.\n  2. Champs-Élysées: a popular street.\n"
            "  3. Louvre Museum: a famous museum.\n  4. Eiffel Tower: tall.\n  5. The Louvre Museum: famous.",
            "it lists Louvre Museum twice",
        ),
        (  # ... also on lines of their own (the regions of the reading run of 2026-11-29)
            "Provide a list of locations in France that are good for walking tours.",
            "The correct locations are:\n\n1. The Loire Valley\n2. The Pyrenees\n3. The Alpes\n"
            "4. The Dordogne\n5. The Auvergne-Rhône-Alpes\n6. The Vosges\n7. The Auvergne-Rhône-Alpes",
            "it lists Auvergne-Rhône-Alpes twice",
        ),
        (  # ... but a label on every item names no thing
            "answer the objections",
            "1. Objection: too dear. Reply: it pays.\n2. Objection: too slow. Reply: it is not.\n"
            "3. Objection: too new. Reply: it is tested.",
            None,
        ),
        # ... or names one of them twice (the embedded chatbot's list of 2026-11-28)
        (
            "list the 10 oldest continuously inhabited cities",
            "1. **Rome**, Italy\n2. Antioch, Syria\n3. Memphis\n4. Athens\n5. Carthage\n6. Alexandria\n"
            "7. Rome, Italy\n8. Constantinople\n9. Teheran\n10. Petra",
            "it lists Rome twice",
        ),
        (  # ... as often as it does (2026-11-29: "twice" had been said of four)
            "list the 10 oldest continuously inhabited cities",
            "1. Venice, Italy\n2. Athens, Greece\n3. Babylon, Mesopotamia\n4. Rome, Italy\n5. Tel Aviv\n"
            "6. Jerusalem\n7. Petra, Jordan\n8. Petra, Jordan\n9. Petra, Jordan\n10. Petra, Jordan",
            "it lists Petra 4 times",
        ),
        (
            "give a lasagna recipe for 4 people",
            "1. Boil the sheets\n2. Layer\n3. Bake",
            None,
        ),  # 4 people: no list
        # an offer of the part is no answer to it (the labelled set's "only offered" endings) ...
        (
            "write a funnier one-line version",
            "Happy birthday, sis! Love you lots.\n\nIf you'd like, I can also write a funnier version!",
            "it only offers it: If you'd like, I can also write a funnier version!",
        ),
        # ... but an offer of something else, sharing one word with the part, is not
        (
            "refine the poem",
            "Whiskers in the moonlight,\nsoft paws upon the sill,\n"
            "a yawn, a stretch, a purr,\nthe house is warm and still.\n\n"
            "Would you like me to make any other changes to the poem?",
            None,
        ),
    ],
)
def test_what_a_person_sees_at_a_glance(part: str, reply: str, seen: str | None) -> None:
    known = [
        RACES,
        "i ran 50 m in 8.1 s and 100 m in 15.2 s. how many tablespoons in 1/4 cup",
        "15 cups + 25 cups",
    ]
    assert evidently_undelivered(part, reply, [], known) == seen


def test_versions_and_addresses_are_read_as_numbers_not_errors() -> None:
    # "3.10.4" as one number had made float() fail: the user's turn ended in an error.
    reply = "Install Python 3.10.4, then serve it on 192.168.0.1:8000. 2 + 2 = 5"
    assert false_arithmetic(reply) == ["2 + 2 = 5"]
    assert evidently_undelivered("calculate the total", reply, [], ["what is 2 + 2"]) is not None
    assert numbers_in("1,250,000.5 people, python 3.10.4") == {1250000.5, 3.1, 4.0}


PYTHON_REPLY = (
    "Here's a function that counts vowels:\n\n```python\ndef count_vowels(text):\n"
    "    return sum(1 for c in text.lower() if c in 'aeiou')\n```\n\nCall it with any string."
)
JAVASCRIPT_REPLY = (
    "Here you go:\n\n```javascript\nclass VowelCounter {\n  constructor(str) { this.str = str; }\n"
    "  countVowels() { return (this.str.match(/[aeiou]/gi) || []).length; }\n}\n```"
)


def test_code_in_a_language_nobody_asked_for_is_seen_at_a_glance() -> None:
    # Seen on 2026-11-28: Python for the JavaScript goal, taken by the user without a word.
    part = "Develop a function that counts the number of vowels in a given string using JavaScript"
    goal = "You have a little project where you need to use JavaScript."
    assert evidently_undelivered(part, PYTHON_REPLY, [], [goal]) == "its code is in Python, not JavaScript"
    assert evidently_undelivered(part, JAVASCRIPT_REPLY, [], [goal]) is None
    # no language named, or no code at all: nothing to see
    assert evidently_undelivered("count the vowels in a string", PYTHON_REPLY, [], ["a goal"]) is None
    assert evidently_undelivered(part, "Loop over the letters and count a, e, i, o, u.", [], [goal]) is None


def test_code_in_another_language_fails_the_goal_check_for_any_part() -> None:
    parts = ["Write a function that counts vowels using JavaScript", "Make it object-oriented"]
    messages = [
        {"role": "user", "content": "how do i count vowels in a string in javascript"},
        {"role": "assistant", "content": JAVASCRIPT_REPLY},
        {"role": "user", "content": "can you make it oop"},
        {"role": "assistant", "content": PYTHON_REPLY.replace("def count_vowels", "class C:\n  def count")},
    ]
    found = [(f.check, f.detail) for f in evident_failures(parts, messages)]
    assert found == [("wrong_language", "part 2: its code is in Python, not JavaScript")]
    messages[3] = {"role": "assistant", "content": JAVASCRIPT_REPLY}
    assert not [f for f in evident_failures(parts, messages) if f.check == "wrong_language"]


# The embedded chatbot's first answer to the skipping goal, and its answer to "the other way
# around": the same steps and the same 18 miles (reading run of 2026-11-28; the other way is 27).
FIRST_CASE = (
    "Time running: 1/3 × 6 = 2 hours. Time walking: 2/3 × 6 = 4 hours. "
    "Running: 3 × 2 = 6 miles. Walking: 3 × 4 = 12 miles. Total: 6 + 12 = 18 miles."
)
OTHER_CASE = "The other way around: " + FIRST_CASE
RIGHT_OTHER_CASE = (
    "Walking 2 hours at 1.5 mph = 3 miles; running 4 hours at 6 mph = 24 miles. Total: 3 + 24 = 27 miles."
)


def test_the_other_case_answered_with_the_first_cases_figures() -> None:
    part = "The other way around (one-third of the time walking and two-thirds for running)."
    assert evidently_undelivered(part, OTHER_CASE, [FIRST_CASE], []) == "it gives the same figures as before"
    assert evidently_undelivered(part, RIGHT_OTHER_CASE, [FIRST_CASE], []) is None
    # not a request for another case: the same figures again may be the answer
    assert evidently_undelivered("explain the walking part", OTHER_CASE, [FIRST_CASE], []) is None
    messages = [
        {
            "role": "user",
            "content": "if i skip at 3 mph how far do i get in 6 hours, 1/3 running 2/3 walking",
        },
        {"role": "assistant", "content": FIRST_CASE},
        {"role": "user", "content": "now the other way around, 1/3 walking and 2/3 running"},
        {"role": "assistant", "content": OTHER_CASE},
    ]
    parts = ["how far in six hours, one-third running and two-thirds walking", part]
    assert [f.check for f in evident_failures(parts, messages)] == ["same_figures"]
    right = [*messages[:3], {"role": "assistant", "content": RIGHT_OTHER_CASE}]
    assert evident_failures(parts, right) == []


def test_a_calculation_answered_with_formulas_only_gives_no_result() -> None:
    # the labelled set's gl-002: formulas and a request for the readings, no speed
    parts = ["calculate the speed for each race"]
    messages = [
        {"role": "user", "content": "i ran 50 m, 100 m and 200 m. whats my speed in each"},
        {
            "role": "assistant",
            "content": "Speed = distance / time. Send me your times for the 50 m, 100 m and 200 m.",
        },
    ]
    assert [(f.check, f.detail) for f in evident_failures(parts, messages)] == [
        ("no_result", "part 1: it gives no result")
    ]
    messages[1] = {"role": "assistant", "content": "At 8 s for 50 m you ran 6.25 m/s."}
    assert evident_failures(parts, messages) == []


def test_the_answer_to_another_calculation_given_again_is_no_answer() -> None:
    messages = [
        {"role": "user", "content": "my 20 chickens get 15 cups in the morning, 25 in the afternoon. total?"},
        {"role": "assistant", "content": TOTAL_REPLY},
        {"role": "user", "content": "how many cups do i give them in the final meal of the day"},
        {"role": "assistant", "content": FINAL_MEAL_AS_TOTAL},
    ]
    assert [(f.check, f.detail) for f in evident_failures(CHICKEN_PARTS, messages)] == [
        ("same_answer", "part 2: it is the same answer as to my other question")
    ]
    right = [*messages[:3], {"role": "assistant", "content": FINAL_MEAL_RIGHT}]
    assert evident_failures(CHICKEN_PARTS, right) == []
    # the user's reading: only a reply that delivered another part counts, not any earlier one
    seen = evidently_undelivered(CHICKEN_PARTS[1], FINAL_MEAL_AS_TOTAL, [TOTAL_REPLY], [], [TOTAL_REPLY])
    assert seen == "it is the same answer as to my other question"
    assert evidently_undelivered(CHICKEN_PARTS[1], FINAL_MEAL_AS_TOTAL, [TOTAL_REPLY], []) is None


def test_a_quantity_asked_for_by_name_needs_a_figure() -> None:
    # Seen on 2026-11-29: "Determine the amount of feed needed for the final meal" answered with advice
    # and no figure, and accepted (P(yes) 0.57): only "calculate", "how many" and the like counted.
    advice = "The amount of feed for the final meal depends on the breed, age and health of your chickens."
    assert evidently_undelivered(CHICKEN_PARTS[1], advice, [], ["20 chickens, 15 and 25 cups"]) == (
        "it gives no result"
    )
    assert evidently_undelivered(CHICKEN_PARTS[1], FINAL_MEAL_RIGHT, [], ["20 chickens"]) is None


def test_a_method_first_and_the_result_once_the_user_gave_figures_is_a_result() -> None:
    # Grid run of 2026-11-29: the method came first, the speeds after the user's times; "no result"
    # was read in the method and the user was sent back to complain of speeds they had been given.
    parts = ["Calculate the speed for each race.", "Calculate the calories burned during each race."]
    messages = [
        {"role": "user", "content": "whats my speed for my 50-meter and 100-meter races"},
        {"role": "assistant", "content": "Speed = distance / time. Tell me the time of each race."},
        {"role": "user", "content": "50-meter took 9 seconds, 100-meter took 19 seconds"},
        {"role": "assistant", "content": "Your speed: 50 / 9 = 5.56 m/s and 100 / 19 = 5.26 m/s."},
        {"role": "user", "content": "and the calories burned in each race?"},
        {"role": "assistant", "content": "About 4 kcal and 8 kcal for a 70 kg runner."},
    ]
    assert [f.check for f in evident_failures(parts, messages)] == []
    # without the user's figures, a later reply with other figures is no result for the speeds
    never_told = [messages[0], messages[1], messages[4], {"role": "assistant", "content": "MET 15-23."}]
    assert [f.check for f in evident_failures(parts, never_told)] == ["no_result"]


def test_a_refusal_and_the_result_once_the_user_asked_again_is_a_result() -> None:
    # A speeds dialogue of the evening of 2026-11-29: the calories refused at first, given per race in
    # the four replies after the user asked again; "no result" was read in the refusal and the user
    # complained of the per-race calories to the end.
    parts = ["Calculate the speed for each race.", "Calculate the calories burned during each race."]
    messages = [
        {"role": "user", "content": "50-meter took 10 seconds, 100-meter took 20. whats my speed in each"},
        {"role": "assistant", "content": "50 / 10 = 5 m/s and 100 / 20 = 5 m/s."},
        {"role": "user", "content": "What are the calories burned during each race please?"},
        {"role": "assistant", "content": "I cannot provide information on the calories burned."},
        {"role": "user", "content": "please help me get the calories burned for each race"},
        {"role": "assistant", "content": "50-meter race: 15 calories, 100-meter race: 30 calories."},
    ]
    assert [f.check for f in evident_failures(parts, messages)] == []
    # asked about another part in one shared word ("race") is no asking again
    other = {"role": "user", "content": "and the speed for the other race"}
    assert [f.check for f in evident_failures(parts, [*messages[:4], other, messages[5]])] == ["no_result"]
