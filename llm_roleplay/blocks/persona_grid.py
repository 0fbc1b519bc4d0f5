"""Persona sampling under plausibility rules, persona files, and the persona x goal x trial grid.

- :func:`sample_personas` draws ``count`` personas; persona ``i`` depends only on the seed and ``i``
  (draw ``attempt`` of persona ``i`` uses ``random.Random(f"persona:{seed}:{i}:{attempt}")``), so
  asking for more personas keeps the first ones. Values are drawn with the rules' weights; a draw
  that matches a ``forbid`` rule is rejected and drawn again, and the rejections are counted.
- :func:`read_personas` reads given personas from a JSONL or JSON-list file.
- :func:`compatible` says whether a persona fits a goal: the goal's ``persona_constraints``, the
  ``forbid`` rules, and an optional plausibility hook ``(persona, goal) -> bool`` (which could ask an
  LLM; nothing here calls a model).
- :func:`pair_grid` plans the dialogues: every persona with every goal, ``trials`` times. A sampled
  persona that does not fit a goal is replaced, for that goal only, by a deterministic redraw within
  the goal's constraints; a given persona that does not fit is skipped. Each cell gets a seed derived
  from the run seed, the persona index, the goal id and the trial.

The rules file (``data/persona_rules.json`` by default) looks like::

    {"forbid": [{"reason": "retired before 35", "occupation": ["retired"],
                 "age_bracket": ["18-24", "25-34"]}],
     "weights": {"native_english": {"yes": 2, "no": 1}}}

A weight is relative within its attribute; values not listed weigh 1 and a weight of 0 excludes a
value. When a goal's constraints allow only values of weight 0, they are drawn uniformly.
"""

from __future__ import annotations

import hashlib
import json
import math
import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cache
from importlib.resources import files
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.goals import Goal, load_json, read_input_text, valid_unicode
from llm_roleplay.blocks.personas import AttributeSchema, Persona, default_schema

Plausible = Callable[[Persona, Goal], bool]

# Upper bounds on redraws, so that rules that reject (nearly) everything fail clearly instead of looping.
MAX_SAMPLE_ATTEMPTS = 1000
MAX_REPLACEMENT_ATTEMPTS = 200
SEED_MODULUS = 2**31  # cell seeds fit a signed 32-bit integer (llama.cpp and most APIs accept them)


# ----------------------------------------------------------------------------- rules


@dataclass(frozen=True)
class ForbidRule:
    """Matches a persona whose value of every named attribute is one of the listed values."""

    values: Mapping[str, frozenset[str]]
    reason: str | None = None

    def matches(self, attributes: Mapping[str, str]) -> bool:
        return all(attributes.get(name) in allowed for name, allowed in self.values.items())

    def describe(self) -> str:
        combination = " & ".join(f"{name}={'|'.join(sorted(vals))}" for name, vals in self.values.items())
        return f"forbidden combination {combination}" + (f" ({self.reason})" if self.reason else "")


@dataclass(frozen=True)
class PersonaRules:
    forbid: tuple[ForbidRule, ...] = ()
    # attribute -> value -> relative weight; unlisted values weigh 1
    weights: Mapping[str, Mapping[str, float]] = field(default_factory=dict)

    def violation(self, attributes: Mapping[str, str]) -> ForbidRule | None:
        """The first forbid rule the attributes match, if any."""
        return next((rule for rule in self.forbid if rule.matches(attributes)), None)

    def weight(self, name: str, value: str) -> float:
        return float(self.weights.get(name, {}).get(value, 1.0))


NO_RULES = PersonaRules()


@cache
def default_rules() -> PersonaRules:
    """The packaged rules (``data/persona_rules.json``), checked against the default schema."""
    resource = files("llm_roleplay").joinpath("data/persona_rules.json")
    return parse_rules(resource.read_text(encoding="utf-8"), str(resource), default_schema())


def load_rules(path: Path | str, schema: AttributeSchema | None = None) -> PersonaRules:
    """Read a rules file (see the module docstring); every problem is a one-line ConfigError."""
    path = Path(path)
    return parse_rules(read_input_text(path, "persona rules file"), str(path), schema or default_schema())


