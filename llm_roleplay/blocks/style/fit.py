"""Fit a :class:`~llm_roleplay.blocks.style.profile.StyleProfile` on real users' messages.

Input: conversations, each the list of its user messages in order, and whether its first message
opens the conversation (a log split into parts has later parts that do not). Output: the share of
opening and of later messages showing each habit, how much people differ (the spread of a
logit-normal person effect, solved from the habit's intra-class correlation within conversations),
and the log-normal length model of typed messages (median, between-person and within-person spread).

The intra-class correlation and the variance components are the classical one-way ANOVA
estimators; they are a few lines, and the only library offering them (statsmodels) would add
scipy and pandas to the install for this alone.
"""

from __future__ import annotations

import math
import statistics
from collections.abc import Sequence
from dataclasses import dataclass

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.style.features import BINARY_FEATURES, MessageStyle, is_english, message_style
from llm_roleplay.blocks.style.profile import (
    NORMAL_GRID,
    PERSON_HABITS,
    LengthModel,
    Source,
    StyleProfile,
    sigmoid,
)

MIN_FIRST = 20
MIN_LATER = 50
MIN_CONVERSATIONS_FOR_SPREAD = 20  # with 3+ later messages
DEFAULT_SPREAD = 1.0  # logit SD used when a log has too few long conversations to measure it
# Rare habits (greetings in later messages: 0.3%) give unstable correlations; past a logit SD of 4
# a habit is already all-or-nothing per person, so larger fitted values add only noise.
MAX_SPREAD = 4.0


@dataclass(frozen=True)
class Conversation:
    user_messages: tuple[str, ...]
    opens: bool = True  # the first message is the opening of the conversation


def _has_typo(style: MessageStyle) -> bool:
    return bool(style.typo_share)


def _applies(style: MessageStyle, habit: str) -> bool:
    """Whether the message could show the habit: line breaks between sentences need two of them."""
    return style.sentence_lines is not None if habit == "sentence_lines" else True


def _flag(style: MessageStyle, habit: str) -> bool:
    if habit == "sentence_lines":
        return bool(style.sentence_lines)
    return _has_typo(style) if habit == "typo" else style.flags[habit]


def icc(groups: Sequence[Sequence[float]]) -> float:
    """One-way ANOVA intra-class correlation of values grouped by conversation (clamped to [0, 0.95])."""
    groups = [group for group in groups if group]
    total = sum(len(group) for group in groups)
    count = len(groups)
    if count < 2 or total <= count:
        return 0.0
    grand = sum(sum(group) for group in groups) / total
    means = [sum(group) / len(group) for group in groups]
    between = sum(len(g) * (m - grand) ** 2 for g, m in zip(groups, means, strict=True)) / (count - 1)
    within = sum((x - m) ** 2 for g, m in zip(groups, means, strict=True) for x in g) / (total - count)
    n0 = (total - sum(len(group) ** 2 for group in groups) / total) / (count - 1)
    denominator = between + (n0 - 1) * within
    if denominator <= 0:
        return 0.0
    return min(max((between - within) / denominator, 0.0), 0.95)


def spread_for(share: float, correlation: float) -> float:
    """The logit SD whose person-level variance gives ``correlation`` at population share ``share``."""
    if correlation <= 0 or not 0 < share < 1:
        return 0.0

    def correlation_of(spread: float) -> float:
        low, high = -30.0, 30.0
        for _ in range(50):  # intercept giving the population share
            middle = (low + high) / 2
            if sum(sigmoid(middle + spread * z) for z in NORMAL_GRID) / len(NORMAL_GRID) < share:
                low = middle
            else:
                high = middle
        rates = [sigmoid(low + spread * z) for z in NORMAL_GRID]
        variance = sum(rate * rate for rate in rates) / len(rates) - share * share
        return variance / (share * (1 - share))

    low, high = 0.0, MAX_SPREAD
    for _ in range(40):
        middle = (low + high) / 2
        if correlation_of(middle) < correlation:
            low = middle
        else:
            high = middle
    return round((low + high) / 2, 3)


