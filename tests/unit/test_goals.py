"""Goal files: JSONL, YAML and CSV readers, one-line errors naming file + line/item + field, example set."""

from __future__ import annotations

import json
import re
import tempfile
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.goals import Goal, goal_id, read_goals
from llm_roleplay.blocks.personas import default_schema

REFERENCE_GOALS = Path(__file__).resolve().parents[3] / "shared/reference/llm-roleplay/goals.jsonl"
EXAMPLE_DOMAINS = {
    "math",
    "coding",
    "factual_lookup",
    "argumentation",
    "travel_planning",
    "creative_writing",
    "customer_support",
    "health_information",
    "forms_and_letters",
    "shopping",
}


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(path: Path | str) -> str:
    """The ConfigError message of reading ``path``; checks it is one line that starts with the file."""
    with pytest.raises(ConfigError) as info:
        read_goals(path)
    message = str(info.value)
    assert len(message.splitlines()) == 1, message
    assert message.startswith(str(path)), message
    return message


# ----------------------------------------------------------------------------- JSONL


def test_jsonl_reads_all_fields_and_skips_blank_lines(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "goals.jsonl",
        '{"id": "g-1", "goal": "  You want a recipe.  ", "domain": "cooking",'
        ' "expected_outcome": "A recipe."}\n'
        "\n   \n"
        '{"goal": "You want a poem.",'
        ' "persona_constraints": {"occupation": ["student", "teacher", "student"]}}\n'
        '{"id": 7, "goal": "You want a map.", "domain": "", "persona_constraints": {"age_bracket": "65+"}}\n',
    )
    goals = read_goals(path)
    assert goals == [
        Goal(id="g-1", goal="You want a recipe.", domain="cooking", expected_outcome="A recipe."),
        Goal(
            id=goal_id("You want a poem."),
            goal="You want a poem.",
            persona_constraints={"occupation": ["student", "teacher"]},  # duplicates dropped, order kept
        ),
        Goal(id="7", goal="You want a map.", persona_constraints={"age_bracket": ["65+"]}),
    ]


def test_derived_ids_are_stable_and_ignore_whitespace(tmp_path: Path) -> None:
    first = read_goals(write(tmp_path, "a.jsonl", '{"goal": "You want  a\\nrecipe."}\n'))[0]
    second = read_goals(write(tmp_path, "b.jsonl", '{"goal": "You want a recipe. "}\n'))[0]
    assert first.id == second.id == goal_id("You want a recipe.")
    assert re.fullmatch(r"g-[0-9a-f]{10}", first.id)
    assert goal_id("You want a recipe.") != goal_id("You want a poem.")


def test_goal_from_text_derives_the_same_id() -> None:
    goal = Goal.from_text("  You want a recipe. ", domain="cooking")
    assert goal == Goal(id=goal_id("You want a recipe."), goal="You want a recipe.", domain="cooking")
    assert Goal.from_text("x", id="mine").id == "mine"


# ----------------------------------------------------------------------------- YAML


@pytest.mark.parametrize("suffix", [".yaml", ".yml"])
def test_yaml_list_of_mappings(tmp_path: Path, suffix: str) -> None:
    path = write(
        tmp_path,
        "goals" + suffix,
        "- id: travel-1\n"
        "  goal: You want to plan a trip.\n"
        "  domain: travel_planning\n"
        "  persona_constraints:\n"
        "    age_bracket: [55-64, 65+]\n"
        "- goal: |\n"
        "    You want help with code:\n"
        "    print('hi')\n",
    )
    goals = read_goals(path)
    assert [goal.id for goal in goals] == ["travel-1", goal_id("You want help with code:\nprint('hi')")]
    assert goals[0].persona_constraints == {"age_bracket": ["55-64", "65+"]}
    assert goals[0].domain == "travel_planning"
    assert goals[1].goal == "You want help with code:\nprint('hi')"  # line breaks inside a goal are kept


def test_yaml_mapping_with_goals_list(tmp_path: Path) -> None:
    path = write(
        tmp_path, "set.yaml", "version: 2\ngoals:\n  - {id: 1, goal: First.}\n  - {id: 2, goal: Second.}\n"
    )
    assert [(goal.id, goal.goal) for goal in read_goals(path)] == [("1", "First."), ("2", "Second.")]


