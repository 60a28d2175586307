"""`TokenManager`: mints, decodes, verifies and revokes tokens for one configuration."""

from __future__ import annotations

import asyncio
import time
import warnings
from collections.abc import Callable, Collection, Mapping
from datetime import datetime, timedelta
from typing import Any

from jwt_core._claims import (
    ClaimRules,
    MintRequest,
    build_claims,
    check_csrf,
    check_role,
    check_times,
    claim_layout,
    subject_of,
)
from jwt_core._jws import encode_compact, header_segment
from jwt_core._keys import KeyRing, build_keyring
from jwt_core._verifier import Verifier
from jwt_core.blacklist.base import BlacklistABC, build_store, millisecond_of
from jwt_core.config import Config
from jwt_core.errors import (
    ConfigurationConflictError,
    FreshTokenRequiredError,
    InvalidClaimsError,
    JWTDecodeError,
    RevocationStoreUnavailableError,
    RevokedTokenError,
    WrongTokenError,
)
from jwt_core.policy import CsrfProof, Policy, legacy_verify_arguments
from jwt_core.sessions import Sessions, TokenPair
from jwt_core.token import Token

__all__ = ["TokenManager"]

_ACCESS = Policy()
# asyncio.timeout (3.11+) bounds an await without the extra task wait_for creates.
_timeout = getattr(asyncio, "timeout", None)
# How long revoke_all waits, in real time, for the manager's clock to leave the cut-off's
# millisecond: a real clock takes at most 1 ms; a clock that stands still is not waited for.
_REVOKE_ALL_WAIT = 0.005