def parse_rules(text: str, name: str, schema: AttributeSchema) -> PersonaRules:
    try:
        raw = json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{name} line {error.lineno}: invalid JSON ({error.msg} at column {error.colno})"
        ) from None
    except (ValueError, RecursionError) as error:
        raise ConfigError(f"{name}: invalid JSON ({error})") from None
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: expected an object with 'forbid' and/or 'weights'")
    unknown = set(raw) - {"version", "description", "forbid", "weights"}
    if unknown:
        raise ConfigError(
            f"{name}: unknown field '{sorted(unknown)[0]}' (known: version, description, forbid, weights)"
        )
    forbid_raw = raw.get("forbid") or []
    if not isinstance(forbid_raw, list):
        raise ConfigError(f"{name}: 'forbid' must be a list of rules")
    rules = tuple(
        _parse_rule(item, f"{name} forbid item {n}", schema) for n, item in enumerate(forbid_raw, 1)
    )
    return PersonaRules(forbid=rules, weights=_parse_weights(raw.get("weights") or {}, name, schema))


def _parse_rule(item: Any, where: str, schema: AttributeSchema) -> ForbidRule:
    if not isinstance(item, dict):
        raise ConfigError(f"{where}: expected an object mapping attributes to lists of values")
    reason = item.get("reason")
    if reason is not None and not isinstance(reason, str):
        raise ConfigError(f"{where}: 'reason' must be text")
    values: dict[str, frozenset[str]] = {}
    for attribute, listed in item.items():
        if attribute == "reason":
            continue
        _check_values(attribute, listed, where, schema)
        values[attribute] = frozenset(listed)
    if not values:
        raise ConfigError(f"{where}: a rule needs at least one attribute")
    return ForbidRule(values=values, reason=reason)


def _check_values(attribute: str, listed: Any, where: str, schema: AttributeSchema) -> None:
    if attribute not in schema.attributes:
        raise ConfigError(f"{where}: unknown attribute '{attribute}' (known: {', '.join(schema.attributes)})")
    if not isinstance(listed, list) or not listed or not all(isinstance(value, str) for value in listed):
        raise ConfigError(f"{where}: '{attribute}' must be a non-empty list of values")
    for value in listed:
        if value not in schema.attributes[attribute]:
            known = ", ".join(schema.attributes[attribute])
            raise ConfigError(f"{where}: unknown value '{value}' for '{attribute}' (known: {known})")


def _parse_weights(raw: Any, name: str, schema: AttributeSchema) -> dict[str, dict[str, float]]:
    if not isinstance(raw, dict):
        raise ConfigError(f"{name}: 'weights' must map attributes to {{value: weight}} objects")
    weights: dict[str, dict[str, float]] = {}
    for attribute, table in raw.items():
        where = f"{name} weights.{attribute}"
        if not isinstance(table, dict):
            raise ConfigError(f"{where}: expected an object mapping values to weights")
        if table:
            _check_values(attribute, list(table), where, schema)
        for value, weight in table.items():
            number_ok = isinstance(weight, int | float) and not isinstance(weight, bool)
            if not number_ok or not math.isfinite(weight) or weight < 0:
                raise ConfigError(f"{where}.{value}: weight must be a number of 0 or more")
        weights[attribute] = {value: float(weight) for value, weight in table.items()}
        if sum(float(table.get(value, 1.0)) for value in schema.attributes[attribute]) <= 0:
            raise ConfigError(f"{where}: every value has weight 0; nothing could be drawn")
    return weights


# ----------------------------------------------------------------------------- sampling


@dataclass(frozen=True)
class PersonaSample:
    """Sampled personas and how many draws the forbid rules rejected on the way."""

    personas: list[Persona]
    seed: int
    draws: int
    rejected: int
    reasons: dict[str, int]
    schema: AttributeSchema
    rules: PersonaRules

    @property
    def rate(self) -> float:
        return self.rejected / self.draws if self.draws else 0.0

    def stats(self) -> dict[str, Any]:
        return {
            "personas": len(self.personas),
            "seed": self.seed,
            "draws": self.draws,
            "rejected": self.rejected,
            "rate": round(self.rate, 4),
            "reasons": dict(self.reasons),
        }


