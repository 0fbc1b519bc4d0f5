"""``roleplay humaneval prepare``: draw the study's balanced, blinded, shuffled mix and write it.

The mix is half simulated, half real, so that "always human" and "always model" both score 50%
accuracy and the undetected rate is not driven by the base rate. Every random choice comes from
one ``random.Random(seed)`` over inputs in a fixed order (simulated by dialogue id, real in file
order), so the same inputs and seed give byte-identical files.

Matching removes what would give the source away without reading the text:

- ``length``: each drawn simulated dialogue is paired with the unused real dialogue nearest in
  user turns (simulated dialogues are capped at a turn limit; real ones are not);
- ``domain``: each drawn simulated dialogue is paired with an unused real one of the same domain
  (its ``goal_domain`` against the real entry's ``domain``), the nearest in user turns among those;
- ``none``: two independent random draws.

Pairs are formed greedily in a random order of the simulated dialogues; ties go to the real
dialogue that comes first in a seeded shuffle.
"""

from __future__ import annotations

import hashlib
import json
import os
import random
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.humaneval.form import render_csv, render_form, render_readme
from llm_roleplay.evals.humaneval.sources import Candidate, load_real, load_simulated
from llm_roleplay.evals.humaneval.study import (
    CSV_FILE,
    FORM_FILE,
    ITEMS_FILE,
    KEY_FILE,
    QUESTION,
    README_FILE,
)
from llm_roleplay.records import write_json_atomic

MATCHES = ("length", "domain", "none")


@dataclass(frozen=True)
class PrepareOptions:
    simulated: Path
    real: Path
    n: int
    out: Path
    seed: int = 0
    match: str = "length"


@dataclass
class PrepareReport:
    study_id: str
    out: Path
    n_simulated: int
    n_real: int
    mean_turns: dict[str, float]
    excluded: dict[str, int] = field(default_factory=dict)  # source -> unusable dialogues skipped
    bad_lines: list[int] = field(default_factory=list)  # unreadable lines of dialogues.jsonl


def select(
    simulated: Sequence[Candidate], real: Sequence[Candidate], n: int, match: str, rng: random.Random
) -> tuple[list[Candidate], list[Candidate]]:
    """``n / 2`` simulated and ``n / 2`` real dialogues, matched as ``match`` says."""
    half = n // 2
    if len(simulated) < half or len(real) < half:
        raise ConfigError(f"--n {n}: needs {half} simulated and {half} real dialogues")
    simulated_pool = sorted(simulated, key=lambda candidate: candidate.original_id)
    rng.shuffle(simulated_pool)
    real_pool = list(real)
    rng.shuffle(real_pool)
    if match == "none":
        return simulated_pool[:half], real_pool[:half]
    if match == "domain" and not any(candidate.domain for candidate in real_pool):
        raise ConfigError("--match domain: no real dialogue has a domain (a 'domain' field per entry)")
    chosen_simulated: list[Candidate] = []
    chosen_real: list[Candidate] = []
    for candidate in simulated_pool if match == "domain" else simulated_pool[:half]:
        if len(chosen_simulated) == half:
            break
        partners = list(range(len(real_pool)))
        if match == "domain":
            domain = (candidate.domain or "").casefold()
            partners = [i for i in partners if domain and (real_pool[i].domain or "").casefold() == domain]
            if not partners:
                continue
        best = min(partners, key=lambda i: abs(real_pool[i].user_turns - candidate.user_turns))
        chosen_simulated.append(candidate)
        chosen_real.append(real_pool.pop(best))
    if len(chosen_simulated) < half:
        raise ConfigError(
            f"--match domain: only {len(chosen_simulated)} simulated dialogues have a real one of the same "
            f"domain, --n {n} needs {half} (lower --n, add real dialogues, or use --match length)"
        )
    return chosen_simulated, chosen_real