# ----------------------------------------------------------------------------- CSV


def test_csv_with_quoting_multiline_cells_and_blank_rows(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "goals.csv",
        " Goal , ID,domain,expected_outcome,persona_constraints\n"
        '"You want a list, with commas.",c-1,shopping,,\n'
        "\n"
        ",,,,\n"
        '"You want two\nlines.",c-2,,Two lines.,"{""occupation"": [""student""]}"\n',
    )
    goals = read_goals(path)
    assert goals == [
        Goal(id="c-1", goal="You want a list, with commas.", domain="shopping"),
        Goal(
            id="c-2",
            goal="You want two\nlines.",
            expected_outcome="Two lines.",
            persona_constraints={"occupation": ["student"]},
        ),
    ]


def test_csv_with_only_a_goal_column(tmp_path: Path) -> None:
    goals = read_goals(write(tmp_path, "goals.csv", "goal\nYou want A.\nYou want B.\n"))
    assert [goal.id for goal in goals] == [goal_id("You want A."), goal_id("You want B.")]


def test_csv_error_lines_count_multiline_records(tmp_path: Path) -> None:
    path = write(tmp_path, "goals.csv", 'goal,id\n"two\nlines",a\nthree,b,extra\n')
    assert error_of(path) == f"{path} line 4: 3 fields, but the header has 2"


# ----------------------------------------------------------------------------- errors

