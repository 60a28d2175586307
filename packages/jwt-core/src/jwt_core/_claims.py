"""Claims: every rule about them, in two halves.

Minting (`build_claims`): what goes into a new token, each option's rule applied. Reading
(`check_payload`, `check_times`, `check_csrf`, `check_role`): every check of a signed payload,
one block per claim, so "where is `iss` checked?" has one answer. The time checks run on every
decode (a cached token included); the others once per distinct token.
"""

from __future__ import annotations

import hmac
import json
import os
import re
import secrets
import uuid
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any, NamedTuple

from jwt_core.blacklist.base import millisecond_of
from jwt_core.config import Config
from jwt_core.errors import (
    AccessDeniedError,
    ConfigurationConflictError,
    CSRFError,
    ExpiredSignatureError,
    InvalidClaimsError,
    InvalidTokenError,
)
from jwt_core.token import ClaimLayout, Claims, TokenType, VerifiedClaims

UTC = timezone.utc
# Registered claims plus the ones this library writes; never overwritten by user claims.
LIBRARY_CLAIMS = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "type", "fresh", "csrf", "identity"}
    | {"fam", "auth_time"}  # a session's family and login time (jwt_core.sessions)
)
# NumericDates outside [0, year 9999] are refused: they are either garbage or an attack on
# whatever converts them to a date.
MAX_NUMERIC_DATE = 253402300799
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
_FAMILY = re.compile(r"[0-9a-f]{32}")
_NUMBERS: frozenset[Any] = frozenset({int, float})  # a JSON number's classes, not bool


def claim_layout(config: Config) -> ClaimLayout:
    """Where `config` puts user claims, and the names reserved for the library's own."""
    return ClaimLayout(
        config.public_claim_namespace,
        config.private_claim_prefix,
        LIBRARY_CLAIMS | {config.acl_claim},
    )


def new_jti() -> str:
    """A random (version 4) UUID as text; formatted by hand, twice as fast as uuid.uuid4()."""
    raw = bytearray(os.urandom(16))
    raw[6] = raw[6] & 0x0F | 0x40
    raw[8] = raw[8] & 0x3F | 0x80
    h = raw.hex()
    return f"{h[:8]}-{h[8:12]}-{h[12:16]}-{h[16:20]}-{h[20:]}"


def canonical_json(value: Any) -> str:
    """One spelling of a JSON value: sorted keys, no spaces, UTF-8 characters kept."""
    return json.dumps(
        value, sort_keys=True, separators=(",", ":"), ensure_ascii=False, allow_nan=False
    )


def subject_of(
    identity: Any, encoder: type[json.JSONEncoder] = json.JSONEncoder
) -> tuple[str, Any]:
    """The `sub` claim for an identity, and the value of the `identity` claim (None if unneeded).

    A string identity is its own subject. Anything else is first put through the configured
    JSON encoder; if that yields a string (a UUID, say) it is the subject, otherwise the
    subject is the canonical JSON text and the value travels in the `identity` claim.
    """
    if isinstance(identity, str):
        plain: Any = identity
    else:
        try:
            plain = json.loads(json.dumps(identity, cls=encoder, allow_nan=False))
        except (TypeError, ValueError, RecursionError) as exc:
            raise InvalidClaimsError(f"identity is not JSON serializable: {exc}") from None
    if plain is None or plain == "":
        raise InvalidClaimsError("identity is required (any JSON value but null or '')")
    if isinstance(plain, str):
        return plain, None
    return canonical_json(plain), plain


def flatten_public(claims: Mapping[str, Any], namespace: str) -> dict[str, Any]:
    """`{"user": {"name": "x"}}` -> `{namespace + "user/name": "x"}`; empty mappings stay leaves."""
    flat: dict[str, Any] = {}

    def walk(prefix: str, value: Mapping[str, Any]) -> None:
        for key, item in value.items():
            if not isinstance(key, str) or not key or "/" in key:
                raise InvalidClaimsError(
                    "public claim names must be non-empty strings without '/' "
                    "('/' joins the levels of nested public claims)"
                )
            name = f"{prefix}/{key}" if prefix else key
            if isinstance(item, Mapping) and item:
                walk(name, item)
            else:
                flat[namespace + name] = item

    walk("", claims)
    return flat


