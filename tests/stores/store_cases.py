"""What the store tests share: the kinds of store, a settable clock, one store under test."""

from __future__ import annotations

import sqlite3
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import redis.asyncio
from token_factory import make_token

from jwt_core.blacklist import BlacklistABC, InMemoryBlacklist, SQLiteBlacklist
from jwt_core.token import Token

STORE_KINDS = ("memory", "sqlite", "redis")
PERSISTENT_KINDS = ("sqlite", "redis")


async def delete_keys(client: redis.asyncio.Redis, prefix: str) -> None:
    """Delete every key under `prefix` (never the rest of a shared server)."""
    keys = [key async for key in client.scan_iter(match=f"{prefix}*")]
    if keys:
        await client.delete(*keys)


class FakeClock:
    """A settable epoch clock for the stores that take `clock=`."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now

    def advance(self, seconds: float) -> None:
        self.now += seconds


@dataclass
class StoreCase:
    """One store under test and the means to look behind it."""

    kind: str
    store: BlacklistABC
    clock: FakeClock | None = None
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
