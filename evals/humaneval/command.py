"""``roleplay humaneval prepare | judge | score``: the command line of the human evaluation kit.

Wired into ``llm_roleplay.cli`` with :func:`add_parser` (on the ``roleplay`` subcommands) and
:func:`run` (for ``args.command == "humaneval"``). Exit status: 0 done, 2 wrong input, with one
line on stderr that names what is wrong and where.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from llm_roleplay.blocks.errors import ConfigError


def add_parser(commands: argparse._SubParsersAction[argparse.ArgumentParser]) -> None:
    """Add ``humaneval`` with its ``prepare``, ``judge`` and ``score`` subcommands."""
    from llm_roleplay.evals.humaneval.prepare import MATCHES

    humaneval = commands.add_parser(
        "humaneval", help="human evaluation: can people tell simulated users from real ones?"
    )
    steps = humaneval.add_subparsers(dest="humaneval_command", required=True)
    prepare = steps.add_parser(
        "prepare",
        help="draw a balanced, blinded mix of simulated and real dialogues and write the study files",
    )
    prepare.add_argument(
        "--simulated", type=Path, required=True, metavar="DIR", help="a 'roleplay generate' directory"
    )
    prepare.add_argument(
        "--real",
        type=Path,
        required=True,
        metavar="FILE",
        help="real dialogues: OpenAI messages JSONL or ShareGPT JSON",
    )
    prepare.add_argument(
        "--n", type=int, required=True, help="number of items, even: half simulated, half real"
    )
    prepare.add_argument(
        "--out", type=Path, required=True, metavar="STUDY", help="the study directory to write"
    )
    prepare.add_argument("--seed", type=int, default=0, help="seed of the draw and the order (default 0)")
    prepare.add_argument(
        "--match",
        choices=MATCHES,
        default="length",
        help="pair simulated and real dialogues on (default length)",
    )
    judge = steps.add_parser(
        "judge", help="run the automatic human-likeness judge on the study's items (writes STUDY/auto.json)"
    )
    judge.add_argument("study", type=Path, metavar="STUDY", help="the study directory")
    judge.add_argument("--judge", default="local", metavar="SPEC", help="judge model (default local; fake)")
    judge.add_argument("--judge-base-url", metavar="URL", help="OpenAI-compatible URL for the judge")
    judge.add_argument(
        "--judge-api-key-env", metavar="VAR", help="environment variable holding the judge's key"
    )
    judge.add_argument("--concurrency", type=int, default=4, help="verdicts in flight (default 4)")
    judge.add_argument("--quiet", action="store_true", help="no progress display")
    score = steps.add_parser("score", help="score annotators' answers against the study key")
    score.add_argument("study", type=Path, metavar="STUDY", help="the study directory")
    score.add_argument(
        "answers",
        type=Path,
        nargs="+",
        metavar="ANSWERS",
        help="answer files: the form's JSON export or a filled-in items.csv",
    )
    score.add_argument(
        "--auto",
        type=Path,
        metavar="FILE",
        help="automatic verdicts: JSON {item or dialogue id: human|model} (default: STUDY/auto.json)",
    )


def run(args: argparse.Namespace) -> int:
    try:
        commands = {"prepare": _prepare, "judge": _judge, "score": _score}
        return commands[args.humaneval_command](args)
    except ConfigError as error:
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2


def _prepare(args: argparse.Namespace) -> int:
    from llm_roleplay.evals.humaneval.prepare import PrepareOptions, prepare

    report = prepare(
        PrepareOptions(
            simulated=args.simulated, real=args.real, n=args.n, out=args.out, seed=args.seed, match=args.match
        )
    )
    if report.bad_lines:
        lines = ", ".join(map(str, report.bad_lines[:5]))
        print(f"roleplay: warning: skipped unreadable line(s) {lines} of {args.simulated}", file=sys.stderr)
    print(
        f"study {report.study_id}: {report.n_simulated} simulated + {report.n_real} real dialogues "
        f"(mean user turns {report.mean_turns['simulated']:.2f} vs {report.mean_turns['real']:.2f}; "
        f"skipped as unusable: {report.excluded['simulated']} simulated, {report.excluded['real']} real)"
    )
    print(
        f"wrote {report.out}/: form.html and items.csv for the annotators, "
        "key.json (keep it to yourself), README.txt"
    )
    return 0


def _judge(args: argparse.Namespace) -> int:
    from llm_roleplay.evals.humaneval.auto import judge_study
    from llm_roleplay.evals.humaneval.study import AUTO_FILE
    from llm_roleplay.evals.judges import build_judge

    judge = build_judge(args.judge, base_url=args.judge_base_url, api_key_env=args.judge_api_key_env)
    if judge is None:
        raise ConfigError("--judge none: the judge command needs a model spec")
    document = judge_study(args.study, judge, concurrency=args.concurrency, progress=not args.quiet)
    target = args.study / AUTO_FILE
    _write(target, document)
    labels = [verdict["label"] for verdict in document["verdicts"].values()]
    print(
        f"judged {len(labels)} items with {judge.spec}: {labels.count('human')} human, "
        f"{labels.count('model')} model, {labels.count(None)} without a verdict; "
        f"wrote {target} ('roleplay humaneval score' reads it)"
    )
    return 0


def _write(target: Path, document: dict[str, Any]) -> None:
    from llm_roleplay.records import write_json_atomic

    try:
        write_json_atomic(target, document)
    except OSError as error:
        raise ConfigError(f"{target}: cannot write ({error.strerror or error})") from None


def _score(args: argparse.Namespace) -> int:
    from llm_roleplay.evals.humaneval.report import summary
    from llm_roleplay.evals.humaneval.score import score
    from llm_roleplay.evals.humaneval.study import SCORE_FILE

    document = score(args.study, args.answers, args.auto)
    target = args.study / SCORE_FILE
    _write(target, document)
    print(summary(document, written_to=str(target)))
    return 0