ERRORS = [
    ("goals.jsonl", '{"goal": "a"}\n{"goal": "b"}\n{"id": "x"}\n', " line 3: missing 'goal'"),
    (
        "goals.jsonl",
        '{"goal": "a"}\n\n\n\n{"goal": "b" "id": 1}\n',
        " line 5: invalid JSON (Expecting ',' delimiter at column 14)",
    ),
    ("goals.jsonl", '{"goal": "a"}\n[1, 2]\n', " line 2: expected an object with a 'goal', got a list"),
    (
        "goals.jsonl",
        '{"id": "g-1", "goal": "a"}\n'
        + "".join(f'{{"goal": "b{i}"}}\n' for i in range(5))
        + '{"id": "g-1", "goal": "d"}\n',
        ": duplicate id 'g-1' (lines 1 and 7)",
    ),
    (
        "goals.jsonl",
        '{"goal": "Same."}\n{"goal": " Same. "}\n',
        ": the same goal text appears twice (lines 1 and 2)",
    ),
    ("goals.jsonl", "\n  \n", ": no goals"),
    ("goals.jsonl", "", ": no goals"),
    (
        "goals.jsonl",
        '{"goal": "a"}\n{"goal": "b"}\n{"goal": "c"}\n'
        '{"goal": "d", "persona_constraints": {"hair": ["red"]}}\n',
        " line 4: unknown attribute 'hair' in persona_constraints (known: "
        + ", ".join(default_schema().attributes)
        + ")",
    ),
    (
        "goals.jsonl",
        '{"goal": "d", "persona_constraints": {"age_bracket": ["12-17"]}}\n',
        " line 1: unknown value '12-17' for 'age_bracket' in persona_constraints (known: "
        "18-24, 25-34, 35-44, 45-54, 55-64, 65+)",
    ),
    (
        "goals.jsonl",
        '{"goal": "d", "persona_constraints": {"age_bracket": []}}\n',
        " line 1: persona_constraints 'age_bracket' allows no value",
    ),
    (
        "goals.jsonl",
        '{"goal": "d", "persona_constraints": ["student"]}\n',
        " line 1: 'persona_constraints' must map attribute names to lists of values, got a list",
    ),
    (
        "goals.jsonl",
        '{"goal": "d", "persona_constraints": {"age_bracket": [1]}}\n',
        " line 1: persona_constraints 'age_bracket' must be a list of values",
    ),
    (
        "goals.jsonl",
        '{"goal": "a", "expected": "b"}\n',
        " line 1: unknown field 'expected' (known: id, goal, domain, expected_outcome, "
        "persona_constraints, parts, expect)",
    ),
    ("goals.jsonl", '{"goal": "   "}\n', " line 1: 'goal' is empty"),
    ("goals.jsonl", '{"goal": "a", "id": " "}\n', " line 1: 'id' is empty"),
    ("goals.jsonl", '{"goal": "a", "id": true}\n', " line 1: 'id' must be text, got a boolean"),
    ("goals.jsonl", '{"goal": "a", "id": "x\\ny"}\n', " line 1: 'id' must be one line of printable text"),
    (
        "goals.jsonl",
        '{"goal": "a", "expected_outcome": ["b"]}\n',
        " line 1: 'expected_outcome' must be text, got a list",
    ),
    ("goals.jsonl", '{"goal": null}\n', " line 1: 'goal' must be text, got null"),
    (
        "goals.yaml",
        "- goal: fine\n- goal: [not, text]\n",
        " item 2 (line 2): 'goal' must be text, got a list",
    ),
    ("goals.yaml", "- goal: fine\n-\n  id: x\n  domain: y\n", " item 2 (line 3): missing 'goal'"),
    (
        "goals.yaml",
        "- goal: fine\n- just text\n",
        " item 2 (line 2): expected a mapping with a 'goal', got text",
    ),
    ("goals.yml", "- {id: a, goal: x}\n- {id: a, goal: y}\n", ": duplicate id 'a' (items 1 and 2)"),
    ("goals.yaml", "goals: [a: b\n", " line 2: invalid YAML (expected ',' or ']', but got '<stream end>')"),
    (
        "goals.yaml",
        "title: my goals\n",
        ": expected a list of goals or a mapping with a 'goals' list, got an object",
    ),
    ("goals.yaml", "goals: one goal\n", ": 'goals' must be a list of goals, got text"),
    ("goals.yaml", "", ": no goals"),
    ("goals.yaml", "goals:\n", ": no goals"),
    ("goals.yaml", "- when: 2001-13-45\n", ": invalid YAML (month must be in 1..12)"),
    ("goals.csv", "text,id\nYou want.,1\n", ": header must contain 'goal' (found: text, id)"),
    (
        "goals.csv",
        "goal;id\nYou want.;1\n",
        ": header must contain 'goal' (found: goal;id) (columns must be separated by commas)",
    ),
    (
        "goals.csv",
        "goal,notes\nYou want.,x\n",
        ": header has unknown column 'notes' (known: id, goal, domain, expected_outcome,"
        " persona_constraints, parts, expect)",
    ),
    ("goals.csv", "goal,Goal\na,b\n", ": header repeats column 'goal'"),
    ("goals.csv", "goal,id\nfirst,1\n,2\n", " line 3: missing 'goal'"),
    ("goals.csv", "goal,id\nfirst,1\nsecond,1\n", ": duplicate id '1' (lines 2 and 3)"),
    ("goals.csv", "goal,\nfirst,oops\n", " line 2: a value in a column without a header name"),
    (
        "goals.csv",
        "goal,persona_constraints\nfirst,{occupation: student}\n",
        " line 2: 'persona_constraints': invalid JSON"
        " (Expecting property name enclosed in double quotes at column 2)",
    ),
    ("goals.csv", "", ": no goals"),
    ("goals.csv", "goal,id\n", ": no goals"),
    (
        "goals.txt",
        "goal\nx\n",
        ": unknown goal file type (extension '.txt'; use .jsonl, .yaml, .yml or .csv, or ",
    ),
    ("goals", "x", ": unknown goal file type (extension none; use .jsonl, .yaml, .yml or .csv, or "),
]


@pytest.mark.parametrize(("name", "text", "expected"), ERRORS)
def test_errors_name_file_line_and_field(tmp_path: Path, name: str, text: str, expected: str) -> None:
    path = write(tmp_path, name, text)
    message = error_of(path)
    assert message.startswith(f"{path}{expected}"), message
    if not expected.endswith(" or "):
        assert message == f"{path}{expected}"


def test_missing_file(tmp_path: Path) -> None:
    path = tmp_path / "nowhere.jsonl"
    assert error_of(path) == f"{path}: goal file not found"


