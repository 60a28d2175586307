"""Tokens minted by other issuers (identity providers): `Issuer`, `TrustedIssuers`, `ExternalToken`.

A token is checked in this order, so that junk costs no traffic: its compact form and size,
its header (algorithm allowed for the issuer, no `jku`/`x5u`/`jwk`/`x5c`/`crit`/`b64`, `typ`),
its issuer (on the allow-list, or accepted by the resolver); only then are the issuer's keys
looked up (fetched when needed), the signature checked and the claims judged by the issuer's
rules: `exp` always, `aud` naming this resource, and for RFC 9068 access tokens `typ` of
`at+jwt`, `client_id`, `jti` and `iat`. An ID token (`nonce`, `at_hash`, `c_hash`) is never
taken as an access token.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from collections.abc import Awaitable, Callable, Collection, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, timezone
from types import MappingProxyType
from typing import Any, Literal

from jwt_core._claims import check_audience, numeric_date
from jwt_core._jws import (
    b64url_decode,
    check_canonical,
    check_header,
    decode_header_segment,
    decode_json_segment,
    split_compact,
)
from jwt_core.errors import (
    ConfigurationConflictError,
    ExpiredSignatureError,
    InvalidTokenError,
    JWTDecodeError,
    KeySetUnavailableError,
)
from jwt_core.remote._jwks import KeySetHealth, RemoteKeySet

log = logging.getLogger("jwt_core.remote")


def to_datetime(value: float) -> datetime:
    """An aware UTC datetime from a checked NumericDate."""
    return datetime.fromtimestamp(value, timezone.utc)


_AT_JWT = ("at+jwt", "application/at+jwt")
_PLAIN_JWT = ("jwt", "application/jwt")
_ID_TOKEN_CLAIMS = ("nonce", "at_hash", "c_hash")
_MAX_RESOLVED = 256
_DISCOVERY = "/.well-known/openid-configuration"
_DISCOVERY_RETRY = 10.0


@dataclass(frozen=True)
class Issuer:
    """What is accepted from one issuer, and how its claims map onto an `ExternalToken`.

    `issuer` is compared exactly with the token's `iss`. Without `jwks_uri`, it is read from
    the issuer's OpenID configuration (`issuer` + `/.well-known/openid-configuration`), whose
    `issuer` must equal this one. `roles_claim`/`scopes_claim` name a claim, or a dotted path
    into nested objects (`realm_access.roles`); a claim whose name holds dots (Auth0's
    `https://example.com/roles`) is found under its whole name first.
    """

    issuer: str
    audiences: Collection[str]
    jwks_uri: str | None = None
    algorithms: Collection[str] = ("RS256",)
    leeway: float = 0.0
    profile: Literal["rfc9068"] | None = None
    subject_claim: str = "sub"
    roles_claim: str | None = None
    scopes_claim: str | None = "scope"
    max_token_length: int = 8192
    key_set: Mapping[str, Any] = field(default_factory=dict)  # RemoteKeySet options

    def __post_init__(self) -> None:
        if not isinstance(self.issuer, str) or not self.issuer:
            raise ConfigurationConflictError("Issuer needs the issuer identifier (its iss)")
        audiences = [self.audiences] if isinstance(self.audiences, str) else list(self.audiences)
        if not audiences or not all(isinstance(a, str) and a for a in audiences):
            raise ConfigurationConflictError(
                f"Issuer {self.issuer!r} needs audiences: the names of this resource its tokens "
                "must carry in aud"
            )
        object.__setattr__(self, "audiences", tuple(audiences))
        object.__setattr__(self, "algorithms", tuple(self.algorithms))
        if self.profile not in (None, "rfc9068"):
            raise ConfigurationConflictError("profile must be None or 'rfc9068'")
        if not isinstance(self.leeway, int | float) or not 0 <= self.leeway <= 600:
            raise ConfigurationConflictError("leeway must be between 0 and 600 seconds")
        unknown = set(self.key_set) - _KEY_SET_OPTIONS
        if unknown:
            raise ConfigurationConflictError(f"unknown key_set options {sorted(unknown)}")


_KEY_SET_OPTIONS = frozenset(
    {
        "default_cache",
        "min_cache",
        "max_cache",
        "refresh_ahead",
        "stale_limit",
        "unknown_kid_cooldown",
        "retry_interval",
        "timeout",
        "max_bytes",
        "headers",
    }
)


def _claim(payload: Mapping[str, Any], name: str) -> Any:
    if name in payload:
        return payload[name]
    value: Any = payload
    for part in name.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


class ExternalToken:
    """A verified token from another issuer: its claims as the provider wrote them, read-only.

    Our own tokens are `Token`s (type, UUID `jti`, identity); an external token follows its
    issuer's rules, so it has its own class with the same reading surface where it applies:
    `sub`, `identity` (the mapped subject), `iss`, `aud`, `exp`, `iat`, `jti`, `kid`, and
    `roles`, `scopes`, `client_id`, `claims` and `issuer` (the `Issuer` that accepted it).
    """

    __slots__ = ("_claims", "_identity", "_kid", "_raw_jwt", "_roles", "_scopes", "issuer")
    _raw_jwt: str
    _claims: Mapping[str, Any]
    _identity: str
    _roles: tuple[str, ...]
    _scopes: frozenset[str]
    _kid: str | None
    issuer: Issuer
    type = "access"
    fresh = False
    csrf = None

    def __init__(
        self,
        raw_jwt: str,
        claims: Mapping[str, Any],
        issuer: Issuer,
        identity: str,
        roles: tuple[str, ...],
        scopes: frozenset[str],
        kid: str | None,
    ) -> None:
        put = object.__setattr__
        put(self, "_raw_jwt", raw_jwt)
        put(self, "_claims", MappingProxyType(dict(claims)))
        put(self, "issuer", issuer)
        put(self, "_identity", identity)
        put(self, "_roles", roles)
        put(self, "_scopes", scopes)
        put(self, "_kid", kid)

    def __setattr__(self, name: str, value: Any) -> None:
        raise AttributeError(f"ExternalToken is immutable; cannot set {name!r}")

    @property
    def raw_jwt(self) -> str:
        return self._raw_jwt

    @property
    def claims(self) -> Mapping[str, Any]:
        """Every claim, as the provider wrote it (read-only)."""
        return self._claims

    raw_data = claims

    @property
    def identity(self) -> str:
        """The subject, read from the issuer's `subject_claim`."""
        return self._identity

    @property
    def sub(self) -> str | None:
        value = self._claims.get("sub")
        return value if isinstance(value, str) else None

    @property
    def iss(self) -> str:
        return str(self._claims["iss"])

    @property
    def aud(self) -> str | list[str]:
        value: str | list[str] = self._claims["aud"]
        return value

    @property
    def exp(self) -> datetime:
        return to_datetime(float(self._claims["exp"]))

    @property
    def iat(self) -> datetime | None:
        value = self._claims.get("iat")
        return None if value is None else to_datetime(float(value))

    @property
    def jti(self) -> str | None:
        value = self._claims.get("jti")
        return value if isinstance(value, str) else None

    @property
    def client_id(self) -> str | None:
        value = self._claims.get("client_id", self._claims.get("azp"))
        return value if isinstance(value, str) else None

    @property
    def roles(self) -> tuple[str, ...]:
        return self._roles

    @property
    def role(self) -> str | None:
        """The first role, for code written for our own single-role tokens."""
        return self._roles[0] if self._roles else None

    @property
    def scopes(self) -> frozenset[str]:
        return self._scopes

    @property
    def kid(self) -> str | None:
        return self._kid

    def __repr__(self) -> str:
        return f"ExternalToken(iss={self.iss!r}, sub={self.sub!r})"


