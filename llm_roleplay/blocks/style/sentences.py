"""Plain sentence arithmetic shared by the typing pass and the request rewrites."""

from __future__ import annotations

import re

# A sentence's end: . ! or ?, but not the last point of "e.g." or "i.e.", nor that of "Dr." or "vs.",
# which end no sentence ("I ran it in 9 s. then ..." does).
SENTENCE_END = r"[.!?](?<!\.[^\W\d_]\.)(?<!\b(?:Mr|Dr|vs|Ms)\.)(?<!\bMrs\.)"
# The space between two typed sentences on one line.
BETWEEN_SENTENCES = re.compile(rf"(?<={SENTENCE_END})[ \t]+(?=\S)")
# Where one typed sentence ends and the next begins: after its end and a space, or at a line break.
SENTENCE_BREAK = re.compile(rf"{BETWEEN_SENTENCES.pattern}|\n+")
# One sentence of a text, with its end mark if it has one; the point of "0.5" ends none.
SENTENCE = re.compile(r"(?:[^.!?\n]|(?<=\d)\.(?=\d))+[.!?]?")
_SENTENCE_BREAK_KEPT = re.compile(f"({SENTENCE_BREAK.pattern})")


def split_closing(text: str) -> tuple[str, str]:
    """The text without its closing punctuation, and that punctuation ("" if none)."""
    match = re.search(r"[.!?]+\s*$", text)
    return (text[: match.start()].rstrip(), match.group().strip()) if match else (text.rstrip(), "")


def first_sentence(text: str) -> tuple[str, str]:
    """The first sentence (with its punctuation) and the rest."""
    match = re.search(r"[.!?]+(?:\s+|$)", text)
    if not match:
        return text, ""
    return text[: match.end()].strip(), text[match.end() :].strip()


def last_sentence(text: str) -> str:
    parts = re.split(r"[.!?]\s+", text)
    return parts[-1] if parts else text


def same_case_start(new: str, old: str) -> str:
    """``new`` with a capital first letter if ``old`` had one."""
    return new[:1].upper() + new[1:] if old.lstrip()[:1].isupper() else new


def split_sentences(text: str) -> list[str]:
    """The sentences of ``text``, split after . ! or ? and a space."""
    return [sentence for sentence in re.split(r"(?<=[.!?])\s+", text.strip()) if sentence]


def sentences_and_breaks(text: str) -> list[tuple[str, str]]:
    """The sentences of ``text``, each with the space or line breaks that follow it ("" for the
    last), so that a text without some of them can be put together as it was typed."""
    pieces = _SENTENCE_BREAK_KEPT.split(text.strip())
    return list(zip(pieces[0::2], [*pieces[1::2], ""], strict=True))
