"""Prompt files: one text file per prompt, each with a version stored in every dialogue record.

A prompt file starts with a small header block::

    ---
    name: inquirer_opening
    version: 3
    prefill: Here is the message:\n\n"
    ---
    Text with {placeholders} filled by ``Prompt.render`` (literal braces are doubled).

``scope`` (optional) is ``generation`` (the default) or ``evaluation``: only generation prompts
define a dialogue, so only their versions go into records and dialogue ids; adding or rewording an
evaluation judge must not make existing datasets look like another configuration.

``prefill`` (optional, ``\n`` for line breaks) starts the model's answer: servers that support it
(llama.cpp, vLLM, Anthropic) continue from there, which keeps small models in role far better.

Bump ``version`` whenever the wording changes: the version is part of the dialogue id, so a
dataset directory never silently mixes dialogues generated with two wordings.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

PROMPT_DIR = Path(__file__).parent


@dataclass(frozen=True)
class Prompt:
    name: str
    version: str
    template: str
    prefill: str = ""
    scope: str = "generation"

    def render(self, **values: object) -> str:
        return self.template.format(**values).strip()


@cache
def load_prompt(name: str) -> Prompt:
    """Read ``prompts/<name>.md``; the header must name the prompt and give its version."""
    path = PROMPT_DIR / f"{name}.md"
    text = path.read_text(encoding="utf-8")
    header, separator, body = text.removeprefix("---\n").partition("\n---\n")
    if not text.startswith("---\n") or not separator:
        raise ValueError(f"{path}: missing '---' header block with name and version")
    fields = dict(
        (key.strip(), value.strip())
        for key, _, value in (line.partition(":") for line in header.splitlines())
        if key.strip()
    )
    if fields.get("name") != name or not fields.get("version"):
        raise ValueError(f"{path}: header must contain 'name: {name}' and a 'version'")
    prefill = fields.get("prefill", "").replace("\\n", "\n")
    scope = fields.get("scope", "generation")
    if scope not in ("generation", "evaluation"):
        raise ValueError(f"{path}: 'scope' must be generation or evaluation, not {scope!r}")
    return Prompt(name=name, version=fields["version"], template=body, prefill=prefill, scope=scope)


def prompt_names() -> list[str]:
    return list(_names_in(PROMPT_DIR))


@cache
def _names_in(folder: Path) -> tuple[str, ...]:
    return tuple(sorted(path.stem for path in folder.glob("*.md")))


# Listed once, at import: every dialogue id needs the names, and a directory scan in an async node
# would be blocking I/O in the event loop (which ``langgraph dev`` refuses).
_names_in(PROMPT_DIR)


def prompt_versions(scope: str = "generation") -> dict[str, str]:
    """The versions of the prompts of ``scope``; generation ones are stored in dialogue records
    and are part of dialogue ids."""
    prompts = (load_prompt(name) for name in prompt_names())
    return {prompt.name: prompt.version for prompt in prompts if prompt.scope == scope}
