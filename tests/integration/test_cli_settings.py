"""Settings on the command line, as a user meets them: every ``Context`` field as a flag, run files
(``--config``, ``roleplay config init``), ``--version`` and ``generate --dry-run``. Real ``roleplay``
processes, fake models only."""

from __future__ import annotations

import json
import re
from pathlib import Path

import yaml

from llm_roleplay.nodes.context import Context
from llm_roleplay.settings_flags import default_of, flag_of, show_default
from tests.reliability.harness import environment, one_error_line, roleplay, roleplay_many, write_goals

FAKE = ["--inquirer", "fake", "--chatbot", "fake", "--judge", "fake"]
GOAL = "Get a packing list for a two-day hike in the rain."


def test_every_setting_is_a_flag_with_its_default_and_help_has_the_version(tmp_path: Path) -> None:
    generate_help, version = roleplay_many([["generate", "--help"], ["--version"]], cwd=tmp_path)
    assert version.returncode == 0 and re.fullmatch(
        r"roleplay \d+\.\d+\.\d+ \(langgraph .*\)\n", version.stdout
    )
    assert generate_help.returncode == 0, generate_help.stderr
    text = " ".join(generate_help.stdout.split())  # help wraps lines
    for name in Context.model_fields:  # run takes the same generated flags (test_cli runs it with some)
        assert f"{flag_of(name)} " in text, name
        assert f"default {show_default(default_of(name))}" in text, name
    assert "--dry-run" in generate_help.stdout and "--config FILE" in generate_help.stdout


def test_python_only_settings_reach_the_dialogue_from_flags(tmp_path: Path) -> None:
    """Settings that used to be Python-only (issue 14), set on the command line, are in the record."""
    out = tmp_path / "record.json"
    flags = {
        "inquirer_history": "reversed",
        "filters": "empty_turn,leakage",
        "min_turns": "3",
        "min_turns_before_stop": "3",
        "max_regenerations": "1",
        "max_message_tokens": "64",
        "leak_goal_fraction": "0.9",
    }
    args = [arg for name, value in flags.items() for arg in (flag_of(name), value)]
    result = roleplay("run", "--goal", GOAL, *FAKE, *args, "--out", str(out), cwd=tmp_path)
    assert result.returncode == 0, result.stderr
    settings = json.loads(out.read_text())["settings"]
    assert settings["inquirer_history"] == "reversed"
    assert settings["filters"] == ["empty_turn", "leakage"]
    assert (settings["min_turns"], settings["min_turns_before_stop"], settings["max_regenerations"]) == (
        3,
        3,
        1,
    )
    assert (settings["max_message_tokens"], settings["leak_goal_fraction"]) == (64, 0.9)


def test_config_init_writes_every_setting_and_option_and_a_run_file_is_overridden_by_flags(
    tmp_path: Path,
) -> None:
    init = roleplay("config", "init", "run.yaml", cwd=tmp_path)
    assert init.returncode == 0, init.stderr
    written = yaml.safe_load((tmp_path / "run.yaml").read_text())
    defaults = Context().model_dump(mode="json")
    assert written["settings"] == defaults  # every setting, at its default
    assert {"goals", "out", "personas", "trials", "concurrency", "max_tokens", "dry_run"} <= set(
        written["generate"]
    )
    assert written["eval"]["judge"] is None  # eval asks no judge unless one is named

    # A run file: the settings and generate's options; the command line overrides the file.
    goals = write_goals(tmp_path / "goals.jsonl", 2)
    written["settings"].update(
        inquirer_model="fake", chatbot_model="fake", judge_model="fake", max_turns=5, seed=3, min_turns=1
    )
    written["generate"].update(goals=str(goals), out=str(tmp_path / "data"), personas=2, trials=1)
    (tmp_path / "run.yaml").write_text(yaml.safe_dump(written))
    again, result = roleplay_many(
        [
            ["config", "init", "run.yaml"],
            ["generate", "--config", "run.yaml", "--seed", "4", "--trials", "2", "--quiet"],
        ],
        cwd=tmp_path,
    )
    assert again.returncode == 2 and "--force" in one_error_line(again)  # the file is not overwritten
    assert result.returncode == 0, result.stderr
    manifest = json.loads((tmp_path / "data" / "manifest.json").read_text())
    resolved = manifest["config"]["resolved"]  # the manifest records the resolved configuration
    assert resolved["config_file"] == "run.yaml"
    assert (resolved["settings"]["max_turns"], resolved["settings"]["seed"]) == (5, 4)  # file, flag
    assert (resolved["generate"]["personas"], resolved["generate"]["trials"]) == (2, 2)
    assert manifest["counts"]["finished"] == 2 * 2 * 2  # goals x personas x trials
    assert set(resolved["settings"]) == set(Context.model_fields)


