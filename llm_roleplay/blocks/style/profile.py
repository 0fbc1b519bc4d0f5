"""Style profiles: how real users type to chatbots, fitted on real logs, sampled per persona.

A :class:`StyleProfile` holds population figures fitted on real human-chatbot messages (see
:mod:`llm_roleplay.blocks.style.fit`): for every habit of :mod:`llm_roleplay.blocks.style.features`,
the share of first and of later messages that show it, and how much people differ from each other
(``spread``); and the distribution of message lengths. A :class:`PersonaStyle` is one simulated
person's own habits, drawn from the profile (seeded) and shifted by the persona's attributes.

Model. For habit *h*, person *p* shows it in a message with probability
``sigmoid(b_h + shift_h(attributes_p) + spread_h * z_hp)``, with ``z_hp`` standard normal: people
differ a lot (a third of real users start every message in lowercase, most never do), so a
person's habits are drawn once and kept for the whole dialogue. ``spread_h`` is fitted to the
intra-class correlation of the habit within real conversations. ``shift_h`` comes from the
persona's attributes (:data:`PERSONA_EFFECTS`: documented assumptions, not fitted, since public
logs carry no demographics), and the intercept ``b_h`` is solved so that the population average
over uniformly sampled personas equals the fitted share: attributes move people around the real
mean, never the mean itself. Message length is log-normal with a per-person offset in the same way.

``z`` comes from a low-discrepancy sequence over the persona's index, so that a small grid (five
personas) already covers the range of real habits instead of five independent coin flips.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Mapping
from functools import cache, cached_property
from importlib.resources import files
from pathlib import Path
from statistics import NormalDist
from typing import Any, Literal

import numpy as np
from pydantic import BaseModel, ConfigDict, Field

from llm_roleplay.blocks.errors import ConfigError

Position = Literal["first", "later"]
# Habits a person has or has not, drawn per person; ``typo`` is a per-word rate, drawn the same way.
PERSON_HABITS = (
    "lowercase_start",
    "no_closing_punct",
    "please",
    "greeting",
    "thanks",
    "can_you_opening",
    "dropped_apostrophe",
    "lowercase_i",
    "asks_question",  # not edited by the typing pass: the prompt asks for a question when it is drawn
    "typo",
    "sentence_lines",  # a share of the messages of two or more sentences only
)

# Logit shifts of habits (and a log-multiplier of length, "words") by persona attribute value.
# Assumptions, not fitted (public logs carry no demographics), in the directions reported for
# typed chat and for LLM-vs-human users (more formality, greetings and thanks from older and
# first-time users; more typos and fewer capitals with less schooling and in a second language;
# terse, lowercase imperatives from daily users and developers). They only spread personas around
# the fitted population share; see the module docstring.
PERSONA_EFFECTS: dict[str, dict[str, dict[str, float]]] = {
    "native_english": {
        "no": {
            "typo": 0.7,
            "please": 0.5,
            "greeting": 0.3,
            "can_you_opening": 0.2,
            "dropped_apostrophe": -0.3,
        },
    },
    "education": {
        "no_qualification": {
            "typo": 0.9,
            "lowercase_start": 0.4,
            "no_closing_punct": 0.5,
            "dropped_apostrophe": 0.7,
            "lowercase_i": 0.6,
            "words": -0.25,
        },
        "high_school": {
            "typo": 0.4,
            "lowercase_start": 0.2,
            "no_closing_punct": 0.3,
            "dropped_apostrophe": 0.3,
            "lowercase_i": 0.3,
            "words": -0.1,
        },
        "masters": {"typo": -0.3, "lowercase_start": -0.2, "no_closing_punct": -0.2, "words": 0.1},
        "doctorate": {"typo": -0.4, "lowercase_start": -0.3, "no_closing_punct": -0.3, "words": 0.15},
    },
    "chatbot_familiarity": {
        "never": {
            "greeting": 1.5,
            "thanks": 1.2,
            "please": 0.8,
            "can_you_opening": 0.8,
            "lowercase_start": -0.3,
            "no_closing_punct": -0.4,
            "words": 0.1,
        },
        "occasional": {"greeting": 0.5, "thanks": 0.4, "please": 0.3, "can_you_opening": 0.3},
        "expert": {
            "greeting": -1.0,
            "thanks": -0.8,
            "please": -0.6,
            "can_you_opening": -0.6,
            "lowercase_start": 0.4,
            "no_closing_punct": 0.4,
            "words": -0.2,
        },
    },
    "age_bracket": {
        "18-24": {
            "lowercase_start": 0.6,
            "no_closing_punct": 0.4,
            "lowercase_i": 0.6,
            "dropped_apostrophe": 0.4,
            "please": -0.3,
        },
        "25-34": {"lowercase_start": 0.2, "no_closing_punct": 0.1},
        "45-54": {"lowercase_start": -0.2, "please": 0.2},
        "55-64": {
            "lowercase_start": -0.5,
            "no_closing_punct": -0.3,
            "please": 0.5,
            "greeting": 0.5,
            "thanks": 0.5,
            "typo": 0.2,
        },
        "65+": {
            "lowercase_start": -0.7,
            "no_closing_punct": -0.4,
            "please": 0.7,
            "greeting": 0.8,
            "thanks": 0.7,
            "can_you_opening": 0.3,
            "typo": 0.3,
        },
    },
    "occupation": {
        "software_developer": {
            "lowercase_start": 0.3,
            "please": -0.3,
            "greeting": -0.4,
            "can_you_opening": -0.3,
        },
        "student": {"lowercase_start": 0.2, "no_closing_punct": 0.2},
    },
}


# The typo statistic counts every word outside the word list as a typo, names and jargon included;
# real misspellings are fewer, so no person misspells more than this share of their words.
MAX_TYPO_RATE = 0.06


class LengthModel(BaseModel):
    """Words per typed message (one paragraph, no code: pasted material is apart): log-normal, with
    a per-person offset (``between``) and per-message noise."""

    model_config = ConfigDict(frozen=True)

    median_first: float = Field(gt=0)
    median_later: float = Field(gt=0)
    between: float = Field(ge=0, description="SD of a person's log-length offset")
    within: float = Field(ge=0, description="SD of log length around the person's own median")


class Source(BaseModel):
    """Where a profile's figures come from (shown in README and stored with every dialogue)."""

    model_config = ConfigDict(frozen=True)

    name: str
    description: str = ""
    licence: str = ""
    conversations: int = 0
    first_messages: int = 0
    later_messages: int = 0


