"""The coordinator of a Ray run: one actor that keeps the batch's rules global across the cluster.

Every dialogue, on whatever machine, asks the coordinator before it starts and tells it when it
ends, so the one-machine rules hold for the whole cluster (see ``batch.Admission``): at most
``--concurrency`` dialogues in flight, no new dialogue while an error streak is open, none after
the circuit breaker trips or the token budget is used. Each role's ``--ROLE-rps`` is one token bucket
here that every model call of the cluster draws from (:class:`ClusterRateLimiter`).

Why an actor and not a per-task share of the budget: a task's dialogues end at different times,
so a static share (``concurrency / tasks``) leaves slots idle in the tail of every chunk, and a
share of a rate limit cannot be lent to a busier task. The price is a round trip to the actor per
dialogue start and end, per model call when a rate is set, and a progress message per task every
quarter second; at thousands of dialogues in flight that is still far below what one async actor
serves.

Finished dialogues wait in the coordinator's outbox until the driver drains it (several times a
second) and writes them: the driver stays the only writer of the dataset. A dialogue is admitted
at most once per run: a task that Ray runs again after its node died takes over the permits of the
dialogues it had started, and a dialogue already settled is skipped. A permit is a lease: each
task reports its running dialogues several times a second, and the permits of dialogues not heard
of for ``LEASE_S`` (their process died) are freed, so that the tasks waiting for slots while Ray
has no CPU to rerun the dead one cannot wait for ever.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any, Literal

from langchain_core.rate_limiters import BaseRateLimiter

from llm_roleplay.batch import Admission, CircuitBreaker
from llm_roleplay.blocks.models import token_bucket
from llm_roleplay.cells import Cell

Verdict = Literal["run", "skip", "stop"]
LEASE_S = 10.0  # a permit not reported for this long belongs to a dead process


@dataclass
class Drained:
    """What the coordinator collected since the driver last asked."""

    records: list[dict[str, Any]] = field(default_factory=list)  # to write, in breaker order
    dropped: list[str] = field(default_factory=list)  # dialogue ids of an outage streak: not recorded
    failed: list[tuple[str, str]] = field(default_factory=list)  # (dialogue id, error)
    steps: list[tuple[dict[str, dict[str, int]], bool]] = field(default_factory=list)  # (usage, new turn)
    resumed: int = 0
    stopped: str | None = None
    budget_reached: bool = False
    refused: int = 0  # dialogues not started in this run (budget, stop, or their task lost for good)
    running: int = 0
    max_in_flight: int = 0


class Coordinator:
    """The actor's class (the driver creates it with ``ray.remote``; async methods share one loop)."""

    def __init__(
        self,
        concurrency: int,
        max_tokens: int | None,
        breaker_threshold: int,
        requests_per_second: dict[str, float],
    ) -> None:
        self.admission = Admission(concurrency, max_tokens, CircuitBreaker(threshold=breaker_threshold))
        # The same bucket as on one machine (models.rate_limiter), but one for the whole cluster.
        self.limiters = {role: token_bucket(rate) for role, rate in requests_per_second.items() if rate}
        self.permits: dict[str, float] = {}  # admitted, not yet settled -> last reported (monotonic)
        self.settled: set[str] = set()
        self.refused: set[str] = set()  # not started in this run (budget, stop, a task lost for good)
        self.outbox = Drained()

    async def admit(self, dialogue_id: str) -> Verdict:
        """May this dialogue start? Waits for a global slot; ``skip`` if it already ended in this
        run, ``stop`` if the run stopped launching (budget used, breaker open, store unwritable)."""
        if dialogue_id in self.settled:
            return "skip"
        if dialogue_id in self.permits:  # its task died with its node and runs again
            self.permits[dialogue_id] = time.monotonic()
            return "run"
        if not await self.admission.admit():
            self.refused.add(dialogue_id)
            return "stop"
        self.refused.discard(dialogue_id)
        self.permits[dialogue_id] = time.monotonic()
        return "run"

    async def finished(self, cell: Cell, record: dict[str, Any], resumed: bool) -> None:
        """A dialogue ended: through the breaker into the outbox, and its slot is free."""
        if cell.dialogue_id in self.settled:
            return  # delivered twice (a task that was thought dead): keep the first
        self.settled.add(cell.dialogue_id)
        self.outbox.resumed += int(resumed)
        self.outbox.records += [held_record for _, held_record in self.admission.observe(cell, record)]
        self.outbox.dropped += [held.dialogue_id for held, _ in self.admission.breaker.take_dropped()]
        await self._release(cell.dialogue_id)

    async def failed(self, dialogue_id: str, error: str) -> None:
        """A dialogue raised (not a model error ending: those are records): left for the next run."""
        if dialogue_id in self.settled:
            return
        self.settled.add(dialogue_id)
        self.outbox.failed.append((dialogue_id, error))
        await self._release(dialogue_id)

    async def abandon(self, dialogue_ids: list[str], error: str) -> None:
        """A task failed for good (its retries used up): those of its dialogues that had started
        and never settled are reported failed, those that never started are left for the next run,
        and their slots are freed."""
        for dialogue_id in dialogue_ids:
            if dialogue_id in self.permits:
                await self.failed(dialogue_id, error)
            elif dialogue_id not in self.settled:
                self.refused.add(dialogue_id)

    async def _release(self, dialogue_id: str) -> None:
        if self.permits.pop(dialogue_id, None) is not None:
            await self.admission.release()

    def progress(self, running: list[str], events: list[tuple[dict[str, dict[str, int]], bool]]) -> None:
        """A task's report: the dialogues it is running (their leases go on), and their steps'
        token usage (for the budget) and new turns (for the progress bar)."""
        now = time.monotonic()
        for dialogue_id in running:
            if dialogue_id in self.permits:
                self.permits[dialogue_id] = now
        for usage, _ in events:
            self.admission.add_usage(usage)
        self.outbox.steps += events

    async def _expire_leases(self) -> None:
        deadline = time.monotonic() - LEASE_S
        for dialogue_id in [key for key, seen in self.permits.items() if seen < deadline]:
            await self._release(dialogue_id)

    async def wait_for_request(self, role: str) -> None:
        """Returns when the role may send one more request (its rate, cluster-wide)."""
        limiter = self.limiters.get(role)
        if limiter is not None:
            await limiter.aacquire()

    def stop(self, reason: str) -> None:
        """The driver cannot write the dataset: start nothing more."""
        self.admission.stop(reason)

    def end(self) -> None:
        """The run is over: an error streak that never reached the threshold is recorded after all."""
        self.outbox.records += [record for _, record in self.admission.breaker.release()]

    async def drain(self) -> Drained:
        await self._expire_leases()
        drained, self.outbox = self.outbox, Drained()
        admission = self.admission
        drained.stopped, drained.budget_reached = admission.stopped, admission.budget_reached
        drained.refused = len(self.refused - self.settled)
        drained.running, drained.max_in_flight = admission.running, admission.max_in_flight
        return drained


class ClusterRateLimiter(BaseRateLimiter):
    """A role's requests-per-second limit drawn from the coordinator's bucket (one per cluster)."""

    def __init__(self, coordinator: Any, role: str) -> None:
        self.coordinator, self.role = coordinator, role

    def acquire(self, *, blocking: bool = True) -> bool:
        import ray

        ray.get(self.coordinator.wait_for_request.remote(self.role))
        return True

    async def aacquire(self, *, blocking: bool = True) -> bool:
        await self.coordinator.wait_for_request.remote(self.role)
        return True
