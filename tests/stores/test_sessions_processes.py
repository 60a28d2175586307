"""Concurrent rotation of one refresh token from two processes over one real SQLite file or
one real Redis server: in every round, exactly one of them gets the new pair."""

from __future__ import annotations

import asyncio
import multiprocessing
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio

from jwt_core.errors import RevokedTokenError
from tests.stores import rotation_worker
from tests.stores.store_cases import delete_keys, eventually

ROUNDS = 100
WORKERS = 2


async def outcome(call: Any) -> str:
    try:
        await call
    except RevokedTokenError:
        return "revoked"
    return "accepted"


async def test_two_processes_rotating_one_token_have_exactly_one_winner(
    persistent_kind: str, tmp_path: Path, request: pytest.FixtureRequest
) -> None:
    spec: dict[str, Any] = {"kind": persistent_kind, "path": str(tmp_path / "revoked.sqlite3")}
    if persistent_kind == "redis":
        spec["url"] = request.getfixturevalue("redis_url")
        spec["prefix"] = f"jwt-test-{uuid.uuid4().hex[:12]}:"
    # opened before the workers: its replica learns of their revocations from the store
    watching = rotation_worker.manager_for(spec)
    await watching.open()  # creates the file, so that no worker races to
    logins = [watching.start_session(f"user-{i}") for i in range(ROUNDS)]
    spec["tokens"] = [login.refresh_token for login in logins]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(WORKERS)
    results = context.Queue()
    workers = [
        context.Process(target=rotation_worker.main, args=({**spec, "worker": n}, barrier, results))
        for n in range(WORKERS)
    ]
    for worker in workers:
        worker.start()
    try:
        loop = asyncio.get_running_loop()  # waited for off the loop: the feed reads on
        outcomes = dict([await loop.run_in_executor(None, results.get, True, 120) for _ in workers])
        for round_ in range(ROUNDS):
            seen = sorted(outcomes[n][round_] for n in range(WORKERS))
            assert seen == ["refused", "rotated"], f"round {round_}: {seen}"

        # every loser's reuse revoked its family there: here too, the login's access token
        async def all_refused() -> bool:
            found = [await outcome(watching.verify(login.access_token)) for login in logins]
            return all(result == "revoked" for result in found)

        await eventually(all_refused, "the families revoked by the workers are refused here")
    finally:
        await watching.close()
        for worker in workers:
            worker.join(timeout=30)
            if worker.is_alive():
                worker.kill()
        if persistent_kind == "redis":
            client = redis.asyncio.from_url(spec["url"])
            await delete_keys(client, spec["prefix"])
            await client.aclose()