Resolver = Callable[[str], Awaitable[Issuer | None]]


async def discover_jwks_uri(
    issuer: str, *, client: Any = None, timeout: float = 5.0, max_bytes: int = 256 * 1024
) -> str:
    """The `jwks_uri` of an OpenID provider's configuration, whose `issuer` must be `issuer`."""
    import httpx

    url = issuer.rstrip("/") + _DISCOVERY
    http = client if client is not None else httpx.AsyncClient(timeout=timeout)
    try:
        body = await asyncio.wait_for(_get(http, url, max_bytes), timeout)
    except KeySetUnavailableError:
        raise
    except Exception as exc:
        name = "timed out" if isinstance(exc, asyncio.TimeoutError) else type(exc).__name__
        raise KeySetUnavailableError(
            f"the issuer's OpenID configuration cannot be fetched ({name})"
        ) from None
    finally:
        if client is None:
            await http.aclose()
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        raise KeySetUnavailableError("the issuer's OpenID configuration is not JSON") from None
    if not isinstance(document, dict) or document.get("issuer") != issuer:
        raise ConfigurationConflictError(
            f"the OpenID configuration at {url} names another issuer; refusing it (OpenID "
            "Connect Discovery 1.0 section 4.3)"
        )
    jwks_uri = document.get("jwks_uri")
    if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
        raise ConfigurationConflictError(f"the OpenID configuration at {url} has no jwks_uri")
    return jwks_uri


