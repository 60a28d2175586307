"""`BlacklistABC`: what a revocation store must do."""

from __future__ import annotations

from abc import ABC, abstractmethod
from datetime import datetime, timedelta

from jwt_core.token import Token

__all__ = ["BlacklistABC"]


class BlacklistABC(ABC):
    """A store of revoked tokens (by `jti`) and of per-identity revocation cut-offs.

    The `TokenManager` sets `leeway` to the configured clock-skew leeway, so that an entry
    lives exactly as long as its token could still be accepted (`exp` plus leeway).
    """

    leeway: timedelta = timedelta(0)
    # Whether calls may wait on I/O (a file, a server). A store that never does (memory) is
    # awaited directly; the others run under the `blacklist_timeout` bound.
    performs_io: bool = True
    # Whether every worker process sees the same revocations.
    multiprocess_safe: bool = True

    async def open(self) -> None:  # noqa: B027 - optional hook
        """Connect, inside the running event loop of the process that uses the store."""

    async def close(self) -> None:  # noqa: B027 - optional hook
        """Release connections and files; the store may be opened again afterwards."""

    @abstractmethod
    async def register(self, token: Token) -> None:
        """Revoke `token` (keyed by its `jti`) until it could no longer be accepted."""

    @abstractmethod
    async def register_identity(
        self, subject: str, revoked_before: datetime, expires_at: datetime | None
    ) -> None:
        """Revoke every token of `subject` issued at or before `revoked_before`.

        `expires_at` is when no such token can be valid any more (None: never).
        """

    @abstractmethod
    async def is_blacklisted(self, token: Token) -> bool:
        """True when its `jti` is revoked, or its `iat` is not after its subject's cut-off."""

    def entry_expiry(self, token: Token) -> datetime | None:
        """When an entry for `token` may be forgotten: `exp` plus leeway, or never."""
        if token.exp is None:
            return None
        try:
            return token.exp + self.leeway
        except OverflowError:  # past datetime.max: keep it for good
            return None