def test_directory_instead_of_file(tmp_path: Path) -> None:
    path = tmp_path / "goals.jsonl"
    path.mkdir()
    assert error_of(path) == f"{path}: is a directory, not a goal file"


def test_unreadable_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = write(tmp_path, "goals.jsonl", '{"goal": "x"}\n')

    def refuse(self: Path) -> bytes:
        raise PermissionError(13, "Permission denied", str(self))

    monkeypatch.setattr(Path, "read_bytes", refuse)
    assert error_of(path) == f"{path}: cannot read the goal file (Permission denied)"


def test_file_that_is_not_utf8(tmp_path: Path) -> None:
    path = tmp_path / "goals.jsonl"
    path.write_bytes(b'{"goal": "fine"}\n{"goal": "caf\xe9"}\n')
    assert error_of(path) == f"{path} line 2: not UTF-8 text (byte 0xe9); save the file as UTF-8"


def test_byte_order_mark_is_accepted(tmp_path: Path) -> None:
    path = tmp_path / "goals.csv"
    path.write_bytes("goal,id\nYou want.,1\n".encode("utf-8-sig"))
    assert read_goals(path) == [Goal(id="1", goal="You want.")]


def test_escaped_surrogate_pairs_are_joined_and_unpaired_ones_refused(tmp_path: Path) -> None:
    # PyYAML leaves JSON-style surrogate-pair escapes as two code points; they are joined
    yaml_path = write(tmp_path, "goals.yaml", '- goal: "You want \\ud83d\\ude00."\n')
    assert read_goals(yaml_path)[0].goal == "You want \U0001f600."
    path = write(tmp_path, "goals.jsonl", '{"goal": "fine"}\n{"goal": "You want \\ud83d."}\n')
    assert error_of(path) == f"{path} line 2: 'goal': contains an unpaired surrogate escape (\\ud800-\\udfff)"


def test_user_text_in_messages_stays_on_one_line(tmp_path: Path) -> None:
    path = write(tmp_path, "goals.yaml", '- goal: x\n  "bad\\nkey\\u2028": 1\n')
    assert error_of(path).startswith(f"{path} item 1 (line 1): unknown field 'bad\\nkey\\u2028'")


# ----------------------------------------------------------------------------- example set


def test_example_set_loads_and_covers_the_domains() -> None:
    goals = read_goals("example")
    assert goals == read_goals(Path("example"))
    assert 20 <= len(goals) <= 30
    assert {goal.domain for goal in goals} >= EXAMPLE_DOMAINS
    assert len({goal.id for goal in goals}) == len(goals)
    for goal in goals:
        assert goal.id and not goal.id.startswith("g-")  # written ids, not derived ones
        assert goal.expected_outcome
        assert goal.goal.startswith(("You ", "Your ")), goal.id  # second person, like the paper
        sentences = [part for part in re.split(r"(?<=[.?!])\s+", goal.goal) if part]
        assert len(sentences) >= 2, goal.id  # several parts, so several turns
    constrained = [goal for goal in goals if goal.persona_constraints]
    assert 2 <= len(constrained) <= len(goals) // 2


def test_example_set_is_our_own_writing() -> None:
    if not REFERENCE_GOALS.is_file():
        pytest.skip("reference goals not available")
    reference = [json.loads(line)["instruction"] for line in REFERENCE_GOALS.read_text().splitlines() if line]

    def shingles(text: str, size: int = 8) -> set[tuple[str, ...]]:
        words = re.findall(r"[a-z0-9']+", text.lower())
        return {tuple(words[i : i + size]) for i in range(len(words) - size + 1)}

    # no run of 8 words in common (shorter runs are stock phrases such as "you want to know how many")
    theirs = set().union(*(shingles(text) for text in reference))
    for goal in read_goals("example"):
        assert not shingles(goal.goal) & theirs, goal.id


# ----------------------------------------------------------------------------- properties

