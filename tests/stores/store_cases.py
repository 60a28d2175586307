"""What the store tests share: the kinds of store, one store under test."""

from __future__ import annotations

import asyncio
import gc
import multiprocessing
import os
import sqlite3
import time
import warnings
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from multiprocessing.queues import SimpleQueue
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio

from jwt_core.blacklist import BlacklistABC, InMemoryBlacklist, SQLiteBlacklist
from jwt_core.errors import RevocationStoreUnavailableError
from jwt_core.token import Token
from tests.support.clock import ManualClock
from tests.support.tokens import make_token

STORE_KINDS = ("memory", "sqlite", "redis")
# How long a replica may take to reach a state in a test: a functional timeout, far above
# the staleness bound (250 ms), so that a loaded machine never makes a test fail.
EVENTUALLY = 30.0
PERSISTENT_KINDS = ("sqlite", "redis")


async def delete_keys(client: redis.asyncio.Redis, prefix: str) -> None:
    """Delete every key under `prefix` (never the rest of a shared server)."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)


async def eventually(probe: Callable[[], Awaitable[bool]], what: str) -> None:
    """Poll `probe` until it says True; fail after `EVENTUALLY` seconds (never on time)."""
    deadline = time.monotonic() + EVENTUALLY
    while not await probe():
        if time.monotonic() > deadline:
            pytest.fail(f"not within {EVENTUALLY} s: {what}")
        await asyncio.sleep(0.005)


async def outcome(call: Awaitable[bool]) -> bool | str:
    """What a check gives: True, False, or "unavailable" when the store refuses to answer."""
    try:
        return await call
    except RevocationStoreUnavailableError:
        return "unavailable"


@dataclass
class StoreCase:
    """One store under test and the means to look behind it."""

    kind: str
    store: BlacklistABC
    clock: ManualClock | None = None
    path: Path | None = None
    redis: redis.asyncio.Redis | None = None
    fillers: int = field(default=0)

    def now(self) -> float:
        """The time the store believes it is."""
        return self.clock.now if self.clock is not None else time.time()

    def token(self, sub: str = "alice", *, lifetime: float | None = 900.0, **kw: Any) -> Token:
        """A token issued now (by the store's clock) living `lifetime` seconds (None: for ever)."""
        iat = kw.pop("iat", self.now())
        return make_token(sub, iat=iat, exp=None if lifetime is None else iat + lifetime, **kw)

    async def purge(self) -> None:
        """Make the store drop what has expired (the memory store does so on a registration)."""
        if isinstance(self.store, SQLiteBlacklist):
            await self.store.purge()
        elif isinstance(self.store, InMemoryBlacklist):
            await self.store.register(self.token("purge-trigger", lifetime=None))
            self.fillers += 1
        else:
            raise AssertionError(f"{self.kind} expires entries on its own")

    def token_rows(self) -> int:
        """How many revoked-token entries the store holds (read from its file for SQLite)."""
        if isinstance(self.store, InMemoryBlacklist):
            return len(self.store) - self.fillers
        assert self.path is not None
        with sqlite3.connect(self.path) as db:
            return int(db.execute("SELECT count(*) FROM revoked_token").fetchone()[0])


def _check_in_child(
    store: BlacklistABC, token: Token, results: SimpleQueue[object], uid: int | None
) -> None:
    """Run in a forked child: check `token` with the store object inherited from the parent."""
    if uid is not None:
        os.setuid(uid)

    async def check() -> bool:
        result = await asyncio.wait_for(store.is_blacklisted(token), 10)
        # collect now, in the running loop, what the child dropped of the parent's (a
        # collection could happen at any time): it must not disturb the parent
        gc.collect()
        return result

    try:
        results.put(asyncio.run(check()))
    except RevocationStoreUnavailableError as exc:
        results.put(("unavailable", str(exc)))
    except BaseException as exc:
        results.put(repr(exc))


async def check_in_forked_child(
    store: BlacklistABC, token: Token, *, uid: int | None = None
) -> object:
    """What `store.is_blacklisted(token)` gives in a child forked now, as pre-forking servers do.

    True or False, `("unavailable", message)` for a store that refuses, or the repr of any
    other exception. With `uid`, the child runs as that user (the parent must be root).
    """
    context = multiprocessing.get_context("fork")
    results: SimpleQueue[object] = context.SimpleQueue()
    child = context.Process(target=_check_in_child, args=(store, token, results, uid))
    with warnings.catch_warnings():  # Python 3.12+ warns about forking with threads
        warnings.simplefilter("ignore", DeprecationWarning)
        child.start()
    await asyncio.to_thread(child.join, 30)
    if child.is_alive():
        child.kill()
        pytest.fail("the forked child hung")
    assert child.exitcode == 0
    return results.get()
