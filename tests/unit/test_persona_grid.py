"""Persona sampling under rules, persona files, compatibility and the persona x goal x trial grid."""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.goals import Goal
from llm_roleplay.blocks.persona_grid import (
    NO_RULES,
    ForbidRule,
    GridPlan,
    PersonaRules,
    compatible,
    default_rules,
    load_rules,
    pair_grid,
    read_personas,
    sample_personas,
    trial_seeds,
)
from llm_roleplay.blocks.personas import Persona, default_schema

FAST = settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])

STUDENT_GOAL = Goal(id="exam", goal="You want exam help.", persona_constraints={"occupation": ["student"]})
OPEN_GOAL = Goal(id="open", goal="You want a recipe.")
SENIOR_GOAL = Goal(
    id="pension", goal="You want pension advice.", persona_constraints={"age_bracket": ["65+"]}
)


def persona(**attributes: str) -> Persona:
    return Persona(attributes=attributes)


def full_persona(**overrides: str) -> Persona:
    base = {
        "age_bracket": "35-44",
        "gender": "female",
        "race_ethnicity": "mixed",
        "education": "bachelors",
        "native_english": "yes",
        "occupation": "nurse",
        "region": "canada",
        "chatbot_familiarity": "occasional",
    }
    return Persona(attributes={**base, **overrides})


def cell_keys(plan: GridPlan) -> list[tuple[object, ...]]:
    return [
        (c.persona_index, c.goal.id, c.trial, c.seed, c.replaced, json.dumps(c.persona.attributes))
        for c in plan.cells
    ]


# ----------------------------------------------------------------------------- rules


def test_packaged_rules_are_valid_and_concern_life_stage_and_qualifications_only() -> None:
    rules = default_rules()
    assert len(rules.forbid) >= 5
    assert rules.weights == {}
    named = {name for rule in rules.forbid for name in rule.values}
    assert named <= {"age_bracket", "education", "occupation"}
    assert all(rule.reason for rule in rules.forbid)
    retired_young = full_persona(occupation="retired", age_bracket="25-34")
    assert rules.violation(retired_young.attributes) is not None
    assert rules.violation(full_persona(occupation="retired", age_bracket="65+").attributes) is None
    assert rules.violation(full_persona(education="doctorate", age_bracket="18-24").attributes) is not None
    assert (
        rules.violation(full_persona(occupation="researcher", education="high_school").attributes) is not None
    )
    assert (
        rules.violation(full_persona(occupation="teacher", education="no_qualification").attributes)
        is not None
    )


def test_forbid_rule_needs_every_named_attribute_to_match() -> None:
    rule = ForbidRule(values={"occupation": frozenset({"retired"}), "age_bracket": frozenset({"18-24"})})
    assert rule.matches({"occupation": "retired", "age_bracket": "18-24"})
    assert not rule.matches({"occupation": "retired", "age_bracket": "65+"})
    assert not rule.matches({"occupation": "retired"})  # a partial persona does not match
    assert rule.describe() == "forbidden combination occupation=retired & age_bracket=18-24"


RULE_ERRORS = [
    ('{"forbid": [{"hair": ["red"]}]}', " forbid item 1: unknown attribute 'hair' (known: "),
    (
        '{"forbid": [{"reason": "x", "occupation": ["retired"]}, {"occupation": ["pilot"]}]}',
        " forbid item 2: unknown value 'pilot' for 'occupation' (known: ",
    ),
    ('{"forbid": [{"occupation": []}]}', " forbid item 1: 'occupation' must be a non-empty list of values"),
    ('{"forbid": [{"reason": "nothing"}]}', " forbid item 1: a rule needs at least one attribute"),
    ('{"forbid": {"occupation": ["retired"]}}', ": 'forbid' must be a list of rules"),
    (
        '{"weights": {"gender": {"female": -1}}}',
        " weights.gender.female: weight must be a number of 0 or more",
    ),
    (
        '{"weights": {"gender": {"female": true}}}',
        " weights.gender.female: weight must be a number of 0 or more",
    ),
    (
        '{"weights": {"native_english": {"yes": 0, "no": 0}}}',
        " weights.native_english: every value has weight 0; nothing could be drawn",
    ),
    ('{"weights": {"gender": {"robot": 1}}}', " weights.gender: unknown value 'robot' for 'gender' (known: "),
    ('{"forbids": []}', ": unknown field 'forbids' (known: version, description, forbid, weights)"),
    (
        '{"forbid": [\n  {"occupation": ["retired"]}\n  {"x": 1}]}',
        " line 3: invalid JSON (Expecting ',' delimiter",
    ),
    ("[]", ": expected an object with 'forbid' and/or 'weights'"),
]