class StyleProfile(BaseModel):
    """Population figures of real users' messages; see the module docstring."""

    model_config = ConfigDict(frozen=True)

    version: int = 1
    source: Source
    first: dict[str, float]  # habit -> share of opening messages that show it
    later: dict[str, float]  # habit -> share of later messages
    spread: dict[str, float]  # habit -> SD of the per-person logit offset
    length: LengthModel
    reference: dict[str, dict[str, float]] = Field(
        default_factory=dict, description="every measured statistic (first/later), for reports"
    )
    persona_effects: dict[str, dict[str, dict[str, float]]] = Field(default_factory=lambda: PERSONA_EFFECTS)

    def fingerprint(self) -> str:
        return self._fingerprint

    @cached_property
    def _fingerprint(self) -> str:
        # Computed once per (frozen) profile: it is asked for at every habit of every person drawn.
        canonical = json.dumps(self.model_dump(mode="json"), sort_keys=True)
        return hashlib.sha256(canonical.encode()).hexdigest()[:12]

    def shift(self, habit: str, attributes: Mapping[str, str]) -> float:
        return sum(
            self.persona_effects.get(name, {}).get(value, {}).get(habit, 0.0)
            for name, value in attributes.items()
        )


class PersonaStyle(BaseModel):
    """One simulated person's typing habits (stored in the dialogue record)."""

    model_config = ConfigDict(frozen=True)

    profile: str  # the profile's source name and fingerprint
    first: dict[str, float]  # habit -> probability in this person's opening message
    later: dict[str, float]  # habit -> probability in each later message
    words_first: float  # this person's median words in a typed opening message
    words_later: float
    words_within: float  # SD of log length around those medians

    def rate(self, habit: str, position: Position) -> float:
        return (self.first if position == "first" else self.later).get(habit, 0.0)

    def median_words(self, position: Position) -> float:
        return self.words_first if position == "first" else self.words_later


DEFAULT_PROFILE = "default"


@cache
def default_profile() -> StyleProfile:
    raw = files("llm_roleplay").joinpath("data/style_default.json").read_text(encoding="utf-8")
    return StyleProfile.model_validate_json(raw)


def load_profile(name_or_path: str | Path) -> StyleProfile:
    """``default`` or a JSON file written by ``roleplay calibrate``; one-line errors otherwise."""
    if str(name_or_path) == DEFAULT_PROFILE:
        return default_profile()
    return _profile_from_file(str(name_or_path))


@cache  # keyed by the path text; a profile file is read once per process
def _profile_from_file(path: str) -> StyleProfile:
    try:
        text = Path(path).read_text(encoding="utf-8")
    except OSError as error:
        raise ConfigError(f"--style {path}: cannot read ({error.strerror or error})") from None
    try:
        return StyleProfile.model_validate_json(text)
    except ValueError as error:
        lines = str(error).splitlines()
        detail = lines[1] if len(lines) > 1 else lines[0]
        raise ConfigError(
            f"--style {path}: not a style profile written by 'roleplay calibrate' ({detail})"
        ) from None


# --- sampling a person's style -------------------------------------------------------------------

