"""The ``roleplay`` command line.

    roleplay run --goal TEXT [--persona FILE_OR_JSON] [--config FILE] [--inquirer SPEC] ...
    roleplay resume DIALOGUE_ID [--db PATH|URL] [--out PATH]
    roleplay generate --goals FILE --out DIR [--personas N|FILE] [--trials K] [--dry-run] ...
                      [--db postgresql://...] [--ray auto|local|HOST:PORT] [--chunk-size N]
    roleplay export DIR --format hf|parquet|openai|sharegpt --to PATH [--kept-only]
    roleplay eval DIR [--judge SPEC] [--reference FILE] [--compare DIR2]      (evals/command.py)
    roleplay humaneval prepare|judge|score ...                          (evals/humaneval/command.py)
    roleplay calibrate REFERENCE --out style.json                   (llm_roleplay/calibrate_command.py)
    roleplay config init [FILE]                   a run file with every setting and option
    roleplay clean [--db PATH]                    drop checkpoints of finished dialogues

``run`` and ``generate`` take every setting of ``nodes/context.py`` as a flag (generated from the
model: ``llm_roleplay.settings_flags``) and from a ``--config`` YAML file (``llm_roleplay.run_file``).
Each command's options are added by its own ``_add_*`` function. Wrong input ends with one line on
stderr naming what is wrong, and exit status 2.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import sys
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any, cast

from llm_roleplay import calibrate_command
from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.progress_display import set_quiet
from llm_roleplay.checkpoints import DEFAULT_DB, db_label, parse_db
from llm_roleplay.cli_parser import Parser, subcommands
from llm_roleplay.cluster_options import add_generate_options, generate_options
from llm_roleplay.console import interactive, plural
from llm_roleplay.evals import command as evals_command
from llm_roleplay.evals.humaneval import command as humaneval_command
from llm_roleplay.paths import check_output_dir, check_output_file
from llm_roleplay.records import DialogueRecord, write_json_atomic
from llm_roleplay.run_file import add_config_option, parse_with_run_file, resolved_configuration
from llm_roleplay.settings_flags import add_settings_options, context_from_args

DEFAULT_OUT_DIR = Path(".roleplay") / "dialogues"
Commands = argparse._SubParsersAction  # what add_subparsers returns: one add_parser per command


def _installed(name: str) -> str:
    try:
        return version(name)
    except PackageNotFoundError:
        return "not installed"


def version_text() -> str:
    return (
        f"roleplay {_installed('llm-roleplay')} (langgraph {_installed('langgraph')}, "
        f"langchain-core {_installed('langchain-core')}, Python {platform.python_version()})"
    )


def build_parser() -> argparse.ArgumentParser:
    parser = Parser(
        prog="roleplay", description="Simulate goal-driven human-chatbot dialogues (LLM Roleplay)."
    )
    parser.add_argument("--version", action="version", version=version_text())
    # Typed as the plain parser's: evals/ adds its commands through the same interface.
    commands = cast(Commands, parser.add_subparsers(dest="command", required=True, metavar="COMMAND"))
    _add_run(commands)
    _add_generate(commands)
    _add_export(commands)
    evals_command.add_parser(commands)  # roleplay eval DIR ...
    humaneval_command.add_parser(commands)  # roleplay humaneval prepare|judge|score ...
    calibrate_command.add_parser(commands)  # roleplay calibrate REFERENCE --out style.json
    _add_resume(commands)
    _add_config(commands)
    _add_clean(commands)
    for command in subcommands(parser).values():  # the resolved configuration needs its parser
        command.set_defaults(command_parser=command)
    return parser


def _add_run(commands: Commands) -> None:
    run = commands.add_parser(
        "run",
        help="simulate one dialogue, streaming the turns",
        description="Simulate one dialogue, streaming the turns; the record goes to --out.",
    )
    run.add_argument("--goal", required=True, help="what the simulated user wants from the chatbot")
    run.add_argument("--persona", help="persona as a JSON file, inline JSON, or a plain description")
    run.add_argument("--out", type=Path, help=f"record file (default {DEFAULT_OUT_DIR}/ID.json)")
    _add_checkpoint_options(run)
    add_config_option(run)
    add_settings_options(run)


def _add_generate(commands: Commands) -> None:
    generate = commands.add_parser(
        "generate",
        help="run a persona x goal grid into a dataset directory",
        description="Run a persona x goal x trial grid into a dataset directory (the unit of work).",
    )
    _add_generate_options(generate)
    add_config_option(generate)
    add_settings_options(generate)


def personas_option(text: str) -> int | Path:
    """``--personas``: a count of personas to sample (at least 1), or a personas file."""
    if text.strip().lstrip("+-").isdigit():
        if int(text) < 1:
            raise argparse.ArgumentTypeError(f"{text}: the number of personas must be at least 1")
        return int(text)
    path = Path(text)
    if not path.is_file():
        problem = "is a folder" if path.is_dir() else "no such file"
        raise argparse.ArgumentTypeError(f"{text}: {problem} (give a count such as 5, or a personas file)")
    return path


def _add_generate_options(generate: argparse.ArgumentParser) -> None:
    generate.add_argument("--goals", required=True, help="goals file (JSONL, YAML, CSV) or 'example'")
    generate.add_argument("--out", type=Path, required=True, help="dataset directory (the unit of work)")
    generate.add_argument(
        "--personas",
        type=personas_option,
        default=5,
        metavar="N|FILE",
        help="how many personas to sample (default 5), or a personas file",
    )
    generate.add_argument(
        "--trials", type=int, default=1, help="dialogues per persona x goal pair (default 1)"
    )
    generate.add_argument("--concurrency", type=int, default=4, help="dialogues in flight (default 4)")
    generate.add_argument("--max-tokens", type=int, help="token budget: stop starting dialogues beyond it")
    generate.add_argument(
        "--plausibility-check",
        action="store_true",
        help="also ask the judge model whether each persona fits each goal (resample if not)",
    )
    generate.add_argument(
        "--dry-run",
        action="store_true",
        help="print the grid, the models and a token and time estimate, then exit without writing",
    )
    generate.add_argument("--quiet", action="store_true", help="no progress bar")
    add_generate_options(generate)  # --db, --ray, --chunk-size


def _add_export(commands: Commands) -> None:
    export = commands.add_parser("export", help="write a dataset directory in a training-data format")
    export.add_argument("dataset", type=Path, help="a directory written by 'roleplay generate'")
    export.add_argument("--format", required=True, choices=["hf", "parquet", "openai", "sharegpt"])
    export.add_argument("--to", type=Path, required=True, help="output file (a directory for hf)")
    export.add_argument(
        "--kept-only",
        action="store_true",
        help="only dialogues the filters kept, leaving out near-duplicates of other dialogues",
    )


def _add_resume(commands: Commands) -> None:
    resume = commands.add_parser("resume", help="continue an interrupted dialogue")
    resume.add_argument("dialogue_id")
    resume.add_argument(
        "--out", type=Path, help="record file (default: where 'roleplay run' was told to write it)"
    )
    _add_checkpoint_options(resume)


def _add_config(commands: Commands) -> None:
    config = commands.add_parser("config", help="write a run file for --config")
    steps = config.add_subparsers(dest="config_command", required=True, metavar="STEP")
    init = steps.add_parser(
        "init", help="write a commented YAML run file with every setting and option at its default"
    )
    init.add_argument(
        "path", nargs="?", default="run.yaml", help="file to write (default run.yaml; - for stdout)"
    )
    init.add_argument("--force", action="store_true", help="overwrite an existing file")


def _add_clean(commands: Commands) -> None:
    clean = commands.add_parser(
        "clean",
        help="drop the checkpoints of finished dialogues from a checkpoint file",
        description="Drop the checkpoints of finished dialogues (their records are written) and compact "
        "the file. Unfinished dialogues stay resumable unless --unfinished is given.",
    )
    clean.add_argument(
        "--db", type=parse_db, default=DEFAULT_DB, help=f"SQLite checkpoint file (default {DEFAULT_DB})"
    )
    clean.add_argument("--unfinished", action="store_true", help="also drop unfinished (resumable) dialogues")
    clean.add_argument("--dry-run", action="store_true", help="only say what would be dropped")


def _add_checkpoint_options(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "--db",
        type=parse_db,
        default=DEFAULT_DB,
        metavar="PATH|URL",
        help=f"checkpoint file (default {DEFAULT_DB}) or postgresql:// URL",
    )
    parser.add_argument("--quiet", action="store_true", help="print only the summary")


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
    try:
        args = parse_with_run_file(build_parser(), argv)
    except ConfigError as error:  # a --config file that cannot be used
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2
    set_quiet(bool(getattr(args, "quiet", False)))  # also the first-use model assembly's display
    commands = {
        "run": _dialogue,
        "resume": _dialogue,
        "generate": _generate,
        "export": _export,
        "eval": evals_command.run,
        "humaneval": humaneval_command.run,
        "calibrate": calibrate_command.run,
        "config": _config,
        "clean": _clean,
    }
    try:
        return commands[args.command](args)
    except BrokenPipeError:  # the reader of the output went away (`roleplay run ... | head`)
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error at exit
        return 1


def _dialogue(args: argparse.Namespace) -> int:
    """``run`` and ``resume``: one dialogue, streamed, with its record written at the end."""
    from llm_roleplay.nodes.ids import dialogue_id
    from llm_roleplay.runner import resume_dialogue, run_dialogue, saved_record_path
    from llm_roleplay.terminal import TurnPrinter

    printer = TurnPrinter(quiet=args.quiet)
    try:
        if isinstance(args.db, Path):  # (a postgresql:// store is checked when opened)
            check_output_file(args.db, "--db", "checkpoints.sqlite")
        if args.command == "run":
            context = context_from_args(args)
            persona = parse_persona(args.persona)
            path = args.out or DEFAULT_OUT_DIR / f"{dialogue_id(args.goal, persona or None, context)}.json"
            check_output_file(path, "--out")
            path = path.absolute()
            outcome = run_dialogue(args.goal, persona, context, args.db, printer.on_step, record_path=path)
        else:
            stored = saved_record_path(args.db, args.dialogue_id)
            path = args.out or stored or DEFAULT_OUT_DIR / f"{args.dialogue_id}.json"
            check_output_file(path, "--out")
            path = path.absolute()
            outcome = resume_dialogue(args.dialogue_id, args.db, printer.on_step)
        _write_record(outcome.record, path)
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
    printer.summary(outcome, _shown(path))
    if outcome.record.error:  # the dialogue was cut short by a failing model: say so in the status
        print(f"roleplay: dialogue ended by an error: {outcome.record.error}", file=sys.stderr)
        return 1
    return 0


def _shown(path: Path) -> Path:
    """``path`` relative to the working directory when it is inside it (shorter to read)."""
    try:
        return path.relative_to(Path.cwd())
    except ValueError:
        return path


def _generate(args: argparse.Namespace) -> int:
    from llm_roleplay.batch import check_batch_options
    from llm_roleplay.generate import GenerateOptions, generate
    from llm_roleplay.progress import ProgressBar
    from llm_roleplay.terminal import print_generate_summary

    progress = None
    try:
        check_output_dir(args.out, "--out")
        if args.trials < 1:
            raise ConfigError(f"--trials must be at least 1 (got {args.trials})")
        check_batch_options(args.concurrency, args.max_tokens)  # before the dataset is touched
        context = context_from_args(args)
        options = GenerateOptions(
            goals=args.goals,
            out=args.out,
            personas=args.personas,
            trials=args.trials,
            concurrency=args.concurrency,
            max_tokens=args.max_tokens,
            plausibility_check=args.plausibility_check,
            context=context,
            resolved=resolved_configuration(args.command_parser, "generate", args, context),
            **generate_options(args),
        )
        if args.dry_run:
            from llm_roleplay.dry_run import dry_run, print_dry_run

            print_dry_run(dry_run(options))
            return 0
        progress = None if args.quiet else ProgressBar()
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
        ended = plural(len(report.failed) + report.error_endings, "dialogue")
        print(
            f"roleplay: {ended} ended by an error (the summary and their records say which and why)",
            file=sys.stderr,
        )
        return 1
    return 0


def _export(args: argparse.Namespace) -> int:
    from llm_roleplay.dataset_store import DatasetDir, read_records
    from llm_roleplay.export import export_records
    from llm_roleplay.near_duplicates import mark_near_duplicates

    if not interactive(sys.stderr):  # no Hugging Face progress bars in logs (read at their import)
        os.environ.setdefault("HF_DATASETS_DISABLE_PROGRESS_BARS", "1")
        os.environ.setdefault("HF_HUB_DISABLE_PROGRESS_BARS", "1")
    store = DatasetDir(args.dataset)
    try:
        if not store.records_path.is_file():
            raise ConfigError(
                f"{args.dataset}: no {store.records_path.name} (not a 'roleplay generate' directory)"
            )
        if args.format == "hf":
            check_output_dir(args.to, "--to")
        else:
            suffix = {"openai": "jsonl", "sharegpt": "json"}.get(args.format, args.format)
            check_output_file(args.to, "--to", f"dialogues.{suffix}")
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
        records = mark_near_duplicates(result.records, duplicates)
        written = export_records(records, args.format, args.to, kept_only=args.kept_only)
    except ConfigError as error:
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {plural(written, 'dialogue')} to {args.to} ({args.format})")
    if args.kept_only:
        from llm_roleplay.terminal import kept_line

        print(kept_line(records))
    return 0


def _config(args: argparse.Namespace) -> int:
    from llm_roleplay.run_file import render_run_file

    text = render_run_file(build_parser(), _installed("llm-roleplay"))
    if args.path == "-":
        sys.stdout.write(text)
        return 0
    path = Path(args.path)
    try:
        if path.exists() and not args.force:
            raise ConfigError(f"{path} exists; pass --force to overwrite it")
        check_output_file(path, "config init", "run.yaml")
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    except ConfigError as error:
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2
    print(f"wrote {path}: every setting and option at its default; use it with --config {path}")
    return 0


def _clean(args: argparse.Namespace) -> int:
    from llm_roleplay.checkpoint_cleanup import clean_checkpoints

    try:
        if not isinstance(args.db, Path):
            raise ConfigError(f"--db {db_label(args.db)}: roleplay clean works on SQLite checkpoint files")
        report = clean_checkpoints(args.db, unfinished=args.unfinished, dry_run=args.dry_run)
    except ConfigError as error:
        print(f"roleplay: error: {error}", file=sys.stderr)
        return 2
    print(report.summary(args.db))
    return 0


def _write_record(record: DialogueRecord, path: Path) -> None:
    try:
        write_json_atomic(path, record.model_dump(mode="json"))
    except OSError as error:
        raise ConfigError(f"--out {path}: {error.strerror or error}") from None


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
