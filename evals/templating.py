"""Jinja2 for the HTML and SVG the evaluation writes (``evals/templates/``).

Autoescaping is on for every template: dialogue text, persona descriptions and file names are
untrusted, and a template has to say so explicitly (``|tojson`` for data, ``Markup``) to put
anything into the page unescaped, so an escaping slip is impossible rather than unlikely.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


def coordinate(value: float) -> str:
    """An SVG coordinate or length: a float with one decimal (finer than a screen shows), a whole
    number as it is."""
    return f"{value:.1f}" if isinstance(value, float) else str(value)


@cache
def environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.PackageLoader("llm_roleplay.evals", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails loudly instead of rendering empty
        keep_trailing_newline=True,
        trim_blocks=True,  # a line holding only a {% tag %} leaves nothing in the output
        lstrip_blocks=True,
    )
    env.filters["coordinate"] = coordinate
    return env


def render(name: str, **context: Any) -> str:
    """The template ``evals/templates/NAME`` rendered with ``context``."""
    return environment().get_template(name).render(**context)
