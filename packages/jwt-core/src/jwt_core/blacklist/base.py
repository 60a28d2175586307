"""`BlacklistABC`: what a revocation store must do."""

from __future__ import annotations

import functools
import inspect
import math
import os
from abc import ABC, abstractmethod
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta, timezone
from typing import Any, Literal, NamedTuple
from uuid import UUID

from jwt_core.errors import ConfigurationConflictError
from jwt_core.token import Token

__all__ = [
    "DEFAULT_SKEW_MARGIN",
    "BlacklistABC",
    "Consumed",
    "build_store",
    "cutoff_seconds",
    "issued_ms",
    "millisecond_of",
]

_EPOCH = datetime(1970, 1, 1, tzinfo=timezone.utc)
_MS = timedelta(milliseconds=1)
# How much longer than `exp` plus leeway an entry is kept, for verifiers whose clock lags the
# store's: see `Config.blacklist_skew_margin`.
DEFAULT_SKEW_MARGIN = timedelta(seconds=60)


# This process's id, kept current in forked children by a fork hook: a check asks it to know
# whether it runs in a child of the process that opened a store, and `os.getpid()` is a
# system call each time.
_pid = os.getpid()


def _forked() -> None:
    global _pid
    _pid = os.getpid()


if hasattr(os, "register_at_fork"):  # (not on Windows, which cannot fork)
    os.register_at_fork(after_in_child=_forked)


def process_id() -> int:
    """`os.getpid()`, read from memory (a child made by `os.fork` updates it)."""
    return _pid


def millisecond_of(seconds: float) -> int:
    """The epoch millisecond holding `seconds`: the largest `k` with `k / 1000 <= seconds`.

    Exact for every float, with no rounding across a millisecond boundary: an `iat` written
    as `k / 1000` (as tokens are minted) is millisecond `k`, a value a hair below it is `k - 1`.
    """
    ms = math.floor(seconds * 1000)  # off by at most one either way
    if (ms + 1) / 1000 <= seconds:
        return ms + 1
    if ms / 1000 > seconds:
        return ms - 1
    return ms


def cutoff_seconds(revoked_before_ms: int) -> float:
    """A cut-off as epoch seconds (`k / 1000`), for stores that keep seconds.

    Comparing such values with `iat` written the same way orders them exactly as their
    milliseconds, and `millisecond_of` turns it back into `revoked_before_ms`.
    """
    return revoked_before_ms / 1000


def issued_ms(token: Token) -> int:
    """The millisecond `token` was issued in, from its exact `iat` (never a rounded datetime)."""
    return millisecond_of(token._claims.iat)  # the iat float as verified; `Token.iat` rounds


def family_of(token: Token) -> str | None:
    """The session family (`fam`) of `token`, None outside a session."""
    return token._claims.family


def within_grace(consumed_at_ms: int, now_ms: int, grace_ms: int) -> bool:
    """Whether a refresh token consumed at `consumed_at_ms` may still be retried at `now_ms`."""
    return grace_ms > 0 and now_ms < consumed_at_ms + grace_ms


class Consumed(NamedTuple):
    """What consuming a refresh token found (`BlacklistABC.consume_refresh`).

    `rotated`: its first use; the successor is the one passed in. `retry`: consumed already,
    less than the grace ago, and its successor unused; the successor is the one recorded then.
    `reused`: anything else; the family is revoked and the successor fields are the recorded
    ones (never to be minted).
    """

    outcome: Literal["rotated", "retry", "reused"]
    successor_jti: UUID
    successor_iat_ms: int
    successor_exp_ms: int | None


