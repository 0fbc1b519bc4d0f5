"""Jinja2 for the HTML the evaluation writes (``evals/templates/``).

Autoescaping is on for every template: dialogue text, persona descriptions and file names are
untrusted, and a template has to say so explicitly (``|tojson`` for data, ``Markup``) to put
anything into the page unescaped, so an escaping slip is impossible rather than unlikely.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import jinja2


@cache
def environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.PackageLoader("llm_roleplay.evals", "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name fails loudly instead of rendering empty
        keep_trailing_newline=True,
    )


def render(name: str, **context: Any) -> str:
    """The template ``evals/templates/NAME`` rendered with ``context``."""
    return environment().get_template(name).render(**context)
