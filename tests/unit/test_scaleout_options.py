"""Where checkpoints go and which cluster runs are refused before anything starts (no Ray needed)."""

from __future__ import annotations

from pathlib import Path

import pytest

from llm_roleplay.blocks.errors import ConfigError
from llm_roleplay.checkpoints import db_label, parse_db
from llm_roleplay.cluster import check_options
from llm_roleplay.nodes.context import Context

REMOTE = Context(inquirer_model="fake", chatbot_model="fake", judge_model="none")
URL = "postgresql://roleplay@db-host:5433/roleplay"


def test_a_postgres_url_stays_a_url_and_anything_else_is_a_sqlite_file() -> None:
    assert parse_db(URL) == URL
    assert parse_db("postgres://u@h/d") == "postgres://u@h/d"
    assert parse_db("runs/checkpoints.sqlite") == Path("runs/checkpoints.sqlite")


def test_messages_and_manifests_never_show_the_password() -> None:
    assert db_label("postgresql://roleplay:s3cret@db-host:5433/roleplay") == (
        "postgresql://roleplay:***@db-host:5433/roleplay"
    )
    assert db_label(URL) == URL
    assert db_label(Path("x.sqlite")) == "x.sqlite"


@pytest.mark.parametrize(
    ("address", "db", "context", "chunk_size", "message"),
    [
        ("auto", URL, REMOTE, 0, "--chunk-size must be at least 1 (got 0)"),
        ("10.0.0.1:6379", Path("x.sqlite"), REMOTE, 16, "--ray 10.0.0.1:6379: needs --db postgresql://"),
        ("auto", URL, Context(judge_model="none", inquirer_model="fake"), 16, "the chatbot is the embedded"),
    ],
)
def test_impossible_cluster_runs_are_refused_with_one_line(
    address: str, db: Path | str, context: Context, chunk_size: int, message: str
) -> None:
    with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
        check_options(address, db, context, chunk_size)


def test_a_local_cluster_may_keep_sqlite_checkpoints() -> None:
    check_options("local", Path("x.sqlite"), REMOTE, 16)
