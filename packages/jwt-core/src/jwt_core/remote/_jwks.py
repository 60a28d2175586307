"""`RemoteKeySet`: the keys one issuer publishes at its `jwks_uri`, fetched and cached.

Asynchronous throughout (httpx), so nothing blocks the event loop. One fetch at a time: every
request that needs the set while a fetch is under way waits for that one. The set is kept for
the `Cache-Control: max-age` the provider sends, bounded by `min_cache`/`max_cache`, and
refreshed in the background once `refresh_ahead` of that time has passed. When the provider
fails, the last good set keeps serving up to `stale_limit` past its expiry; after that, or when
no set was ever fetched, tokens are refused with `KeySetUnavailableError` (fail closed, 503).
A `kid` the set lacks triggers at most one refetch per `unknown_kid_cooldown`.
"""

from __future__ import annotations

import asyncio
import json
import re
import time
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from typing import Any

from jwt_core._keys import EC_ALGORITHMS, RSA_ALGORITHMS, Key, build_key
from jwt_core._pss_eddsa import EDDSA_ALGORITHMS, PSS_ALGORITHMS
from jwt_core.errors import ConfigurationConflictError, JWTDecodeError, KeySetUnavailableError

_timeout = getattr(asyncio, "timeout", None)
_MAX_AGE = re.compile(r"(?:^|[,\s])max-age\s*=\s*\"?(\d{1,10})\"?", re.IGNORECASE)
_NO_CACHE = re.compile(r"(?:^|[,\s])(?:no-store|no-cache)(?:$|[,\s=])", re.IGNORECASE)
_EC_CURVE_ALG = {"P-256": "ES256", "P-384": "ES384", "P-521": "ES512"}
_MAX_KEYS = 100
_ASYMMETRIC = (*RSA_ALGORITHMS, *PSS_ALGORITHMS, *EC_ALGORITHMS, *EDDSA_ALGORITHMS)
# The public members of each key type, all a verifier needs (a published `d` is never used).
_PUBLIC_MEMBERS = {
    "RSA": ("kty", "n", "e"),
    "EC": ("kty", "crv", "x", "y"),
    "OKP": ("kty", "crv", "x"),
}


def _algorithms_for(jwk: Mapping[str, Any], accepted: Collection[str]) -> list[str]:
    """The accepted algorithms a JWK may verify: its own `alg`, else those its kind allows."""
    alg = jwk.get("alg")
    if alg is not None:
        return [alg] if isinstance(alg, str) and alg in accepted else []
    kty = jwk.get("kty")
    if kty == "RSA":
        fits: tuple[str, ...] = (*RSA_ALGORITHMS, *PSS_ALGORITHMS)
    elif kty == "EC":
        fits = tuple(a for c, a in _EC_CURVE_ALG.items() if jwk.get("crv") == c)
    elif kty == "OKP":
        fits = EDDSA_ALGORITHMS if jwk.get("crv") == "Ed25519" else ()
    else:
        fits = ()
    return [a for a in fits if a in accepted]


def keys_from_jwks(
    document: Any, accepted: Collection[str]
) -> tuple[dict[str, dict[str, Key]], int]:
    """The usable signing keys of a JWK Set as {kid: {alg: Key}}, and how many were skipped.

    A key is skipped when it has no `kid`, is not for signatures, names an algorithm not
    accepted here, or is not a usable key of its kind (an RSA key under 2048 bits, say).
    """
    if not isinstance(document, dict) or not isinstance(document.get("keys"), list):
        raise ValueError("the JWKS is not a JSON object with a keys list")
    found: dict[str, dict[str, Key]] = {}
    skipped = 0
    for jwk in document["keys"][:_MAX_KEYS]:
        kid = jwk.get("kid") if isinstance(jwk, dict) else None
        kty = jwk.get("kty") if isinstance(jwk, dict) else None
        members = _PUBLIC_MEMBERS.get(kty) if isinstance(kty, str) else None
        if not isinstance(kid, str) or not kid or members is None or kid in found:
            skipped += 1
            continue
        if jwk.get("use", "sig") != "sig":
            skipped += 1
            continue
        public = {m: jwk[m] for m in members if m in jwk}
        by_alg: dict[str, Key] = {}
        for alg in _algorithms_for(jwk, accepted):
            try:
                by_alg[alg] = build_key(alg, public=public, kid=kid)
            except ConfigurationConflictError:
                continue
        if by_alg:
            found[kid] = by_alg
        else:
            skipped += 1
    skipped += max(0, len(document["keys"]) - _MAX_KEYS)
    return found, skipped


def _cache_seconds(cache_control: str | None, default: float, low: float, high: float) -> float:
    """How long a response may be used: its max-age, else `default`, within [low, high]."""
    seconds = default
    if cache_control:
        if _NO_CACHE.search(cache_control):
            seconds = low
        else:
            match = _MAX_AGE.search(cache_control)
            if match is not None:
                seconds = float(match.group(1))
    return min(max(seconds, low), high)


