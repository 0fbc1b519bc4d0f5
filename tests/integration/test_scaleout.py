"""`roleplay generate --ray` and `--db postgresql://` as a user runs them, with real parts only.

A real PostgreSQL server (Debian's, started in a temporary folder), a real Ray cluster of three
nodes on this machine (a head with no CPUs and two worker nodes, each its own raylet and worker
processes), the real CLI in subprocesses, and a real OpenAI-compatible HTTP chatbot
(tests/support/openai_stub.py); everything on 127.0.0.1. One server and one cluster serve the whole
module; every test gets its own database.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Iterator
from itertools import count
from pathlib import Path
from typing import Any

import pytest

from tests.reliability.harness import one_error_line, read_jsonl, write_goals
from tests.support.openai_stub import OpenAIStub, dead_endpoint
from tests.support.postgres_server import PostgresServer, postgres_bin_dir
from tests.support.ray_cluster import RAY_ENV, local_cluster

REPO = Path(__file__).resolve().parents[2]
ROLEPLAY = Path(sys.executable).parent / "roleplay"
TIMEOUT_S = 240
GOALS, PERSONAS = 10, 4  # 40 dialogues

pytestmark = pytest.mark.skipif(
    postgres_bin_dir() is None,
    reason="PostgreSQL server binaries (initdb, pg_ctl) not found: apt-get install postgresql "
    "(.ci/run installs it)",
)


@pytest.fixture(scope="module")
def postgres() -> Iterator[PostgresServer]:
    with PostgresServer() as server:
        yield server


_databases = count()


@pytest.fixture
def db(postgres: PostgresServer) -> str:
    """A fresh database of the module's server: tests share no checkpoints."""
    import psycopg

    name = f"scaleout_{next(_databases)}"
    with psycopg.connect(postgres.url, autocommit=True) as connection:
        connection.execute(f"CREATE DATABASE {name}")
    return postgres.url.rsplit("/", 1)[0] + f"/{name}"


@pytest.fixture(scope="module")
def cluster() -> Iterator[Any]:
    with local_cluster(workers=2, cpus_per_worker=1) as ray_cluster:
        yield ray_cluster


def environment() -> dict[str, str]:
    return {**os.environ, **RAY_ENV, "PYTHONPATH": str(REPO), "LANGSMITH_TRACING": "false"}


def generate(goals: Path, out: Path, stub: OpenAIStub, *extra: str) -> list[str]:
    return [
        str(ROLEPLAY), "generate", "--goals", str(goals), "--out", str(out), "--personas", str(PERSONAS),
        "--inquirer", "fake", "--judge", "none", "--chatbot", "openai:stub",
        "--chatbot-base-url", stub.base_url, "--max-turns", "6", "--quiet", *extra,
    ]  # fmt: skip


def on_cluster(
    goals: Path, out: Path, stub: OpenAIStub, cluster: Any, db: str, concurrency: int, chunk_size: int
) -> list[str]:
    return generate(goals, out, stub, "--ray", cluster.address, "--db", db,
                    "--concurrency", str(concurrency), "--chunk-size", str(chunk_size))  # fmt: skip