@pytest.mark.parametrize(("text", "expected"), RULE_ERRORS)
def test_rule_file_errors_name_file_and_field(tmp_path: Path, text: str, expected: str) -> None:
    path = tmp_path / "rules.json"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_rules(path)
    message = str(info.value)
    assert len(message.splitlines()) == 1
    assert message.startswith(f"{path}{expected}"), message


def test_rules_file_round_trip(tmp_path: Path) -> None:
    path = tmp_path / "rules.json"
    path.write_text(
        json.dumps(
            {
                "forbid": [{"reason": "test", "gender": ["male"], "region": ["japan", "egypt"]}],
                "weights": {"native_english": {"no": 0.5}},
            }
        )
    )
    rules = load_rules(path)
    assert rules.forbid == (
        ForbidRule(
            values={"gender": frozenset({"male"}), "region": frozenset({"japan", "egypt"})}, reason="test"
        ),
    )
    assert rules.weight("native_english", "no") == 0.5
    assert rules.weight("native_english", "yes") == 1.0  # unlisted values weigh 1


# ----------------------------------------------------------------------------- sampling


def test_sampling_is_reproducible_and_each_persona_depends_only_on_seed_and_index() -> None:
    first = sample_personas(8, seed=3)
    assert first.personas == sample_personas(8, seed=3).personas
    assert sample_personas(20, seed=3).personas[:8] == first.personas  # asking for more keeps the first ones
    assert [p.source for p in first.personas] == [f"sampled:3:{i}" for i in range(8)]
    other = sample_personas(8, seed=4).personas
    assert [p.attributes for p in other] != [p.attributes for p in first.personas]
    assert len({json.dumps(p.attributes, sort_keys=True) for p in first.personas}) == 8


def test_sampled_personas_have_every_attribute_of_the_schema() -> None:
    schema = default_schema()
    for sampled in sample_personas(50, seed=1).personas:
        assert set(sampled.attributes) == set(schema.attributes)
        schema.validate(sampled.attributes)
        Persona.from_input(sampled.model_dump())  # what the runner will be given is accepted


def test_forbid_rules_are_never_violated_and_rejections_are_recorded() -> None:
    rules = default_rules()
    sample = sample_personas(2000, seed=11)
    assert len(sample.personas) == 2000
    assert all(rules.violation(p.attributes) is None for p in sample.personas)
    assert sample.draws == 2000 + sample.rejected
    # under uniform draws about 15% of draws hit one of the packaged rules (computed from the schema)
    assert 0.10 < sample.rate < 0.20
    assert sum(sample.reasons.values()) == sample.rejected
    assert any("retired" in reason for reason in sample.reasons)
    stats = sample.stats()
    assert stats["draws"] == sample.draws and stats["rejected"] == sample.rejected
    assert json.loads(json.dumps(stats)) == stats  # ready for the manifest
    # without the rules the forbidden combinations do occur, so the rules did the work
    free = sample_personas(2000, seed=11, rules=NO_RULES)
    assert free.rejected == 0 and free.rate == 0.0
    assert any(rules.violation(p.attributes) for p in free.personas)


