"""`Token`: the immutable result of verifying a raw JWT."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from datetime import datetime, timezone
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Literal

if TYPE_CHECKING:
    from jwt_core.manager import TokenManager

__all__ = ["Token", "TokenType"]

TokenType = Literal["access", "refresh"]
_UTC = timezone.utc


def _when(value: datetime | float | None) -> datetime | None:
    if value is None or isinstance(value, datetime):
        return value
    return datetime.fromtimestamp(value, _UTC)


class Token:
    """A verified token: built by `TokenManager.decode`, never from unverified input.

    `raw_data` is the full claim set, read-only; the other attributes are typed views of it.
    Datetimes are timezone-aware UTC. The views that cost something to build (datetimes, the
    `jti` UUID, public and private claims) are built on first access.
    """

    __slots__ = (
        "_aud",
        "_csrf",
        "_exp",
        "_fresh",
        "_iat",
        "_identity",
        "_iss",
        "_jti",
        "_kid",
        "_manager",
        "_nbf",
        "_private",
        "_public",
        "_raw_data",
        "_raw_jwt",
        "_role",
        "_sub",
        "_type",
    )
    _raw_jwt: str
    _raw_data: Mapping[str, Any]
    _type: TokenType
    _identity: Any
    _sub: str
    _jti: uuid.UUID | str
    _iat: datetime | float
    _nbf: datetime | float
    _exp: datetime | float | None
    _iss: str | None
    _aud: str | list[str] | None
    _role: str | None
    _fresh: bool | None
    _csrf: str | None
    _public: dict[str, Any] | None
    _private: dict[str, Any] | None
    _kid: str | None
    _manager: TokenManager | None

    def __init__(
        self,
        *,
        raw_jwt: str,
        raw_data: Mapping[str, Any],
        type: TokenType,
        identity: Any,
        sub: str,
        jti: uuid.UUID | str,
        iat: datetime | float,
        nbf: datetime | float,
        exp: datetime | float | None,
        iss: str | None,
        aud: str | list[str] | None,
        role: str | None,
        fresh: bool | None,
        csrf: str | None,
        public_claims: dict[str, Any] | None = None,
        private_claims: dict[str, Any] | None = None,
        kid: str | None = None,
        _manager: TokenManager | None = None,
    ) -> None:
        put = object.__setattr__
        put(self, "_raw_jwt", raw_jwt)
        put(
            self,
            "_raw_data",
            raw_data if isinstance(raw_data, MappingProxyType) else MappingProxyType(raw_data),
        )
        put(self, "_type", type)
        put(self, "_identity", identity)
        put(self, "_sub", sub)
        put(self, "_jti", jti)
        put(self, "_iat", iat)
        put(self, "_nbf", nbf)
        put(self, "_exp", exp)
        put(self, "_iss", iss)
        put(self, "_aud", aud)
        put(self, "_role", role)
        put(self, "_fresh", fresh)
        put(self, "_csrf", csrf)
        put(self, "_public", public_claims)
        put(self, "_private", private_claims)
        put(self, "_kid", kid)
        put(self, "_manager", _manager)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Token is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Token is immutable; cannot delete {name!r}")

    # plain attributes
    @property
    def raw_jwt(self) -> str:
        """The encoded token, exactly as received."""
        return self._raw_jwt

    @property
    def raw_data(self) -> Mapping[str, Any]:
        """Every claim, read-only."""
        return self._raw_data

    @property
    def type(self) -> TokenType:
        """`"access"` or `"refresh"`."""
        return self._type

    @property
    def identity(self) -> Any:
        """The identity given when the token was made, any JSON value."""
        return self._identity

    @property
    def sub(self) -> str:
        """The `sub` claim: the identity, or its canonical JSON text when not a string."""
        return self._sub

    @property
    def iss(self) -> str | None:
        return self._iss

    @property
    def aud(self) -> str | list[str] | None:
        return self._aud

    @property
    def role(self) -> str | None:
        """The role (`acl_claim`), None without a role or without ACL."""
        return self._role

    @property
    def fresh(self) -> bool | None:
        """Freshness of an access token at verification time; None for refresh tokens."""
        return self._fresh

    @property
    def csrf(self) -> str | None:
        """The CSRF value bound to the token, when cookies carry it."""
        return self._csrf

    @property
    def kid(self) -> str | None:
        """The id of the key that signed the token, when it names one."""
        return self._kid

    # views built on first access
    @property
    def jti(self) -> uuid.UUID:
        """The token's unique id."""
        value = self._jti
        if not isinstance(value, uuid.UUID):
            value = uuid.UUID(value)
            object.__setattr__(self, "_jti", value)
        return value

    @property
    def iat(self) -> datetime:
        """When the token was issued (aware UTC)."""
        value = _when(self._iat)
        object.__setattr__(self, "_iat", value)
        assert value is not None
        return value

    @property
    def nbf(self) -> datetime:
        """When the token starts being valid (aware UTC)."""
        value = _when(self._nbf)
        object.__setattr__(self, "_nbf", value)
        assert value is not None
        return value

    @property
    def exp(self) -> datetime | None:
        """When the token expires (aware UTC), None when it never does."""
        value = _when(self._exp)
        object.__setattr__(self, "_exp", value)
        return value

    @property
    def public_claims(self) -> dict[str, Any]:
        """The public claims, nested again as they were given."""
        value = self._public
        if value is None:
            manager = self._manager
            value = {} if manager is None else manager._public_claims(self._raw_data)
            object.__setattr__(self, "_public", value)
        return dict(value)

    @property
    def private_claims(self) -> dict[str, Any]:
        """The private claims, under the keys they were given with."""
        value = self._private
        if value is None:
            manager = self._manager
            value = {} if manager is None else manager._private_claims(self._raw_data)
            object.__setattr__(self, "_private", value)
        return dict(value)

    async def revoke(self) -> None:
        """Revoke this token in the blacklist of the manager that verified it."""
        if self._manager is None:
            from jwt_core.errors import ConfigurationConflictError

            raise ConfigurationConflictError("this Token was not made by a TokenManager")
        await self._manager.revoke(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._raw_jwt == self._raw_jwt

    def __hash__(self) -> int:
        return hash(self._raw_jwt)

    def __repr__(self) -> str:
        return f"Token(type={self.type!r}, sub={self.sub!r}, jti={str(self._jti)!r})"
