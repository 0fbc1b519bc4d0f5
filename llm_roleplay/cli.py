"""The ``roleplay`` command line.

    roleplay run --goal TEXT [--persona FILE_OR_JSON] [--inquirer SPEC] [--chatbot SPEC] ...
    roleplay resume DIALOGUE_ID [--db PATH]
    roleplay generate --goals FILE --out DIR [--personas N|FILE] [--trials K] [--concurrency C] ...
                      [--db postgresql://...] [--ray auto|local|HOST:PORT] [--chunk-size N]
    roleplay export DIR --format hf|parquet|openai|sharegpt --to PATH [--kept-only]
    roleplay eval DIR [--judge SPEC] [--reference FILE] [--compare DIR2]      (evals/command.py)
    roleplay humaneval prepare|judge|score ...                          (evals/humaneval/command.py)
    roleplay calibrate REFERENCE --out style.json                   (llm_roleplay/calibrate_command.py)

Wrong input ends with one line on stderr naming what is wrong, and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from pathlib import Path
from typing import Any

from pydantic import ValidationError

from evals import command as evals_command
from evals.humaneval import command as humaneval_command
from llm_roleplay import calibrate_command
from llm_roleplay.checkpoints import DEFAULT_DB, db_label, parse_db
from llm_roleplay.cluster_options import add_generate_options, generate_options
from llm_roleplay.errors import ConfigError
from llm_roleplay.models import ROLES
from llm_roleplay.records import DialogueRecord, write_json_atomic
from llm_roleplay.runner import DialogueOutcome, resume_dialogue, run_dialogue
from llm_roleplay.terminal import TurnPrinter, print_generate_summary
from nodes.context import Context

DEFAULT_OUT_DIR = Path(".roleplay") / "dialogues"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="roleplay", description="Simulate goal-driven human-chatbot dialogues (LLM Roleplay)."
    )
    commands = parser.add_subparsers(dest="command", required=True)

    run = commands.add_parser("run", help="simulate one dialogue, streaming the turns")
    run.add_argument("--goal", required=True, help="what the simulated user wants from the chatbot")
    run.add_argument("--persona", help="persona as a JSON file, inline JSON, or a plain description")
    _add_model_options(run)
    run.add_argument("--out", type=Path, help=f"record file (default {DEFAULT_OUT_DIR}/ID.json)")
    _add_common(run)

    generate = commands.add_parser("generate", help="run a persona x goal grid into a dataset directory")
    generate.add_argument("--goals", required=True, help="goals file (JSONL, YAML, CSV) or 'example'")
    generate.add_argument("--out", type=Path, required=True, help="dataset directory (the unit of work)")
    generate.add_argument(
        "--personas", default="5", help="how many personas to sample (default 5), or a personas file"
    )
    generate.add_argument("--trials", type=int, default=1, help="dialogues per persona x goal pair")
    generate.add_argument("--concurrency", type=int, default=4, help="dialogues in flight (default 4)")
    generate.add_argument("--max-tokens", type=int, help="token budget: stop starting dialogues beyond it")
    generate.add_argument(
        "--plausibility-check",
        action="store_true",
        help="also ask the judge model whether each persona fits each goal (resample if not)",
    )
    _add_model_options(generate)
    generate.add_argument("--quiet", action="store_true", help="no progress bar")
    add_generate_options(generate)  # --db, --ray, --chunk-size

    export = commands.add_parser("export", help="write a dataset directory in a training-data format")
    export.add_argument("dataset", type=Path, help="a directory written by 'roleplay generate'")
    export.add_argument("--format", required=True, choices=["hf", "parquet", "openai", "sharegpt"])
    export.add_argument("--to", type=Path, required=True, help="output file (a directory for hf)")
    export.add_argument(
        "--kept-only", action="store_true", help="only dialogues the filter kept, without near-duplicates"
    )
    evals_command.add_parser(commands)  # roleplay eval DIR ...
    humaneval_command.add_parser(commands)  # roleplay humaneval prepare|judge|score ...
    calibrate_command.add_parser(commands)  # roleplay calibrate REFERENCE --out style.json

    resume = commands.add_parser("resume", help="continue an interrupted dialogue")
    resume.add_argument("dialogue_id")
    resume.add_argument("--out", type=Path, help=f"record file (default {DEFAULT_OUT_DIR}/ID.json)")
    _add_common(resume)
    return parser


def _add_model_options(parser: argparse.ArgumentParser) -> None:
    for role in ROLES:
        parser.add_argument(f"--{role}", dest=f"{role}_model", metavar="SPEC", help=f"{role} model spec")
        parser.add_argument(f"--{role}-base-url", metavar="URL", help=f"OpenAI-compatible URL for the {role}")
        parser.add_argument(
            f"--{role}-api-key-env", metavar="VAR", help=f"environment variable holding the {role}'s key"
        )
        parser.add_argument(f"--{role}-api-key-file", metavar="PATH", help=f"file holding the {role}'s key")
        parser.add_argument(
            f"--{role}-rps",
            dest=f"{role}_requests_per_second",
            type=float,
            metavar="R",
            help=f"at most R {role} requests per second (all dialogues together)",
        )
    parser.add_argument("--chatbot-system-prompt", metavar="TEXT", help="system prompt for the chatbot")
    parser.add_argument("--max-turns", type=int, help="turn cap (default 12, as in the paper)")
    parser.add_argument("--seed", type=int, help="seed for persona sampling and model calls (default 0)")
    parser.add_argument("--temperature", type=float, help="sampling temperature (default 0.7)")
    parser.add_argument(
        "--style", metavar="PROFILE",
        help="how the simulated users type: default (real ShareGPT users), a file from 'roleplay calibrate', "
        "or off (no typing pass)",
    )  # fmt: skip
    parser.add_argument(
        "--request-timeout", dest="request_timeout_s", type=float, metavar="S",
        help="timeout of one attempt of a model call, in seconds (default 300)",
    )  # fmt: skip
    parser.add_argument(
        "--request-retries", type=int, metavar="N",
        help="retries of a failed model call, with exponential backoff or Retry-After (default 5)",
    )  # fmt: skip


def _add_common(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=parse_db,
        default=DEFAULT_DB,
        metavar="PATH|URL",
        help=f"checkpoint file (default {DEFAULT_DB}) or postgresql:// URL",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


_FLAG_OF_SETTING = {
    "request_timeout_s": "request-timeout",
    **{f"{role}_requests_per_second": f"{role}-rps" for role in ROLES},
}  # settings whose flag is not their name


def context_from_args(args: argparse.Namespace) -> Context:
    names = set(Context.model_fields)
    given = {name: value for name, value in vars(args).items() if name in names and value is not None}
    try:
        return Context(**given)
    except ValidationError as error:
        first = error.errors()[0]
        field = ".".join(str(part) for part in first["loc"])
        flag = _FLAG_OF_SETTING.get(field, field.replace("_", "-"))
        raise ConfigError(f"setting --{flag}: {first['msg']}") from None


def parse_persona(value: str | None) -> Any:
    """A JSON file, inline JSON, or (anything else) a plain-text description."""
    if value is None:
        return None
    path = Path(value)
    if value.lstrip().startswith("{"):
        source, text = "--persona", value
    elif path.suffix.lower() == ".json" or path.is_file():
        try:
            source, text = str(path), path.read_text(encoding="utf-8")
        except OSError as error:
            raise ConfigError(f"--persona {value}: {error.strerror or error}") from None
    else:
        return value.strip()
    try:
        return json.loads(text)
    except json.JSONDecodeError as error:
        raise ConfigError(
            f"{source}: invalid JSON at line {error.lineno}, column {error.colno}: {error.msg}"
        ) from None


def main(argv: list[str] | None = None) -> int:
    os.environ.setdefault("LANGSMITH_TRACING", "false")
    args = build_parser().parse_args(argv)
    commands = {
        "run": _dialogue,
        "resume": _dialogue,
        "generate": _generate,
        "export": _export,
        "eval": evals_command.run,
        "humaneval": humaneval_command.run,
        "calibrate": calibrate_command.run,
    }
    return commands[args.command](args)


def _dialogue(args: argparse.Namespace) -> int:
    """``run`` and ``resume``: one dialogue, streamed, with its record written at the end."""
    printer = TurnPrinter(quiet=args.quiet)
    try:
        if args.command == "run":
            context = context_from_args(args)
            outcome = run_dialogue(args.goal, parse_persona(args.persona), context, args.db, printer.on_step)
        else:
            outcome = resume_dialogue(args.dialogue_id, args.db, printer.on_step)
        path = _write_record(outcome, args.out)
    except ConfigError as error:
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        identifier = getattr(args, "dialogue_id", None) or printer.dialogue_id or "ID"
        hint = f"roleplay resume {identifier} --db {db_label(args.db)}"
        print(
            f"\nroleplay: interrupted; the finished turns are saved. Continue with: {hint}", file=sys.stderr
        )
        return 130
    printer.summary(outcome, path)
    if outcome.record.error:  # the dialogue was cut short by a failing model: say so in the status
        print(f"roleplay: dialogue ended by an error: {outcome.record.error}", file=sys.stderr)
        return 1
    return 0


def _generate(args: argparse.Namespace) -> int:
    from llm_roleplay.batch import check_batch_options
    from llm_roleplay.generate import GenerateOptions, generate
    from llm_roleplay.progress import ProgressBar

    progress = None if args.quiet else ProgressBar()
    try:
        personas: int | Path = Path(args.personas) if not args.personas.isdigit() else int(args.personas)
        if args.trials < 1:
            raise ConfigError(f"--trials must be at least 1 (got {args.trials})")
        check_batch_options(args.concurrency, args.max_tokens)  # before the dataset is touched
        options = GenerateOptions(
            goals=args.goals,
            out=args.out,
            personas=personas,
            trials=args.trials,
            concurrency=args.concurrency,
            max_tokens=args.max_tokens,
            plausibility_check=args.plausibility_check,
            context=context_from_args(args),
            **generate_options(args),
        )
        report, manifest = generate(options, progress)
    except ConfigError as error:
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print(
            f"\nroleplay: interrupted; finished dialogues are saved in {args.out}. Run the same command "
            "again to continue.",
            file=sys.stderr,
        )
        return 130
    finally:
        if progress:
            progress.close()
    print_generate_summary(manifest, report, args.out)
    if report.stopped:
        print(f"roleplay: error: {report.stopped}", file=sys.stderr)
        return 2
    if report.failed or report.error_endings:
        print(
            f"roleplay: {len(report.failed) + report.error_endings} dialogue(s) ended by an error "
            "(the summary and their records say which and why)",
            file=sys.stderr,
        )
        return 1
    return 0


def _export(args: argparse.Namespace) -> int:
    from llm_roleplay.dataset_store import DatasetDir, read_records
    from llm_roleplay.export import export_records
    from llm_roleplay.near_duplicates import mark_near_duplicates

    store = DatasetDir(args.dataset)
    try:
        if not store.records_path.is_file():
            raise ConfigError(
                f"{args.dataset}: no {store.records_path.name} (not a 'roleplay generate' directory)"
            )
        result = read_records(store.records_path)
        if result.bad_lines:
            lines = ", ".join(map(str, result.bad_lines[:5]))
            print(
                f"roleplay: warning: skipped unreadable line(s) {lines} of {store.records_path}",
                file=sys.stderr,
            )
        duplicates = (
            json.loads(store.near_duplicates_path.read_text()) if store.near_duplicates_path.exists() else {}
        )
        written = export_records(
            mark_near_duplicates(result.records, duplicates), args.format, args.to, kept_only=args.kept_only
        )
    except ConfigError as error:
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {written} dialogues to {args.to} ({args.format})")
    return 0


def _write_record(outcome: DialogueOutcome, out: Path | None) -> Path:
    record: DialogueRecord = outcome.record
    path = out or DEFAULT_OUT_DIR / f"{record.id}.json"
    try:
        write_json_atomic(path, record.model_dump(mode="json"))
    except OSError as error:
        raise ConfigError(f"--out {path}: {error.strerror or error}") from None
    return path


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