def sample_personas(
    count: int,
    seed: int,
    schema: AttributeSchema | None = None,
    rules: PersonaRules | None = None,
    *,
    max_attempts: int = MAX_SAMPLE_ATTEMPTS,
) -> PersonaSample:
    """Draw ``count`` personas reproducibly (see the module docstring).

    ``rules`` default to the packaged ones; pass :data:`NO_RULES` for unconstrained uniform draws.
    """
    if isinstance(count, bool) or not isinstance(count, int) or count < 1:
        raise ConfigError(f"number of personas must be a whole number of at least 1 (got {count!r})")
    schema = schema or default_schema()
    rules = default_rules() if rules is None else rules
    personas: list[Persona] = []
    draws = rejected = 0
    reasons: Counter[str] = Counter()
    for index in range(count):
        for attempt in range(max_attempts):
            attributes = _draw(random.Random(f"persona:{seed}:{index}:{attempt}"), schema, rules)
            draws += 1
            rule = rules.violation(attributes)
            if rule is None:
                personas.append(Persona(attributes=attributes, source=f"sampled:{seed}:{index}"))
                break
            rejected += 1
            reasons[rule.describe()] += 1
        else:
            raise ConfigError(
                f"persona rules reject every draw: no acceptable persona {index} in {max_attempts} draws "
                "(check the forbid rules and weights)"
            )
    return PersonaSample(personas, seed, draws, rejected, dict(reasons), schema, rules)


def _draw(
    rng: random.Random,
    schema: AttributeSchema,
    rules: PersonaRules,
    allowed: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, str]:
    """One value per attribute, weighted, restricted to ``allowed`` values where given."""
    attributes: dict[str, str] = {}
    for name, values in schema.attributes.items():
        options = sorted(values)
        if allowed and name in allowed:
            options = [value for value in options if value in allowed[name]] or options
        weights = [rules.weight(name, value) for value in options]
        if sum(weights) <= 0:
            weights = [1.0] * len(options)
        attributes[name] = rng.choices(options, weights=weights)[0]
    return attributes


# ----------------------------------------------------------------------------- given personas


def read_personas(path: Path | str) -> list[Persona]:
    """Personas from a ``.jsonl`` file (one per line) or a ``.json`` list, in any form
    :meth:`Persona.from_input` accepts (an object with ``attributes``/``description``, a flat
    attribute object, or a text description). Errors name the file and line."""
    path = Path(path)
    name = str(path)
    suffix = path.suffix.lower()
    if suffix not in (".jsonl", ".json"):
        found = f"'{path.suffix}'" if path.suffix else "none"
        raise ConfigError(f"{name}: unknown persona file type (extension {found}; use .jsonl or .json)")
    text = read_input_text(path, "persona file")
    if suffix == ".jsonl":
        items = [
            (number, load_json(line, f"{name} line {number}"))
            for number, line in enumerate(text.split("\n"), start=1)
            if line.strip()
        ]
    else:
        items = _json_list_items(text, name)
    personas = [_persona(raw, f"{name} line {number}") for number, raw in items]
    if not personas:
        raise ConfigError(f"{name}: no personas")
    return personas


def _persona(raw: Any, where: str) -> Persona:
    try:
        return Persona.from_input(_valid_strings(raw, where), where)
    except ValidationError as error:
        first = error.errors()[0]
        field_name = ".".join(str(part) for part in first["loc"]) or "persona"
        raise ConfigError(f"{where}: '{field_name}' {first['msg'].lower()}") from None


def _valid_strings(value: Any, where: str) -> Any:
    """``value`` with every string made encodable (see :func:`valid_unicode`)."""
    if isinstance(value, str):
        return valid_unicode(value, where)
    if isinstance(value, list):
        return [_valid_strings(item, where) for item in value]
    if isinstance(value, dict):
        return {_valid_strings(key, where): _valid_strings(item, where) for key, item in value.items()}
    return value


_JSON_SPACE = " \t\n\r"


