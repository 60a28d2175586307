"""`InMemoryBlacklist`: revocations held in this process's memory."""

from __future__ import annotations

import math
import time
from collections.abc import Callable
from uuid import UUID

from jwt_core.blacklist.base import BlacklistABC, Consumed, family_of, issued_ms, within_grace
from jwt_core.token import Token

__all__ = ["InMemoryBlacklist"]


class InMemoryBlacklist(BlacklistABC):
    """Revoked `jti`s in a dict: O(1) checks, entries forgotten once their token has expired.

    One process only: each Sanic worker holds its own copy and nothing survives a restart.
    Use `SQLiteBlacklist` or `RedisBlacklist` where that matters.
    """

    multiprocess_safe = False
    performs_io = False

    def __init__(self, *, clock: Callable[[], float] = time.time) -> None:
        self._clock = clock
        # jti (as a 128-bit int: the smallest exact key) -> when the entry may go (epoch s).
        self._revoked: dict[int, float] = {}
        # subject -> (cut-off as an epoch millisecond, when the entry may go (epoch s))
        self._subjects: dict[str, tuple[int, float]] = {}
        # revoked family -> when the entry may go (epoch s)
        self._families: dict[str, float] = {}
        # consumed refresh jti (as int) -> (what it found, consumed at (epoch ms), may go at)
        self._consumed: dict[int, tuple[Consumed, int, float]] = {}
        self._sweep_at = 1024

    def __len__(self) -> int:
        return len(self._revoked)

    async def register(self, token: Token) -> None:
        expiry = self.entry_expiry(token)
        until = math.inf if expiry is None else expiry.timestamp()
        self._revoked.pop(token.jti.int, None)  # re-insert at the end: keeps order ~ by time
        self._revoked[token.jti.int] = until
        self._purge()

    async def register_cutoff(
        self, subject: str, revoked_before_ms: int, expires_at_ms: int | None
    ) -> None:
        until = math.inf if expires_at_ms is None else expires_at_ms / 1000
        cut_off = revoked_before_ms
        previous = self._subjects.get(subject)
        if previous is not None:  # cut-offs only move later and only live longer
            cut_off, until = max(cut_off, previous[0]), max(until, previous[1])
        self._subjects[subject] = (cut_off, until)

    async def is_blacklisted(self, token: Token) -> bool:
        if token.jti.int in self._revoked:
            return True
        if self._subjects:
            entry = self._subjects.get(token.sub)
            if entry is not None and issued_ms(token) <= entry[0]:
                return True
        return bool(self._families) and family_of(token) in self._families

    async def register_family(self, family: str, expires_at_ms: int | None) -> None:
        self._revoke_family(family, expires_at_ms)

    def _revoke_family(self, family: str, expires_at_ms: int | None) -> None:
        until = math.inf if expires_at_ms is None else expires_at_ms / 1000
        self._families[family] = max(until, self._families.get(family, until))

    async def consume_refresh(
        self,
        jti: UUID,
        family: str,
        successor_jti: UUID,
        successor_iat_ms: int,
        successor_exp_ms: int | None,
        now_ms: int,
        grace_ms: int,
        until_ms: int | None,
    ) -> Consumed:
        # Atomic in one event loop: nothing awaited between the look and the write.
        consumed = self._consumed
        found = consumed.get(jti.int)
        if found is None:
            rotated = Consumed("rotated", successor_jti, successor_iat_ms, successor_exp_ms)
            until = math.inf if until_ms is None else until_ms / 1000
            consumed[jti.int] = (rotated, now_ms, until)
            self._purge()
            return rotated
        recorded, consumed_at_ms, _ = found
        if within_grace(consumed_at_ms, now_ms, grace_ms) and (
            recorded.successor_jti.int not in consumed
        ):
            return recorded._replace(outcome="retry")
        self._revoke_family(family, until_ms)
        return recorded._replace(outcome="reused")

    def _purge(self) -> None:
        """Drop expired entries: a few from the oldest end each time, all of them now and then.

        Entries are mostly inserted in expiry order, so the front check frees memory as tokens
        expire; the full sweep (when the dict has doubled since the last one) catches the rest.
        Both are amortised O(1) per registration.
        """
        now = self._clock()
        revoked = self._revoked
        for _ in range(2):
            oldest = next(iter(revoked), None)
            if oldest is None or revoked[oldest] > now:
                break
            del revoked[oldest]
        if len(revoked) + len(self._consumed) >= self._sweep_at:
            for jti in [j for j, until in revoked.items() if until <= now]:
                del revoked[jti]
            for subject in [s for s, (_, until) in self._subjects.items() if until <= now]:
                del self._subjects[subject]
            for family in [f for f, until in self._families.items() if until <= now]:
                del self._families[family]
            for used in [j for j, (_, _, until) in self._consumed.items() if until <= now]:
                del self._consumed[used]
            self._sweep_at = max(1024, 2 * (len(revoked) + len(self._consumed)))