def _numeric_date(value: datetime | timedelta | float, now: float) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp())
    if isinstance(value, timedelta):
        return int(now + value.total_seconds())
    raise InvalidClaimsError(f"expected a datetime or timedelta, got {type(value).__name__}")


class MintRequest(NamedTuple):
    """What a create_* call asks for, as given (`build_claims` checks every field)."""

    token_type: TokenType
    identity: Any
    role: str | None = None
    fresh: bool | timedelta | None = None
    expires_delta: timedelta | bool | None = None
    public_claims: Mapping[str, Any] | None = None
    private_claims: Mapping[str, Any] | None = None
    iss: str | None = None
    aud: str | list[str] | None = None
    nbf: datetime | None = None
    session: SessionClaims | None = None


class SessionClaims(NamedTuple):
    """What a token minted inside a session carries (see `jwt_core.sessions`).

    `family` and `auth_time` become `fam` and `auth_time`; `jti`, `issued_ms` and `exp`, when
    given, replace the ones a new token would get (a successor re-minted from what the store
    recorded; an expiry capped by the session's maximum age).
    """

    family: str
    auth_time: int
    exp: int | None = None  # None: from expires_delta as usual
    jti: str | None = None
    issued_ms: int | None = None


def build_claims(
    config: Config, layout: ClaimLayout, request: MintRequest, now: float
) -> dict[str, Any]:
    """The claim set of a new token, every rule of the contract applied; raises on misuse."""
    token_type, identity, role, fresh, expires_delta, public, private, iss, aud, nbf, session = (
        request
    )
    claims: dict[str, Any] = {}
    claims["sub"], identity_claim = subject_of(identity, config.json_encoder)
    if identity_claim is not None:
        claims["identity"] = identity_claim

    # ms precision, the millisecond as the stores and revoke_all's cut-off count it: lets
    # revoke_all order tokens
    claims["iat"] = millisecond_of(now) / 1000
    claims["nbf"] = int(now) if nbf is None else _numeric_date(nbf, now)
    claims["jti"] = new_jti()
    claims["type"] = token_type
    if session is not None:
        claims["fam"], claims["auth_time"] = session.family, session.auth_time
        if session.issued_ms is not None:
            claims["iat"] = session.issued_ms / 1000
            claims["nbf"] = session.issued_ms // 1000
        if session.jti is not None:
            claims["jti"] = session.jti

    if expires_delta is None:
        default = (
            config.access_token_expires if token_type == "access" else config.refresh_token_expires
        )
        expires_delta = default
    if expires_delta is True or not isinstance(expires_delta, timedelta | bool):
        raise InvalidClaimsError("expires_delta must be a timedelta, or False for no expiry")
    if expires_delta is not False:
        claims["exp"] = _numeric_date(expires_delta, now)
        if not 0 <= claims["exp"] <= MAX_NUMERIC_DATE:
            raise InvalidClaimsError("expires_delta puts exp beyond the year 9999")
    if session is not None and session.exp is not None:
        claims["exp"] = session.exp

    iss = config.default_iss if iss is None else iss
    if iss is not None:
        if not isinstance(iss, str) or not iss:
            raise InvalidClaimsError("iss must be a non-empty string")
        claims["iss"] = iss
    aud = config.default_aud if aud is None else aud
    if aud is not None:
        if isinstance(aud, str):
            ok = bool(aud)
        else:
            aud = list(aud)
            ok = bool(aud) and all(isinstance(a, str) and a for a in aud)
        if not ok:
            raise InvalidClaimsError("aud must be a non-empty string or list of strings")
        claims["aud"] = aud

    if token_type == "access":
        if isinstance(fresh, bool):
            claims["fresh"] = fresh
        elif isinstance(fresh, timedelta):
            claims["fresh"] = _numeric_date(fresh, now)
        else:
            raise InvalidClaimsError("fresh must be True, False or a timedelta")

    if role is not None:
        if not config.use_acl:
            raise ConfigurationConflictError("a role needs use_acl=True in the configuration")
        if not isinstance(role, str) or not role:
            raise InvalidClaimsError("role must be a non-empty string")
        claims[config.acl_claim] = role

    if config.csrf_claim:
        claims["csrf"] = secrets.token_urlsafe(24)

    reserved = layout.reserved
    if public:
        if not layout.namespace:
            raise ConfigurationConflictError(
                "public_claims need public_claim_namespace (e.g. 'https://example.com/')"
            )
        if not isinstance(public, Mapping):
            raise InvalidClaimsError("public_claims must be a mapping")
        _merge(claims, flatten_public(public, layout.namespace), reserved)
    if private:
        if not isinstance(private, Mapping):
            raise InvalidClaimsError("private_claims must be a mapping")
        prefix = layout.prefix
        named: dict[str, Any] = {}
        for key, value in private.items():
            if not isinstance(key, str) or not key:
                raise InvalidClaimsError("private claim names must be non-empty strings")
            named[f"{prefix}_{key}" if prefix else key] = value
        _merge(claims, named, reserved)
    return claims


