"""``roleplay eval DIR``: evaluate a dataset directory into ``DIR/eval.json`` and ``DIR/report.html``.

Wired into the CLI by ``llm_roleplay/cli.py`` with :func:`add_parser` and :func:`run`. No model is
asked anything unless a judge is named (``--judge SPEC``, or ``judge:`` in the ``eval`` section of
a ``--config`` file): without one the evaluation is statistics only. Before judging, the command
says which judge it uses and how many calls that takes. Offline by default: without
``LANGSMITH_API_KEY`` nothing leaves the machine except the judge's own calls (none with
``--judge fake``); with a key, the experiments are uploaded to LangSmith (``--no-upload`` keeps
them local). Exit status: 0 done, 2 wrong input (one line on stderr), 130 interrupted.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.evals.metric_info import format_value, info
from llm_roleplay.run_file import add_config_option

if TYPE_CHECKING:  # the pipeline imports LangSmith and LangChain: only when the command runs
    from llm_roleplay.evals.pipeline import EvalOptions

SUMMARY_METRICS = (
    "turns_per_dialogue",
    "user_message_words",
    "question_share",
    "distinct_2",
    "mtld",
    "kept_share",
    "goal_completion",
    "persona_fidelity",
    "human_likeness",
    "human_likeness_paired",
    "stop_f1",
)


def add_parser(commands: argparse._SubParsersAction) -> None:
    """Add the ``eval`` subcommand to the ``roleplay`` parser's subcommands."""
    parser = commands.add_parser(
        "eval",
        help="evaluate a dataset directory: statistics, LLM judges, report.html",
        description="Evaluate a 'roleplay generate' directory; writes DIR/eval.json and DIR/report.html.",
    )
    parser.add_argument("dataset", type=Path, help="a directory written by 'roleplay generate'")
    parser.add_argument(
        "--judge",
        metavar="SPEC",
        help="judge model, e.g. local, fake or openai:gpt-4o-mini (default: none, statistics only)",
    )
    parser.add_argument("--judge-base-url", metavar="URL", help="OpenAI-compatible URL for the judge")
    parser.add_argument(
        "--judge-api-key-env", metavar="VAR", help="environment variable holding the judge's key"
    )
    parser.add_argument("--no-llm", action="store_true", help="statistics only: no judge, no stop accuracy")
    parser.add_argument(
        "--inquirer",
        metavar="SPEC",
        help="model whose stop decisions are scored (default: the dataset's; none: skip)",
    )
    parser.add_argument("--inquirer-base-url", metavar="URL", help="OpenAI-compatible URL for that model")
    parser.add_argument("--inquirer-api-key-env", metavar="VAR", help="environment variable holding its key")
    parser.add_argument(
        "--reference", type=Path, metavar="FILE", help="real dialogues: OpenAI JSONL or ShareGPT JSON"
    )
    parser.add_argument(
        "--compare", type=Path, metavar="DIR2", help="another dataset directory to compare with"
    )
    parser.add_argument(
        "--kept-only", action="store_true", help="only dialogues the filters kept, no near-duplicates"
    )
    parser.add_argument("--judge-sample", type=int, metavar="N", help="judge a seeded sample of N dialogues")
    parser.add_argument(
        "--judge-attempts", type=int, default=3, metavar="N", help="calls per verdict (default 3)"
    )
    parser.add_argument(
        "--resamples", type=int, default=1000, metavar="N", help="bootstrap resamples (default 1000)"
    )
    parser.add_argument("--confidence", type=float, default=0.95, help="interval level (default 0.95)")
    parser.add_argument(
        "--seed", type=int, default=0, help="seeds sampling, bootstrap and judge calls (default 0)"
    )
    parser.add_argument(
        "--concurrency", type=int, default=4, metavar="N", help="judge calls in flight (default 4)"
    )
    parser.add_argument("--no-upload", action="store_true", help="never upload to LangSmith, even with a key")
    parser.add_argument("--quiet", action="store_true", help="print only the output paths")
    add_config_option(parser)