def build(
    chosen: Sequence[Candidate], *, seed: int, match: str, simulated: Path, real: Path
) -> tuple[dict[str, Any], dict[str, Any]]:
    """``items.json`` and ``key.json`` for dialogues already in presentation order."""
    width = max(2, len(str(len(chosen))))
    ids = [f"item-{index:0{width}d}" for index in range(1, len(chosen) + 1)]
    fingerprint = json.dumps(
        [seed, match, [[item_id, c.source, c.original_id] for item_id, c in zip(ids, chosen, strict=True)]]
    )
    study_id = "study-" + hashlib.sha256(fingerprint.encode()).hexdigest()[:10]
    items = {
        "study_id": study_id,
        "question": QUESTION,
        "items": [
            {"item_id": item_id, "messages": [message.to_json() for message in candidate.messages]}
            for item_id, candidate in zip(ids, chosen, strict=True)
        ],
    }
    key = {
        "study_id": study_id,
        "seed": seed,
        "match": match,
        "n": len(chosen),
        "simulated": str(simulated),
        "real": str(real),
        "items": {
            item_id: {
                "source": candidate.source,
                "original_id": candidate.original_id,
                "domain": candidate.domain,
                "user_turns": candidate.user_turns,
                **candidate.key_fields,
            }
            for item_id, candidate in zip(ids, chosen, strict=True)
        },
    }
    return items, key


def prepare(options: PrepareOptions) -> PrepareReport:
    """Read both sources, draw the mix, write the study directory (refusing to replace another study)."""
    if options.match not in MATCHES:
        raise ConfigError(f"--match {options.match}: choose from {', '.join(MATCHES)}")
    if options.n < 2 or options.n % 2:
        raise ConfigError(
            f"--n {options.n}: must be an even number of at least 2 (half simulated, half real)"
        )
    simulated = load_simulated(options.simulated)
    real = load_real(options.real)
    half = options.n // 2
    for name, loaded, where in (("simulated", simulated, options.simulated), ("real", real, options.real)):
        if len(loaded.candidates) < half:
            raise ConfigError(
                f"--n {options.n} needs {half} {name} dialogues; {where} has {len(loaded.candidates)} usable "
                f"({loaded.excluded} skipped: filtered, near-duplicate or without a complete exchange)"
            )
    rng = random.Random(options.seed)
    chosen_simulated, chosen_real = select(
        simulated.candidates, real.candidates, options.n, options.match, rng
    )
    mix = chosen_simulated + chosen_real
    rng.shuffle(mix)
    items, key = build(
        mix, seed=options.seed, match=options.match, simulated=options.simulated, real=options.real
    )
    mean_turns = {
        "simulated": sum(c.user_turns for c in chosen_simulated) / half,
        "real": sum(c.user_turns for c in chosen_real) / half,
    }
    _check_target(options.out, key)
    readme = render_readme(
        study_id=key["study_id"],
        n_simulated=half,
        n_real=half,
        match=options.match,
        seed=options.seed,
        mean_turns=mean_turns,
    )
    try:
        write_json_atomic(options.out / KEY_FILE, key)  # first: no items ever exist without their key
        write_json_atomic(options.out / ITEMS_FILE, items)
        _write_text_atomic(options.out / FORM_FILE, render_form(items))
        _write_text_atomic(options.out / CSV_FILE, render_csv(items["items"]), encoding="utf-8-sig")
        _write_text_atomic(options.out / README_FILE, readme)
    except OSError as error:
        raise ConfigError(f"--out {options.out}: cannot write ({error.strerror or error})") from None
    return PrepareReport(
        study_id=key["study_id"],
        out=options.out,
        n_simulated=half,
        n_real=half,
        mean_turns=mean_turns,
        excluded={"simulated": simulated.excluded, "real": real.excluded},
        bad_lines=simulated.bad_lines,
    )


def _check_target(out: Path, key: dict[str, Any]) -> None:
    """Refuse to overwrite another study's key: answers collected for it could never be scored."""
    if out.exists() and not out.is_dir():
        raise ConfigError(f"--out {out}: exists and is not a directory")
    existing = out / KEY_FILE
    if not existing.exists():
        return
    try:
        old = json.loads(existing.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        old = None
    if old != key:
        old_id = old.get("study_id") if isinstance(old, dict) else None
        raise ConfigError(
            f"--out {out}: already holds study {old_id or '(unreadable key)'}, whose key would be lost "
            "(choose another --out, or remove that directory first)"
        )


def _write_text_atomic(path: Path, text: str, encoding: str = "utf-8") -> None:
    """Write beside ``path`` and rename over it: a study file is complete or absent, never torn."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding=encoding, newline="") as handle:
            handle.write(text)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o644)
        os.replace(temp, path)
    finally:
        if os.path.exists(temp):
            os.unlink(temp)