def _json_list_items(text: str, name: str) -> list[tuple[int, Any]]:
    """The items of a top-level JSON list, each with the line it starts on."""

    def skip(index: int) -> int:
        while index < len(text) and text[index] in _JSON_SPACE:
            index += 1
        return index

    def line_of(index: int) -> int:
        return text.count("\n", 0, index) + 1

    def column_of(index: int) -> int:
        return index - (text.rfind("\n", 0, index) + 1) + 1

    decoder = json.JSONDecoder()
    index = skip(0)
    if index == len(text):
        return []
    if text[index] != "[":
        value = load_json(text, name)  # reports invalid JSON, else the wrong shape below
        kind = "an object" if isinstance(value, dict) else type(value).__name__
        raise ConfigError(f"{name}: expected a JSON list of personas, got {kind}")
    items: list[tuple[int, Any]] = []
    index = skip(index + 1)
    if text.startswith("]", index):
        index += 1
    else:
        while True:
            try:
                value, end = decoder.raw_decode(text, index)
            except json.JSONDecodeError as error:
                where = f"{name} line {error.lineno}"
                raise ConfigError(f"{where}: invalid JSON ({error.msg} at column {error.colno})") from None
            except (ValueError, RecursionError) as error:
                raise ConfigError(f"{name} line {line_of(index)}: invalid JSON ({error})") from None
            items.append((line_of(index), value))
            index = skip(end)
            if text.startswith(",", index):
                index = skip(index + 1)
            elif text.startswith("]", index):
                index += 1
                break
            else:
                where = f"{name} line {line_of(index)}"
                raise ConfigError(
                    f"{where}: invalid JSON (Expecting ',' or ']' at column {column_of(index)})"
                )
    index = skip(index)
    if index < len(text):
        raise ConfigError(f"{name} line {line_of(index)}: extra data after the list")
    return items


# ----------------------------------------------------------------------------- pairing


def compatible(
    persona: Persona,
    goal: Goal,
    rules: PersonaRules | None = None,
    plausible: Plausible | None = None,
) -> str | None:
    """None when the persona makes sense for the goal, else a short reason why not.

    An attribute the persona does not have (e.g. a text-only persona) does not clash with a
    constraint. ``rules`` default to the packaged ones; ``plausible`` is an optional extra check.
    """
    clash = _clash(persona, goal, default_rules() if rules is None else rules, plausible)
    return clash[1] if clash else None


def _clash(
    persona: Persona, goal: Goal, rules: PersonaRules, plausible: Plausible | None
) -> tuple[str, str] | None:
    """(a key for counting, a reason) for an incompatible pair; None when it is compatible."""
    rule = rules.violation(persona.attributes)
    if rule is not None:  # implausible whatever the goal
        return rule.describe(), rule.describe()
    for name, allowed in (goal.persona_constraints or {}).items():
        value = persona.attributes.get(name)
        if value is not None and value not in allowed:
            return (
                f"goal '{goal.id}' constrains {name}",
                f"{name} '{value}' is not allowed by goal '{goal.id}' (allowed: {', '.join(allowed)})",
            )
    if plausible is not None and not plausible(persona, goal):
        return "plausibility check", f"the plausibility check rejected this persona for goal '{goal.id}'"
    return None


@dataclass(frozen=True)
class GridCell:
    """One planned dialogue. ``persona_index`` is the persona's position in the input list; a
    ``replaced`` persona was redrawn for this goal because the sampled one did not fit it."""

    persona: Persona
    goal: Goal
    trial: int
    seed: int
    persona_index: int
    replaced: bool = False


@dataclass(frozen=True)
class GridPlan:
    """The cells, ordered trial by trial (then in diagonals of goals x personas), and the pairing statistics.

    ``draws`` counts every persona-goal pairing tried (each pair once, plus each replacement draw),
    ``rejected`` those that did not fit; ``skipped`` pairs have no cells.
    """

    cells: list[GridCell]
    pairs: int
    draws: int
    rejected: int
    replaced: int
    skipped: int
    reasons: dict[str, int]
    sampled: bool
    sampling: dict[str, Any] | None = None

    @property
    def rate(self) -> float:
        return self.rejected / self.draws if self.draws else 0.0

    def stats(self) -> dict[str, Any]:
        stats: dict[str, Any] = {
            "personas": "sampled" if self.sampled else "given",
            "pairs": self.pairs,
            "cells": len(self.cells),
            "draws": self.draws,
            "rejected": self.rejected,
            "rate": round(self.rate, 4),
            "replaced": self.replaced,
            "skipped": self.skipped,
            "reasons": dict(self.reasons),
        }
        if self.sampling is not None:
            stats["sampling"] = self.sampling
        return stats


