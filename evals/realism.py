"""Realism: do the simulated users type like the reference's real users?

Two views of the user messages, opening ("first") and later messages apart:

1. **Style statistics side by side** (:mod:`llm_roleplay.blocks.style.features`): median words, starts in
   lowercase, no closing punctuation, ends with "?", put as a question, says please, opens with a
   greeting, thanks, opens with "can/could you", several lines, contractions, lowercase "i" and
   typo share, each with a bootstrap interval over dialogues (the messages of one dialogue are
   resampled together).
2. **A classifier's cross-validated AUC** at telling simulated from reference messages: logistic
   regression (scikit-learn) on the style features of one message (the flags above, the log of
   its word count, its typo share and whether it opens the dialogue), five stratified folds, the
   reference subsampled (seeded) to at most four messages per simulated one. 0.5 means the two
   are indistinguishable by how they are typed; 1.0 means every message gives itself away. Words
   themselves are left out on purpose: the topics of a goal set differ from any log's, which would
   say nothing about whether the users are believable.
"""

from __future__ import annotations

import math
import random
import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.style.features import BINARY_FEATURES, MessageStyle, is_english, message_style
from llm_roleplay.evals.bootstrap import BootstrapSettings, Metric, estimate, median_metric, ratio_metric

# Every habit but two too rare in real messages to compare on a small run (under 2%).
SHOWN = tuple(flag for flag in BINARY_FEATURES if flag not in ("code_fence", "dropped_apostrophe"))
FOLDS = 5
REFERENCE_PER_SIMULATED = 4
POSITIONS = ("first", "later")


@dataclass(frozen=True)
class Styled:
    """The style of one dialogue's user messages, by position."""

    first: tuple[MessageStyle, ...]
    later: tuple[MessageStyle, ...]


def styled(records: Sequence[Mapping[str, Any]], english_only: bool = False) -> list[Styled]:
    """Each dialogue's user messages measured; reference sets keep English messages only."""
    result = []
    for record in records:
        texts = [
            str(message.get("content") or "")
            for message in record.get("messages") or []
            if message.get("role") == "user"
        ]
        texts = [text for text in texts if text.strip() and (not english_only or is_english(text))]
        if texts:
            styles = tuple(message_style(text) for text in texts)
            result.append(Styled(first=styles[:1], later=styles[1:]))
    return result


def _messages(rows: Sequence[Styled], position: str) -> list[tuple[MessageStyle, ...]]:
    return [row.first if position == "first" else row.later for row in rows]


def style_metrics(rows: Sequence[Styled], position: str) -> list[Metric[Any]]:
    """One metric per shown statistic, over the dialogues' messages at ``position``."""
    groups = _messages(rows, position)
    metrics: list[Metric[Any]] = [
        median_metric(
            f"{position}.median_words", [[s.words for s in group] for group in groups if group], "messages"
        )
    ]
    for flag in SHOWN:
        pairs = [(sum(s.flags[flag] for s in group), len(group)) for group in groups if group]
        metrics.append(ratio_metric(f"{position}.{flag}", pairs, unit="messages"))
    typos = [
        (sum(s.typo_share or 0.0 for s in group), sum(1 for s in group if s.typo_share is not None))
        for group in groups
        if group
    ]
    metrics.append(ratio_metric(f"{position}.typo_share", typos, unit="messages"))
    return metrics


def side_by_side(
    simulated: Sequence[Styled], reference: Sequence[Styled], settings: BootstrapSettings
) -> list[dict[str, Any]]:
    """Rows ``{"statistic", "position", "simulated", "reference", "gap"}`` with intervals."""
    rows = []
    for position in POSITIONS:
        ours = {m.name: estimate(m, settings) for m in style_metrics(simulated, position)}
        theirs = {m.name: estimate(m, settings) for m in style_metrics(reference, position)}
        for name, mine in ours.items():
            real = theirs[name]
            gap = None
            if mine.value is not None and real.value is not None:
                gap = mine.value - real.value
            rows.append(
                {
                    "statistic": name.split(".", 1)[1],
                    "position": position,
                    "simulated": mine.to_json(),
                    "reference": real.to_json(),
                    "gap": None if gap is None else round(gap, 4),
                }
            )
    return rows


def feature_vector(style: MessageStyle, first: bool) -> list[float]:
    return [
        *(float(style.flags[flag]) for flag in BINARY_FEATURES),
        math.log1p(style.words),
        style.typo_share or 0.0,
        float(first),
    ]


def classifier_auc(simulated: Sequence[Styled], reference: Sequence[Styled], seed: int = 0) -> dict[str, Any]:
    """Cross-validated AUC of a logistic regression telling simulated from reference messages."""
    try:
        from sklearn.linear_model import LogisticRegression
        from sklearn.model_selection import StratifiedKFold, cross_val_score
        from sklearn.pipeline import make_pipeline
        from sklearn.preprocessing import StandardScaler
    except ImportError:
        raise ConfigError("the realism classifier needs scikit-learn: pip install -e '.[realism]'") from None

    def vectors(rows: Sequence[Styled]) -> list[list[float]]:
        return [
            feature_vector(style, position == "first")
            for row in rows
            for position in POSITIONS
            for style in (row.first if position == "first" else row.later)
        ]

    ours = vectors(simulated)
    theirs = vectors(reference)
    rng = random.Random(f"realism:{seed}")
    if len(theirs) > REFERENCE_PER_SIMULATED * len(ours):
        theirs = rng.sample(theirs, REFERENCE_PER_SIMULATED * len(ours))
    if len(ours) < FOLDS or len(theirs) < FOLDS:
        return {"auc": None, "reason": "too few messages for cross-validation"}
    model = make_pipeline(StandardScaler(), LogisticRegression(max_iter=1000))
    folds = StratifiedKFold(n_splits=FOLDS, shuffle=True, random_state=seed)
    scores = cross_val_score(
        model, ours + theirs, [1] * len(ours) + [0] * len(theirs), cv=folds, scoring="roc_auc"
    )
    model.fit(ours + theirs, [1] * len(ours) + [0] * len(theirs))
    names = [*BINARY_FEATURES, "log_words", "typo_share", "is_first"]
    weights = model[-1].coef_[0]
    strongest = sorted(zip(names, weights, strict=True), key=lambda item: -abs(item[1]))[:5]
    return {
        "auc": round(float(statistics.fmean(scores)), 4),
        "auc_folds": [round(float(score), 4) for score in scores],
        "simulated_messages": len(ours),
        "reference_messages": len(theirs),
        "features": names,
        "strongest": [{"feature": name, "weight": round(float(weight), 3)} for name, weight in strongest],
        "method": f"logistic regression on standardised style features, {FOLDS}-fold stratified CV",
    }


def realism_section(
    simulated_records: Sequence[Mapping[str, Any]],
    reference_records: Sequence[Mapping[str, Any]],
    settings: BootstrapSettings,
) -> dict[str, Any]:
    """The ``realism`` part of ``eval.json``."""
    simulated = styled(simulated_records)
    reference = styled(reference_records, english_only=True)
    return {
        "statistics": side_by_side(simulated, reference, settings),
        "classifier": classifier_auc(simulated, reference, settings.seed),
    }
