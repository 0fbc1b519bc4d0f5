"""``roleplay humaneval score``: how often did people take a simulated user for a human?

The headline is the paper's figure: the *undetected rate*, the share of judgements of simulated
dialogues that said "human" (the paper reports up to 44%). Beside it: the share of real dialogues
judged human (accuracy on real ones: without it a judge who always says "human" would look like
a fooled one), overall accuracy, and the same figures by majority vote per item.

Intervals: every share gets a 95% Wilson interval over its judgements. Judgements of one item by
several annotators are not independent (some dialogues are simply more convincing), so the
headline shares also get a percentile bootstrap interval that resamples *items* with all their
judgements (:mod:`evals.bootstrap`, seeded, so reruns are identical); with several annotators
that one is the honest interval.

Agreement: Cohen's kappa for every pair of annotators over the items both answered, Fleiss'
kappa over the items every annotator answered. Breakdowns: undetected rate by persona attribute
and inquirer model (simulated items), and both rates by domain, dialogue length (user turns,
binned) and stated confidence. An automatic judge's verdicts (``--auto``, or STUDY/auto.json)
are compared with the truth and with the humans' majority vote (agreement and Cohen's kappa; items
whose vote is tied are left out).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from itertools import combinations
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.bootstrap import BootstrapSettings, estimate, ratio_metric
from llm_roleplay.evals.humaneval.agreement import (
    cohen_kappa,
    fleiss_kappa,
    fleiss_table,
    majority,
    wilson_interval,
)
from llm_roleplay.evals.humaneval.answers import AnswerSheet, label_of, read_answer_files
from llm_roleplay.evals.humaneval.auto import verdict_mapping
from llm_roleplay.evals.humaneval.study import AUTO_FILE, Study, StudyItem, load_json, load_study

LENGTH_BINS: tuple[tuple[int, int | None, str], ...] = (
    (1, 1, "1"),
    (2, 3, "2-3"),
    (4, 6, "4-6"),
    (7, 9, "7-9"),
    (10, None, "10+"),
)


@dataclass(frozen=True)
class Vote:
    """One annotator's judgement of one item, with what the breakdowns need."""

    item: StudyItem
    annotator: str
    label: str
    confidence: int | None

    @property
    def correct(self) -> bool:
        return self.label == self.item.truth

    @property
    def said_human(self) -> bool:
        return self.label == "human"


def length_bin(user_turns: int) -> str:
    for low, high, name in LENGTH_BINS:
        if user_turns >= low and (high is None or user_turns <= high):
            return name
    return "0"


def rate(hits: int, trials: int) -> dict[str, Any]:
    """A share with its Wilson interval: ``{"value", "k", "n", "ci"}`` (value None for no trials)."""
    interval = wilson_interval(hits, trials)
    return {
        "value": _round(hits / trials) if trials else None,
        "k": hits,
        "n": trials,
        "ci": [_round(interval[0]), _round(interval[1])] if interval else None,
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 6)


def _share(votes: Iterable[Vote], hit: Callable[[Vote], bool]) -> dict[str, Any]:
    chosen = list(votes)
    return rate(sum(1 for vote in chosen if hit(vote)), len(chosen))


def _simulated(votes: Iterable[Vote]) -> list[Vote]:
    return [vote for vote in votes if vote.item.source == "simulated"]


def _real(votes: Iterable[Vote]) -> list[Vote]:
    return [vote for vote in votes if vote.item.source == "real"]


def _item_bootstrap(
    name: str, votes: Sequence[Vote], hit: Callable[[Vote], bool], settings: BootstrapSettings
) -> list[float | None] | None:
    """Percentile bootstrap interval of a share, resampling items with all their judgements."""
    per_item: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for vote in votes:
        per_item[vote.item.item_id][0] += int(hit(vote))
        per_item[vote.item.item_id][1] += 1
    pairs = [(float(hits), float(trials)) for hits, trials in per_item.values()]
    result = estimate(ratio_metric(name, pairs, unit="judgements"), settings)
    return [_round(result.ci[0]), _round(result.ci[1])] if result.ci else None