_NORMAL = NormalDist()
NORMAL_GRID = tuple(_NORMAL.inv_cdf((index + 0.5) / 24) for index in range(24))  # quadrature over z
_GOLDEN = (math.sqrt(5) - 1) / 2


def sigmoid(value: float) -> float:
    return 1 / (1 + math.exp(-value)) if value >= 0 else math.exp(value) / (1 + math.exp(value))


def logit(share: float) -> float:
    share = min(max(share, 1e-4), 1 - 1e-4)
    return math.log(share / (1 - share))


@cache
def _population() -> tuple[dict[str, str], ...]:
    """A fixed, seeded sample of uniformly drawn personas: the population the means refer to."""
    from llm_roleplay.blocks.personas import sample_persona

    return tuple(sample_persona(index).attributes for index in range(400))


_INTERCEPTS: dict[tuple[str, str, str], float] = {}  # (profile fingerprint, habit, position) -> b


def intercept(profile: StyleProfile, habit: str, position: Position) -> float:
    """``b`` such that the population mean of ``sigmoid(b + shift + spread * z)`` is the fitted share."""
    key = (profile.fingerprint(), habit, position)
    if key not in _INTERCEPTS:
        _INTERCEPTS[key] = _solve_intercept(profile, habit, position)
    return _INTERCEPTS[key]


def _solve_intercept(profile: StyleProfile, habit: str, position: Position) -> float:
    target = (profile.first if position == "first" else profile.later).get(habit, 0.0)
    spread = profile.spread.get(habit, 0.0)
    shifts = np.array([profile.shift(habit, attributes) for attributes in _population()])
    offsets = (shifts[:, None] + spread * np.array(NORMAL_GRID)[None, :]).ravel()
    low, high = -20.0, 20.0
    for _ in range(50):  # bisection: the mean share is increasing in b
        middle = (low + high) / 2
        if float(np.mean(1 / (1 + np.exp(-(middle + offsets))))) < target:
            low = middle
        else:
            high = middle
    return (low + high) / 2


def _unit(seed_key: str) -> float:
    digest = hashlib.sha256(seed_key.encode()).digest()
    return (int.from_bytes(digest[:8], "big") + 0.5) / 2**64


def person_quantile(habit: str, person_key: str, index: int | None) -> float:
    """A uniform draw for one habit of one person.

    With a persona index (sampled personas of a grid) the draws follow the additive golden-ratio
    sequence from a per-habit offset, so any run of consecutive personas spreads evenly over the
    range; without one, a hash of the person.
    """
    offset = _unit(f"habit:{habit}:{person_key}")
    if index is None:
        return offset
    return (offset + index * _GOLDEN) % 1.0


def sample_style(
    profile: StyleProfile,
    attributes: Mapping[str, str],
    *,
    person_key: str,
    index: int | None = None,
) -> PersonaStyle:
    """Draw one person's habits; the same person key and index give the same style."""
    rates: dict[Position, dict[str, float]] = {"first": {}, "later": {}}
    for habit in PERSON_HABITS:
        z = _NORMAL.inv_cdf(min(max(person_quantile(habit, person_key, index), 1e-6), 1 - 1e-6))
        offset = profile.shift(habit, attributes) + profile.spread.get(habit, 0.0) * z
        for position in ("first", "later"):
            rate = sigmoid(intercept(profile, habit, position) + offset)
            rates[position][habit] = round(min(rate, MAX_TYPO_RATE) if habit == "typo" else rate, 4)
    z_length = _NORMAL.inv_cdf(min(max(person_quantile("words", person_key, index), 1e-6), 1 - 1e-6))
    length_factor = math.exp(profile.shift("words", attributes) + profile.length.between * z_length)
    return PersonaStyle(
        profile=f"{profile.source.name}@{profile.fingerprint()}",
        first=rates["first"],
        later=rates["later"],
        words_first=round(profile.length.median_first * length_factor, 1),
        words_later=round(profile.length.median_later * length_factor, 1),
        words_within=profile.length.within,
    )


def draw_key(persona: Mapping[str, Any], seed: int) -> tuple[str, int | None]:
    """What a person's style draws depend on: ``(key, index)``.

    A persona sampled for a grid (source ``sampled:SEED:INDEX[:...]``) keeps its style across
    goals and trials, and consecutive indices share the key so their draws spread evenly; any
    other persona gets a key of its own from its attributes, description, source and the seed.
    """
    source = str(persona.get("source") or "")
    parts = source.split(":")
    if len(parts) >= 3 and parts[0] == "sampled" and parts[2].isdigit():
        return f"grid:{parts[1]}", int(parts[2])
    canonical = json.dumps(
        {
            "attributes": persona.get("attributes") or {},
            "description": persona.get("description") or "",
            "source": source,
            "seed": seed,
        },
        sort_keys=True,
    )
    return hashlib.sha256(canonical.encode()).hexdigest()[:16], None