def pair_grid(
    personas: Sequence[Persona] | PersonaSample,
    goals: Sequence[Goal],
    trials: int = 1,
    seed: int = 0,
    rules: PersonaRules | None = None,
    *,
    sampled: bool | None = None,
    schema: AttributeSchema | None = None,
    plausible: Plausible | None = None,
    max_attempts: int = MAX_REPLACEMENT_ATTEMPTS,
) -> GridPlan:
    """Plan ``personas x goals x trials`` (see the module docstring).

    ``personas`` may be a :class:`PersonaSample` (then ``sampled`` defaults to True and its schema,
    rules and statistics are used) or a list; ``sampled`` says whether clashing personas may be
    redrawn (True) or must be skipped (False, the default for a list).
    """
    if isinstance(trials, bool) or not isinstance(trials, int) or trials < 1:
        raise ConfigError(f"trials must be a whole number of at least 1 (got {trials!r})")
    sampling = None
    if isinstance(personas, PersonaSample):
        schema = schema or personas.schema
        rules = personas.rules if rules is None else rules
        sampling = personas.stats()
        sampled = True if sampled is None else sampled
        personas = personas.personas
    schema = schema or default_schema()
    rules = default_rules() if rules is None else rules
    sampled = bool(sampled)

    draws = rejected = replaced = skipped = 0
    reasons: Counter[str] = Counter()
    pairs: list[tuple[int, Persona, int, Goal, bool]] = []  # (persona index, persona, goal position, ...)
    for position, goal in enumerate(goals):
        for index, persona in enumerate(personas):
            draws += 1
            clash = _clash(persona, goal, rules, plausible)
            if clash is None:
                pairs.append((index, persona, position, goal, False))
                continue
            rejected += 1
            reasons[clash[0]] += 1
            if not sampled:
                skipped += 1
                continue
            for attempt in range(max_attempts):
                rng = random.Random(f"persona:{seed}:{index}:goal:{goal.id}:{attempt}")
                attributes = _draw(rng, schema, rules, goal.persona_constraints)
                candidate = Persona(attributes=attributes, source=f"sampled:{seed}:{index}:{goal.id}")
                draws += 1
                clash = _clash(candidate, goal, rules, plausible)
                if clash is None:
                    pairs.append((index, candidate, position, goal, True))
                    replaced += 1
                    break
                rejected += 1
                reasons[clash[0]] += 1
            else:
                skipped += 1
                reasons[f"no persona fits goal '{goal.id}' in {max_attempts} draws"] += 1

    # Trial by trial; within a trial in diagonals of the goals x personas table (goal g with persona
    # (g + k) mod P in round k), each round over the goals in file order. A run cut short (Ctrl-C, a
    # time budget) has then covered every goal, and every persona as evenly as it can: with 10
    # goals and 5 personas the first 10 dialogues are every goal once and every persona twice.
    rounds = max(len(personas), 1)
    keyed = [
        (
            (trial, (index - position) % rounds, position),
            GridCell(persona, goal, trial, seed_, index, was_replaced),
        )
        for index, persona, position, goal, was_replaced in pairs
        for trial, seed_ in enumerate(trial_seeds(seed, index, goal.id, trials))
    ]
    cells = [cell for _, cell in sorted(keyed, key=lambda item: item[0])]
    return GridPlan(
        cells=cells,
        pairs=len(goals) * len(personas),
        draws=draws,
        rejected=rejected,
        replaced=replaced,
        skipped=skipped,
        reasons=dict(reasons),
        sampled=sampled,
        sampling=sampling,
    )


def trial_seeds(seed: int, persona_index: int, goal_id: str, trials: int) -> list[int]:
    """Distinct seeds in ``[0, 2**31)`` for the trials of one pair, stable across runs."""
    seeds: list[int] = []
    for trial in range(trials):
        salt = 0
        while True:
            key = f"cell:{seed}:{persona_index}:{goal_id}:{trial}" + (f":{salt}" if salt else "")
            value = int.from_bytes(hashlib.sha256(key.encode()).digest()[:8], "big") % SEED_MODULUS
            if value not in seeds:
                break
            salt += 1
        seeds.append(value)
    return seeds
