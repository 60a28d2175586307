"""Sessions: a login's family of tokens, refresh-token rotation with reuse detection, sliding.

A login (`start_session`) starts a family: every access and refresh token of it carries the
family id (`fam`) and the time of the login (`auth_time`). Rotating a refresh token consumes it
in the revocation store, atomically, and gives a new pair of the same family; presenting a
consumed one again is reuse (RFC 9700, section 4.14.2): the whole family is revoked, one store
entry for all its tokens. A retry within `refresh_reuse_grace` of the consumption, while its
successor is unused, gets that same successor again instead: a client that lost the answer to
its refresh is not logged out. No token of a family outlives `auth_time + session_max_age`.
"""

from __future__ import annotations

import logging
import math
import uuid
from collections.abc import Awaitable, Callable, Mapping
from datetime import timedelta
from typing import Any, Literal, NamedTuple

from jwt_core._claims import MintRequest, SessionClaims, new_jti
from jwt_core.blacklist.base import BlacklistABC, millisecond_of
from jwt_core.config import Config
from jwt_core.errors import (
    ConfigurationConflictError,
    ExpiredSignatureError,
    RevokedTokenError,
)
from jwt_core.policy import Policy
from jwt_core.token import Token

__all__ = ["TokenPair"]

logger = logging.getLogger("jwt_core.sessions")

_REFRESH = Policy(token_type="refresh")


class _Carried(NamedTuple):
    """What a session's tokens carry over from one to the next."""

    identity: Any
    role: str | None
    public: Mapping[str, Any] | None
    private: Mapping[str, Any] | None
    iss: str | None
    aud: str | list[str] | None


class TokenPair(NamedTuple):
    """What a login or a rotation gives: an access token and a refresh token of one family."""

    access_token: str
    refresh_token: str


def new_family() -> str:
    """A new family id: 32 lowercase hex characters (a random UUID)."""
    return uuid.uuid4().hex