def test_rejection_rate_matches_the_share_a_rule_forbids() -> None:
    no_women = PersonaRules(forbid=(ForbidRule(values={"gender": frozenset({"female"})}),))
    sample = sample_personas(1500, seed=2, rules=no_women)
    assert all(p.attributes["gender"] != "female" for p in sample.personas)
    assert 0.28 < sample.rate < 0.39  # 1 in 3 draws, sd 0.014
    assert sample.reasons == {"forbidden combination gender=female": sample.rejected}


def test_weights_shift_the_distribution() -> None:
    weighted = PersonaRules(weights={"native_english": {"yes": 3.0, "no": 1.0}, "gender": {"non-binary": 0}})
    counts = Counter(
        p.attributes["native_english"] for p in sample_personas(2000, 5, rules=weighted).personas
    )
    assert 0.70 < counts["yes"] / 2000 < 0.80  # expected 0.75, sd about 0.01
    uniform = Counter(
        p.attributes["native_english"] for p in sample_personas(2000, 5, rules=NO_RULES).personas
    )
    assert 0.44 < uniform["yes"] / 2000 < 0.56
    genders = Counter(p.attributes["gender"] for p in sample_personas(300, 5, rules=weighted).personas)
    assert set(genders) == {"female", "male"}  # weight 0 excludes a value


def test_rules_that_reject_everything_fail_clearly() -> None:
    impossible = PersonaRules(forbid=(ForbidRule(values={"native_english": frozenset({"yes", "no"})}),))
    with pytest.raises(ConfigError, match="persona rules reject every draw"):
        sample_personas(1, seed=0, rules=impossible, max_attempts=20)


@pytest.mark.parametrize("count", [0, -1, True])
def test_persona_count_must_be_positive(count: int) -> None:
    with pytest.raises(ConfigError, match="number of personas must be a whole number of at least 1"):
        sample_personas(count, seed=0)


# ----------------------------------------------------------------------------- persona files


def test_read_personas_jsonl_in_every_accepted_form(tmp_path: Path) -> None:
    path = tmp_path / "personas.jsonl"
    path.write_text(
        '{"attributes": {"age_bracket": "65+", "occupation": "retired"}, "description": "A retired man."}\n'
        "\n"
        '{"gender": "female", "region": "india"}\n'
        '"A shy teenager who loves chess."\n'
    )
    assert read_personas(path) == [
        Persona(attributes={"age_bracket": "65+", "occupation": "retired"}, description="A retired man."),
        Persona(attributes={"gender": "female", "region": "india"}),
        Persona(description="A shy teenager who loves chess."),
    ]


def test_read_personas_json_list(tmp_path: Path) -> None:
    path = tmp_path / "personas.json"
    path.write_text('[\n  {"gender": "male"},\n  "A baker."\n]\n')
    assert read_personas(path) == [Persona(attributes={"gender": "male"}), Persona(description="A baker.")]


PERSONA_ERRORS = [
    (
        "p.jsonl",
        '{"gender": "male"}\n{"gender": "male",}\n',
        " line 2: invalid JSON (Expecting property name",
    ),
    ("p.jsonl", '{"gender": "male"}\n\n{"hair": "red"}\n', " line 3: unknown attribute 'hair' (known: "),
    ("p.jsonl", '{"gender": "robot"}\n', " line 1: unknown value 'robot' for 'gender' (known: "),
    ("p.jsonl", '"   "\n', " line 1: empty persona description"),
    ("p.jsonl", "[1]\n", " line 1: expected an object or text, got list"),
    (
        "p.jsonl",
        '{"attributes": {"gender": "male"}, "source": 5}\n',
        " line 1: 'source' input should be a valid string",
    ),
    ("p.jsonl", '"A baker \\udc00."\n', " line 1: contains an unpaired surrogate escape"),
    ("p.jsonl", "\n\n", ": no personas"),
    ("p.json", '[\n  {"gender": "male"},\n\n  {"hair": "red"}\n]', " line 4: unknown attribute 'hair'"),
    (
        "p.json",
        '[\n  {"gender": "male"},\n  {"gender": "male"}\n  {"x": 1}\n]',
        " line 4: invalid JSON (Expecting ','",
    ),
    ("p.json", '[\n  {"gender": "male"},\n]', " line 3: invalid JSON (Expecting value at column 1)"),
    ("p.json", '[{"gender": "male"}] []', " line 1: extra data after the list"),
    ("p.json", '{"gender": "male"}', ": expected a JSON list of personas, got an object"),
    ("p.json", "[]", ": no personas"),
    ("p.json", "", ": no personas"),
    ("p.csv", "gender\nmale\n", ": unknown persona file type (extension '.csv'; use .jsonl or .json)"),
]