class BlacklistABC(ABC):
    """A store of revoked tokens (by `jti`) and of per-identity revocation cut-offs.

    The `TokenManager` sets `leeway` to the configured clock-skew leeway and `skew_margin` to
    `blacklist_skew_margin`, so that an entry lives as long as any verifier, its clock off by
    up to the margin, could still accept its token (`exp` plus leeway plus margin).

    A store implements `register`, `register_cutoff` and `is_blacklisted`. A store written for
    earlier versions, with `register_identity(subject, revoked_before, expires_at)` taking
    datetimes, keeps working: `register_cutoff` calls it. A store with neither works for
    single-token revocation; only `revoke_all` then fails, saying what to implement.

    Sessions (`TokenManager.rotate`, `logout`) need `consume_refresh` and `register_family`,
    and `is_blacklisted` to refuse a token whose family (`family_of(token)`) is revoked; a
    store without them revokes single tokens only, and `rotate` says what to implement.
    """

    leeway: timedelta = timedelta(0)
    skew_margin: timedelta = DEFAULT_SKEW_MARGIN
    # Whether calls may wait on I/O (a file, a server). A store that never does (memory) is
    # awaited directly; the others run under the `blacklist_timeout` bound.
    performs_io: bool = True
    # Whether every worker process sees the same revocations.
    multiprocess_safe: bool = True

    def __init_subclass__(cls, **kwargs: Any) -> None:
        """Let `register` / `is_blacklisted` be plain functions, as 1.0.dev1 to dev6 showed them.

        They are awaited on every request; a plain one is wrapped in a coroutine function that
        calls it (it runs in the event loop, so it must not block for long).
        """
        super().__init_subclass__(**kwargs)
        for name in ("register", "is_blacklisted"):
            method = cls.__dict__.get(name)
            if callable(method) and not inspect.iscoroutinefunction(method):
                setattr(cls, name, _awaitable(method))

    async def open(self) -> None:  # noqa: B027 - optional hook
        """Connect, inside the running event loop of the process that uses the store."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files; the store may be opened again afterwards."""

    @abstractmethod
    async def register(self, token: Token) -> None:
        """Revoke `token` (keyed by its `jti`) until it could no longer be accepted."""

    async def register_cutoff(
        self, subject: str, revoked_before_ms: int, expires_at_ms: int | None
    ) -> None:
        """Revoke every token of `subject` issued in millisecond `revoked_before_ms` or earlier.

        A token is revoked when `millisecond_of(iat) <= revoked_before_ms` (see `issued_ms`).
        `expires_at_ms` is when no such token can be valid any more (None: never). A cut-off
        only ever moves later. This default hands the call to an older store's
        `register_identity`, with datetimes exact to the millisecond.
        """
        if _overrides(self, "register_identity"):
            expires_at = None if expires_at_ms is None else _EPOCH + expires_at_ms * _MS
            await self.register_identity(subject, _EPOCH + revoked_before_ms * _MS, expires_at)
            return
        raise NotImplementedError(
            f"{type(self).__name__} cannot revoke all tokens of an identity (revoke_all): "
            "implement register_cutoff(subject, revoked_before_ms, expires_at_ms) and check "
            "the cut-off in is_blacklisted"
        )

    async def register_identity(
        self, subject: str, revoked_before: datetime, expires_at: datetime | None
    ) -> None:
        """Revoke every token of `subject` issued at or before `revoked_before` (a datetime).

        The interface of earlier versions, kept for callers and stores written for it; the
        cut-off is the millisecond holding `revoked_before`. New stores implement
        `register_cutoff` instead.
        """
        if _overrides(self, "register_cutoff"):
            expires_at_ms = None if expires_at is None else -((_EPOCH - expires_at) // _MS)
            await self.register_cutoff(subject, (revoked_before - _EPOCH) // _MS, expires_at_ms)
            return
        raise NotImplementedError(
            f"{type(self).__name__} implements neither register_cutoff nor register_identity, "
            "which revoke_all needs"
        )

    @abstractmethod
    async def is_blacklisted(self, token: Token) -> bool:
        """True when its `jti` is revoked, or its `iat` is not after its subject's cut-off
        (and, for a store with sessions, when its family is revoked)."""

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
        """Mark refresh token `jti` of `family` consumed, atomically; say what was found.

        Of concurrent calls for one `jti`, from any process, exactly one finds it unused
        (`rotated`) and records its successor and `now_ms`. A later call finds it consumed: a
        `retry` when `within_grace(consumed at, now_ms, grace_ms)` and the recorded successor
        is not consumed itself, else `reused`, which revokes `family` in the same atomic
        step (as `register_family`). Entries may be forgotten after `until_ms` (None: never).
        """
        raise NotImplementedError(
            f"{type(self).__name__} cannot rotate refresh tokens: implement "
            "consume_refresh(...) and register_family(family, expires_at_ms), and refuse a "
            "token of a revoked family in is_blacklisted"
        )

    async def register_family(self, family: str, expires_at_ms: int | None) -> None:
        """Revoke every token of session `family` (its `fam` claim) until `expires_at_ms`."""
        raise NotImplementedError(
            f"{type(self).__name__} cannot revoke a session's family: implement "
            "register_family(family, expires_at_ms) and check it in is_blacklisted"
        )

    def entry_expiry(self, token: Token) -> datetime | None:
        """When an entry for `token` may be forgotten: `exp` plus leeway and margin, or never."""
        if token.exp is None:
            return None
        try:
            return token.exp + self.leeway + self.skew_margin
        except OverflowError:  # past datetime.max: keep it for good
            return None


def _awaitable(method: Callable[..., Any]) -> Callable[..., Any]:
    """A coroutine function that returns what the plain `method` returns."""

    @functools.wraps(method)
    async def call(self: BlacklistABC, token: Token) -> Any:
        return method(self, token)

    return call


def _overrides(store: BlacklistABC, name: str) -> bool:
    """Whether the class of `store` defines its own `name` instead of the ABC's default."""
    return getattr(type(store), name) is not getattr(BlacklistABC, name)


def build_store(store_class: type[BlacklistABC], options: Mapping[str, Any] | None) -> BlacklistABC:
    """Make `blacklist_class(**blacklist_init_kwargs)`; a startup error that names the real fault.

    An abstract class names the methods to implement; arguments that do not fit name the ones
    the class takes. Errors raised inside the store's own `__init__` are left as they are.
    """
    name = store_class.__name__
    if inspect.isabstract(store_class):
        missing = ", ".join(sorted(store_class.__abstractmethods__))
        raise ConfigurationConflictError(
            f"blacklist_class {name} is abstract: implement {missing} (see BlacklistABC)"
        )
    options = dict(options or {})
    signature = inspect.signature(store_class)
    try:
        signature.bind(**options)
    except TypeError as exc:
        takes = [
            p.name
            for p in signature.parameters.values()
            if p.kind in (p.POSITIONAL_OR_KEYWORD, p.KEYWORD_ONLY)
        ]
        raise ConfigurationConflictError(
            f"blacklist_init_kwargs do not fit {name}: {exc}; "
            f"{name} takes {', '.join(takes) if takes else 'no arguments'}"
        ) from None
    return store_class(**options)
