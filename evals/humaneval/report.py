"""The readable summary ``roleplay humaneval score`` prints (score.json has everything)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any


def percent(share: Mapping[str, Any]) -> str:
    """``"45.0% (9/20)"``, or ``"-"`` when there was nothing to count."""
    if not share.get("n"):
        return "-"
    return f"{100 * share['value']:.1f}% ({share['k']}/{share['n']})"


def interval(bounds: Any) -> str:
    return f"{100 * bounds[0]:.1f}-{100 * bounds[1]:.1f}%" if bounds else "-"


def _kappa(value: float | None) -> str:
    return "undefined" if value is None else f"{value:.3f}"


def _table(title: str, rows: Mapping[str, Mapping[str, Any]], columns: Mapping[str, str]) -> list[str]:
    if not rows:
        return []
    width = max(len(title), *(len(name) + 2 for name in rows)) + 2
    header = title.ljust(width) + "".join(label.ljust(22) for label in columns.values())
    lines = ["", header.rstrip()]
    for name, row in rows.items():
        cells = "".join(percent(row[field]).ljust(22) for field in columns)
        lines.append(f"  {name}".ljust(width) + cells.rstrip())
    return lines


def summary(document: Mapping[str, Any], written_to: str | None = None) -> str:
    items = document["items"]
    names = [annotator["name"] for annotator in document["annotators"]]
    undetected, real, accuracy = document["undetected_rate"], document["real_accuracy"], document["accuracy"]
    majority_vote = document["majority_vote"]
    plural = "s" if len(names) != 1 else ""
    bootstrap = interval(undetected.get("bootstrap_ci"))
    lines = [
        f"Study {document['study_id']}: {items['total']} items "
        f"({items['simulated']} simulated, {items['real']} real), "
        f"{len(names)} annotator{plural}, {document['judgements']} judgements",
        "",
        f"Simulated users judged human (undetected): {percent(undetected)}, "
        f"95% CI {interval(undetected['ci'])} (Wilson), {bootstrap} (bootstrap over items)",
        f"Real users judged human:                   {percent(real)}, 95% CI {interval(real['ci'])}",
        f"Overall accuracy:                          {percent(accuracy)}, 95% CI {interval(accuracy['ci'])}",
        f"By majority vote: undetected {percent(majority_vote['undetected_rate'])}, real judged human "
        f"{percent(majority_vote['real_accuracy'])}, {majority_vote['ties']} tied item(s) left out",
        "",
        f"{'annotator':<20}{'answered':<10}{'undetected':<20}{'real judged human':<20}"
        f"{'accuracy':<20}confidence",
    ]
    for name, row in document["per_annotator"].items():
        confidence = "-" if row["mean_confidence"] is None else f"{row['mean_confidence']:.2f}"
        lines.append(
            f"{name[:19]:<20}{str(row['answered']) + '/' + str(row['of']):<10}"
            f"{percent(row['undetected_rate']):<20}{percent(row['real_accuracy']):<20}{percent(row['accuracy']):<20}{confidence}"
        )
    agreement = document["agreement"]
    lines.append("")
    if agreement["annotators"] < 2:
        lines.append("Agreement: needs two or more annotators")
    else:
        pairs = ", ".join(
            f"{'-'.join(pair['annotators'])} {_kappa(pair['cohen_kappa'])} ({pair['items']} items)"
            for pair in agreement["pairwise"]
        )
        fleiss = agreement["fleiss_kappa"]
        lines.append(f"Cohen's kappa: {pairs}")
        lines.append(
            f"Fleiss' kappa: {_kappa(fleiss['value'])} "
            f"({fleiss['items']} items answered by all {fleiss['raters']})"
        )
    breakdowns = document["breakdowns"]
    lines += _table("By inquirer model", breakdowns["inquirer_model"], {"undetected_rate": "undetected"})
    attributes = {
        f"{name} = {value}": row
        for name, values in breakdowns["persona_attribute"].items()
        for value, row in values.items()
    }
    lines += _table("By persona attribute", attributes, {"undetected_rate": "undetected"})
    both = {"undetected_rate": "undetected", "real_accuracy": "real judged human"}
    lines += _table("By domain", breakdowns["domain"], both)
    lines += _table("By user turns", breakdowns["user_turns"], both)
    lines += _table("By confidence", breakdowns["confidence"], {**both, "accuracy": "accuracy"})
    auto = document.get("auto")
    if auto:
        lines += [
            "",
            f"Automatic judge {auto.get('judge') or ''} ({auto['file']}, {auto['verdicts']} verdicts on "
            f"study items): agrees with the "
            f"majority on {percent(auto['agreement_with_majority'])}, Cohen's kappa "
            f"{_kappa(auto['kappa_with_majority'])}; accuracy {percent(auto['accuracy'])}, "
            f"undetected {percent(auto['undetected_rate'])}",
        ]
    if written_to:
        lines += ["", f"Wrote {written_to}"]
    return "\n".join(lines)