def run(args: list[str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, env=environment(), capture_output=True, text=True, timeout=TIMEOUT_S)


def replies(records: list[dict[str, Any]]) -> int:
    return sum(1 for record in records for message in record["messages"] if message["role"] == "assistant")


def last_run(out: Path) -> dict[str, Any]:
    return json.loads((out / "manifest.json").read_text())["runs"][-1]


def wait_for_lines(path: Path, lines: int, process: subprocess.Popen[Any]) -> None:
    deadline = time.monotonic() + TIMEOUT_S
    while time.monotonic() < deadline and process.poll() is None:
        if path.exists() and path.read_bytes().count(b"\n") >= lines:
            return
        time.sleep(0.05)
    raise AssertionError(f"{path}: fewer than {lines} lines while the run was alive")


def test_a_cluster_run_writes_the_same_dialogues_as_one_machine_within_the_global_cap(
    tmp_path: Path, cluster: Any, db: str
) -> None:
    goals = write_goals(tmp_path / "goals.jsonl", GOALS)
    with OpenAIStub(delay_s=0.05) as stub:
        # chunks of 2: the tasks on the two nodes could run 8 dialogues if the cap were per task
        on_cluster = run(generate(goals, tmp_path / "ray", stub, "--ray", cluster.address, "--db", db,
                                  "--concurrency", "3", "--chunk-size", "2"))  # fmt: skip
        assert on_cluster.returncode == 0, on_cluster.stderr
        assert stub.max_in_flight == 3  # reached, and never more
        plain = run(generate(goals, tmp_path / "plain", stub, "--concurrency", "8"))
        assert plain.returncode == 0, plain.stderr
        plain_on_postgres = run(
            generate(goals, tmp_path / "plain-pg", stub, "--concurrency", "8", "--db", db)
        )
        assert plain_on_postgres.returncode == 0, plain_on_postgres.stderr

    def records_by_id(name: str) -> dict[str, Any]:
        timing = {"timestamp", "latency_s"}  # when each message was written differs between runs
        return {
            record["id"]: {
                **record,
                "messages": [{k: v for k, v in m.items() if k not in timing} for m in record["messages"]],
            }
            for record in read_jsonl(tmp_path / name / "dialogues.jsonl")
        }

    expected = records_by_id("plain")
    assert len(expected) == GOALS * PERSONAS
    assert records_by_id("ray") == expected, "the same dialogues, record for record"
    assert records_by_id("plain-pg") == expected
    manifest = json.loads((tmp_path / "ray" / "manifest.json").read_text())
    assert manifest["status"] == "complete" and manifest["runs"][-1]["executor"]["ray"] == cluster.address
    assert "postgresql://" in manifest["runs"][-1]["executor"]["checkpoints"]
    assert not (tmp_path / "ray" / "checkpoints.sqlite").exists(), "checkpoints went to Postgres"
    assert _threads_left(db) == 0, "finished dialogues leave no checkpoints behind"


def test_the_request_rate_holds_across_the_cluster(tmp_path: Path, cluster: Any, db: str) -> None:
    rate = 5
    goals = write_goals(tmp_path / "goals.jsonl", 2)
    with OpenAIStub() as stub:
        options = ["--concurrency", "8", "--chunk-size", "2", "--chatbot-rps", str(rate)]
        result = run(generate(goals, tmp_path / "ds", stub, "--ray", cluster.address, "--db", db, *options))
        assert result.returncode == 0, result.stderr
        times = sorted(request.received_at for request in stub.log)
    assert len(times) == 2 * PERSONAS * 4  # the fake user's 3 requests and a follow-up question
    # n requests need at least (n - 2) / rate seconds (one token may be banked). Measured where they
    # arrive, after a round trip to the coordinator and across processes: on two busy cores two
    # requests granted 0.2 s apart were seen arriving together, so spans of 10 and of all requests
    # are checked, with 20% slack; unlimited, 8 in flight would send 10 in a fraction of a second.
    for window in (10, len(times)):
        for start in range(len(times) - window + 1):
            span = times[start + window - 1] - times[start]
            assert span >= 0.8 * (window - 2) / rate, f"{window} requests within {span:.2f} s"


def test_a_killed_driver_is_finished_by_running_the_command_again(
    tmp_path: Path, cluster: Any, db: str
) -> None:
    goals, out, concurrency = write_goals(tmp_path / "goals.jsonl", GOALS), tmp_path / "ds", 8
    with OpenAIStub(delay_s=0.2) as stub:
        args = on_cluster(goals, out, stub, cluster, db, concurrency, chunk_size=4)
        victim = subprocess.Popen(args, env=environment(), start_new_session=True)
        wait_for_lines(out / "dialogues.jsonl", 10, victim)
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        before = (out / "dialogues.jsonl").read_bytes()
        finished_before = before[: before.rfind(b"\n") + 1]
        rerun = run(args)
        assert rerun.returncode == 0, rerun.stderr
        calls = stub.total_requests
    records = read_jsonl(out / "dialogues.jsonl")
    ids = Counter(record["id"] for record in records)
    assert len(ids) == GOALS * PERSONAS and set(ids.values()) == {1}, "every dialogue exactly once"
    assert (out / "dialogues.jsonl").read_bytes().startswith(finished_before), "finished lines untouched"
    assert last_run(out)["finished"] == GOALS * PERSONAS - finished_before.count(b"\n")
    # Dialogues in flight at the kill continued from their checkpoints: at most the call that was
    # running in each of them was asked again.
    assert calls <= replies(records) + concurrency


def test_roleplay_run_killed_and_resumed_on_postgres(tmp_path: Path, db: str) -> None:
    with OpenAIStub(delay_s=0.3) as stub:
        args = [str(ROLEPLAY), "run", "--goal", "You want help with a soup recipe.", "--inquirer", "fake",
                "--judge", "none", "--chatbot", "openai:stub", "--chatbot-base-url", stub.base_url,
                "--db", db, "--out", str(tmp_path / "record.json")]  # fmt: skip
        victim = subprocess.Popen(
            args, env=environment(), stdout=subprocess.PIPE, text=True, start_new_session=True
        )
        assert victim.stdout is not None
        identifier = victim.stdout.readline().split()[-1]
        assert identifier.startswith("dlg-")
        for line in victim.stdout:  # killed once the second reply is checkpointed
            if line.startswith("[2] assistant:"):
                break
        os.killpg(victim.pid, signal.SIGKILL)
        victim.wait(timeout=30)
        assert not (tmp_path / "record.json").exists()
        resumed = run(
            [str(ROLEPLAY), "resume", identifier, "--db", db, "--out", str(tmp_path / "record.json")]
        )
        assert resumed.returncode == 0, resumed.stderr
        assert "(resumed)" in resumed.stdout
        calls = stub.total_requests
    record = json.loads((tmp_path / "record.json").read_text())
    assert record["id"] == identifier and record["termination_reason"] == "goal_claimed"
    # the fake user's three turns and one follow-up question (min_turns_before_stop)
    assert [m["turn"] for m in record["messages"]] == [1, 1, 2, 2, 3, 3, 4, 4]
    assert calls <= replies([record]) + 1, "finished turns were not asked again"


@pytest.mark.parametrize("case", ["postgres down", "cluster down", "cluster without postgres"])
def test_unreachable_parts_are_one_line_and_exit_2(tmp_path: Path, case: str, cluster: Any, db: str) -> None:
    goals, out = write_goals(tmp_path / "goals.jsonl", 2), tmp_path / "ds"
    dead_port = dead_endpoint().rsplit(":", 1)[1].split("/")[0]
    options = {
        "postgres down": ["--ray", cluster.address, "--db", f"postgresql://postgres@127.0.0.1:{dead_port}/x"],
        "cluster down": ["--ray", f"127.0.0.1:{dead_port}", "--db", db],
        "cluster without postgres": ["--ray", cluster.address],
    }[case]
    with OpenAIStub() as stub:
        result = run(generate(goals, out, stub, *options))
        assert stub.total_requests == 0
    assert result.returncode == 2
    line = one_error_line(result)
    expected = {
        "postgres down": f"checkpoint database postgresql://postgres@127.0.0.1:{dead_port}/x",
        "cluster down": f"--ray 127.0.0.1:{dead_port}: cannot connect to the Ray cluster",
        "cluster without postgres": "needs --db postgresql://",
    }[case]
    assert expected in line, line
    assert not out.exists(), "nothing written"


def test_a_key_missing_on_a_worker_stops_the_run_with_one_line_naming_the_machine(
    tmp_path: Path, cluster: Any, db: str
) -> None:
    goals, out = write_goals(tmp_path / "goals.jsonl", 2), tmp_path / "ds"
    # Set for the driver only: the worker nodes' processes were started without it.
    env = {**environment(), "ROLEPLAY_DRIVER_ONLY_KEY": "sk-driver-only-canary"}
    with OpenAIStub() as stub:
        args = generate(goals, out, stub, "--ray", cluster.address, "--db", db,
                        "--chatbot-api-key-env", "ROLEPLAY_DRIVER_ONLY_KEY")  # fmt: skip
        result = subprocess.run(args, env=env, capture_output=True, text=True, timeout=TIMEOUT_S)
        assert stub.total_requests == 0
    assert result.returncode == 2
    line = one_error_line(result)
    assert line.startswith("roleplay: error: on worker ") and "ROLEPLAY_DRIVER_ONLY_KEY" in line, line
    assert "sk-driver-only-canary" not in result.stdout + result.stderr
    assert not (out / "dialogues.jsonl").exists()


def test_a_worker_node_dies_and_its_dialogues_continue_elsewhere(
    tmp_path: Path, cluster: Any, db: str
) -> None:
    """Last in the module: it leaves the cluster with one worker node."""
    goals, out, concurrency = write_goals(tmp_path / "goals.jsonl", GOALS), tmp_path / "ds", 8
    with OpenAIStub(delay_s=0.3) as stub:
        # Two chunks of 20 on two one-CPU nodes: one task per node, each for most of the run.
        args = on_cluster(goals, out, stub, cluster, db, concurrency, chunk_size=20)
        driver = subprocess.Popen(
            args, env=environment(), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
        )
        wait_for_lines(out / "dialogues.jsonl", 4, driver)
        victim = node_writing_checkpoints(cluster, db, driver)
        cluster.remove_node(victim, allow_graceful=False)  # its raylet and worker processes die
        _, stderr = driver.communicate(timeout=TIMEOUT_S)
        assert driver.returncode == 0, stderr
        calls = stub.total_requests
    records = read_jsonl(out / "dialogues.jsonl")
    ids = Counter(record["id"] for record in records)
    assert len(ids) == GOALS * PERSONAS and set(ids.values()) == {1}, "every dialogue exactly once"
    assert last_run(out)["resumed"] >= 1, "some dialogue continued mid-way from its checkpoint"
    assert calls <= replies(records) + concurrency, "not restarted from the start"
    assert _threads_left(db) == 0


def node_writing_checkpoints(cluster: Any, db: str, driver: subprocess.Popen[Any]) -> Any:
    """A worker node with dialogues in flight: a task there has its pool open (the connections
    name the node) and has written a checkpoint."""
    import psycopg

    nodes = {node.node_id[:16]: node for node in cluster.worker_nodes}
    deadline = time.monotonic() + TIMEOUT_S
    with psycopg.connect(db, autocommit=True) as connection:
        while time.monotonic() < deadline and driver.poll() is None:
            rows = connection.execute(
                "SELECT application_name FROM pg_stat_activity WHERE datname = current_database() "
                "AND application_name LIKE 'roleplay worker %' AND query ILIKE '%INSERT INTO checkpoint%'"
            ).fetchall()
            for (name,) in rows:
                if name.split()[-1] in nodes:
                    return nodes[name.split()[-1]]
            time.sleep(0.05)
    raise AssertionError("no worker node wrote checkpoints while the run was alive")


def _threads_left(db: str) -> int:
    import psycopg

    with psycopg.connect(db) as connection:
        row = connection.execute("SELECT count(DISTINCT thread_id) FROM checkpoints").fetchone()
    return int(row[0]) if row else 0
