"""`Replica`: a worker's local copy of the revocation state, so a check is a lookup in memory.

A store that keeps one (`SQLiteBlacklist`, `RedisBlacklist`) loads it when it opens, keeps it
current from the store's change feed and answers `is_blacklisted` from it. A replica only
ever grows by revocations (nothing is ever un-revoked); it forgets an entry once its token can
no longer be accepted (the store's expiry rule: `exp` plus leeway plus skew margin), so its
size follows the live revocations.

Each kind of entry is one named part (`KINDS`): revoked token ids (`tokens`), per-identity
cut-offs (`cutoffs`) and revoked session families (`families`, kept as ids like `tokens`). A
change from a feed is `(kind, key, value, until)`, so that one more kind of entry is one more
part and one more name, with no change to the feeds.
"""

from __future__ import annotations

import heapq
import math
from array import array
from bisect import bisect_right
from collections.abc import Iterable, Sequence

__all__ = ["KINDS", "Cutoffs", "ExpiringIds", "Replica", "UnknownChangeError"]

# The kinds of change a feed may carry, as written into the stores' feeds.
KINDS = ("jti", "cutoff", "family")


class UnknownChangeError(ValueError):
    """A feed carried a kind of change this version does not know (a newer writer)."""


class ExpiringIds:
    """A set of 128-bit ids (as ints), each forgotten after its expiry (whole epoch seconds).

    The ids sit in one set (membership is one hash lookup) and, for expiry, in per-second
    buckets that refer to the same int objects: about 90 bytes per id at a million ids, against
    some 115 for a dict of id to expiry. An id added again sits in several buckets and goes
    with the last of them.
    """

    __slots__ = ("_buckets", "_extra", "_heap", "_ids", "_loaded", "_loaded_at", "_loaded_until")

    def __init__(self) -> None:
        self._ids: set[int] = set()
        # The ids of a bulk load in expiry order, their expiries, and how far purging got.
        self._loaded: list[int] = []
        self._loaded_until = array("d")
        self._loaded_at = 0
        self._buckets: dict[int, list[int]] = {}
        self._heap: list[int] = []  # the bucket seconds, smallest first
        # id -> how many of its buckets are still to come beyond one, for ids added again
        # (`_FOREVER` once one of the additions was for good)
        self._extra: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._ids)

    def __contains__(self, ident: int) -> bool:
        return ident in self._ids

    def load(
        self, for_good: Iterable[int], expiring: Sequence[int], until: Sequence[float]
    ) -> None:
        """Fill an empty set in bulk: ids kept for good, and ids with their expiries.

        `expiring` must be in the order of `until`, earliest first (as an index gives them);
        this is several times faster than `add` for each and needs no per-second buckets.
        An id given more than once (a store's index may hold it twice) is added one by one.
        """
        if self._ids:
            raise ValueError("load() fills an empty ExpiringIds")
        for_good = for_good if isinstance(for_good, Sequence) else list(for_good)
        self._ids.update(for_good)
        self._ids.update(expiring)
        if len(self._ids) != len(for_good) + len(expiring):  # an id given twice
            self._ids.clear()
            for ident, at in zip(expiring, until, strict=True):
                self.add(ident, at)  # held until the latest of its expiries
            for ident in for_good:
                self.add(ident, None)
            return
        self._loaded = list(expiring)
        self._loaded_until = array("d", until)
        self._loaded_at = 0

    def add(self, ident: int, until: float | None) -> None:
        """Hold `ident` until epoch second `until` (rounded up; None: for good).

        Added again, it is held until the latest of its expiries.
        """
        second = None if until is None or math.isinf(until) else math.ceil(until)
        if ident in self._ids:
            pending = self._extra.get(ident, 0)
            if pending == _FOREVER:
                return
            if second is None:
                self._extra[ident] = _FOREVER
                return
            self._extra[ident] = pending + 1
        else:
            self._ids.add(ident)
            if second is None:
                return
        bucket = self._buckets.get(second)
        if bucket is None:
            self._buckets[second] = bucket = []
            heapq.heappush(self._heap, second)
        bucket.append(ident)

    def purge(self, now: float) -> int:
        """Forget every id whose (latest) expiry is at or before `now`; return how many went."""
        gone = 0
        heap, buckets = self._heap, self._buckets
        while heap and heap[0] <= now:
            gone += self._expire(buckets.pop(heapq.heappop(heap)))
        if self._loaded_at < len(self._loaded) and self._loaded_until[self._loaded_at] <= now:
            start = self._loaded_at
            self._loaded_at = end = bisect_right(self._loaded_until, now, lo=start)
            gone += self._expire(self._loaded[start:end])
            if end * 2 >= len(self._loaded):  # give the memory of the front back, in O(1) amortised
                del self._loaded[:end], self._loaded_until[:end]
                self._loaded_at = 0
        return gone

    def _expire(self, due: Iterable[int]) -> int:
        """Forget the ids of one expired bucket, unless another of their buckets is to come."""
        gone = 0
        ids, extra = self._ids, self._extra
        for ident in due:
            pending = extra.get(ident)
            if pending is None:
                ids.discard(ident)
                gone += 1
            elif pending == 1:
                del extra[ident]  # its other bucket (or none: for good) decides
            elif pending != _FOREVER:
                extra[ident] = pending - 1
        return gone

    def next_expiry(self) -> float:
        """The epoch second the next id may go (infinity when none will)."""
        loaded = self._loaded_until
        first_loaded = loaded[self._loaded_at] if self._loaded_at < len(loaded) else math.inf
        return min(self._heap[0] if self._heap else math.inf, first_loaded)