def score_study(
    study: Study,
    sheets: Sequence[AnswerSheet],
    auto: Mapping[str, str] | None = None,
    auto_info: Mapping[str, Any] | None = None,
    settings: BootstrapSettings | None = None,
) -> dict[str, Any]:
    """The score document (``score.json``) of a study's answer sheets."""
    settings = settings or BootstrapSettings()
    votes = [
        Vote(study.items[item_id], sheet.annotator, judgement.label, judgement.confidence)
        for sheet in sheets
        for item_id, judgement in sheet.judgements.items()
    ]
    if not votes:
        raise ConfigError("score: the answer files hold no answers")
    simulated, real = _simulated(votes), _real(votes)
    undetected = _share(simulated, lambda v: v.said_human)
    undetected["bootstrap_ci"] = _item_bootstrap(
        "undetected_rate", simulated, lambda v: v.said_human, settings
    )
    real_accuracy = _share(real, lambda v: v.said_human)
    real_accuracy["bootstrap_ci"] = _item_bootstrap("real_accuracy", real, lambda v: v.said_human, settings)
    accuracy = _share(votes, lambda v: v.correct)
    accuracy["bootstrap_ci"] = _item_bootstrap("accuracy", votes, lambda v: v.correct, settings)
    by_item = _majorities(study, votes)
    counts = {
        source: sum(1 for item in study.items.values() if item.source == source)
        for source in ("simulated", "real")
    }
    document: dict[str, Any] = {
        "study_id": study.study_id,
        "items": {"total": len(study.items), **counts},
        "annotators": [{"name": sheet.annotator, "file": str(sheet.path)} for sheet in sheets],
        "judgements": len(votes),
        "undetected_rate": undetected,
        "real_accuracy": real_accuracy,
        "accuracy": accuracy,
        "majority_vote": _majority_summary(study, by_item),
        "per_annotator": _per_annotator(study, sheets, votes),
        "agreement": _agreement(study, sheets),
        "breakdowns": _breakdowns(votes),
        "per_item": {
            item_id: {
                "source": study.items[item_id].source,
                "human": labels.count("human"),
                "model": labels.count("model"),
                "majority": majority(labels),
            }
            for item_id, labels in by_item.items()
        },
        "method": {
            "ci": "95% Wilson score interval over judgements",
            "bootstrap_ci": (
                f"95% percentile bootstrap over items ({settings.resamples} resamples, "
                f"seed {settings.seed}); "
                "the honest interval when several annotators judged each item"
            ),
            "fleiss_kappa": "over the items every annotator answered",
            "majority_vote": "items whose vote is tied are left out",
        },
    }
    if auto is not None:
        document["auto"] = {**(auto_info or {}), **_auto_agreement(study, sheets, by_item, auto)}
    return document


def _majorities(study: Study, votes: Sequence[Vote]) -> dict[str, list[str]]:
    labels: dict[str, list[str]] = {item_id: [] for item_id in study.items}
    for vote in votes:
        labels[vote.item.item_id].append(vote.label)
    return {item_id: found for item_id, found in labels.items() if found}


def _majority_summary(study: Study, by_item: Mapping[str, list[str]]) -> dict[str, Any]:
    decided = {item_id: majority(labels) for item_id, labels in by_item.items()}
    simulated = [
        label for item_id, label in decided.items() if label and study.items[item_id].source == "simulated"
    ]
    real = [label for item_id, label in decided.items() if label and study.items[item_id].source == "real"]
    return {
        "undetected_rate": rate(simulated.count("human"), len(simulated)),
        "real_accuracy": rate(real.count("human"), len(real)),
        "ties": sum(1 for label in decided.values() if label is None),
    }


