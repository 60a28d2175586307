"""A worker process for the concurrent-rotation test: rotates the refresh tokens it is given,
one per round, each round started together with the other workers (a barrier)."""

from __future__ import annotations

import asyncio
from multiprocessing.queues import Queue
from multiprocessing.synchronize import Barrier
from typing import Any

from jwt_core import Config, TokenManager
from jwt_core.blacklist import RedisBlacklist, SQLiteBlacklist
from jwt_core.errors import RevokedTokenError

SECRET = "a-test-secret-of-more-than-thirty-two-bytes"


def manager_for(spec: dict[str, Any]) -> TokenManager:
    """A manager over the store `spec` names, without a grace: a second use is reuse."""
    if spec["kind"] == "sqlite":
        store: dict[str, Any] = {
            "blacklist_class": SQLiteBlacklist,
            "blacklist_init_kwargs": {"path": spec["path"]},
        }
    else:
        store = {
            "blacklist_class": RedisBlacklist,
            "blacklist_init_kwargs": {"url": spec["url"], "prefix": spec["prefix"]},
        }
    config = Config(secret_key=SECRET, use_blacklist=True, refresh_reuse_grace=0, **store)
    return TokenManager(config)


async def rotate_all(spec: dict[str, Any], barrier: Barrier) -> list[str]:
    manager = manager_for(spec)
    await manager.open()
    outcomes = []
    try:
        for raw in spec["tokens"]:
            barrier.wait(timeout=60)  # every worker starts this round's rotation together
            try:
                await manager.rotate(raw)
                outcomes.append("rotated")
            except RevokedTokenError:
                outcomes.append("refused")
            except Exception as exc:  # reported, so that the test says what went wrong
                outcomes.append(f"error: {type(exc).__name__}: {exc}")
    finally:
        await manager.close()
    return outcomes


def main(spec: dict[str, Any], barrier: Barrier, results: Queue[Any]) -> None:
    results.put((spec["worker"], asyncio.run(rotate_all(spec, barrier))))