def _deprecated(name: str, instead: str) -> None:
    warnings.warn(f"{name} is deprecated: use {instead}", DeprecationWarning, stacklevel=3)


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
        self._max_length = cfg.max_token_length
        signing = self.keys.signing
        self._signing_header = None if signing is None else header_segment(signing.alg, signing.kid)
        self._verifier = Verifier(
            self.keys, ClaimRules.of(cfg), cfg.max_token_length, cfg.verified_token_cache_size
        )
        self._verified = self._verifier.verified  # read directly by decode: the hot path
        self._layout = claim_layout(cfg)
        self._revoker = self.revoke  # bound once: every Token of this manager shares it
        self._new_token = Token._verified  # bound once too: decode's last step
        self.blacklist: BlacklistABC | None = None
        if cfg.use_blacklist:
            self.blacklist = build_store(cfg.blacklist_class, cfg.blacklist_init_kwargs)
            self.blacklist.leeway = cfg.leeway
            self.blacklist.skew_margin = cfg.blacklist_skew_margin
        self._sessions = Sessions(
            cfg, self._create, self.verify, clock, self.blacklist, self._store_call
        )

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
    def _create(self, request: MintRequest) -> str:
        key = self.keys.signing
        if key is None or key.sign is None or self._signing_header is None:
            raise ConfigurationConflictError(
                "this configuration can only verify tokens: it has no private key to sign with"
            )
        claims = build_claims(self.config, self._layout, request, self._clock())
        try:
            payload = self._encoder.encode(claims).encode("utf-8")
        except (TypeError, ValueError) as exc:
            raise InvalidClaimsError(f"claims are not JSON serializable: {exc}") from None
        raw = encode_compact(self._signing_header, payload, key.sign)
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
        options = (public_claims, private_claims, iss, aud, nbf)  # in MintRequest's order
        return self._create(MintRequest("access", identity, role, fresh, expires_delta, *options))

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
        options = (public_claims, private_claims, iss, aud, nbf)  # in MintRequest's order
        return self._create(MintRequest("refresh", identity, role, None, expires_delta, *options))

    # -- reading ---------------------------------------------------------------------------
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
        claims = self._verified.get(raw)
        if claims is None:
            claims = self._verifier.verify(raw)
        fresh = check_times(claims, self._clock(), self._leeway)
        return self._new_token(raw, claims, fresh, self._layout, self._revoker)

    # -- verifying -------------------------------------------------------------------------
    async def verify(
        self,
        raw: str,
        policy: Policy | str = _ACCESS,
        *legacy: Any,
        csrf: CsrfProof | str | None = None,
        **legacy_options: Any,
    ) -> Token:
        """Decode `raw`, then check type, CSRF, revocation, freshness and role, in that order.

        `policy` says what the caller asks (an access token, any role, by default); `csrf` is
        what the request sent for CSRF, compared with the token's own when `csrf.required`.
        The pre-`Policy` form, `verify(raw, token_type, fresh_required, allow, deny,
        csrf=value, check_csrf=bool)`, still works and warns (`DeprecationWarning`).
        """
        if legacy or legacy_options or not isinstance(policy, Policy) or isinstance(csrf, str):
            policy, csrf, conflict = legacy_verify_arguments(policy, legacy, legacy_options, csrf)
            token = await self.verify(raw, policy, csrf=csrf)
            if conflict is not None:
                raise conflict
            return token
        token = self.decode(raw)
        if token.type != policy.token_type:
            raise WrongTokenError(f"only {policy.token_type} tokens are accepted here")
        if csrf is not None and csrf.required:
            check_csrf(csrf.value, token.csrf)
        if self.blacklist is not None and await self._store_call(
            self.blacklist.is_blacklisted(token)
        ):
            raise RevokedTokenError("the token has been revoked")
        if policy.fresh_required and not token.fresh:
            raise FreshTokenRequiredError("a fresh token is required")
        if policy.allow is not None or policy.deny is not None:
            policy.check(self.config)  # roles need use_acl, for callers that skip startup checks
            check_role(token.role, policy.allow, policy.deny)
        return token

    def check_role_options(
        self, allow: Collection[str] | None, deny: Collection[str] | None
    ) -> None:
        """Deprecated: `Policy(allow=..., deny=...).check(config)`."""
        _deprecated("TokenManager.check_role_options", "Policy(...).check(manager.config)")
        Policy(allow=allow, deny=deny).check(self.config)

    def needs_csrf(self, location: str, method: str) -> bool:
        """Deprecated: the adapter decides, and passes `verify(..., csrf=CsrfProof(...))`."""
        _deprecated("TokenManager.needs_csrf", "CsrfProof(value, required)")
        # options of the adapter now: its HttpConfig's own, or those given to a core Config
        protect = self.config._moved_option("csrf_protect")
        methods = self.config._moved_option("csrf_request_methods")
        return location == "cookies" and bool(protect) and method.upper() in methods

    # -- revoking --------------------------------------------------------------------------
    def _require_blacklist(self) -> BlacklistABC:
        if self.blacklist is None:
            raise ConfigurationConflictError("revoking tokens needs use_blacklist=True")
        return self.blacklist

    async def _store_call(self, call: Any, *, writes: bool = False) -> Any:
        """Await a store call within `blacklist_timeout`; any failure means the store is down.

        A check of a store that answers without I/O (`performs_io` false: memory, a replica)
        is awaited directly; `writes` marks a call that goes to the store itself whatever its
        replica (consuming a refresh token), always bounded.
        """
        try:
            if not writes and self.blacklist is not None and not self.blacklist.performs_io:
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
        # the millisecond as build_claims writes it into iat
        cutoff_ms = millisecond_of(self._clock())
        # The cut-off is kept for good: a token made with expires_delta=False, or with a longer
        # expires_delta than the configured ones, could otherwise outlive it. It costs one entry
        # per identity, not per token.
        await self._store_call(blacklist.register_cutoff(subject, cutoff_ms, None))
        deadline = time.monotonic() + _REVOKE_ALL_WAIT
        while millisecond_of(now := self._clock()) <= cutoff_ms:
            if time.monotonic() >= deadline:
                return
            await asyncio.sleep(min(max((cutoff_ms + 1) / 1000 - now, 0.0), 0.001))

    # -- sessions (jwt_core.sessions) ----------------------------------------------------
    def start_session(
        self,
        identity: Any,
        role: str | None = None,
        *,
        fresh: bool | timedelta = True,
        public_claims: Mapping[str, Any] | None = None,
        private_claims: Mapping[str, Any] | None = None,
        iss: str | None = None,
        aud: str | list[str] | None = None,
    ) -> TokenPair:
        """A login: an access and a refresh token of a new family (`fam`), `auth_time` now."""
        options = (public_claims, private_claims, iss, aud)
        return self._sessions.start(identity, role, fresh, *options)

    async def rotate(self, refresh: Token | str, *, fresh: bool = False) -> TokenPair:
        """Consume a refresh token and give the next pair of its family.

        Presenting a consumed one again revokes the family and raises `RevokedTokenError`,
        except a retry within `refresh_reuse_grace` while its successor is unused, which gets
        that successor again; at the session's maximum age, `ExpiredSignatureError`.
        """
        return await self._sessions.rotate(refresh, fresh)

    def slide(self, access: Token) -> str | None:
        """A new access token for a verified session token with less than
        `sliding_session_threshold` left, else None (no store call: check revocation first)."""
        return self._sessions.slide(access)

    async def logout(self, token: Token, refresh: Token | None = None) -> None:
        """End a session: revoke `token`, `refresh` when given, and their family."""
        await self._sessions.logout(token, refresh)