class Sessions:
    """The session rules of one `TokenManager`: what to mint, and what to ask the store.

    `mint` signs a `MintRequest`; `verify` is the manager's; `store_call(call, writes=True)`
    awaits a store call within `blacklist_timeout`, a fault becoming
    `RevocationStoreUnavailableError`.
    """

    def __init__(
        self,
        config: Config,
        mint: Callable[[MintRequest], str],
        verify: Callable[[str, Policy], Awaitable[Token]],
        clock: Callable[[], float],
        store: BlacklistABC | None,
        store_call: Callable[..., Awaitable[Any]],
    ) -> None:
        self._config = config
        self._mint = mint
        self._verify = verify
        self._clock = clock
        self._store = store
        self._store_call = store_call
        max_age = config.session_max_age
        self._max_age = None if max_age is False else int(max_age.total_seconds())
        self._grace_ms = int(config.refresh_reuse_grace.total_seconds() * 1000)
        threshold = config.sliding_session_threshold
        self._threshold = None if threshold is False else threshold.total_seconds()
        # how long after a token is minted an entry about it may be needed: its lifetime plus
        # leeway and skew margin (None: for ever)
        access, refresh = config.access_token_expires, config.refresh_token_expires
        self._longest = (
            None if access is False or refresh is False else max(access, refresh).total_seconds()
        )
        self._margin = (config.leeway + config.blacklist_skew_margin).total_seconds()

    # -- the rules -----------------------------------------------------------------------------
    def _limit(self, auth_time: int) -> int | None:
        """The epoch second the session ends (None: no maximum age)."""
        return None if self._max_age is None else auth_time + self._max_age

    @staticmethod
    def _exp(lifetime: timedelta | Literal[False], now: float, limit: int | None) -> int | None:
        """A new token's `exp`: its lifetime from now, never past the session's end."""
        exp = None if lifetime is False else int(now + lifetime.total_seconds())
        if limit is None:
            return exp
        return limit if exp is None else min(exp, limit)

    def _entries_until_ms(self, now: float, limit: int | None) -> int | None:
        """When the store may forget a family's entries: once every token of it minted up to
        now can no longer be accepted (None: never)."""
        bound = None if self._longest is None else now + self._longest
        if limit is not None:
            bound = limit if bound is None else min(bound, limit)
        return None if bound is None else math.ceil((bound + self._margin) * 1000)

    def _consumed_until_ms(self, now: float, limit: int | None, exp: float | None) -> int | None:
        """When the store may forget a consumed token (and the family, if reused): not before
        the family's entries may go, nor before the token itself could no longer be accepted
        (one minted by `create_refresh_token` may outlive the configured lifetimes)."""
        until = self._entries_until_ms(now, limit)
        if until is None or exp is None:
            return None
        return max(until, math.ceil((exp + self._margin) * 1000))

    def _access_exp(self, now: float, limit: int | None) -> int | None:
        return self._exp(self._config.access_token_expires, now, limit)

    @staticmethod
    def _request(
        token_type: Literal["access", "refresh"],
        claims: _Carried,
        fresh: bool | timedelta | None,
        session: SessionClaims,
    ) -> MintRequest:
        """What to mint: `claims` as a session token of `session` (its `exp`, or none)."""
        identity, role, public, private, iss, aud = claims
        expires = None if session.exp is not None else False
        return MintRequest(
            token_type, identity, role, fresh, expires, public, private, iss, aud, None, session
        )

    def _require_store(self) -> BlacklistABC:
        if self._store is None:
            raise ConfigurationConflictError(
                "sessions need use_blacklist=True: the store records consumed refresh tokens "
                "and revoked families"
            )
        return self._store

    # -- the operations ------------------------------------------------------------------------
    def start(
        self,
        identity: Any,
        role: str | None,
        fresh: bool | timedelta,
        public: Mapping[str, Any] | None,
        private: Mapping[str, Any] | None,
        iss: str | None,
        aud: str | list[str] | None,
    ) -> TokenPair:
        """A login: a new family, `auth_time` now."""
        now = self._clock()
        family, auth_time = new_family(), int(now)
        limit = self._limit(auth_time)
        claims = _Carried(identity, role, public, private, iss, aud)
        access = SessionClaims(family, auth_time, self._access_exp(now, limit))
        refresh = SessionClaims(
            family, auth_time, self._exp(self._config.refresh_token_expires, now, limit)
        )
        return TokenPair(
            self._mint(self._request("access", claims, fresh, access)),
            self._mint(self._request("refresh", claims, None, refresh)),
        )

    async def rotate(self, refresh: Token | str, fresh: bool) -> TokenPair:
        """Consume `refresh` and give the next pair of its family, or detect its reuse."""
        raw = refresh.raw_jwt if isinstance(refresh, Token) else refresh
        token = await self._verify(raw, _REFRESH)  # type, signature, times, revocation, family
        store = self._require_store()
        now = self._clock()
        verified = token._claims
        # A token minted outside a session starts one: its family is named after its own jti,
        # so that a retry of its rotation finds the same family again.
        family = verified.family or verified.jti.hex
        auth_time = verified.auth_time if verified.auth_time is not None else int(verified.iat)
        limit = self._limit(auth_time)
        if limit is not None and now >= limit:
            raise ExpiredSignatureError("the session has reached its maximum age")
        exp = self._exp(self._config.refresh_token_expires, now, limit)
        successor = uuid.UUID(new_jti())
        consumed = await self._store_call(
            store.consume_refresh(
                verified.jti,
                family,
                successor,
                millisecond_of(now),
                None if exp is None else exp * 1000,
                millisecond_of(now),
                self._grace_ms,
                self._consumed_until_ms(now, limit, verified.exp),
            ),
            writes=True,
        )
        if consumed.outcome == "reused":
            logger.warning("refresh token reuse: family=%s identity=%s", family, token.sub)
            raise RevokedTokenError("the refresh token was used already: its session is revoked")
        claims = _Carried(
            verified.identity,
            verified.role,
            token.public_claims,
            token.private_claims,
            verified.iss,
            verified.aud,
        )
        recorded_exp = consumed.successor_exp_ms
        next_refresh = SessionClaims(
            family,
            auth_time,
            None if recorded_exp is None else recorded_exp // 1000,
            str(consumed.successor_jti),
            consumed.successor_iat_ms,
        )
        access = SessionClaims(family, auth_time, self._access_exp(now, limit))
        return TokenPair(
            self._mint(self._request("access", claims, fresh, access)),
            self._mint(self._request("refresh", claims, None, next_refresh)),
        )

    def slide(self, access: Token) -> str | None:
        """A new access token for a session's `access` when less than the threshold is left."""
        verified = access._claims
        if (
            self._threshold is None
            or verified.type != "access"
            or verified.family is None
            or verified.auth_time is None
            or verified.exp is None
        ):
            return None
        now = self._clock()
        if verified.exp - now >= self._threshold:
            return None
        exp = self._access_exp(now, self._limit(verified.auth_time))
        if exp is None or exp <= verified.exp:  # the session's end is as far as it goes
            return None
        claims = _Carried(
            verified.identity,
            verified.role,
            access.public_claims,
            access.private_claims,
            verified.iss,
            verified.aud,
        )
        session = SessionClaims(verified.family, verified.auth_time, exp)
        return self._mint(self._request("access", claims, False, session))

    async def logout(self, token: Token, refresh: Token | None) -> None:
        """Revoke `token`, `refresh` (when given) and their families."""
        store = self._require_store()
        now = self._clock()
        tokens = [token] if refresh is None else [token, refresh]
        for each in tokens:
            await self._store_call(store.register(each), writes=True)
        families: dict[str, int] = {}
        for each in tokens:
            if each._claims.family is not None and each._claims.auth_time is not None:
                families[each._claims.family] = each._claims.auth_time
        for family, auth_time in families.items():
            until = self._entries_until_ms(now, self._limit(auth_time))
            try:
                await self._store_call(store.register_family(family, until), writes=True)
            except NotImplementedError:
                logger.debug("%s keeps no families: logout revoked the tokens only", store)
                return
