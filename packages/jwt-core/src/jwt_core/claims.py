"""Claims: what goes into a token when it is made, and how each one is checked when read."""

from __future__ import annotations

import json
import math
import os
import secrets
from collections.abc import Mapping
from datetime import datetime, timedelta, timezone
from typing import Any

from jwt_core.config import Config
from jwt_core.errors import ExpiredSignatureError, InvalidClaimsError, InvalidTokenError

__all__ = [
    "LIBRARY_CLAIMS",
    "build_claims",
    "canonical_json",
    "flatten_public",
    "subject_of",
    "unflatten_public",
]

UTC = timezone.utc
# Registered claims plus the ones this library writes; never overwritten by user claims.
LIBRARY_CLAIMS = frozenset(
    {"iss", "sub", "aud", "exp", "nbf", "iat", "jti", "type", "fresh", "csrf", "identity"}
)
# NumericDates outside [0, year 9999] are refused: they are either garbage or an attack on
# whatever converts them to a date.
MAX_NUMERIC_DATE = 253402300799


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


def unflatten_public(payload: Mapping[str, Any], namespace: str) -> dict[str, Any]:
    """The inverse of `flatten_public` over the claims under `namespace`."""
    result: dict[str, Any] = {}
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


def _numeric_date(value: datetime | timedelta | float, now: float) -> int:
    if isinstance(value, datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)
        return int(value.timestamp())
    if isinstance(value, timedelta):
        return int(now + value.total_seconds())
    raise InvalidClaimsError(f"expected a datetime or timedelta, got {type(value).__name__}")


def build_claims(
    config: Config,
    *,
    token_type: str,
    identity: Any,
    role: str | None,
    fresh: bool | timedelta | None,
    expires_delta: timedelta | bool | None,
    public_claims: Mapping[str, Any] | None,
    private_claims: Mapping[str, Any] | None,
    iss: str | None,
    aud: str | list[str] | None,
    nbf: datetime | None,
    now: float,
) -> dict[str, Any]:
    """The claim set of a new token, every rule of the contract applied; raises on misuse."""
    claims: dict[str, Any] = {}
    claims["sub"], identity_claim = subject_of(identity, config.json_encoder)
    if identity_claim is not None:
        claims["identity"] = identity_claim

    issued = math.floor(now * 1000) / 1000  # ms precision: lets revoke_all order tokens
    claims["iat"] = issued
    claims["nbf"] = int(now) if nbf is None else _numeric_date(nbf, now)
    claims["jti"] = new_jti()
    claims["type"] = token_type

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
            from jwt_core.errors import ConfigurationConflictError

            raise ConfigurationConflictError("a role needs use_acl=True in the configuration")
        if not isinstance(role, str) or not role:
            raise InvalidClaimsError("role must be a non-empty string")
        claims[config.acl_claim] = role

    if "cookies" in config.token_location and config.csrf_protect:
        claims["csrf"] = secrets.token_urlsafe(24)

    reserved = LIBRARY_CLAIMS | {config.acl_claim}
    if public_claims:
        if not config.public_claim_namespace:
            from jwt_core.errors import ConfigurationConflictError

            raise ConfigurationConflictError(
                "public_claims need public_claim_namespace (e.g. 'https://example.com/')"
            )
        if not isinstance(public_claims, Mapping):
            raise InvalidClaimsError("public_claims must be a mapping")
        _merge(claims, flatten_public(public_claims, config.public_claim_namespace), reserved)
    if private_claims:
        if not isinstance(private_claims, Mapping):
            raise InvalidClaimsError("private_claims must be a mapping")
        prefix = config.private_claim_prefix
        named: dict[str, Any] = {}
        for key, value in private_claims.items():
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


def check_times(
    payload: Mapping[str, Any], now: float, leeway: float
) -> tuple[float, float, float | None]:
    """Check `iat`, `nbf` and `exp` against the clock with the leeway; return them."""
    iat = numeric_date(payload, "iat", required=True)
    nbf = numeric_date(payload, "nbf", required=True)
    exp = numeric_date(payload, "exp", required=False)
    assert iat is not None
    assert nbf is not None
    if exp is not None and now >= exp + leeway:  # RFC 7519 4.1.4: valid only before exp
        raise ExpiredSignatureError("the token has expired")
    if now + leeway < nbf:
        raise InvalidTokenError("the token is not valid yet (nbf is in the future)")
    if now + leeway < iat:
        raise InvalidTokenError("the token was issued in the future (iat)")
    return iat, nbf, exp


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


def to_datetime(value: float) -> datetime:
    """An aware UTC datetime from a checked NumericDate."""
    return datetime.fromtimestamp(value, UTC)
