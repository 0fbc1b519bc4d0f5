"""Run one dialogue with a checkpoint (SQLite or Postgres): start it, or continue it where it stopped.

The thread id is the dialogue id, so running the same dialogue twice never duplicates work: a
finished dialogue is returned from its checkpoint, an interrupted one continues from the last
finished node (finished turns are not redone).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import BaseCheckpointSaver

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.blocks.models import ROLES, build_chat_model, build_target
from llm_roleplay.checkpoints import CheckpointDB, db_label, load_run, open_checkpointer, save_run
from llm_roleplay.graphs.roleplay import compile_graph
from llm_roleplay.nodes.context import Context
from llm_roleplay.nodes.ids import dialogue_id
from llm_roleplay.nodes.llm import role_model
from llm_roleplay.nodes.state import InputState
from llm_roleplay.reachability import check_reachable
from llm_roleplay.records import DialogueRecord, record_from_state

# Called with (node name, the node's state update) as each step finishes.
StepListener = Callable[[str, dict[str, Any]], None]


@dataclass(frozen=True)
class DialogueOutcome:
    record: DialogueRecord
    status: str  # "new", "resumed" or "already finished"


def run_dialogue(
    goal: str,
    persona: Any,
    context: Context,
    db_path: CheckpointDB,
    on_step: StepListener | None = None,
    record_path: Path | None = None,
) -> DialogueOutcome:
    """Run (or continue, or just return) the dialogue defined by ``goal``, ``persona``, ``context``.

    ``record_path`` (where the caller will write the record) is saved with the dialogue, so that
    ``roleplay resume`` writes it to the same place.
    """
    identifier = dialogue_id(goal, persona or None, context)
    preflight(context)
    with open_checkpointer(db_path) as saver:
        if _storable(context):
            save_run(
                saver,
                identifier,
                goal,
                persona,
                context.model_dump(mode="json"),
                str(record_path) if record_path else None,
            )
        return _drive(saver, identifier, InputState(goal=goal, persona=persona or None), context, on_step)


def resume_dialogue(
    identifier: str, db_path: CheckpointDB, on_step: StepListener | None = None
) -> DialogueOutcome:
    """Continue the dialogue ``identifier`` with the settings it was started with."""
    if isinstance(db_path, Path) and not db_path.is_file():
        raise ConfigError(f"checkpoint file {db_path} does not exist (use --db to name another)")
    with open_checkpointer(db_path) as saver:
        saved = load_run(saver, identifier)
        if saved is None:
            raise ConfigError(f"dialogue {identifier}: not found in {db_label(db_path)}")
        context = Context(**saved.context)
        preflight(context)
        return _drive(saver, identifier, InputState(goal=saved.goal, persona=saved.persona), context, on_step)


def saved_record_path(db_path: CheckpointDB, identifier: str) -> Path | None:
    """Where ``roleplay run`` was told to write the record of ``identifier`` (None: not known)."""
    if isinstance(db_path, Path) and not db_path.is_file():
        return None
    with open_checkpointer(db_path) as saver:
        saved = load_run(saver, identifier)
    return Path(saved.record_path) if saved and saved.record_path else None


def _drive(
    saver: BaseCheckpointSaver,
    identifier: str,
    graph_input: InputState,
    context: Context,
    on_step: StepListener | None,
) -> DialogueOutcome:
    graph = compile_graph(saver)
    config = RunnableConfig(configurable={"thread_id": identifier}, run_name=f"roleplay {identifier}")
    snapshot = graph.get_state(config)
    if snapshot.values and not snapshot.next:
        return DialogueOutcome(record_from_state(snapshot.values, context), "already finished")
    status = "resumed" if snapshot.values or snapshot.next else "new"
    # "sync" durability: each step's checkpoint is on disk before the next step starts, so a
    # killed process loses at most the step that was running.
    for update in graph.stream(
        None if status == "resumed" else graph_input,
        config,
        context=context,
        stream_mode="updates",
        durability="sync",
    ):
        for node, values in update.items():
            if on_step and isinstance(values, dict):
                on_step(node, values)
    final = graph.get_state(config).values
    return DialogueOutcome(record_from_state(final, context), status)


def preflight(context: Context, *, start: bool = True) -> None:
    """Build every role's model before the first turn, so a wrong spec or a missing key fails at
    once (ConfigError) instead of ending a dialogue halfway. Starts the local model if used.

    Then probe each base URL once (see :func:`check_reachable`): a server that is down from the
    start fails the run in at most a few seconds with one line naming the role and URL, instead of
    every dialogue spending its retries on it. ``start=False`` (a dry run) only checks the specs and
    keys: no embedded model is started and no server is contacted.
    """
    probed: set[str] = set()
    for role in ROLES:
        settings = role_model(context, role)
        if settings.disabled or (not start and settings.spec == "local"):
            continue
        build_target(settings) if role == "chatbot" else build_chat_model(settings)
        if start and isinstance(settings.spec, str) and settings.base_url and settings.base_url not in probed:
            check_reachable(settings)
            probed.add(settings.base_url)


def _storable(context: Context) -> bool:
    """Settings can be saved for ``resume`` when every model is named by a spec string."""
    return all(isinstance(getattr(context, f"{role}_model"), str) for role in ROLES)
