"""API keys reach the provider and nothing else: not a record, checkpoint, manifest, stdout or stderr.

Random canary keys are given to all three roles (by environment variable, and by key file), the
runs go against the stub server (which checks they were sent), one of them against a server whose
401 answer quotes the key back; then every byte the runs wrote or printed is searched.
"""

from __future__ import annotations

import json
import subprocess
import uuid
from functools import partial
from pathlib import Path
from typing import Any

from llm_roleplay.prompts import load_prompt
from tests.reliability.harness import environment, files_under, in_parallel, roleplay, write_goals
from tests.support.openai_stub import OpenAIStub

ROLES = ("inquirer", "chatbot", "judge")
GOAL = "You want help with a soup recipe for a cold evening."
ASSESS_MARK = next(
    line.strip()
    for line in load_prompt("inquirer_assess").template.splitlines()
    if line.strip() and "{" not in line
)
BOT_REPLY = "Sure: onion, carrots, stock, thirty minutes of simmering."


def three_roles(body: dict[str, Any]) -> str:
    """One server plays every role, by model name: the first reply delivers what the inquirer asked
    for, it asks a follow-up (two turns before a claim), claims its goal, and the judge agrees,
    quoting the reply."""
    model, first = body.get("model"), str(body["messages"][0].get("content"))
    if model == "judge-model":
        return f"Evidence: {BOT_REPLY}\nDone: YES" if "Evidence:" in first else "YES"
    if model == "inquirer-model":
        if ASSESS_MARK in first:
            return "YES"
        # the opening message, then (the prompt shows the dialogue so far) a different follow-up
        return "and what bread goes with it?" if "Person:" in first else "hi, any simple soup for tonight?"
    return BOT_REPLY


def chatbot_401(body: dict[str, Any]) -> str:
    """The chatbot's server refuses the key, quoting it (as careless servers do)."""
    return "401" if body.get("model") == "chatbot-model" else "ok"


def model_options(stub: OpenAIStub, key_option: str, sources: dict[str, str]) -> list[str]:
    options = ["--max-turns", "3", "--quiet", "--request-retries", "0"]
    for role in ROLES:
        options += [f"--{role}", f"openai:{role}-model", f"--{role}-base-url", stub.base_url]
        options += [f"--{key_option}".replace("ROLE", role), sources[role]]
    return options


def leaks(canaries: list[str], places: dict[str, bytes]) -> list[str]:
    """Where any canary (or its last 16 characters: a key cut short) shows up."""
    found = []
    for name, data in places.items():
        for canary in canaries:
            if canary.encode() in data or canary[-16:].encode() in data:
                found.append(f"{canary[:14]}... in {name}")
    return found


def test_keys_are_sent_and_never_written_or_printed(tmp_path: Path) -> None:
    env_keys = {role: f"sk-canary-{uuid.uuid4().hex}" for role in ROLES}
    # Key files hold keys of no recognisable shape: only remembering what was read can scrub them.
    file_keys = {role: f"canary{uuid.uuid4().hex}" for role in ROLES}
    variables = {role: f"RELIABILITY_{role.upper()}_KEY" for role in ROLES}
    keys_dir = tmp_path / "keys"
    keys_dir.mkdir()
    key_files = {role: keys_dir / f"{role}.key" for role in ROLES}
    for role, path in key_files.items():
        path.write_text(file_keys[role] + "\n")
    env = environment(**{variables[role]: env_keys[role] for role in ROLES})
    work = tmp_path / "work"
    for name in ("run", "generate", "run_401", "file_401"):
        (work / name).mkdir(parents=True)
    goals = write_goals(tmp_path / "goals.jsonl", 2)
    by_env, by_file = {r: variables[r] for r in ROLES}, {r: str(key_files[r]) for r in ROLES}

    with OpenAIStub(three_roles) as ok, OpenAIStub(three_roles, faults=chatbot_401) as refusing:
        runs: dict[str, list[str]] = {
            "run": ["run", "--goal", GOAL, *model_options(ok, "ROLE-api-key-env", by_env), "--out", "r.json"],
            "generate": [
                "generate", "--goals", str(goals), "--out", "dataset", "--personas", "2",
                *model_options(ok, "ROLE-api-key-file", by_file),
            ],
            "run_401": ["run", "--goal", GOAL, *model_options(refusing, "ROLE-api-key-env", by_env)],
            "file_401": ["run", "--goal", GOAL, *model_options(refusing, "ROLE-api-key-file", by_file)],
        }  # fmt: skip
        results = dict(zip(runs, run_each(runs, work, env), strict=True))
        sent = {entry.headers.get("authorization") for stub in (ok, refusing) for entry in stub.log}

    assert results["run"].returncode == 0, results["run"].stderr
    assert results["generate"].returncode == 0, results["generate"].stderr
    for name in ("run_401", "file_401"):  # the dialogue ends with the 401, whose text is shown redacted
        assert results[name].returncode == 1, results[name].stderr
        assert "401" in results[name].stderr and "[redacted]" in results[name].stderr
    record = json.loads((work / "run" / "r.json").read_text())
    assert record["termination_reason"] == "goal_verified", json.dumps(record)[
        -3000:
    ]  # all three roles were called
    # Both kinds of key reached the server for every role (run: variables; generate: files).
    assert {f"Bearer {key}" for key in [*env_keys.values(), *file_keys.values()]} <= sent, "keys not sent"

    written = {str(path.relative_to(tmp_path)): path.read_bytes() for path in files_under(work)}
    assert any(name.endswith("checkpoints.sqlite") for name in written)
    printed = {
        f"{name} {stream}": getattr(result, stream).encode()
        for name, result in results.items()
        for stream in ("stdout", "stderr")
    }
    canaries = [*env_keys.values(), *file_keys.values()]
    assert leaks(canaries, {**written, **printed}) == []


def run_each(
    runs: dict[str, list[str]], work: Path, env: dict[str, str]
) -> list[subprocess.CompletedProcess[str]]:
    """Each run in its own folder (where ``run`` puts its default checkpoint file)."""
    return in_parallel([partial(roleplay, *args, cwd=work / name, env=env) for name, args in runs.items()])