@dataclass(frozen=True, slots=True)
class KeySetHealth:
    """What a `RemoteKeySet` can tell a log line or a health endpoint; never key material."""

    jwks_uri: str
    keys: int
    fetches: int
    failures: int
    last_fetch: float | None  # when the last fetch ended, success or not (the clock's time)
    last_success: float | None
    age: float | None  # seconds since the set in use was fetched
    expires_in: float | None  # seconds until it is stale (negative: serving stale)
    last_error: str | None

    @property
    def serving(self) -> bool:
        return self.keys > 0


class RemoteKeySet:
    """The JWK Set at `jwks_uri`, fetched with httpx, shared by every request of one process."""

    def __init__(
        self,
        jwks_uri: str,
        *,
        algorithms: Collection[str] = ("RS256",),
        default_cache: float = 300.0,
        min_cache: float = 60.0,
        max_cache: float = 86400.0,
        refresh_ahead: float = 0.8,
        stale_limit: float = 21600.0,
        unknown_kid_cooldown: float = 30.0,
        retry_interval: float = 10.0,
        timeout: float = 5.0,
        max_bytes: int = 512 * 1024,
        headers: Mapping[str, str] | None = None,
        client: Any = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        if not isinstance(jwks_uri, str) or not jwks_uri.startswith(("https://", "http://")):
            raise ConfigurationConflictError("jwks_uri must be an http(s) URL")
        unknown = set(algorithms) - set(_ASYMMETRIC)
        if not algorithms or unknown:
            raise ConfigurationConflictError(
                f"a remote key set takes asymmetric algorithms only ({', '.join(_ASYMMETRIC)})"
                + (f"; not {', '.join(sorted(unknown))}" if unknown else "")
            )
        if not 0 < min_cache <= default_cache <= max_cache:
            raise ConfigurationConflictError("need 0 < min_cache <= default_cache <= max_cache")
        if not 0 < refresh_ahead <= 1:
            raise ConfigurationConflictError("refresh_ahead must be in (0, 1]")
        for name, value in (
            ("stale_limit", stale_limit),
            ("unknown_kid_cooldown", unknown_kid_cooldown),
            ("retry_interval", retry_interval),
            ("timeout", timeout),
        ):
            if not isinstance(value, int | float) or value < 0 or value != value:
                raise ConfigurationConflictError(f"{name} must be a number of seconds >= 0")
        if timeout <= 0 or max_bytes <= 0:
            raise ConfigurationConflictError("timeout and max_bytes must be positive")
        self.jwks_uri = jwks_uri
        self.algorithms = frozenset(algorithms)
        self._default, self._low, self._high = default_cache, min_cache, max_cache
        self._ahead = refresh_ahead
        self._stale_limit = stale_limit
        self._cooldown = unknown_kid_cooldown
        self._retry = retry_interval
        self._timeout = timeout
        self._max_bytes = max_bytes
        self._headers = {"Accept": "application/json", **(headers or {})}
        self._client = client
        self._own_client: Any = None
        self._clock = clock
        self._keys: dict[str, dict[str, Key]] = {}
        self._fetched_at: float | None = None
        self._ttl = 0.0
        self._inflight: asyncio.Task[None] | None = None
        self._last_kid_refetch: float | None = None
        self._next_attempt = float("-inf")
        self._fetches = 0
        self._failures = 0
        self._last_fetch: float | None = None
        self._last_error: str | None = None

    # -- the public surface ----------------------------------------------------------------
    async def key_for(self, kid: str | None, alg: str) -> Key:
        """The key a verified header names, fetching or refreshing the set as needed."""
        if alg not in self.algorithms:
            raise JWTDecodeError("the token's algorithm (alg) is not accepted for its issuer")
        await self._ensure_current()
        key = self._pick(kid, alg)
        if key is None and kid is not None and kid not in self._keys and self._may_refetch():
            self._last_kid_refetch = self._clock()
            await self._fetch_shared()
            key = self._pick(kid, alg)
        if key is None:
            if kid is None:
                raise JWTDecodeError("the token names no key (kid) and its issuer has several")
            if kid in self._keys:
                raise JWTDecodeError(
                    "the token's algorithm (alg) is not the one its key is bound to"
                )
            raise JWTDecodeError("the token names a key (kid) its issuer does not publish")
        return key

    async def refresh(self) -> None:
        """Fetch the set now (joining a fetch under way); raise `KeySetUnavailableError` if none."""
        await self._fetch_shared()
        if not self._keys:
            raise _unavailable()

    def health(self) -> KeySetHealth:
        now = self._clock()
        fetched = self._fetched_at
        return KeySetHealth(
            jwks_uri=self.jwks_uri,
            keys=len(self._keys),
            fetches=self._fetches,
            failures=self._failures,
            last_fetch=self._last_fetch,
            last_success=fetched,
            age=None if fetched is None else now - fetched,
            expires_in=None if fetched is None else fetched + self._ttl - now,
            last_error=self._last_error,
        )

    async def aclose(self) -> None:
        """Stop a fetch under way and close the HTTP client this set made for itself."""
        task, self._inflight = self._inflight, None
        if task is not None and not task.done():
            task.cancel()
        client, self._own_client = self._own_client, None
        if client is not None:
            await client.aclose()

    # -- the cache -------------------------------------------------------------------------
    def _pick(self, kid: str | None, alg: str) -> Key | None:
        if kid is None:
            candidates = [k[alg] for k in self._keys.values() if alg in k]
            return candidates[0] if len(candidates) == 1 else None
        return self._keys.get(kid, {}).get(alg)

    def _may_refetch(self) -> bool:
        last = self._last_kid_refetch
        return self._inflight is not None or last is None or self._clock() - last >= self._cooldown

    async def _ensure_current(self) -> None:
        """Serve the set while fresh; refresh ahead in the background; wait only when needed."""
        now = self._clock()
        fetched = self._fetched_at
        if fetched is None or not self._keys:
            if self._inflight is None and now < self._next_attempt:
                raise _unavailable()
            await self._fetch_shared()
            if not self._keys:
                raise _unavailable()
            return
        age = now - fetched
        if age < self._ttl * self._ahead:
            return
        if age < self._ttl + self._stale_limit:
            if self._inflight is None and now >= self._next_attempt:
                self._start_fetch()
            return
        # past the stale limit: only a fetch that succeeds now lets the token through
        if self._inflight is not None or now >= self._next_attempt:
            await self._fetch_shared()
        fetched = self._fetched_at
        if fetched is None or self._clock() - fetched >= self._ttl + self._stale_limit:
            raise KeySetUnavailableError(
                "the issuer's keys are out of date and cannot be refreshed; try again shortly"
            )

    def _start_fetch(self) -> asyncio.Task[None]:
        task = self._inflight
        if task is None or task.done():
            task = asyncio.get_running_loop().create_task(self._fetch())
            self._inflight = task
        return task

    async def _fetch_shared(self) -> None:
        """Wait for the one fetch in flight (starting it if none); a waiter's cancel spares it."""
        await asyncio.shield(self._start_fetch())

    async def _fetch(self) -> None:
        try:
            self._fetches += 1
            try:
                body, cache_control = await self._download()
                document = json.loads(body)
                found, skipped = keys_from_jwks(document, self.algorithms)
                if not found:
                    raise ValueError("the JWKS holds no usable signing key")
            except asyncio.CancelledError:
                raise
            except Exception as exc:
                self._failures += 1
                self._last_error = _describe(exc)
                self._next_attempt = self._clock() + self._retry
                return
            now = self._clock()
            self._keys = found
            self._fetched_at = now
            self._ttl = _cache_seconds(cache_control, self._default, self._low, self._high)
            self._last_error = f"{skipped} keys skipped" if skipped else None
        finally:
            self._last_fetch = self._clock()
            self._inflight = None

    async def _download(self) -> tuple[bytes, str | None]:
        client = self._client
        if client is None:
            client = self._own_client
            if client is None:
                import httpx

                client = self._own_client = httpx.AsyncClient(
                    timeout=httpx.Timeout(self._timeout), follow_redirects=False
                )
        if _timeout is not None:
            async with _timeout(self._timeout):  # the whole exchange, not each read
                return await self._read(client)
        return await asyncio.wait_for(self._read(client), self._timeout)

    async def _read(self, client: Any) -> tuple[bytes, str | None]:
        async with client.stream("GET", self.jwks_uri, headers=self._headers) as response:
            if response.status_code != 200:
                raise _FetchError(f"HTTP status {response.status_code}")
            declared = response.headers.get("content-length")
            if declared is not None and declared.isdigit() and int(declared) > self._max_bytes:
                raise _FetchError(f"the response is larger than {self._max_bytes} bytes")
            chunks: list[bytes] = []
            size = 0
            async for chunk in response.aiter_bytes():
                size += len(chunk)
                if size > self._max_bytes:
                    raise _FetchError(f"the response is larger than {self._max_bytes} bytes")
                chunks.append(chunk)
            return b"".join(chunks), response.headers.get("cache-control")


def _unavailable() -> KeySetUnavailableError:
    return KeySetUnavailableError("the issuer's keys cannot be fetched; try again shortly")


class _FetchError(Exception):
    pass


def _describe(exc: Exception) -> str:
    """A log-safe account of a failed fetch: the kind of failure, never the body."""
    if isinstance(exc, _FetchError):
        return str(exc)
    import httpx

    if isinstance(exc, TimeoutError | asyncio.TimeoutError | httpx.TimeoutException):
        return "timed out"
    if isinstance(exc, json.JSONDecodeError | UnicodeDecodeError | RecursionError):
        return "the response is not JSON"
    if isinstance(exc, ValueError):
        return str(exc)
    return type(exc).__name__