SUFFIXES = [".jsonl", ".csv", ".yaml", ".yml"]
FUZZ = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def read_or_config_error(suffix: str, data: bytes) -> list[Goal] | None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"goals{suffix}"
        path.write_bytes(data)
        try:
            goals = read_goals(path)
        except ConfigError as error:
            message = str(error)
            assert len(message.splitlines()) == 1, message
            assert message.startswith(str(path)), message
            return None
    assert goals
    assert len({goal.id for goal in goals}) == len(goals)
    assert all(isinstance(goal, Goal) and goal.goal.strip() for goal in goals)
    return goals


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), text=st.text())
def test_any_text_gives_goals_or_a_config_error(suffix: str, text: str) -> None:
    read_or_config_error(suffix, text.encode("utf-8"))


@FUZZ
@given(suffix=st.sampled_from(SUFFIXES), data=st.binary())
def test_any_bytes_give_goals_or_a_config_error(suffix: str, data: bytes) -> None:
    read_or_config_error(suffix, data)


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=8),
    lambda children: (
        st.lists(children, max_size=3) | st.dictionaries(st.text(max_size=8), children, max_size=3)
    ),
    max_leaves=8,
)
GOAL_LIKE = st.fixed_dictionaries(
    {},
    optional={
        "id": st.none() | st.integers() | st.text(max_size=6),
        "goal": st.none() | st.integers() | st.text(max_size=20),
        "domain": st.none() | st.text(max_size=6) | st.integers(),
        "expected_outcome": st.none() | st.text(max_size=6),
        "persona_constraints": JSON_VALUES
        | st.dictionaries(
            st.sampled_from(["age_bracket", "occupation", "hair"]),
            st.lists(st.sampled_from(["18-24", "student", "retired", "x"]), max_size=3) | JSON_VALUES,
            max_size=2,
        ),
    },
)


@FUZZ
@given(records=st.lists(GOAL_LIKE | JSON_VALUES, max_size=5))
def test_goal_like_jsonl_gives_goals_or_a_config_error(records: list[object]) -> None:
    text = "\n".join(json.dumps(record) for record in records)
    goals = read_or_config_error(".jsonl", text.encode())
    if goals is not None:  # what was read is what was written
        assert len(goals) == len(records)
        assert [goal.goal for goal in goals] == [
            str(record["goal"]).strip() for record in records if isinstance(record, dict)
        ]


@FUZZ
@given(records=st.lists(GOAL_LIKE | JSON_VALUES, max_size=5))
def test_goal_like_yaml_gives_goals_or_a_config_error(records: list[object]) -> None:
    read_or_config_error(".yaml", json.dumps(records).encode())  # JSON is YAML


def test_the_papers_goal_file_is_read_as_is(tmp_path: Path) -> None:
    path = tmp_path / "goals.jsonl"
    path.write_text(
        '{"goal_id": 5, "instruction": "You want to draw a unicorn.", "domain_note": "coding (turtle)"}\n'
        '{"goal_id": 6, "instruction": "You want to know the oldest cities."}\n',
        encoding="utf-8",
    )
    first, second = read_goals(path)
    assert (first.id, first.goal, first.domain) == ("5", "You want to draw a unicorn.", "coding")
    assert (second.id, second.domain) == ("6", None)
    path.write_text('{"goal_id": 1, "instruction": "x", "notes": "y"}\n', encoding="utf-8")
    with pytest.raises(ConfigError, match=r"line 1: unknown field 'notes' in a paper-format goal"):
        read_goals(path)


def test_parts_are_read_from_every_format(tmp_path: Path) -> None:
    jsonl = tmp_path / "goals.jsonl"
    jsonl.write_text('{"goal": "Write an email, then a firmer one.", "parts": ["write", "firmer"]}\n')
    csv_file = tmp_path / "goals.csv"
    csv_file.write_text('goal,parts\n"Write an email, then a firmer one.",write|firmer\n')
    yaml_file = tmp_path / "goals.yaml"
    yaml_file.write_text("- goal: Write an email, then a firmer one.\n  parts: [write, firmer]\n")
    assert [read_goals(p)[0].parts for p in (jsonl, csv_file, yaml_file)] == [("write", "firmer")] * 3
    jsonl.write_text('{"goal": "x", "parts": ["a", ""]}\n')
    with pytest.raises(ConfigError, match="line 1: 'parts' must hold at least one part and no empty one"):
        read_goals(jsonl)
