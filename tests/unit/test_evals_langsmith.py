"""The judges as LangSmith evaluators: offline ``evaluate`` makes no network connection at all."""

from __future__ import annotations

import asyncio
import socket
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pytest
from langsmith import Client, aevaluate, tracing_context
from langsmith.schemas import Example

from llm_roleplay.evals.judges import build_judge, goal_completion
from llm_roleplay.evals.langsmith_run import (
    ExperimentSpec,
    judge_results,
    langsmith_key,
    offline_client,
    paired_evaluator,
    record_evaluator,
    record_example,
    replay_dialogue,
    run_experiment,
    stop_evaluator,
    stop_example,
    stop_outcomes,
    stop_summary,
    stop_target,
)
from llm_roleplay.evals.stop_accuracy import build_decider, load_stop_labels, stop_accuracy
from tests.unit.test_evals_fixtures import make_record, varied_records

LOOPBACK = ("127.", "::1", "localhost")


@dataclass
class NetworkLog:
    attempts: list[Any] = field(default_factory=list)  # remote connections and name lookups
    online_clients: list[str] = field(default_factory=list)  # LangSmith clients able to upload


@pytest.fixture
def no_network(monkeypatch: pytest.MonkeyPatch) -> Iterator[NetworkLog]:
    """Refuse every connection to, and name lookup of, a non-loopback address, and record each attempt.

    Uploads run on a background thread that may only connect after the test; so the creation of
    any LangSmith client other than the offline one is recorded as well.
    """
    log = NetworkLog()
    real_connect, real_connect_ex = socket.socket.connect, socket.socket.connect_ex
    real_create, real_getaddrinfo = socket.create_connection, socket.getaddrinfo
    real_client_init = Client.__init__

    def remote(address: Any) -> bool:
        if isinstance(address, str | bytes):  # an AF_UNIX path
            return False
        return not str(address[0]).startswith(LOOPBACK)

    def refuse(address: Any) -> None:
        log.attempts.append(address)
        raise OSError(f"test: network access to {address} refused")

    def connect(self: socket.socket, address: Any) -> None:
        if remote(address):
            refuse(address)
        real_connect(self, address)

    def connect_ex(self: socket.socket, address: Any) -> int:
        if remote(address):
            refuse(address)
        return real_connect_ex(self, address)

    def create_connection(address: Any, *args: Any, **kwargs: Any) -> socket.socket:
        if remote(address):
            refuse(address)
        return real_create(address, *args, **kwargs)

    def getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:  # name lookups are network traffic too
        if host is not None and remote((str(host), 0)):
            refuse(host)
        return real_getaddrinfo(host, *args, **kwargs)

    def client_init(self: Client, *args: Any, **kwargs: Any) -> None:
        if kwargs.get("api_key") != "offline":
            log.online_clients.append(repr(kwargs))
        real_client_init(self, *args, **kwargs)

    monkeypatch.setattr(socket, "getaddrinfo", getaddrinfo)
    monkeypatch.setattr(socket.socket, "connect", connect)
    monkeypatch.setattr(socket.socket, "connect_ex", connect_ex)
    monkeypatch.setattr(socket, "create_connection", create_connection)
    monkeypatch.setattr(Client, "__init__", client_init)
    # the worst case for an offline run: tracing switched on and a key in the environment
    monkeypatch.setenv("LANGSMITH_TRACING", "true")
    monkeypatch.setenv("LANGSMITH_API_KEY", "lsv2-not-a-real-key")
    yield log


def _offline(log: NetworkLog) -> bool:
    return log.attempts == [] and log.online_clients == []


def test_the_guard_really_blocks(no_network: NetworkLog) -> None:
    with pytest.raises(OSError, match="refused"):
        socket.create_connection(("203.0.113.1", 443), timeout=1)
    with pytest.raises(OSError, match="refused"):
        socket.getaddrinfo("api.smith.langchain.com", 443)
    Client(api_key="lsv2-x", auto_batch_tracing=False)
    assert no_network.attempts == [("203.0.113.1", 443), "api.smith.langchain.com"]
    assert len(no_network.online_clients) == 1


