"""`Token`: the immutable result of verifying a raw JWT."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jwt_core.manager import TokenManager

__all__ = ["Token", "TokenType"]

TokenType = Literal["access", "refresh"]


@dataclass(frozen=True, slots=True, eq=False)
class Token:
    """A verified token. Built only by `TokenManager.decode`; never from unverified input.

    `raw_data` is the full claim set as decoded; the other attributes are typed views of it.
    Datetimes are timezone-aware UTC.
    """

    raw_jwt: str
    raw_data: dict[str, Any]
    type: TokenType
    identity: Any
    sub: str
    jti: uuid.UUID
    iat: datetime
    nbf: datetime
    exp: datetime | None
    iss: str | None
    aud: str | list[str] | None
    role: str | None
    fresh: bool | None
    csrf: str | None
    public_claims: dict[str, Any]
    private_claims: dict[str, Any]
    kid: str | None = None
    _manager: TokenManager | None = field(default=None, repr=False, compare=False)

    async def revoke(self) -> None:
        """Revoke this token in the blacklist of the manager that verified it."""
        if self._manager is None:
            from jwt_core.errors import ConfigurationConflictError

            raise ConfigurationConflictError("this Token was not made by a TokenManager")
        await self._manager.revoke(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other.raw_jwt == self.raw_jwt

    def __hash__(self) -> int:
        return hash(self.raw_jwt)

    def __repr__(self) -> str:
        return f"Token(type={self.type!r}, sub={self.sub!r}, jti={str(self.jti)!r})"