def options_from_args(args: argparse.Namespace) -> EvalOptions:
    """Validate the arguments into :class:`EvalOptions` (``ConfigError`` names the bad one)."""
    from llm_roleplay.evals.bootstrap import BootstrapSettings
    from llm_roleplay.evals.langsmith_run import langsmith_key
    from llm_roleplay.evals.pipeline import EvalOptions

    if args.resamples < 1:
        raise ConfigError(f"--resamples must be at least 1 (got {args.resamples})")
    if not 0.5 <= args.confidence < 1:
        raise ConfigError(f"--confidence must be in [0.5, 1) (got {args.confidence})")
    if args.concurrency < 1:
        raise ConfigError(f"--concurrency must be at least 1 (got {args.concurrency})")
    if args.judge_sample is not None and args.judge_sample < 1:
        raise ConfigError(f"--judge-sample must be at least 1 (got {args.judge_sample})")
    if args.judge_attempts < 1:
        raise ConfigError(f"--judge-attempts must be at least 1 (got {args.judge_attempts})")
    if args.compare is not None and args.compare.resolve() == args.dataset.resolve():
        raise ConfigError(f"--compare {args.compare}: the same directory as the one evaluated")
    if args.seed < 0:
        raise ConfigError(f"--seed must be at least 0 (got {args.seed})")
    return EvalOptions(
        dataset=args.dataset,
        judge="none" if args.no_llm or args.judge is None else args.judge,
        judge_base_url=args.judge_base_url,
        judge_api_key_env=args.judge_api_key_env,
        judge_attempts=args.judge_attempts,
        judge_sample=args.judge_sample,
        inquirer=args.inquirer,
        inquirer_base_url=args.inquirer_base_url,
        inquirer_api_key_env=args.inquirer_api_key_env,
        reference=args.reference,
        compare=args.compare,
        kept_only=args.kept_only,
        bootstrap=BootstrapSettings(resamples=args.resamples, confidence=args.confidence, seed=args.seed),
        concurrency=args.concurrency,
        upload=bool(langsmith_key()) and not args.no_upload,
        progress=not args.quiet,  # our display: redrawn on a terminal, plain lines in a log
    )


def run(args: argparse.Namespace) -> int:
    """Run ``roleplay eval``; returns the exit status."""
    # One progress display (ours): LangSmith's tqdm bar stays off, on a terminal and in a log alike.
    # tqdm reads TQDM_* when it is imported, which LangSmith does only when the judges run.
    os.environ.setdefault("TQDM_DISABLE", "1")
    from llm_roleplay.evals.pipeline import evaluate_dataset, write_outputs
    from llm_roleplay.evals.report import render_report

    started = time.monotonic()

    def log(line: str) -> None:
        if not args.quiet:
            print(line, file=sys.stderr)

    try:
        options = options_from_args(args)
        data = evaluate_dataset(options, log)
        eval_path, report_path = write_outputs(options.dataset, data, render_report(data))
    except ConfigError as error:
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("\nroleplay: interrupted; nothing was written", file=sys.stderr)
        return 130
    if not args.quiet:
        _print_summary(data, time.monotonic() - started)
    print(f"wrote {eval_path} and {report_path}")
    return 0


def _print_summary(data: dict[str, Any], seconds: float) -> None:
    metrics = data.get("metrics") or {}
    width = max(len(info(name).label) for name in SUMMARY_METRICS)
    for name in SUMMARY_METRICS:
        estimate = metrics.get(name)
        if not estimate:
            continue
        ci = estimate.get("ci")
        interval = f"[{format_value(name, ci[0])}, {format_value(name, ci[1])}]" if ci else ""
        value = format_value(name, estimate["value"])
        print(f"{info(name).label:<{width}}  {value:>8}  {interval}  n={estimate['n']}")
    for key, summary in ((data.get("judges") or {}).get("summary") or {}).items():
        bad = {k: v for k, v in summary.get("status", {}).items() if k in ("error", "unparseable")}
        if bad:
            first = summary.get("first_problem")
            print(f"warning: {key}: {bad} of {summary['verdicts']} verdicts; first: {first}", file=sys.stderr)
    print(f"evaluated in {seconds:.1f} s (LangSmith {(data.get('langsmith') or {}).get('mode')})")
