"""`Token`: the immutable result of verifying a raw JWT."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any, Literal, NoReturn

if TYPE_CHECKING:
    from jwt_core.manager import TokenManager

__all__ = ["Claims", "Entry", "Token", "TokenType", "decode_raw_with"]

TokenType = Literal["access", "refresh"]
_UTC = timezone.utc


def _seconds(value: datetime | float | None) -> float | None:
    if value is None or not isinstance(value, datetime):
        return value
    return value.timestamp()


class Claims(dict[str, Any]):
    """A token's claim set: a read-only dict, so that every JSON encoder serializes it.

    (`json.dumps` and ujson, which `sanic.response.json` uses, take dict subclasses as dicts;
    neither takes a `MappingProxyType`.) Every method that would change it raises `TypeError`.
    """

    __slots__ = ()

    def _refuse(self, *args: Any, **kwargs: Any) -> NoReturn:
        raise TypeError("a token's claims are read-only; copy them with dict(token.raw_data)")

    __setitem__ = __delitem__ = __ior__ = _refuse
    clear = pop = popitem = setdefault = update = _refuse

    def __reduce__(self) -> tuple[type[Claims], tuple[dict[str, Any]]]:
        return (Claims, (dict(self),))

    def __repr__(self) -> str:
        return f"Claims({dict.__repr__(self)})"


# `Token(raw)`, the form of sanic-jwt-extended 1.0-dev: decoded by the function a framework
# adapter registers (the Sanic adapter's uses the current app's TokenManager); None: refused.
_raw_decoder: Callable[[str], Token] | None = None


def decode_raw_with(decoder: Callable[[str], Token] | None) -> None:
    """Make `Token(raw)` return `decoder(raw)`: the hook of a framework adapter."""
    global _raw_decoder
    _raw_decoder = decoder


# The verified fields of a token, in this order; `TokenManager` builds these tuples once per
# distinct token and every `Token` of that token shares one.
Entry = tuple[
    Claims,  # 0 raw_data
    Any,  # 1 type
    Any,  # 2 identity
    str,  # 3 sub
    uuid.UUID,  # 4 jti
    float,  # 5 iat
    float,  # 6 nbf
    float | None,  # 7 exp
    Any,  # 8 iss
    Any,  # 9 aud
    Any,  # 10 role
    Any,  # 11 fresh, as written (bool, or a NumericDate)
    Any,  # 12 csrf
    str | None,  # 13 kid
]


class Token:
    """A verified token: built by `TokenManager.decode`, never from unverified input.

    `raw_data` is the full claim set, read-only; the other attributes are typed views of it.
    Datetimes are timezone-aware UTC, built when read.
    """

    __slots__ = ("_entry", "_fresh", "_manager", "_private", "_public", "_raw_jwt")
    _raw_jwt: str
    _entry: Entry
    _fresh: bool | None
    _manager: TokenManager | None
    _public: dict[str, Any] | None
    _private: dict[str, Any] | None

    def __new__(cls, raw: str | None = None, /, **fields: Any) -> Token:
        """`Token(raw)` verifies `raw` through the registered decoder (see `decode_raw_with`)."""
        if raw is None:
            return super().__new__(cls)
        if fields:
            raise TypeError("Token(raw) takes the encoded token alone")
        if _raw_decoder is None:
            from jwt_core.errors import ConfigurationConflictError

            raise ConfigurationConflictError(
                "Token(raw) needs a framework adapter that knows the current configuration; "
                "call manager.decode(raw) on your TokenManager instead"
            )
        return _raw_decoder(raw)

    def __init__(self, raw: str | None = None, /, **fields: Any) -> None:
        if raw is None:  # Token(raw) was made whole by __new__
            self._fill(**fields)

    def _fill(
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
        data = raw_data if isinstance(raw_data, Claims) else Claims(raw_data)
        iat_s, nbf_s = _seconds(iat), _seconds(nbf)
        assert iat_s is not None
        assert nbf_s is not None
        entry: Entry = (
            data,
            type,
            identity,
            sub,
            jti if isinstance(jti, uuid.UUID) else uuid.UUID(jti),
            iat_s,
            nbf_s,
            _seconds(exp),
            iss,
            aud,
            role,
            fresh,
            csrf,
            kid,
        )
        put = object.__setattr__
        put(self, "_raw_jwt", raw_jwt)
        put(self, "_entry", entry)
        put(self, "_fresh", fresh)
        put(self, "_manager", _manager)
        put(self, "_public", public_claims)
        put(self, "_private", private_claims)

    @classmethod
    def _verified(
        cls, raw_jwt: str, entry: Entry, fresh: bool | None, manager: TokenManager
    ) -> Token:
        """The fast constructor `TokenManager` uses for a token it has just verified."""
        token = object.__new__(cls)
        put = object.__setattr__
        put(token, "_raw_jwt", raw_jwt)
        put(token, "_entry", entry)
        put(token, "_fresh", fresh)
        put(token, "_manager", manager)
        put(token, "_public", None)
        put(token, "_private", None)
        return token

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"Token is immutable; cannot set {name!r}")

    def __delattr__(self, name: str) -> None:
        raise AttributeError(f"Token is immutable; cannot delete {name!r}")

    @property
    def raw_jwt(self) -> str:
        """The encoded token, exactly as received."""
        return self._raw_jwt

    @property
    def raw_data(self) -> Claims:
        """Every claim: a read-only dict, JSON-serializable as it is."""
        return self._entry[0]

    @property
    def type(self) -> TokenType:
        """`"access"` or `"refresh"`."""
        value: TokenType = self._entry[1]
        return value

    @property
    def identity(self) -> Any:
        """The identity given when the token was made, any JSON value."""
        return self._entry[2]

    @property
    def sub(self) -> str:
        """The `sub` claim: the identity, or its canonical JSON text when not a string."""
        return self._entry[3]

    @property
    def jti(self) -> uuid.UUID:
        """The token's unique id."""
        value: uuid.UUID = self._entry[4]
        return value

    @property
    def iat(self) -> datetime:
        """When the token was issued (aware UTC)."""
        return datetime.fromtimestamp(self._entry[5], _UTC)

    @property
    def nbf(self) -> datetime:
        """When the token starts being valid (aware UTC)."""
        return datetime.fromtimestamp(self._entry[6], _UTC)

    @property
    def exp(self) -> datetime | None:
        """When the token expires (aware UTC), None when it never does."""
        exp = self._entry[7]
        return None if exp is None else datetime.fromtimestamp(exp, _UTC)

    @property
    def iss(self) -> str | None:
        """The issuer, when the token names one."""
        value: str | None = self._entry[8]
        return value

    @property
    def aud(self) -> str | list[str] | None:
        """The audience(s), when the token names any."""
        value: str | list[str] | None = self._entry[9]
        return value

    @property
    def role(self) -> str | None:
        """The role (`acl_claim`), None without a role or without ACL."""
        value: str | None = self._entry[10]
        return value

    @property
    def fresh(self) -> bool | None:
        """Freshness of an access token at verification time; None for refresh tokens."""
        return self._fresh

    @property
    def csrf(self) -> str | None:
        """The CSRF value bound to the token, when cookies carry it."""
        value: str | None = self._entry[12]
        return value

    @property
    def kid(self) -> str | None:
        """The id of the key that signed the token, when it names one."""
        return self._entry[13]

    @property
    def public_claims(self) -> dict[str, Any]:
        """The public claims, nested again as they were given."""
        value = self._public
        if value is None:
            manager = self._manager
            value = {} if manager is None else manager._public_claims(self._entry[0])
            object.__setattr__(self, "_public", value)
        return dict(value)

    @property
    def private_claims(self) -> dict[str, Any]:
        """The private claims, under the keys they were given with."""
        value = self._private
        if value is None:
            manager = self._manager
            value = {} if manager is None else manager._private_claims(self._entry[0])
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
        return f"Token(type={self.type!r}, sub={self.sub!r}, jti={str(self._entry[4])!r})"
