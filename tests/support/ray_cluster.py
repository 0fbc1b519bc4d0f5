"""A real multi-node Ray cluster on this machine, on 127.0.0.1 only, for tests and benchmarks.

    with local_cluster(workers=2) as cluster:
        cluster.address            # 127.0.0.1:PORT, for `roleplay generate --ray`
        cluster.remove_node(...)   # a worker machine dies

A head node with no CPUs (so every task runs on a worker node) and ``workers`` worker nodes, each a
separate raylet with its own worker processes. Ray on Linux advertises the machine's network
address unless ``RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER=0`` is in the environment of every Ray process
(then head, workers and the GCS all use 127.0.0.1): :data:`RAY_ENV` is set here, before Ray is
imported, and must be passed to drivers started as subprocesses. Dead nodes are noticed within about
3 s (health checks every second) instead of Ray's default of about 30.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

RAY_ENV = {"RAY_ENABLE_WINDOWS_OR_OSX_CLUSTER": "0", "RAY_USAGE_STATS_ENABLED": "0"}
os.environ.update(RAY_ENV)
NODE_OPTIONS: dict[str, Any] = {"object_store_memory": 80 << 20}


@contextmanager
def local_cluster(workers: int = 2, cpus_per_worker: int = 2) -> Iterator[Any]:
    from ray.cluster_utils import Cluster

    cluster = Cluster(
        initialize_head=True,
        head_node_args={
            "num_cpus": 0,
            "include_dashboard": False,
            **NODE_OPTIONS,
            "_system_config": {"health_check_period_ms": 1000, "health_check_failure_threshold": 3},
        },
    )
    try:
        for _ in range(workers):
            add_worker(cluster, cpus_per_worker)
        cluster.wait_for_nodes()
        yield cluster
    finally:
        cluster.shutdown()


def add_worker(cluster: Any, cpus: int = 2) -> Any:
    return cluster.add_node(num_cpus=cpus, **NODE_OPTIONS)
