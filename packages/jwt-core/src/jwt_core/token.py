"""`Token`: the immutable result of verifying a raw JWT."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Coroutine, Mapping
from dataclasses import dataclass
from datetime import datetime, timezone
from typing import Any, Literal, NamedTuple, NoReturn

__all__ = ["Claims", "Token", "TokenType", "decode_raw_with"]

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


class VerifiedClaims(NamedTuple):
    """The checked fields of one token, built once per distinct token and shared (cached) by
    every `Token` of it; times are epoch seconds, exactly as the token carries them."""

    raw_data: Claims  # every claim, read-only
    type: TokenType
    identity: Any  # any JSON value
    sub: str
    jti: uuid.UUID
    iat: float
    nbf: float
    exp: float | None
    iss: str | None
    aud: str | list[str] | None
    role: str | None
    fresh: bool | float | None  # as written: a bool, a NumericDate, or None (refresh)
    csrf: str | None
    kid: str | None
    family: str | None = None  # `fam`: the session the token belongs to (see jwt_core.sessions)
    auth_time: int | None = None  # `auth_time`: epoch seconds of the session's login


@dataclass(frozen=True, slots=True)
class ClaimLayout:
    """Where a configuration puts user claims in the payload: public claims under `namespace`
    (nested names joined by '/'), private ones named `prefix_<name>` (or as given, without a
    prefix); `reserved` names are the library's own."""

    namespace: str
    prefix: str
    reserved: frozenset[str]

    def public(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The public claims of `payload`, nested again as they were given."""
        result: dict[str, Any] = {}
        namespace = self.namespace
        if not namespace:
            return result
        for name, value in payload.items():
            if not name.startswith(namespace):
                continue
            parts = name[len(namespace) :].split("/")
            node = result
            for part in parts[:-1]:
                child = node.get(part)
                if not isinstance(child, dict):
                    child = node[part] = {}
                node = child
            node[parts[-1]] = value
        return result

    def private(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        """The private claims of `payload`, under the names they were given with."""
        if self.prefix:
            start = self.prefix + "_"
            return {k[len(start) :]: v for k, v in payload.items() if k.startswith(start)}
        namespace = self.namespace
        return {
            k: v
            for k, v in payload.items()
            if k not in self.reserved and not (namespace and k.startswith(namespace))
        }


# What `Token.revoke` calls: the revoke of the manager that verified the token.
Revoker = Callable[["Token"], Coroutine[Any, Any, None]]


class Token:
    """A verified token: built by `TokenManager.decode`, never from unverified input.

    `raw_data` is the full claim set, read-only; the other attributes are typed views of it.
    Datetimes are timezone-aware UTC, built when read.
    """

    __slots__ = ("_claims", "_fresh", "_layout", "_private", "_public", "_raw_jwt", "_revoker")
    _raw_jwt: str
    _claims: VerifiedClaims
    _fresh: bool | None
    _layout: ClaimLayout | None
    _revoker: Revoker | None
    _public: dict[str, Any]  # unset until first read (one store fewer per decode)
    _private: dict[str, Any]

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
        family: str | None = None,
        auth_time: int | None = None,
    ) -> None:
        data = raw_data if isinstance(raw_data, Claims) else Claims(raw_data)
        iat_s, nbf_s = _seconds(iat), _seconds(nbf)
        assert iat_s is not None
        assert nbf_s is not None
        jti = jti if isinstance(jti, uuid.UUID) else uuid.UUID(jti)
        exp_s = _seconds(exp)
        fields = (data, type, identity, sub, jti, iat_s, nbf_s, exp_s, iss, aud, role, fresh, csrf)
        claims = VerifiedClaims(*fields, kid, family, auth_time)
        put = object.__setattr__
        put(self, "_raw_jwt", raw_jwt)
        put(self, "_claims", claims)
        put(self, "_fresh", fresh)
        put(self, "_layout", None)
        put(self, "_revoker", None)
        if public_claims is not None:
            put(self, "_public", public_claims)
        if private_claims is not None:
            put(self, "_private", private_claims)

    @classmethod
    def _verified(
        cls,
        raw_jwt: str,
        claims: VerifiedClaims,
        fresh: bool | None,
        layout: ClaimLayout,
        revoker: Revoker,
    ) -> Token:
        """The fast constructor `TokenManager` uses for a token it has just verified."""
        token = _new_object(cls)
        # the slots' own setters: what object.__setattr__ ends in, without its name lookup
        _set_raw_jwt(token, raw_jwt)
        _set_claims(token, claims)
        _set_fresh(token, fresh)
        _set_layout(token, layout)
        _set_revoker(token, revoker)
        return token  # _public and _private stay unset until first read

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
        return self._claims.raw_data

    @property
    def type(self) -> TokenType:
        """`"access"` or `"refresh"`."""
        return self._claims.type

    @property
    def identity(self) -> Any:
        """The identity given when the token was made, any JSON value."""
        return self._claims.identity

    @property
    def sub(self) -> str:
        """The `sub` claim: the identity, or its canonical JSON text when not a string."""
        return self._claims.sub

    @property
    def jti(self) -> uuid.UUID:
        """The token's unique id."""
        return self._claims.jti

    @property
    def iat(self) -> datetime:
        """When the token was issued (aware UTC)."""
        return datetime.fromtimestamp(self._claims.iat, _UTC)

    @property
    def nbf(self) -> datetime:
        """When the token starts being valid (aware UTC)."""
        return datetime.fromtimestamp(self._claims.nbf, _UTC)

    @property
    def exp(self) -> datetime | None:
        """When the token expires (aware UTC), None when it never does."""
        exp = self._claims.exp
        return None if exp is None else datetime.fromtimestamp(exp, _UTC)

    @property
    def iss(self) -> str | None:
        """The issuer, when the token names one."""
        return self._claims.iss

    @property
    def aud(self) -> str | list[str] | None:
        """The audience(s), when the token names any."""
        return self._claims.aud

    @property
    def role(self) -> str | None:
        """The role (`acl_claim`), None without a role or without ACL."""
        return self._claims.role

    @property
    def fresh(self) -> bool | None:
        """Freshness of an access token at verification time; None for refresh tokens."""
        return self._fresh

    @property
    def csrf(self) -> str | None:
        """The CSRF value bound to the token, when cookies carry it."""
        return self._claims.csrf

    @property
    def kid(self) -> str | None:
        """The id of the key that signed the token, when it names one."""
        return self._claims.kid

    @property
    def family(self) -> str | None:
        """The session (family) the token belongs to (`fam`), None outside a session."""
        return self._claims.family

    @property
    def auth_time(self) -> datetime | None:
        """When the session's user logged in (`auth_time`, aware UTC), None outside a session."""
        auth_time = self._claims.auth_time
        return None if auth_time is None else datetime.fromtimestamp(auth_time, _UTC)

    @property
    def public_claims(self) -> dict[str, Any]:
        """The public claims, nested again as they were given."""
        try:
            value = self._public
        except AttributeError:
            layout = self._layout
            value = {} if layout is None else layout.public(self._claims.raw_data)
            object.__setattr__(self, "_public", value)
        return dict(value)

    @property
    def private_claims(self) -> dict[str, Any]:
        """The private claims, under the keys they were given with."""
        try:
            value = self._private
        except AttributeError:
            layout = self._layout
            value = {} if layout is None else layout.private(self._claims.raw_data)
            object.__setattr__(self, "_private", value)
        return dict(value)

    async def revoke(self) -> None:
        """Revoke this token in the blacklist of the manager that verified it."""
        if self._revoker is None:
            from jwt_core.errors import ConfigurationConflictError

            raise ConfigurationConflictError("this Token was not made by a TokenManager")
        await self._revoker(self)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Token) and other._raw_jwt == self._raw_jwt

    def __hash__(self) -> int:
        return hash(self._raw_jwt)

    def __repr__(self) -> str:
        return f"Token(type={self.type!r}, sub={self.sub!r}, jti={str(self._claims.jti)!r})"


_new_object = object.__new__
_set_raw_jwt = Token.__dict__["_raw_jwt"].__set__
_set_claims = Token.__dict__["_claims"].__set__
_set_fresh = Token.__dict__["_fresh"].__set__
_set_layout = Token.__dict__["_layout"].__set__
_set_revoker = Token.__dict__["_revoker"].__set__
