"""Personas: structured sociodemographic attributes, seeded sampling, and rendering to text.

The attribute schema lives in ``data/persona_attributes.json`` so that it can be read, extended and
versioned without touching code. A persona is its attributes (value keys of that schema) plus a
description; the description is rendered from the schema's template unless one is given.
"""

from __future__ import annotations

import json
import random
from dataclasses import dataclass
from functools import cache
from importlib.resources import files
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from llm_roleplay.blocks.errors import ConfigError


@dataclass(frozen=True)
class AttributeSchema:
    version: str
    template: str
    # attribute name -> value key -> phrase used in the rendered description
    attributes: dict[str, dict[str, str]]

    def validate(self, attributes: dict[str, str], where: str = "persona") -> None:
        """Raise ConfigError naming the first unknown attribute or value."""
        for name, value in attributes.items():
            if name not in self.attributes:
                known = ", ".join(self.attributes)
                raise ConfigError(f"{where}: unknown attribute '{name}' (known: {known})")
            if value not in self.attributes[name]:
                known = ", ".join(self.attributes[name])
                raise ConfigError(f"{where}: unknown value '{value}' for '{name}' (known: {known})")


@cache
def default_schema() -> AttributeSchema:
    raw = json.loads(files("llm_roleplay").joinpath("data/persona_attributes.json").read_text())
    return AttributeSchema(version=raw["version"], template=raw["template"], attributes=raw["attributes"])


class Persona(BaseModel):
    """A simulated user. ``attributes`` use the value keys of the attribute schema."""

    model_config = ConfigDict(extra="forbid")

    attributes: dict[str, str] = Field(default_factory=dict)
    description: str | None = None
    source: str = Field(default="given", description="'given' or 'sampled:<seed>'")

    @classmethod
    def from_input(cls, raw: Any, where: str = "persona") -> Persona:
        """Accept ``{"attributes": {...}, "description": ...}``, a flat attribute dict, or text.

        Plain text is taken as a ready description with no structured attributes.
        """
        if isinstance(raw, Persona):
            return raw
        if isinstance(raw, str):
            if not raw.strip():
                raise ConfigError(f"{where}: empty persona description")
            return cls(description=raw.strip())
        if not isinstance(raw, dict):
            raise ConfigError(f"{where}: expected an object or text, got {type(raw).__name__}")
        if "attributes" in raw or "description" in raw:
            attributes = raw.get("attributes") or {}
            description = raw.get("description")
        else:
            attributes, description = raw, None
        if not isinstance(attributes, dict) or not all(
            isinstance(key, str) and isinstance(value, str) for key, value in attributes.items()
        ):
            raise ConfigError(f"{where}: 'attributes' must map attribute names to text values")
        if description is not None and not isinstance(description, str):
            raise ConfigError(f"{where}: 'description' must be text")
        description = (description or "").strip() or None  # blank: render from the attributes
        if description is None and not attributes:
            raise ConfigError(f"{where}: a persona needs attributes or a description")
        default_schema().validate(attributes, where)
        return cls(attributes=attributes, description=description, source=raw.get("source", "given"))


def sample_persona(seed: int, schema: AttributeSchema | None = None) -> Persona:
    """Draw one value per attribute, uniformly, from a generator seeded by ``seed`` alone."""
    schema = schema or default_schema()
    rng = random.Random(f"persona:{seed}")
    attributes = {name: rng.choice(sorted(values)) for name, values in schema.attributes.items()}
    return Persona(attributes=attributes, source=f"sampled:{seed}")


def render_description(attributes: dict[str, str], schema: AttributeSchema | None = None) -> str:
    """Fill the schema's template; attributes a persona lacks are dropped from the sentence."""
    schema = schema or default_schema()
    if set(attributes) >= set(schema.attributes):
        phrases = {name: schema.attributes[name][value] for name, value in attributes.items()}
        return schema.template.format(**phrases)
    # Partial personas (e.g. given by a user) get a plain listing rather than a broken sentence.
    parts = [
        f"{name.replace('_', ' ')}: {schema.attributes[name][value]}" for name, value in attributes.items()
    ]
    return "A person with these traits: " + "; ".join(parts) + "."


def attribute_listing(attributes: dict[str, str], schema: AttributeSchema | None = None) -> str:
    """One attribute per line, for prompts that ask an LLM to write the description."""
    schema = schema or default_schema()
    return "\n".join(
        f"- {name.replace('_', ' ')}: {schema.attributes[name][value]}" for name, value in attributes.items()
    )


# Attributes whose phrase a message could name outright; "is"/"is not" (native English) and the
# chatbot-familiarity sentences are not names of anything.
_NAMEABLE = ("age_bracket", "gender", "race_ethnicity", "education", "occupation", "region")


def trait_phrases(attributes: dict[str, str], schema: AttributeSchema | None = None) -> list[str]:
    """The persona's traits as a user could name them: "35 to 44", "office clerk", "Brazil"."""
    schema = schema or default_schema()
    phrases = []
    for name in _NAMEABLE:
        value = attributes.get(name)
        if value is None or value not in schema.attributes.get(name, {}):
            continue
        phrase = schema.attributes[name][value]
        for prefix in ("aged ", "a ", "an ", "the "):
            phrase = phrase.removeprefix(prefix)
        phrases.append(phrase.removesuffix(" person"))
    return phrases