async def _get(http: Any, url: str, max_bytes: int) -> bytes:
    async with http.stream("GET", url, headers={"Accept": "application/json"}) as response:
        if response.status_code != 200:
            raise KeySetUnavailableError(
                f"the issuer's OpenID configuration answered HTTP {response.status_code}"
            )
        chunks: list[bytes] = []
        size = 0
        async for chunk in response.aiter_bytes():
            size += len(chunk)
            if size > max_bytes:
                raise KeySetUnavailableError("the issuer's OpenID configuration is too large")
            chunks.append(chunk)
    return b"".join(chunks)


class _Trusted:
    """One issuer and its key set (built once its `jwks_uri` is known)."""

    __slots__ = ("failed_at", "issuer", "key_set", "lock")

    def __init__(self, issuer: Issuer) -> None:
        self.issuer = issuer
        self.key_set: RemoteKeySet | None = None
        self.lock = asyncio.Lock()
        self.failed_at: float | None = None  # the last discovery that failed


class TrustedIssuers:
    """Verifies access tokens of the issuers it trusts: an allow-list, or an async resolver.

    `resolver(iss)` is awaited for an `iss` not yet known and returns its `Issuer` or None
    (refused); at most 256 resolved issuers are kept.
    """

    def __init__(
        self,
        issuers: Iterable[Issuer] = (),
        *,
        resolver: Resolver | None = None,
        client: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._trusted: dict[str, _Trusted] = {}
        for issuer in issuers:
            if not isinstance(issuer, Issuer):
                raise ConfigurationConflictError("TrustedIssuers takes Issuer objects")
            if issuer.issuer in self._trusted:
                raise ConfigurationConflictError(f"issuer {issuer.issuer!r} is listed twice")
            self._trusted[issuer.issuer] = _Trusted(issuer)
        if not self._trusted and resolver is None:
            raise ConfigurationConflictError("TrustedIssuers needs issuers or a resolver")
        self._resolver = resolver
        self._resolved = 0
        self._client = client
        self._clock = clock

    # -- lifecycle -------------------------------------------------------------------------
    async def open(self, *, strict: bool = False) -> dict[str, KeySetHealth]:
        """Discover and fetch every listed issuer's keys now (a worker's start).

        A provider that cannot be reached is logged and retried when tokens come (they are
        refused with `KeySetUnavailableError` meanwhile); with `strict=True` it stops the start.
        """
        for trusted in self._trusted.values():
            try:
                key_set = await self._key_set(trusted, starting=True)
                if not key_set.health().serving:  # a second start (ASGI lifespan) reuses them
                    await key_set.refresh()
            except KeySetUnavailableError as exc:
                if strict:
                    raise
                log.warning(
                    "keys of issuer %s not fetched at start: %s", trusted.issuer.issuer, exc
                )
        return self.health()

    async def aclose(self) -> None:
        for trusted in self._trusted.values():
            if trusted.key_set is not None:
                await trusted.key_set.aclose()

    def health(self) -> dict[str, KeySetHealth]:
        """Per issuer: last fetch, age of the keys in use, errors (for logs and health checks)."""
        return {
            iss: t.key_set.health() for iss, t in self._trusted.items() if t.key_set is not None
        }

    # -- verifying -------------------------------------------------------------------------
    async def _key_set(self, trusted: _Trusted, *, starting: bool = False) -> RemoteKeySet:
        """The issuer's key set, discovered first when needed.

        A discovery document that names another issuer, or no jwks_uri, stops a start
        (`ConfigurationConflictError`); met while verifying, it is logged and the token
        refused with `KeySetUnavailableError` (503), never an error 500.
        """
        if trusted.key_set is not None:
            return trusted.key_set
        async with trusted.lock:  # one discovery per issuer, however many tokens wait
            if trusted.key_set is None:
                issuer = trusted.issuer
                retry = float(issuer.key_set.get("retry_interval", _DISCOVERY_RETRY))
                failed = trusted.failed_at
                if failed is not None and self._clock() - failed < retry:
                    raise KeySetUnavailableError(
                        "the issuer's OpenID configuration cannot be fetched; try again shortly"
                    )
                uri = issuer.jwks_uri
                if uri is None:
                    timeout = float(issuer.key_set.get("timeout", 5.0))
                    try:
                        uri = await discover_jwks_uri(
                            issuer.issuer, client=self._client, timeout=timeout
                        )
                    except KeySetUnavailableError:
                        trusted.failed_at = self._clock()
                        raise
                    except ConfigurationConflictError as exc:
                        trusted.failed_at = self._clock()
                        if starting:
                            raise
                        log.error("issuer %s cannot be used: %s", issuer.issuer, exc)
                        raise KeySetUnavailableError(
                            "the issuer's OpenID configuration is not usable; try again later"
                        ) from None
                trusted.key_set = RemoteKeySet(
                    uri,
                    algorithms=issuer.algorithms,
                    client=self._client,
                    clock=self._clock,
                    **dict(issuer.key_set),
                )
        return trusted.key_set

    async def _trusted_for(self, iss: Any) -> _Trusted:
        if not isinstance(iss, str) or not iss:
            raise InvalidTokenError("the token names no issuer (iss)")
        trusted = self._trusted.get(iss)
        if trusted is not None:
            return trusted
        if self._resolver is None or self._resolved >= _MAX_RESOLVED:
            raise InvalidTokenError("the token's issuer (iss) is not accepted")
        # The resolver is the application's code, run while a request waits: whatever goes
        # wrong in it fails closed (503, logged), never as the request's 500.
        try:
            issuer = await self._resolver(iss)
        except Exception as exc:
            log.error("the issuer resolver failed for an issuer (%s)", type(exc).__name__)
            raise KeySetUnavailableError("the issuer resolver failed; try again shortly") from exc
        if issuer is None:
            raise InvalidTokenError("the token's issuer (iss) is not accepted")
        if not isinstance(issuer, Issuer) or issuer.issuer != iss:
            log.error("the issuer resolver must return the Issuer of the iss it is given")
            raise KeySetUnavailableError("the issuer resolver gave no usable issuer")
        trusted = self._trusted.setdefault(iss, _Trusted(issuer))
        self._resolved += 1
        return trusted

    async def verify(self, raw: Any) -> ExternalToken:
        """Verify an access token of a trusted issuer; raise a `TokenRefusedError` if not."""
        header_b64, payload_b64, signature_b64 = split_compact(raw, 16384)
        header = decode_header_segment(header_b64)
        alg, kid = check_header(header, types=None)  # the typ rule is the issuer's profile's
        typ = header.get("typ")
        # The issuer is read before the signature is checked (it says whose keys to use);
        # nothing else of the payload is trusted until it verifies.
        check_canonical(payload_b64, "payload")
        payload = decode_json_segment(payload_b64, "payload")
        trusted = await self._trusted_for(payload.get("iss"))
        issuer = trusted.issuer
        if len(raw) > issuer.max_token_length:
            raise JWTDecodeError(f"the token is longer than {issuer.max_token_length} characters")
        if alg not in issuer.algorithms:
            raise JWTDecodeError("the token's algorithm (alg) is not accepted for its issuer")
        typ_l = None if typ is None else typ.lower()
        if issuer.profile == "rfc9068":
            if typ_l not in _AT_JWT:
                raise JWTDecodeError("the token is not a JWT access token (typ at+jwt, RFC 9068)")
        elif typ_l is not None and typ_l not in _AT_JWT and typ_l not in _PLAIN_JWT:
            raise JWTDecodeError("the token's header has a type (typ) that is not accepted")
        key_set = await self._key_set(trusted)
        key = await key_set.key_for(kid, alg)
        signature = b64url_decode(signature_b64, "signature")
        signing_input = raw[: len(header_b64) + 1 + len(payload_b64)].encode("ascii")
        if not key.verify(signing_input, signature):
            raise JWTDecodeError("the token's signature does not verify")
        return self._judge(raw, payload, issuer, kid)

    def _judge(
        self, raw: str, payload: dict[str, Any], issuer: Issuer, kid: str | None
    ) -> ExternalToken:
        """The claim rules of the issuer, on a payload whose signature verified."""
        for name in _ID_TOKEN_CLAIMS:
            if name in payload:
                raise InvalidTokenError("an ID token is not an access token")
        exp = numeric_date(payload, "exp", required=True)
        iat = numeric_date(payload, "iat", required=issuer.profile == "rfc9068")
        nbf = numeric_date(payload, "nbf", required=False)
        assert exp is not None
        now = self._clock()
        if now >= exp + issuer.leeway:
            raise ExpiredSignatureError("the token has expired")
        if nbf is not None and now + issuer.leeway < nbf:
            raise InvalidTokenError("the token is not valid yet (nbf is in the future)")
        if iat is not None and now + issuer.leeway < iat:
            raise InvalidTokenError("the token was issued in the future (iat)")
        check_audience(payload.get("aud"), list(issuer.audiences))
        if issuer.profile == "rfc9068":
            for name in ("sub", "client_id", "jti"):
                value = payload.get(name)
                if not isinstance(value, str) or not value:
                    raise InvalidTokenError(f"the token has no {name!r} claim (RFC 9068)")
        identity = _claim(payload, issuer.subject_claim)
        if not isinstance(identity, str) or not identity:
            raise InvalidTokenError(f"the token has no subject ({issuer.subject_claim})")
        roles: tuple[str, ...] = ()
        if issuer.roles_claim is not None:
            value = _claim(payload, issuer.roles_claim)
            if isinstance(value, str):
                value = [value]
            if value is not None and not (
                isinstance(value, list) and all(isinstance(r, str) for r in value)
            ):
                raise InvalidTokenError("the token's roles claim is malformed")
            roles = tuple(value or ())
        scopes: frozenset[str] = frozenset()
        if issuer.scopes_claim is not None:
            value = _claim(payload, issuer.scopes_claim)
            if isinstance(value, str):
                scopes = frozenset(value.split())
            elif isinstance(value, list) and all(isinstance(s, str) for s in value):
                scopes = frozenset(value)
            elif value is not None:
                raise InvalidTokenError("the token's scope claim is malformed")
        return ExternalToken(raw, payload, issuer, identity, roles, scopes, kid)