def _merge(claims: dict[str, Any], extra: Mapping[str, Any], reserved: frozenset[str]) -> None:
    for name, value in extra.items():
        if name in reserved or name in claims:
            raise InvalidClaimsError(
                f"claim {name!r} is reserved by the library or already set; choose another name"
            )
        claims[name] = value


# -- reading ---------------------------------------------------------------------------------
@dataclass(frozen=True, slots=True)
class ClaimRules:
    """What a configuration accepts when reading; built once per `TokenManager`."""

    issuer: str | None
    audiences: str | list[str] | None
    acl_claim: str | None  # None without use_acl: the role claim is then not read
    nullable: tuple[str, ...]  # claims that, when present, must not be null
    leeway: float = 0.0  # seconds: how far `auth_time` may lie after `iat`

    @classmethod
    def of(cls, config: Config) -> ClaimRules:
        """The rules of a validated `config`."""
        return cls(
            issuer=config.decode_issuer,
            audiences=config.decode_audience,
            acl_claim=config.acl_claim if config.use_acl else None,
            nullable=("iss", "aud", "csrf", "identity", config.acl_claim),
            leeway=config.leeway.total_seconds(),
        )


def numeric_date(payload: Mapping[str, Any], name: str, *, required: bool) -> float | None:
    """A NumericDate claim, checked to be a finite JSON number in range (never a bool/str)."""
    value = payload.get(name)
    if value is None:
        if required or name in payload:
            raise InvalidTokenError(f"the token has no valid {name!r} claim")
        return None
    if value.__class__ is not int and value.__class__ is not float:
        raise InvalidTokenError(f"the token's {name!r} claim is not a number")
    if not 0 <= value <= MAX_NUMERIC_DATE:  # NaN fails this too
        raise InvalidTokenError(f"the token's {name!r} claim is out of range")
    return float(value)