_FOREVER = -1  # in `ExpiringIds._extra`: one of the additions was for good


class Cutoffs:
    """Per-identity cut-offs (epoch milliseconds), each only ever moving later."""

    __slots__ = ("_entries",)

    def __init__(self) -> None:
        # subject -> (cut-off millisecond, when the entry may go in epoch seconds)
        self._entries: dict[str, tuple[int, float]] = {}

    def __len__(self) -> int:
        return len(self._entries)

    def get(self, subject: str) -> int | None:
        entry = self._entries.get(subject) if self._entries else None
        return None if entry is None else entry[0]

    def raise_to(self, subject: str, cutoff_ms: int, until: float | None) -> None:
        """Move `subject`'s cut-off to `cutoff_ms` unless it is later, kept until `until`."""
        until = math.inf if until is None else until
        previous = self._entries.get(subject)
        if previous is not None:
            cutoff_ms, until = max(cutoff_ms, previous[0]), max(until, previous[1])
        self._entries[subject] = (cutoff_ms, until)

    def purge(self, now: float) -> int:
        expired = [s for s, (_, until) in self._entries.items() if until <= now]
        for subject in expired:
            del self._entries[subject]
        return len(expired)


class Replica:
    """The revocation state of one store, held in this process: `tokens`, `cutoffs` and
    `families`.

    Not thread-safe: it belongs to the event loop of the worker that checks against it.
    `apply` takes one change as feeds carry it; `is_revoked` is the check.
    """

    __slots__ = ("_next_purge", "cutoffs", "families", "tokens")

    # How often (epoch seconds) expired entries are looked for when no change comes in.
    PURGE_EVERY = 1.0

    def __init__(self) -> None:
        self.tokens = ExpiringIds()
        self.cutoffs = Cutoffs()
        self.families = ExpiringIds()  # family ids (32 hex digits) as ints
        self._next_purge = -math.inf

    def __len__(self) -> int:
        return len(self.tokens) + len(self.cutoffs) + len(self.families)

    @classmethod
    def from_snapshot(
        cls,
        for_good: Iterable[int],
        expiring: Sequence[int],
        until: Sequence[float],
        cutoffs: Iterable[tuple[str, int, float | None]],
        families: Iterable[tuple[str, float | None]] = (),
    ) -> Replica:
        """A replica holding a store's whole state, read at once (see `ExpiringIds.load`)."""
        replica = cls()
        replica.tokens.load(for_good, expiring, until)
        for subject, cutoff_ms, cutoff_until in cutoffs:
            replica.raise_cutoff(subject, cutoff_ms, cutoff_until)
        for family, family_until in families:
            replica.revoke_family(family, family_until)
        return replica

    def revoke_token(self, jti: int, until: float | None) -> None:
        """Revoke the token with `jti` (its UUID as int) until epoch second `until`."""
        self.tokens.add(jti, until)

    def raise_cutoff(self, subject: str, cutoff_ms: int, until: float | None) -> None:
        """Revoke `subject`'s tokens issued in millisecond `cutoff_ms` or earlier."""
        self.cutoffs.raise_to(subject, cutoff_ms, until)

    def revoke_family(self, family: str, until: float | None) -> None:
        """Revoke every token of session `family` (32 hex digits) until epoch second `until`."""
        self.families.add(int(family, 16), until)

    def apply(self, kind: str, key: str, value: int, until: float | None) -> None:
        """One change as a feed carries it: `kind` is one of `KINDS`.

        `jti`: `key` is the token id in hex, `value` unused; `cutoff`: `key` is the subject
        and `value` the cut-off millisecond; `family`: `key` is the family id, `value` unused.
        `until` is when the entry may go (epoch seconds).
        """
        if kind == "jti":
            self.revoke_token(int(key, 16), until)
        elif kind == "cutoff":
            self.raise_cutoff(key, value, until)
        elif kind == "family":
            self.revoke_family(key, until)
        else:
            raise UnknownChangeError(f"a revocation feed carried an unknown kind {kind!r}")

    def is_revoked(self, jti: int, subject: str, issued_ms: int, family: str | None = None) -> bool:
        """Whether the token `jti` of `subject`, issued in millisecond `issued_ms` (in session
        `family`, when it has one), is revoked."""
        if jti in self.tokens:
            return True
        cutoff = self.cutoffs.get(subject)
        if cutoff is not None and issued_ms <= cutoff:
            return True
        return family is not None and bool(self.families) and int(family, 16) in self.families

    def purge_due(self, now: float) -> bool:
        """Whether `purge` has something to do or has not run for `PURGE_EVERY` seconds."""
        return now >= self._next_purge

    def purge(self, now: float) -> int:
        """Forget the entries whose tokens can no longer be accepted at `now`."""
        self._next_purge = now + self.PURGE_EVERY
        return self.tokens.purge(now) + self.cutoffs.purge(now) + self.families.purge(now)