def test_bad_run_files_are_one_line_naming_the_file_and_key(tmp_path: Path) -> None:
    cases = {
        "settings:\n  max_turn: 3\n": "bad.yaml: settings.max_turn: unknown setting; did you mean max_turns?",
        "settings:\n  max_turns: 0\n": "bad.yaml: settings: max_turns 0: Input should be greater than",
        "generate:\n  max_turns: 3\n": "put it under 'settings:'",
        "settings: [\n": "bad.yaml: invalid YAML at line 2",
    }
    commands = []
    for index, text in enumerate(cases):
        folder = tmp_path / str(index)
        folder.mkdir()
        (folder / "bad.yaml").write_text(text)
        commands.append(
            ["generate", "--config", str(folder / "bad.yaml"), "--goals", "example", "--out", "x"]
        )
    for (text, expected), result in zip(cases.items(), roleplay_many(commands, cwd=tmp_path), strict=True):
        assert result.returncode == 2, (text, result.stderr)
        assert expected in one_error_line(result), (text, result.stderr)
    assert not (tmp_path / "x").exists()


def test_dry_run_prints_the_grid_and_an_estimate_and_writes_and_calls_nothing(tmp_path: Path) -> None:
    goals = write_goals(tmp_path / "goals.jsonl", 3)
    out = tmp_path / "data"
    cache = tmp_path / "model-cache"  # the embedded model would be joined here if it were started
    cache.mkdir()
    env = environment(ROLEPLAY_CACHE_DIR=str(cache))
    dead = ["--chatbot", "openai:some-model", "--chatbot-base-url", "http://127.0.0.1:9/v1"]  # no server
    plan = ["generate", "--goals", str(goals), "--out", str(out), "--personas", "2", "--trials", "2"]
    result = roleplay(*plan, "--dry-run", *dead, cwd=tmp_path, env=env)
    assert result.returncode == 0, result.stderr
    assert "3 goals x 2 personas x 2 trials = 12 dialogues: 0 already in" in result.stdout
    assert "12 to run" in result.stdout and "assumed:" in result.stdout
    assert re.search(r"estimate\s+about [\d.]+ [kM]? ?tokens", result.stdout), result.stdout
    assert "inquirer local, chatbot openai:some-model @ http://127.0.0.1:9/v1, judge local" in result.stdout
    assert not out.exists() and not any(cache.iterdir())  # nothing written, no model started

    # Half the grid done: the dry run counts it and calibrates on what it cost.
    first = roleplay(*plan[:-2], "--trials", "1", *FAKE, "--quiet", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    before = sorted(path.name for path in out.iterdir())
    again, changed = roleplay_many(
        [[*plan, *FAKE, "--dry-run"], [*plan, *FAKE, "--max-turns", "3", "--dry-run"]], cwd=tmp_path
    )
    assert again.returncode == 0, again.stderr
    assert "12 dialogues: 6 already in" in again.stdout and "6 to run" in again.stdout
    assert "calibrated on 6 finished dialogues" in again.stdout
    assert sorted(path.name for path in out.iterdir()) == before
    # A changed defining setting is refused by the dry run as by the real run.
    assert changed.returncode == 2 and "other settings (max_turns 12 -> 3)" in one_error_line(changed)