def check_payload(payload: dict[str, Any], rules: ClaimRules, kid: str | None) -> VerifiedClaims:
    """Every check of a signed payload that does not depend on the time, one block per claim
    (inline rather than a call each: this runs on every distinct token's decode)."""
    # iat, nbf, exp: NumericDates in range (compared with the clock by `check_times`). The
    # usual token (three numbers in range, or two and no exp) is taken in one test; any
    # other goes claim by claim through `numeric_date`, which says what is wrong.
    iat: Any = payload.get("iat")
    nbf: Any = payload.get("nbf")
    exp: Any = payload.get("exp")
    if (
        iat.__class__ in _NUMBERS
        and nbf.__class__ in _NUMBERS
        and 0 <= iat <= MAX_NUMERIC_DATE
        and 0 <= nbf <= MAX_NUMERIC_DATE
        and (
            (exp.__class__ in _NUMBERS and 0 <= exp <= MAX_NUMERIC_DATE)
            or (exp is None and "exp" not in payload)
        )
    ):
        iat, nbf = float(iat), float(nbf)
        exp = None if exp is None else float(exp)
    else:
        iat = numeric_date(payload, "iat", required=True)
        nbf = numeric_date(payload, "nbf", required=True)
        exp = numeric_date(payload, "exp", required=False) if "exp" in payload else None
    assert iat is not None
    assert nbf is not None
    # sub: a non-empty string
    sub = payload.get("sub")
    if sub.__class__ is not str or not sub:
        raise InvalidTokenError("the token has no subject (sub)")
    # jti: a UUID, parsed once per distinct token (revocation keys on it)
    jti = payload.get("jti")
    if jti.__class__ is not str or _UUID.fullmatch(jti) is None:
        raise InvalidTokenError("the token's id (jti) is not a UUID")
    # type: access or refresh
    token_type = payload.get("type")
    if token_type != "access" and token_type != "refresh":
        raise InvalidTokenError("the token's type is neither access nor refresh")
    # nulls: an optional claim is absent or has a value, never null
    for name in rules.nullable:
        if name in payload and payload[name] is None:
            raise InvalidTokenError(f"the token's {name!r} claim is null")
    # iss: the accepted issuer when one is configured, else any string
    iss = payload.get("iss")
    if rules.issuer is not None:
        if iss != rules.issuer:
            raise InvalidTokenError("the token's issuer (iss) is not accepted")
    elif iss is not None and iss.__class__ is not str:
        raise InvalidTokenError("the token's issuer (iss) is malformed")
    # aud: the usual case, a string audience equal to the one accepted, needs no more checking
    aud = payload.get("aud")
    if (aud is not None or rules.audiences is not None) and (
        aud.__class__ is not str or aud != rules.audiences
    ):
        check_audience(aud, rules.audiences)
    # fresh (access tokens only): a bool, or a NumericDate until which the token is fresh
    fresh: Any = None
    if token_type == "access":
        fresh = payload.get("fresh")
        if fresh is not True and fresh is not False:
            fresh = numeric_date(payload, "fresh", required=True)
    # role (with use_acl only): a string
    role = None
    if rules.acl_claim is not None:
        role = payload.get(rules.acl_claim)
        if role is not None and role.__class__ is not str:
            raise InvalidTokenError("the token's role claim is not a string")
    # csrf: a string when present
    csrf = payload.get("csrf")
    if csrf is not None and csrf.__class__ is not str:
        raise InvalidTokenError("the token's csrf claim is malformed")
    # identity: when present, a JSON value whose canonical text is the subject
    if "identity" in payload:
        identity = payload["identity"]
        try:
            consistent = canonical_json(identity) == sub
        except ValueError:
            consistent = False
        if not consistent:
            raise InvalidTokenError("the token's identity does not match its subject")
    else:
        identity = sub
    # fam, auth_time: a session's family id and login time (one test for tokens without them)
    family = auth_time = None
    if "fam" in payload or "auth_time" in payload:
        family, auth_time = check_session(payload, iat, rules.leeway)
    return _tuple_new(  # VerifiedClaims, field by field
        VerifiedClaims,
        (
            Claims(payload),
            token_type,
            identity,
            sub,
            parse_uuid(jti),
            iat,
            nbf,
            exp,
            iss,
            aud,
            role,
            fresh,
            csrf,
            kid,
            family,
            auth_time,
        ),
    )


# VerifiedClaims(...) without the Python frame of a named tuple's __new__ (every field given)
_tuple_new = tuple.__new__
# uuid.UUID keeps its value in two slots; filled directly, a canonical text skips the parsing
# of the other spellings UUID() accepts (braces, urn:uuid:, no hyphens), which _UUID refuses.
_UUID_INT = getattr(uuid.UUID.__dict__.get("int"), "__set__", None)
_UUID_SAFE = getattr(uuid.UUID.__dict__.get("is_safe"), "__set__", None)
_UNKNOWN_SAFETY = uuid.SafeUUID.unknown  # read once: an enum member is a property lookup