@pytest.mark.parametrize(("name", "text", "expected"), PERSONA_ERRORS)
def test_persona_file_errors_name_file_and_line(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        read_personas(path)
    message = str(info.value)
    assert len(message.splitlines()) == 1
    assert message.startswith(f"{path}{expected}"), message


def test_missing_persona_file(tmp_path: Path) -> None:
    path = tmp_path / "none.jsonl"
    with pytest.raises(ConfigError) as info:
        read_personas(path)
    assert str(info.value) == f"{path}: persona file not found"


@FAST
@given(suffix=st.sampled_from([".jsonl", ".json"]), data=st.binary() | st.text().map(str.encode))
def test_any_persona_file_gives_personas_or_a_config_error(suffix: str, data: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"personas{suffix}"
        path.write_bytes(data)
        try:
            personas = read_personas(path)
        except ConfigError as error:
            assert len(str(error).splitlines()) == 1 and str(error).startswith(str(path))
        else:
            assert personas and all(isinstance(p, Persona) for p in personas)


# ----------------------------------------------------------------------------- compatibility


def test_compatible_pairs_give_none() -> None:
    assert compatible(full_persona(), OPEN_GOAL) is None
    assert compatible(full_persona(occupation="student", age_bracket="18-24"), STUDENT_GOAL) is None
    assert compatible(Persona(description="A nurse."), STUDENT_GOAL) is None  # nothing to check against
    assert compatible(persona(gender="male"), STUDENT_GOAL) is None  # the constrained attribute is absent


def test_constraint_clash_names_the_attribute_and_goal() -> None:
    reason = compatible(full_persona(occupation="nurse"), STUDENT_GOAL)
    assert reason == "occupation 'nurse' is not allowed by goal 'exam' (allowed: student)"


def test_forbid_rule_clash_names_the_rule() -> None:
    reason = compatible(full_persona(occupation="retired", age_bracket="18-24"), OPEN_GOAL)
    assert reason is not None
    assert reason.startswith("forbidden combination occupation=retired & age_bracket=18-24|25-34")
    assert compatible(full_persona(occupation="retired", age_bracket="18-24"), OPEN_GOAL, NO_RULES) is None


def test_plausibility_hook_is_consulted_last() -> None:
    seen: list[tuple[Persona, Goal]] = []

    def judge(candidate: Persona, goal: Goal) -> bool:
        seen.append((candidate, goal))
        return candidate.attributes.get("region") != "japan"

    assert compatible(full_persona(region="canada"), OPEN_GOAL, plausible=judge) is None
    assert compatible(full_persona(region="japan"), OPEN_GOAL, plausible=judge) == (
        "the plausibility check rejected this persona for goal 'open'"
    )
    assert seen == [(full_persona(region="canada"), OPEN_GOAL), (full_persona(region="japan"), OPEN_GOAL)]
    # a pair that already clashes on constraints does not reach the (possibly costly) hook
    assert compatible(full_persona(occupation="nurse"), STUDENT_GOAL, plausible=judge) is not None
    assert len(seen) == 2


# ----------------------------------------------------------------------------- grid


def test_given_personas_clashing_pairs_are_skipped_and_counted() -> None:
    given_personas = [
        full_persona(occupation="student", age_bracket="18-24"),
        full_persona(occupation="nurse"),
        full_persona(occupation="retired", age_bracket="25-34"),  # forbidden with every goal
    ]
    plan = pair_grid(given_personas, [OPEN_GOAL, STUDENT_GOAL], trials=2, seed=0)
    pairs = {(cell.persona_index, cell.goal.id) for cell in plan.cells}
    assert pairs == {(0, "open"), (1, "open"), (0, "exam")}
    assert len(plan.cells) == 3 * 2
    assert all(cell.persona is given_personas[cell.persona_index] for cell in plan.cells)
    assert not any(cell.replaced for cell in plan.cells)
    assert (plan.pairs, plan.draws, plan.rejected, plan.skipped, plan.replaced) == (6, 6, 3, 3, 0)
    assert plan.rate == 0.5
    assert plan.reasons == {
        "forbidden combination occupation=retired & age_bracket=18-24|25-34 (retired before 35)": 2,
        "goal 'exam' constrains occupation": 1,
    }
    stats = plan.stats()
    assert stats["personas"] == "given" and stats["skipped"] == 3 and stats["cells"] == 6
    assert json.loads(json.dumps(stats)) == stats


def test_sampled_personas_that_clash_are_replaced_for_that_goal_only() -> None:
    sample = sample_personas(6, seed=9)
    plan = pair_grid(sample, [OPEN_GOAL, STUDENT_GOAL, SENIOR_GOAL], trials=1, seed=9)
    assert plan.sampled and plan.skipped == 0
    assert len(plan.cells) == 6 * 3
    for cell in plan.cells:
        assert compatible(cell.persona, cell.goal) is None
        original = sample.personas[cell.persona_index]
        if cell.goal.id == "open":
            assert cell.persona == original and not cell.replaced
        if cell.replaced:
            assert cell.persona.source == f"sampled:9:{cell.persona_index}:{cell.goal.id}"
        else:
            assert cell.persona == original
    clashes = sum(compatible(p, g) is not None for g in (STUDENT_GOAL, SENIOR_GOAL) for p in sample.personas)
    assert clashes > 0 and plan.replaced == clashes
    assert plan.rejected >= clashes and plan.draws == plan.pairs + plan.replaced + (plan.rejected - clashes)
    assert plan.stats()["sampling"] == sample.stats()


def test_a_plain_list_may_be_marked_as_sampled() -> None:
    personas = sample_personas(4, seed=1).personas
    from_list = pair_grid(personas, [STUDENT_GOAL], seed=1, sampled=True)
    from_sample = pair_grid(sample_personas(4, seed=1), [STUDENT_GOAL], seed=1)
    assert cell_keys(from_list) == cell_keys(from_sample)
    assert pair_grid(personas, [STUDENT_GOAL], seed=1).replaced == 0  # a list defaults to given


def test_grid_is_reproducible_and_seed_sensitive() -> None:
    goals = [OPEN_GOAL, STUDENT_GOAL, SENIOR_GOAL]
    first = pair_grid(sample_personas(5, seed=21), goals, trials=3, seed=21)
    again = pair_grid(sample_personas(5, seed=21), goals, trials=3, seed=21)
    assert cell_keys(first) == cell_keys(again)
    assert first.stats() == again.stats()
    other = pair_grid(sample_personas(5, seed=22), goals, trials=3, seed=22)
    assert [c.seed for c in other.cells] != [c.seed for c in first.cells]
    assert [c.persona for c in other.cells] != [c.persona for c in first.cells]


def test_trials_get_distinct_stable_seeds_in_a_32_bit_range() -> None:
    plan = pair_grid([full_persona()], [OPEN_GOAL], trials=4, seed=5)
    assert [cell.trial for cell in plan.cells] == [0, 1, 2, 3]
    seeds = [cell.seed for cell in plan.cells]
    assert len(set(seeds)) == 4
    assert seeds == trial_seeds(5, 0, "open", 4)
    assert trial_seeds(5, 0, "open", 2) == seeds[:2]  # more trials keep the earlier seeds
    assert trial_seeds(5, 1, "open", 4) != seeds  # depends on the persona index,
    assert trial_seeds(5, 0, "other", 4) != seeds  # the goal id
    assert trial_seeds(6, 0, "open", 4) != seeds  # and the seed
    many = trial_seeds(0, 0, "g", 2000)
    assert len(set(many)) == 2000 and all(0 <= value < 2**31 for value in many)


def test_cells_are_ordered_trial_by_trial() -> None:
    plan = pair_grid(
        [full_persona(), full_persona(region="japan")], [OPEN_GOAL, SENIOR_GOAL], trials=2, seed=0
    )
    assert [(c.trial, c.goal.id, c.persona_index) for c in plan.cells] == [
        (0, "open", 0),
        (0, "open", 1),
        (1, "open", 0),
        (1, "open", 1),
    ]
    assert plan.skipped == 2  # neither given persona is 65+


def test_goal_no_persona_can_fit_is_skipped_after_bounded_redraws() -> None:
    impossible = Goal(
        id="young-retiree",
        goal="You want to plan your retirement party.",
        persona_constraints={"occupation": ["retired"], "age_bracket": ["18-24"]},
    )
    plan = pair_grid(sample_personas(2, seed=0), [impossible, OPEN_GOAL], seed=0, max_attempts=15)
    assert {cell.goal.id for cell in plan.cells} == {"open"}
    assert plan.skipped == 2
    assert plan.reasons["no persona fits goal 'young-retiree' in 15 draws"] == 2
    assert plan.draws == 4 + 2 * 15


def test_plausibility_hook_in_the_grid() -> None:
    def no_japan(candidate: Persona, goal: Goal) -> bool:
        return candidate.attributes.get("region") != "japan"

    plan = pair_grid(sample_personas(30, seed=3), [OPEN_GOAL], seed=3, plausible=no_japan)
    assert len(plan.cells) == 30
    assert all(cell.persona.attributes["region"] != "japan" for cell in plan.cells)
    japanese = sum(p.attributes["region"] == "japan" for p in sample_personas(30, seed=3).personas)
    assert japanese > 0 and plan.replaced == japanese
    assert plan.reasons["plausibility check"] >= japanese
    assert sum(plan.reasons.values()) == plan.rejected


@pytest.mark.parametrize("trials", [0, -2])
def test_trials_must_be_positive(trials: int) -> None:
    with pytest.raises(ConfigError, match="trials must be a whole number of at least 1"):
        pair_grid([full_persona()], [OPEN_GOAL], trials=trials)


@FAST
@given(seed=st.integers(0, 10**6), count=st.integers(1, 6), trials=st.integers(1, 3))
def test_every_planned_cell_is_compatible(seed: int, count: int, trials: int) -> None:
    goals = [OPEN_GOAL, STUDENT_GOAL, SENIOR_GOAL]
    plan = pair_grid(sample_personas(count, seed), goals, trials=trials, seed=seed)
    assert all(compatible(cell.persona, cell.goal) is None for cell in plan.cells)
    assert len(plan.cells) == (plan.pairs - plan.skipped) * trials
    for index in range(count):
        for goal in goals:
            seeds = [c.seed for c in plan.cells if c.persona_index == index and c.goal.id == goal.id]
            assert len(set(seeds)) == len(seeds)


def test_a_run_cut_short_has_covered_every_goal_and_every_persona_evenly() -> None:
    goals = [Goal(id=f"g{i}", goal=f"You want help with task number {i}.") for i in range(4)]
    plan = pair_grid(sample_personas(2, seed=5), goals, trials=2, seed=5)
    order = [(cell.trial, cell.persona_index, cell.goal.id) for cell in plan.cells]
    # round 0: goal g with persona g mod 2; round 1: the other persona; then the second trial
    assert order[:4] == [(0, 0, "g0"), (0, 1, "g1"), (0, 0, "g2"), (0, 1, "g3")]
    assert order[4:8] == [(0, 1, "g0"), (0, 0, "g1"), (0, 1, "g2"), (0, 0, "g3")]
    assert sorted(order) == sorted({(t, p, f"g{g}") for t in range(2) for p in range(2) for g in range(4)})
    assert [trial for trial, _, _ in order] == [0] * 8 + [1] * 8