def _per_annotator(study: Study, sheets: Sequence[AnswerSheet], votes: Sequence[Vote]) -> dict[str, Any]:
    result = {}
    for sheet in sheets:
        own = [vote for vote in votes if vote.annotator == sheet.annotator]
        confidences = [vote.confidence for vote in own if vote.confidence is not None]
        result[sheet.annotator] = {
            "file": str(sheet.path),
            "answered": len(own),
            "of": len(study.items),
            "undetected_rate": _share(_simulated(own), lambda v: v.said_human),
            "real_accuracy": _share(_real(own), lambda v: v.said_human),
            "accuracy": _share(own, lambda v: v.correct),
            "mean_confidence": _round(sum(confidences) / len(confidences)) if confidences else None,
        }
    return result


def _agreement(study: Study, sheets: Sequence[AnswerSheet]) -> dict[str, Any]:
    names = [sheet.annotator for sheet in sheets]
    result: dict[str, Any] = {
        "annotators": len(sheets),
        "pairwise": [],
        "cohen_kappa": None,
        "fleiss_kappa": None,
    }
    if len(sheets) < 2:
        result["note"] = "agreement needs two or more annotators"
        return result
    for first, second in combinations(sheets, 2):
        common = [
            item_id for item_id in study.items if item_id in first.judgements and item_id in second.judgements
        ]
        a = [first.judgements[item_id].label for item_id in common]
        b = [second.judgements[item_id].label for item_id in common]
        result["pairwise"].append(
            {
                "annotators": [first.annotator, second.annotator],
                "items": len(common),
                "observed": _round(sum(x == y for x, y in zip(a, b, strict=True)) / len(common))
                if common
                else None,
                "cohen_kappa": _round(cohen_kappa(a, b)),
            }
        )
    if len(sheets) == 2:
        result["cohen_kappa"] = result["pairwise"][0]["cohen_kappa"]
    complete = [item_id for item_id in study.items if all(item_id in sheet.judgements for sheet in sheets)]
    table = fleiss_table([[sheet.judgements[item_id].label for sheet in sheets] for item_id in complete])
    result["fleiss_kappa"] = {
        "value": _round(fleiss_kappa(table)),
        "items": len(complete),
        "raters": len(names),
    }
    return result


def _group(votes: Iterable[Vote], key: Callable[[Vote], Iterable[str]]) -> dict[str, list[Vote]]:
    groups: dict[str, list[Vote]] = defaultdict(list)
    for vote in votes:
        for name in key(vote):
            groups[name].append(vote)
    return dict(sorted(groups.items()))


def _both_rates(groups: Mapping[str, list[Vote]]) -> dict[str, Any]:
    return {
        name: {
            "undetected_rate": _share(_simulated(members), lambda v: v.said_human),
            "real_accuracy": _share(_real(members), lambda v: v.said_human),
            "accuracy": _share(members, lambda v: v.correct),
        }
        for name, members in groups.items()
    }


def _breakdowns(votes: Sequence[Vote]) -> dict[str, Any]:
    simulated = _simulated(votes)
    attributes: dict[str, dict[str, list[Vote]]] = defaultdict(lambda: defaultdict(list))
    for vote in simulated:
        for name, value in vote.item.attributes.items():
            attributes[name][value].append(vote)
    length_order = [name for _, _, name in LENGTH_BINS]
    by_length = _both_rates(_group(votes, lambda v: [length_bin(v.item.user_turns)]))
    return {
        "persona_attribute": {
            name: {
                value: {"undetected_rate": _share(members, lambda v: v.said_human)}
                for value, members in sorted(values.items())
            }
            for name, values in sorted(attributes.items())
        },
        "inquirer_model": {
            name: {"undetected_rate": _share(members, lambda v: v.said_human)}
            for name, members in _group(simulated, lambda v: [v.item.inquirer_model or "(unknown)"]).items()
        },
        "domain": _both_rates(_group(votes, lambda v: [v.item.domain or "(none)"])),
        "user_turns": {name: by_length[name] for name in sorted(by_length, key=length_order.index)},
        "confidence": _both_rates(
            _group(votes, lambda v: [str(v.confidence) if v.confidence is not None else "(none)"])
        ),
    }