def parse_uuid(text: str) -> uuid.UUID:
    """`uuid.UUID(text)` of a text `_UUID` has matched (hexadecimal digits and four hyphens)."""
    if _UUID_INT is None or _UUID_SAFE is None:  # a uuid module without those slots
        return uuid.UUID(text)
    value = object.__new__(uuid.UUID)
    _UUID_INT(value, int(text.replace("-", ""), 16))
    _UUID_SAFE(value, _UNKNOWN_SAFETY)
    return value


def check_session(payload: Mapping[str, Any], iat: float, leeway: float) -> tuple[str, int]:
    """`fam` (32 lowercase hex characters) and `auth_time` (whole epoch seconds, not after
    `iat` plus the leeway) of a token minted in a session: both present, or neither."""
    family = payload.get("fam")
    if family.__class__ is not str or _FAMILY.fullmatch(family) is None:
        raise InvalidTokenError("the token's session family (fam) is malformed")
    auth_time = payload.get("auth_time")
    if auth_time.__class__ is not int or not 0 <= auth_time <= MAX_NUMERIC_DATE:
        raise InvalidTokenError("the token's auth_time is not a whole NumericDate")
    if auth_time > iat + leeway:
        raise InvalidTokenError("the token's auth_time lies after its iat")
    return family, auth_time


def check_audience(aud: Any, accepted: str | list[str] | None) -> None:
    """`aud` must name an accepted audience; a token with `aud` needs one to be configured."""
    if aud is None:
        if accepted is not None:
            raise InvalidTokenError("the token has no audience (aud) and one is required")
        return
    if isinstance(aud, str):
        names = [aud]
    elif isinstance(aud, list) and aud and all(isinstance(a, str) for a in aud):
        names = aud
    else:
        raise InvalidTokenError("the token's audience (aud) is malformed")
    if accepted is None:
        raise InvalidTokenError(
            "the token names an audience but this service accepts none (set decode_audience)"
        )
    wanted = [accepted] if isinstance(accepted, str) else accepted
    if not any(a in wanted for a in names):
        raise InvalidTokenError("the token is not meant for this audience (aud)")


def check_times(claims: VerifiedClaims, now: float, leeway: float) -> bool | None:
    """Check `exp`, `nbf` and `iat` against the clock, with the leeway; return the token's
    freshness now (None for a refresh token). Runs on every decode, cached tokens included."""
    exp = claims.exp
    if exp is not None and now >= exp + leeway:  # RFC 7519 4.1.4: valid only before exp
        raise ExpiredSignatureError("the token has expired")
    if now + leeway < claims.nbf:
        raise InvalidTokenError("the token is not valid yet (nbf is in the future)")
    if now + leeway < claims.iat:
        raise InvalidTokenError("the token was issued in the future (iat)")
    fresh = claims.fresh
    if fresh is None or fresh is True or fresh is False:
        return fresh
    return now < fresh  # a NumericDate: fresh until then


def check_csrf(sent: str | None, bound: str | None) -> None:
    """The CSRF value a request sent must be the token's own, compared in constant time."""
    if not sent or bound is None:
        raise CSRFError("the CSRF value is missing")
    if not hmac.compare_digest(
        sent.encode("utf-8", "surrogatepass"), bound.encode("utf-8", "surrogatepass")
    ):
        raise CSRFError("the CSRF value does not match the token")


def check_role(
    role: str | None, allow: Collection[str] | None, deny: Collection[str] | None
) -> None:
    """The token's role must be one of `allow` (when given) and none of `deny` (when given)."""
    if allow is not None and role not in allow:
        raise AccessDeniedError("this role is not allowed here")
    if deny is not None and role in deny:
        raise AccessDeniedError("this role is denied here")
