"""`TokenManager`: mints, decodes, verifies and revokes tokens for one configuration."""

from __future__ import annotations

import asyncio
import hmac
import json
import math
import re
import time
import uuid
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any, Literal

from jwt_core.blacklist.base import BlacklistABC, build_store
from jwt_core.claims import (
    LIBRARY_CLAIMS,
    build_claims,
    canonical_json,
    check_audience,
    numeric_date,
    subject_of,
    unflatten_public,
)
from jwt_core.config import Config
from jwt_core.errors import (
    AccessDeniedError,
    ConfigurationConflictError,
    CSRFError,
    ExpiredSignatureError,
    FreshTokenRequiredError,
    InvalidClaimsError,
    InvalidTokenError,
    JWTDecodeError,
    RevocationStoreUnavailableError,
    RevokedTokenError,
    WrongTokenError,
)
from jwt_core.jws import (
    b64url_decode,
    b64url_encode,
    check_canonical,
    decode_header_segment,
    decode_json_segment,
    split_compact,
)
from jwt_core.keys import Key, KeyRing, build_keyring
from jwt_core.token import Claims, Entry, Token, TokenType

__all__ = ["TokenManager", "check_role_options"]

# Header parameters that would let a token choose its own key or demand processing we do not
# implement (RFC 8725 section 3.1, RFC 7515 section 4.1.11): their presence invalidates it.
_FORBIDDEN_HEADER = frozenset({"jku", "x5u", "jwk", "x5c", "crit", "b64"})
_HEADER_CACHE_SIZE = 64
# asyncio.timeout (3.11+) bounds an await without the extra task wait_for creates.
_timeout = getattr(asyncio, "timeout", None)
_SCALARS = frozenset({str, int, float, bool, type(None)})
# How long revoke_all waits, in real time, for the manager's clock to leave the cut-off's
# millisecond: a real clock takes at most 1 ms; a clock that stands still is not waited for.
_REVOKE_ALL_WAIT = 0.005
_UUID = re.compile(r"[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}")
# What a signed, well-formed payload yields before the time-dependent checks.


def check_role_options(
    allow: Collection[str] | None, deny: Collection[str] | None, *, use_acl: bool | None = None
) -> None:
    """Refuse role options that cannot work: both lists, or either without `use_acl`.

    `use_acl=None` (no configuration known yet, e.g. when a view is decorated) checks only
    that allow and deny are not both given.
    """
    if allow is not None and deny is not None:
        raise ConfigurationConflictError("use either allow or deny, not both")
    if (allow is not None or deny is not None) and use_acl is False:
        raise ConfigurationConflictError("allow/deny need use_acl=True in the configuration")