def read_auto(path: Path, study: Study) -> tuple[dict[str, str], dict[str, Any]]:
    """Automatic verdicts ``{item id or original id: "human" | "model"}`` resolved to item ids.

    Also read: the ``auto.json`` of ``roleplay humaneval judge`` and the ``eval.json`` of
    ``roleplay eval`` (:mod:`evals.humaneval.auto`). A value may be an object with a ``label`` (or
    ``author``) field, as judge results are stored; one whose label is null (an unparseable or
    failed verdict) is skipped and counted. Ids of dialogues outside the study are counted, not
    refused: a judge usually ran on a whole data set.
    """
    data = load_json(path, "automatic verdicts")
    if not isinstance(data, Mapping):
        raise ConfigError(f'{path}: expected a JSON object {{"item-01": "human" | "model", ...}}')
    found, judge = verdict_mapping(data)
    originals = study.by_original_id()
    verdicts: dict[str, str] = {}
    outside = skipped = 0
    for ident, value in found.items():
        raw = value.get("label", value.get("author")) if isinstance(value, Mapping) else value
        try:
            label = label_of(raw)
        except ValueError as error:
            raise ConfigError(f"{path}: {ident}: {error}") from None
        item_id = ident if ident in study.items else originals.get(ident)
        if item_id is None:
            outside += 1
            continue
        if label is None:
            skipped += 1
            continue
        if verdicts.get(item_id, label) != label:
            raise ConfigError(f"{path}: {ident}: contradicts another verdict for {item_id}")
        verdicts[item_id] = label
    info = {
        "file": str(path),
        "judge": judge,
        "verdicts": len(verdicts),
        "outside_study": outside,
        "without_label": skipped,
    }
    return verdicts, info


def _auto_agreement(
    study: Study, sheets: Sequence[AnswerSheet], by_item: Mapping[str, list[str]], auto: Mapping[str, str]
) -> dict[str, Any]:
    judged = [study.items[item_id] for item_id in study.items if item_id in auto]
    decided = [(item, majority(by_item.get(item.item_id, []))) for item in judged]
    compared = [(item, label) for item, label in decided if label is not None]
    auto_labels = [auto[item.item_id] for item, _ in compared]
    human_labels = [str(label) for _, label in compared]
    per_annotator = {}
    for sheet in sheets:
        common = [item.item_id for item in judged if item.item_id in sheet.judgements]
        per_annotator[sheet.annotator] = {
            "items": len(common),
            "cohen_kappa": _round(
                cohen_kappa([auto[i] for i in common], [sheet.judgements[i].label for i in common])
            ),
        }
    simulated = [item for item in judged if item.source == "simulated"]
    return {
        "missing": len(study.items) - len(judged),
        "accuracy": rate(sum(1 for item in judged if auto[item.item_id] == item.truth), len(judged)),
        "undetected_rate": rate(
            sum(1 for item in simulated if auto[item.item_id] == "human"), len(simulated)
        ),
        "agreement_with_majority": rate(
            sum(1 for a, h in zip(auto_labels, human_labels, strict=True) if a == h), len(compared)
        ),
        "kappa_with_majority": _round(cohen_kappa(auto_labels, human_labels)) if compared else None,
        "ties_left_out": sum(1 for item, label in decided if label is None and by_item.get(item.item_id)),
        "not_judged_by_humans": sum(1 for item in judged if not by_item.get(item.item_id)),
        "kappa_with_annotators": per_annotator,
    }


def score(study_root: Path, answer_paths: Sequence[Path], auto_path: Path | None = None) -> dict[str, Any]:
    """Load everything, score, and return the document (the caller writes and prints it)."""
    study = load_study(study_root)
    sheets = read_answer_files(answer_paths, study)
    auto = auto_info = None
    if auto_path is None and (study_root / AUTO_FILE).is_file():
        auto_path = study_root / AUTO_FILE
    if auto_path is not None:
        auto, auto_info = read_auto(auto_path, study)
    return score_study(study, sheets, auto, auto_info)
