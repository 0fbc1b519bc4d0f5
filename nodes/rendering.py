"""What a person sees of a chatbot reply: its math rendered, as chat interfaces show it.

Chatbots write formulas in LaTeX (``\\[ \\text{Speed} = \\frac{50 \\text{ m}}{15 \\text{ s}} \\approx
3.33 \\text{ m/s} \\]``), which chat interfaces render. A person reads "Speed = 50 m/15 s ≈ 3.33
m/s"; the small model that plays the person or judges the goal read the markup, and lost the
result in it (a judge found "no sentence of the replies" giving speeds that were all there, and
the user then called the correct speeds wrong). The simulated user and the judges therefore read
replies as rendered; the chatbot keeps its own text. Rendered math is also fewer prompt tokens.

Math between ``\\[ \\]``, ``\\( \\)`` and ``$$ $$`` is converted by ``pylatexenc``; code blocks are
left alone; single dollar signs are money more often than math, so they are left alone too.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

from pylatexenc.latex2text import LatexNodes2Text
from pylatexenc.latexwalker import LatexWalkerError

_MATH = re.compile(r"\\\[(.+?)\\\]|\\\((.+?)\\\)|\$\$(.+?)\$\$", re.DOTALL)
_CODE_BLOCK = re.compile(r"(```.*?```)", re.DOTALL)

_CONVERTER = LatexNodes2Text(math_mode="text")


@lru_cache(maxsize=4096)  # the same replies are read at every later turn of a dialogue
def as_rendered(text: str) -> str:
    """``text`` with its LaTeX math written as plain text (and markdown's ``\\$`` as ``$``), code
    blocks untouched."""
    if "\\" not in text and "$$" not in text:
        return text
    pieces = _CODE_BLOCK.split(text)  # odd pieces are the code blocks
    for index in range(0, len(pieces), 2):
        pieces[index] = _MATH.sub(_rendered_math, pieces[index]).replace("\\$", "$")  # markdown's \$ too
    return "".join(pieces)


def _rendered_math(match: re.Match[str]) -> str:
    latex = next(group for group in match.groups() if group is not None)
    try:
        plain = _CONVERTER.latex_to_text(latex)
    except LatexWalkerError:  # left as written: a person would see the markup too
        return match.group(0)
    return " ".join(plain.split())


def transcript_text(
    turns: Iterable[tuple[bool, str]], user: str = "User", assistant: str = "Assistant"
) -> str:
    """A dialogue as one labelled paragraph per message, from ``(is_user, text)`` pairs; the
    chatbot's replies as rendered."""
    return "\n\n".join(
        f"{user}: {text.strip()}" if is_user else f"{assistant}: {as_rendered(text).strip()}"
        for is_user, text in turns
    )