class TokenManager:
    """Everything about tokens for one `Config`: create, decode, verify, revoke.

    Building it validates and freezes the config, parses the keys once and builds the
    blacklist (when `use_blacklist`).
    """

    def __init__(self, config: Config | None = None, *, clock: Callable[[], float] = time.time):
        self.config = config if config is not None else Config()
        self.config.validate()
        cfg = self.config
        self._clock = clock
        self.keys: KeyRing = build_keyring(
            cfg.algorithm,
            cfg.secret_key,
            cfg.private_key,
            cfg.public_key,
            cfg.keys,
            cfg.signing_key_id,
            cfg.key_id,
        )
        self._leeway = cfg.leeway.total_seconds()
        self._encoder = cfg.json_encoder(separators=(",", ":"), allow_nan=False)
        self._header_keys: dict[str, Key] = {}
        self._max_length = cfg.max_token_length
        self._audiences = cfg.decode_audience
        self._cache_size = cfg.verified_token_cache_size
        self._verified: dict[str, Entry] = {}
        self._signing_header = self._header_segment(self.keys.signing)
        self._reserved = LIBRARY_CLAIMS | {cfg.acl_claim}
        self._nullable_claims = ("iss", "aud", "csrf", "identity", cfg.acl_claim)
        self.blacklist: BlacklistABC | None = None
        if cfg.use_blacklist:
            self.blacklist = build_store(cfg.blacklist_class, cfg.blacklist_init_kwargs)
            self.blacklist.leeway = cfg.leeway
            self.blacklist.skew_margin = cfg.blacklist_skew_margin

    # -- lifecycle -------------------------------------------------------------------------
    async def open(self) -> None:
        """Open the blacklist inside the running event loop (a worker's start)."""
        if self.blacklist is not None:
            await self.blacklist.open()

    async def close(self) -> None:
        """Close the blacklist (a worker's stop)."""
        if self.blacklist is not None:
            await self.blacklist.close()

    def jwks(self) -> dict[str, Any]:
        """The public JWK Set (RFC 7517) of every asymmetric key, for other services to verify."""
        return self.keys.jwks()

    @property
    def can_sign(self) -> bool:
        """False for a verify-only configuration (public keys only)."""
        return self.keys.signing is not None

    # -- creating --------------------------------------------------------------------------
    @staticmethod
    def _header_segment(key: Key | None) -> str | None:
        if key is None:
            return None
        header: dict[str, str] = {"alg": key.alg, "typ": "JWT"}
        if key.kid is not None:
            header["kid"] = key.kid
        return b64url_encode(json.dumps(header, separators=(",", ":")).encode())

    def _create(
        self,
        token_type: TokenType,
        identity: Any,
        role: str | None,
        fresh: Any,
        expires_delta: timedelta | bool | None,
        public_claims: Mapping[str, Any] | None,
        private_claims: Mapping[str, Any] | None,
        iss: str | None,
        aud: str | list[str] | None,
        nbf: datetime | None,
    ) -> str:
        key = self.keys.signing
        if key is None or key.sign is None or self._signing_header is None:
            raise ConfigurationConflictError(
                "this configuration can only verify tokens: it has no private key to sign with"
            )
        claims = build_claims(
            self.config,
            token_type=token_type,
            identity=identity,
            role=role,
            fresh=fresh,
            expires_delta=expires_delta,
            public_claims=public_claims,
            private_claims=private_claims,
            iss=iss,
            aud=aud,
            nbf=nbf,
            now=self._clock(),
        )
        try:
            payload = self._encoder.encode(claims).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise InvalidClaimsError(f"claims are not JSON serializable: {exc}") from None
        signing_input = f"{self._signing_header}.{b64url_encode(payload)}"
        signature = key.sign(signing_input.encode("ascii"))
        raw = f"{signing_input}.{b64url_encode(signature)}"
        if len(raw) > self._max_length:
            raise InvalidClaimsError(
                f"the token would be {len(raw)} characters, over max_token_length "
                f"({self._max_length}); put fewer claims in it"
            )
        return raw

    def create_access_token(
        self,
        identity: Any,
        role: str | None = None,
        fresh: bool | timedelta = False,
        *,
        expires_delta: timedelta | bool | None = None,
        public_claims: Mapping[str, Any] | None = None,
        private_claims: Mapping[str, Any] | None = None,
        iss: str | None = None,
        aud: str | list[str] | None = None,
        nbf: datetime | None = None,
    ) -> str:
        """A new signed access token for `identity` (any JSON value)."""
        return self._create(
            "access",
            identity,
            role,
            fresh,
            expires_delta,
            public_claims,
            private_claims,
            iss,
            aud,
            nbf,
        )

    def create_refresh_token(
        self,
        identity: Any,
        role: str | None = None,
        *,
        expires_delta: timedelta | bool | None = None,
        public_claims: Mapping[str, Any] | None = None,
        private_claims: Mapping[str, Any] | None = None,
        iss: str | None = None,
        aud: str | list[str] | None = None,
        nbf: datetime | None = None,
    ) -> str:
        """A new signed refresh token for `identity` (any JSON value)."""
        return self._create(
            "refresh",
            identity,
            role,
            None,
            expires_delta,
            public_claims,
            private_claims,
            iss,
            aud,
            nbf,
        )

    # -- reading ---------------------------------------------------------------------------
    def _key_for_header(self, segment: str) -> Key:
        """Check a header segment and pick its key from our own configuration only.

        Headers seen on a verified token are cached (see `_verify_signature_and_shape`).
        """
        key = self._header_keys.get(segment)
        if key is not None:
            return key
        header = decode_header_segment(segment)
        alg = header.get("alg")
        if not isinstance(alg, str) or alg.lower() == "none":
            raise JWTDecodeError("the token is unsigned or names no algorithm (alg)")
        forbidden = _FORBIDDEN_HEADER.intersection(header)
        if forbidden:
            raise JWTDecodeError(
                f"the token's header carries {', '.join(sorted(forbidden))}, which is not accepted"
            )
        if "typ" in header and (
            not isinstance(header["typ"], str)
            or header["typ"].lower() not in ("jwt", "application/jwt")
        ):
            raise JWTDecodeError("the token's header has a type (typ) other than JWT")
        if "kid" in header and not isinstance(header["kid"], str):
            raise JWTDecodeError("the token's key id (kid) is not a string")
        found = self.keys.for_header(header.get("kid"))
        if found is None:
            if "kid" not in header:
                raise JWTDecodeError(
                    "the token names no key (kid) and this service has several to choose from"
                )
            raise JWTDecodeError("the token names a key (kid) this service does not have")
        if alg != found.alg:
            raise JWTDecodeError("the token's algorithm (alg) is not the one its key is bound to")
        return found

    def decode(self, raw: str) -> Token:
        """Verify signature and registered claims of `raw` and return its `Token`; any type.

        Raises `JWTDecodeError`, `ExpiredSignatureError` or `InvalidTokenError`. A token that
        verified before is found in a small cache keyed by its exact text, which skips the
        signature check and the parsing; every check that depends on the time still runs.
        """
        if raw.__class__ is not str:
            if not isinstance(raw, str):
                raise JWTDecodeError("the token must be a string")
            raw = str.__add__("", raw)  # a plain str: a subclass could lie about hash or equality
        entry = self._verified.get(raw)
        if entry is None:
            entry = self._verify_signature_and_shape(raw)
        return self._token(raw, entry)

    def _verify_signature_and_shape(self, raw: str) -> Entry:
        header_b64, payload_b64, signature_b64 = split_compact(raw, self._max_length)
        key = self._key_for_header(header_b64)
        # The signature is checked before the payload is decoded or parsed: it covers the
        # segment's text, whatever it holds, so an unsigned payload costs one signature check
        # and no parsing. A signed payload then gets every check of its form and claims.
        check_canonical(payload_b64, "payload")  # one spelling per token, before crypto too
        signature = b64url_decode(signature_b64, "signature")
        signing_input = raw[: len(header_b64) + 1 + len(payload_b64)].encode("ascii")
        if not key.verify(signing_input, signature):
            raise JWTDecodeError("the token's signature does not verify")
        # Only a header that came with a valid signature is cached: unsigned ones cannot fill
        # the cache. Racing threads can overshoot the bound by one entry each, no more.
        if len(self._header_keys) < _HEADER_CACHE_SIZE:
            self._header_keys[header_b64] = key
        payload = decode_json_segment(payload_b64, "payload")
        entry = self._check_shape(payload, key)
        # Only payloads of plain values are cached: a Token hands out its identity and claim
        # values as they are, and a mutable one shared between decodes could be changed by one
        # caller under another.
        if self._cache_size and _SCALARS.issuperset(map(type, payload.values())):
            self._remember(raw, entry)
        return entry

    def _remember(self, raw: str, entry: Entry) -> None:
        """Put a verified entry in the cache, evicting the oldest; safe under threads.

        No lock: every step is one dict operation, atomic under the GIL and in free-threaded
        builds, and a race between two evictions only costs one of them its pick (pop with a
        default), or its iterator (RuntimeError), after which it looks again.
        """
        cache = self._verified
        while len(cache) >= self._cache_size:
            try:
                cache.pop(next(iter(cache)), None)
            except (StopIteration, RuntimeError):  # emptied, or changed, by another thread
                continue
        cache[raw] = entry

    def _check_shape(self, payload: dict[str, Any], key: Key) -> Entry:
        """Every check of a signed payload that does not depend on the time."""
        cfg = self.config
        iat = numeric_date(payload, "iat", required=True)
        nbf = numeric_date(payload, "nbf", required=True)
        exp = numeric_date(payload, "exp", required=False) if "exp" in payload else None
        assert iat is not None
        assert nbf is not None
        sub = payload.get("sub")
        if sub.__class__ is not str or not sub:
            raise InvalidTokenError("the token has no subject (sub)")
        jti = payload.get("jti")
        if jti.__class__ is not str or _UUID.fullmatch(jti) is None:
            raise InvalidTokenError("the token's id (jti) is not a UUID")
        jti = uuid.UUID(jti)  # parsed once per distinct token: revocation keys on it
        token_type = payload.get("type")
        if token_type != "access" and token_type != "refresh":
            raise InvalidTokenError("the token's type is neither access nor refresh")
        for name in self._nullable_claims:
            if name in payload and payload[name] is None:
                raise InvalidTokenError(f"the token's {name!r} claim is null")
        iss = payload.get("iss")
        if cfg.decode_issuer is not None:
            if iss != cfg.decode_issuer:
                raise InvalidTokenError("the token's issuer (iss) is not accepted")
        elif iss is not None and iss.__class__ is not str:
            raise InvalidTokenError("the token's issuer (iss) is malformed")
        aud = payload.get("aud")
        # the usual case, a string audience equal to the one accepted, needs no more checking
        if (aud is not None or self._audiences is not None) and (
            aud.__class__ is not str or aud != self._audiences
        ):
            check_audience(aud, self._audiences)
        fresh: Any = None
        if token_type == "access":
            fresh = payload.get("fresh")
            if fresh is not True and fresh is not False:
                # a NumericDate: fresh until then (numeric_date checks type, finiteness, range)
                fresh = numeric_date(payload, "fresh", required=True)
        role = None
        if cfg.use_acl:
            role = payload.get(cfg.acl_claim)
            if role is not None and role.__class__ is not str:
                raise InvalidTokenError("the token's role claim is not a string")
        csrf = payload.get("csrf")
        if csrf is not None and csrf.__class__ is not str:
            raise InvalidTokenError("the token's csrf claim is malformed")
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
        return (
            Claims(payload),
            token_type,
            identity,
            sub,
            jti,
            iat,
            nbf,
            exp,
            iss,
            aud,
            role,
            fresh,
            csrf,
            key.kid,
        )

    def _token(self, raw: str, entry: Entry) -> Token:
        """Run the time checks on a verified entry and build its `Token`."""
        iat, nbf, exp = entry[5], entry[6], entry[7]
        now = self._clock()
        leeway = self._leeway
        if exp is not None and now >= exp + leeway:  # RFC 7519 4.1.4: valid only before exp
            raise ExpiredSignatureError("the token has expired")
        if now + leeway < nbf:
            raise InvalidTokenError("the token is not valid yet (nbf is in the future)")
        if now + leeway < iat:
            raise InvalidTokenError("the token was issued in the future (iat)")
        fresh = entry[11]
        if fresh is not None and fresh is not True and fresh is not False:
            fresh = now < fresh
        return Token._verified(raw, entry, fresh, self)

    def _public_claims(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        return unflatten_public(payload, self.config.public_claim_namespace)

    def _private_claims(self, payload: Mapping[str, Any]) -> dict[str, Any]:
        prefix = self.config.private_claim_prefix
        if prefix:
            start = prefix + "_"
            return {k[len(start) :]: v for k, v in payload.items() if k.startswith(start)}
        namespace = self.config.public_claim_namespace
        return {
            k: v
            for k, v in payload.items()
            if k not in self._reserved and not (namespace and k.startswith(namespace))
        }

    # -- policy ----------------------------------------------------------------------------
    def check_role_options(
        self, allow: Collection[str] | None, deny: Collection[str] | None
    ) -> None:
        """Refuse role options that cannot work with this configuration."""
        check_role_options(allow, deny, use_acl=self.config.use_acl)

    def needs_csrf(self, location: str, method: str) -> bool:
        """Whether a token read from `location` by a `method` request must bring a CSRF value."""
        cfg = self.config
        return (
            location == "cookies"
            and cfg.csrf_protect
            and method.upper() in cfg.csrf_request_methods
        )

    async def verify(
        self,
        raw: str,
        token_type: Literal["access", "refresh"] = "access",
        fresh_required: bool = False,
        allow: Collection[str] | None = None,
        deny: Collection[str] | None = None,
        *,
        csrf: str | None = None,
        check_csrf: bool = False,
    ) -> Token:
        """Decode `raw`, then check type, CSRF, revocation, freshness and role, in that order."""
        token = self.decode(raw)
        if token.type != token_type:
            raise WrongTokenError(f"only {token_type} tokens are accepted here")
        if check_csrf:
            if not csrf or token.csrf is None:
                raise CSRFError("the CSRF value is missing")
            if not hmac.compare_digest(
                csrf.encode("utf-8", "surrogatepass"), token.csrf.encode("utf-8", "surrogatepass")
            ):
                raise CSRFError("the CSRF value does not match the token")
        if self.blacklist is not None and await self._store_call(
            self.blacklist.is_blacklisted(token)
        ):
            raise RevokedTokenError("the token has been revoked")
        if fresh_required and not token.fresh:
            raise FreshTokenRequiredError("a fresh token is required")
        if allow is not None or deny is not None:
            self.check_role_options(allow, deny)
            if allow is not None and token.role not in allow:
                raise AccessDeniedError("this role is not allowed here")
            if deny is not None and token.role in deny:
                raise AccessDeniedError("this role is denied here")
        return token

    # -- revoking --------------------------------------------------------------------------
    def _require_blacklist(self) -> BlacklistABC:
        if self.blacklist is None:
            raise ConfigurationConflictError("revoking tokens needs use_blacklist=True")
        return self.blacklist

    async def _store_call(self, call: Any) -> Any:
        """Await a store call within `blacklist_timeout`; any failure means the store is down."""
        try:
            if self.blacklist is not None and not self.blacklist.performs_io:
                return await call  # nothing to wait for: no timer, no extra task
            if _timeout is not None:
                async with _timeout(self.config.blacklist_timeout):
                    return await call
            return await asyncio.wait_for(call, self.config.blacklist_timeout)
        except (asyncio.CancelledError, NotImplementedError):
            raise  # NotImplementedError: a store without revoke_all support, not a fault
        except Exception as exc:
            raise RevocationStoreUnavailableError(
                "the revocation store is unavailable; try again shortly"
            ) from exc

    async def revoke(self, token: Token) -> None:
        """Revoke one token until it expires."""
        blacklist = self._require_blacklist()
        if not isinstance(token, Token):
            raise TypeError("revoke() takes a Token (from decode or verify), not a raw string")
        await self._store_call(blacklist.register(token))

    async def revoke_all(self, identity: Any) -> None:
        """Revoke every token of `identity` issued up to now; later tokens stay valid.

        The cut-off is the current millisecond of the manager's clock: a token is revoked when
        its `iat` lies in that millisecond or before. The call returns once that clock has
        moved past it, so a token minted after it returns is never revoked. A clock that stands
        still (a test's manual clock) is waited for at most `_REVOKE_ALL_WAIT` seconds of real
        time; tokens minted before it moves on fall under the cut-off.
        """
        blacklist = self._require_blacklist()
        subject, _ = subject_of(identity, self.config.json_encoder)
        # the millisecond as build_claims writes it into iat (floor of now * 1000)
        cutoff_ms = math.floor(self._clock() * 1000)
        # The cut-off is kept for good: a token made with expires_delta=False, or with a longer
        # expires_delta than the configured ones, could otherwise outlive it. It costs one entry
        # per identity, not per token.
        await self._store_call(blacklist.register_cutoff(subject, cutoff_ms, None))
        deadline = time.monotonic() + _REVOKE_ALL_WAIT
        while math.floor((now := self._clock()) * 1000) <= cutoff_ms:
            if time.monotonic() >= deadline:
                return
            await asyncio.sleep(min(max((cutoff_ms + 1) / 1000 - now, 0.0), 0.001))