def test_offline_evaluate_makes_no_network_connection(no_network: NetworkLog) -> None:
    judge = build_judge("fake")
    assert judge is not None
    records = varied_records(6)
    spec = ExperimentSpec(
        prefix="test-judges",
        examples=[record_example(record) for record in records],
        target=replay_dialogue,
        evaluators=[record_evaluator(name, judge) for name in ("goal_completion", "persona_fidelity")],
    )
    outcome = run_experiment(spec, upload=False, client=offline_client(), progress=False)
    assert _offline(no_network), no_network
    assert not outcome.uploaded and outcome.url is None
    assert set(outcome.outputs) == {record["id"] for record in records}
    verdicts = judge_results(outcome, "goal_completion")
    with tracing_context(
        enabled=False
    ):  # the plain function follows LANGSMITH_TRACING, like any LangChain call
        for record in records:  # the same verdict as the judge function on the record alone
            assert verdicts[record["id"]] == goal_completion(record, judge)
    announced = {feedback["persona_announced"]["score"] for feedback in outcome.feedback.values()}
    assert announced == {0.0}


def test_stop_experiment_rescores_like_the_plain_function(no_network: NetworkLog) -> None:
    decider = build_decider("fake")
    assert decider is not None
    dialogues = load_stop_labels()[:5]
    spec = ExperimentSpec(
        prefix="test-stop",
        examples=[stop_example(d) for d in dialogues],
        target=stop_target(decider, seed=0),
        evaluators=[stop_evaluator],
        summary_evaluators=[stop_summary],
    )
    outcome = run_experiment(spec, upload=False, progress=False)
    assert _offline(no_network), no_network
    with tracing_context(enabled=False):
        assert stop_outcomes(outcome, dialogues) == [stop_accuracy(d, decider) for d in dialogues]
    assert outcome.feedback["stop-03"]["stop_timing"]["value"] == "too_late"


def test_paired_experiment(no_network: NetworkLog) -> None:
    judge = build_judge("fake")
    assert judge is not None
    simulated = make_record("sim", ["Could you help me, please?"])
    real = make_record("real", ["help pls"])
    spec = ExperimentSpec(
        prefix="test-paired",
        examples=[
            {
                "inputs": {
                    "id": "sim|real",
                    "simulated": record_example(simulated)["inputs"],
                    "real": record_example(real)["inputs"],
                }
            }
        ],
        target=replay_dialogue,
        evaluators=[paired_evaluator(judge)],
    )
    [result] = judge_results(
        run_experiment(spec, upload=False, progress=False), "human_likeness_paired"
    ).values()
    assert (result.status, result.label, result.score) == ("ok", "real", 0.0)
    assert _offline(no_network), no_network


def test_evaluators_work_with_aevaluate(no_network: NetworkLog) -> None:
    judge = build_judge("fake")
    assert judge is not None
    record = make_record("casual", ["hey can u help", "ok thx"])
    example = Example(
        id=uuid.uuid4(), dataset_id=uuid.uuid4(), inputs=record_example(record)["inputs"], outputs={}
    )

    async def target(inputs: dict[str, Any]) -> dict[str, Any]:
        return replay_dialogue(inputs)

    async def run() -> list[Any]:
        results = await aevaluate(
            target,
            data=[example],
            evaluators=[record_evaluator("human_likeness", judge)],
            upload_runs=False,
            client=offline_client(),
        )
        return [row async for row in results]

    [row] = asyncio.run(run())
    [feedback] = row["evaluation_results"]["results"]
    assert (feedback.key, feedback.score, feedback.value) == ("human_likeness", 1.0, "human")
    assert _offline(no_network), no_network


def test_langsmith_key_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("LANGSMITH_API_KEY", raising=False)
    monkeypatch.delenv("LANGCHAIN_API_KEY", raising=False)
    assert langsmith_key() is None
    monkeypatch.setenv("LANGCHAIN_API_KEY", "old-style")
    assert langsmith_key() == "old-style"
    monkeypatch.setenv("LANGSMITH_API_KEY", "new-style")
    assert langsmith_key() == "new-style"