def _share(styles: Sequence[MessageStyle], habit: str) -> float:
    if habit == "typo":
        shares = [style.typo_share for style in styles if style.typo_share is not None]
        return sum(shares) / len(shares) if shares else 0.0
    applicable = [style for style in styles if _applies(style, habit)]
    return sum(_flag(style, habit) for style in applicable) / len(applicable) if applicable else 0.0


def reference_statistics(styles: Sequence[MessageStyle]) -> dict[str, float]:
    """Every statistic a report compares: shares of each habit, median words, typo share."""
    stats = {feature: round(_share(styles, feature), 4) for feature in BINARY_FEATURES}
    stats["median_words"] = float(statistics.median(style.words for style in styles))
    stats["typo_share"] = round(_share(styles, "typo"), 4)
    stats["messages"] = float(len(styles))
    return stats


def fit_profile(
    conversations: Sequence[Conversation], source: Source, english_only: bool = True
) -> StyleProfile:
    """Fit a profile; raises ConfigError when there are too few messages to fit one."""
    first: list[MessageStyle] = []
    later: list[MessageStyle] = []
    groups: list[list[MessageStyle]] = []
    for conversation in conversations:
        messages = [
            m for m in conversation.user_messages if m.strip() and (not english_only or is_english(m))
        ]
        styles = [message_style(message) for message in messages]
        if not styles:
            continue
        if conversation.opens:
            first.append(styles[0])
            styles = styles[1:]
        later.extend(styles)
        if len(styles) >= 3:
            groups.append(styles)
    if len(first) < MIN_FIRST or len(later) < MIN_LATER:
        raise ConfigError(
            f"{source.name}: too few user messages to fit a style profile ({len(first)} opening and "
            f"{len(later)} later messages; need {MIN_FIRST} and {MIN_LATER})"
        )
    spread = {}
    for habit in PERSON_HABITS:
        if len(groups) < MIN_CONVERSATIONS_FOR_SPREAD:
            spread[habit] = DEFAULT_SPREAD
            continue
        flags = [[float(_flag(s, habit)) for s in group if _applies(s, habit)] for group in groups]
        counted = sum(map(len, flags))
        spread[habit] = spread_for(sum(map(sum, flags)) / counted, icc(flags)) if counted else DEFAULT_SPREAD
    # Lengths of typed messages only: the simulated user types its request and the material a goal
    # holds is pasted apart, while real messages that paste text or code run to hundreds of words
    # (a fit on every message gave a tenth of the personas openings of 80 words and more, which
    # the 1.5B model filled with made-up details: "I'm looking for a recipe with 2 cups of flour,
    # 1 cup of sugar, 1 teaspoon of baking powder, and 1/2 teaspoon of salt?", make demo, 2026-11-29).
    typed_first = [style for style in first if style.typed] or first
    typed_later = [style for style in later if style.typed] or later
    typed_groups = [[style for style in group if style.typed] for group in groups]
    log_words = [[math.log(max(style.words, 1)) for style in group] for group in typed_groups if group]
    correlation = icc(log_words)
    all_logs = [value for group in log_words for value in group] or [
        math.log(max(s.words, 1)) for s in typed_later
    ]
    total_sd = statistics.pstdev(all_logs) if len(all_logs) > 1 else 0.8
    return StyleProfile(
        source=source.model_copy(
            update={
                "conversations": len(conversations),
                "first_messages": len(first),
                "later_messages": len(later),
            }
        ),
        first={habit: round(_share(first, habit), 4) for habit in PERSON_HABITS},
        later={habit: round(_share(later, habit), 4) for habit in PERSON_HABITS},
        spread=spread,
        length=LengthModel(
            median_first=float(statistics.median(style.words for style in typed_first)),
            median_later=float(statistics.median(style.words for style in typed_later)),
            between=round(total_sd * math.sqrt(correlation), 3),
            within=round(total_sd * math.sqrt(1 - correlation), 3),
        ),
        reference={"first": reference_statistics(first), "later": reference_statistics(later)},
    )
