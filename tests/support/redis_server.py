"""A throw-away Redis-protocol server on loopback: the benchmarks' starter, which the store and
docs tests share (`benchmarks/harness/redis_server.py`)."""

from __future__ import annotations

from benchmarks.harness.redis_server import (
    RedisServer,
    ServerUnavailable,
    free_port,
    start_cluster_node,
    start_server,
)

__all__ = ["RedisServer", "ServerUnavailable", "free_port", "start_cluster_node", "start_server"]
