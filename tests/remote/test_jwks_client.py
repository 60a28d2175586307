"""The async JWKS client against a real loopback server: caching, one fetch, floods, faults."""

from __future__ import annotations

import asyncio
import json
import logging
import uuid
from typing import Any

import pytest
from joserfc import jws as joserfc_jws
from joserfc.jwk import import_key

from jwt_core import (
    ConfigurationConflictError,
    InvalidTokenError,
    JWTDecodeError,
    KeySetUnavailableError,
    TokenRefusedError,
)
from jwt_core.remote import Issuer, RemoteKeySet, TrustedIssuers, keys_from_jwks
from tests.remote.conftest import MakeIssuers, claims, sign
from tests.remote.jwks_provider import JWKSProvider, b64url, free_port, new_key, until
from tests.support.clock import ManualClock


def segment(value: Any) -> str:
    return b64url(json.dumps(value).encode())


FAMILIES = ["RS256", "RS512", "PS256", "PS384", "ES256", "ES384", "ES512", "EdDSA"]


@pytest.mark.parametrize("alg", FAMILIES)
async def test_pyjwt_tokens_of_every_family_verify_with_one_fetch(
    alg: str, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    key = new_key(alg)
    provider = JWKSProvider(keys=[key, new_key("RS256", "other")])
    await provider.start()
    try:
        issuers = make_issuers(provider, algorithms=[alg])
        for n in range(20):
            token = await issuers.verify(sign(key, claims(provider.url, clock.now, sub=f"u{n}")))
            assert token.identity == f"u{n}"
            assert token.iss == provider.url
            assert token.kid == key.kid
        assert provider.fetches == 1
    finally:
        await provider.stop()


@pytest.mark.parametrize("alg", ["RS384", "PS512", "ES256", "Ed25519", "EdDSA"])
async def test_joserfc_tokens_verify(
    alg: str, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    key = new_key(alg)
    provider = JWKSProvider(keys=[key])
    await provider.start()
    try:
        issuers = make_issuers(provider, algorithms=[alg])
        kty = "OKP" if alg.startswith("Ed") else "RSA" if alg[:2] in ("RS", "PS") else "EC"
        raw = joserfc_jws.serialize_compact(
            {"alg": alg, "kid": key.kid, "typ": "at+jwt"},
            json.dumps(claims(provider.url, clock.now)),
            import_key(key.pem, kty),
            algorithms=[alg],
        )
        assert (await issuers.verify(raw)).sub == "user-1"
    finally:
        await provider.stop()


async def test_a_key_without_alg_serves_the_accepted_algorithms_of_its_kind(
    make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    """Entra ID-style keys carry no alg: an RSA key then serves the issuer's RS*/PS* only."""
    key = new_key("PS256", "bare", publish_alg=False)
    provider = JWKSProvider(keys=[key])
    await provider.start()
    try:
        issuers = make_issuers(provider, algorithms=["RS256", "PS256"])
        assert (await issuers.verify(sign(key, claims(provider.url, clock.now)))).kid == "bare"
        key.alg = "RS256"
        assert (await issuers.verify(sign(key, claims(provider.url, clock.now)))).kid == "bare"
        key.alg = "PS384"  # not accepted for this issuer
        with pytest.raises(JWTDecodeError, match="not accepted"):
            await issuers.verify(sign(key, claims(provider.url, clock.now)))
    finally:
        await provider.stop()


async def test_a_key_is_pinned_to_the_alg_it_is_published_with(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    key = provider.keys[0]  # published with alg RS256
    issuers = make_issuers(provider, algorithms=["RS256", "PS256"])
    await issuers.verify(sign(key, claims(provider.url, clock.now)))
    key.alg = "PS256"  # the same key, signing under another algorithm
    with pytest.raises(JWTDecodeError, match="bound to"):
        await issuers.verify(sign(key, claims(provider.url, clock.now)))


async def test_concurrent_requests_share_one_fetch(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    issuers = make_issuers(provider)
    provider.hold()
    raw = sign(provider.keys[0], claims(provider.url, clock.now))
    waiting = [asyncio.ensure_future(issuers.verify(raw)) for _ in range(50)]
    await until(lambda: provider.fetches > 0)
    await asyncio.sleep(0.01)  # every waiter has reached the fetch in flight
    provider.release()
    tokens = await asyncio.gather(*waiting)
    assert {t.sub for t in tokens} == {"user-1"}
    assert provider.fetches == 1


async def test_a_cancelled_waiter_does_not_cancel_the_shared_fetch(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    issuers = make_issuers(provider)
    provider.hold()
    raw = sign(provider.keys[0], claims(provider.url, clock.now))
    first = asyncio.ensure_future(issuers.verify(raw))
    second = asyncio.ensure_future(issuers.verify(raw))
    await until(lambda: provider.fetches > 0)
    first.cancel()
    provider.release()
    assert (await second).sub == "user-1"
    assert provider.fetches == 1


async def test_a_flood_of_random_kids_fetches_at_most_once_per_cooldown(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    issuers = make_issuers(provider, key_set={"unknown_kid_cooldown": 30})
    key = provider.keys[0]
    good = sign(key, claims(provider.url, clock.now))
    assert (await issuers.verify(good)).sub == "user-1"
    assert provider.fetches == 1

    _, body, signature = good.split(".")

    async def flood(count: int) -> int:
        refused = 0
        for _ in range(count):  # the signature is never looked at: no key, no check
            head = segment({"alg": "RS256", "typ": "JWT", "kid": str(uuid.uuid4())})
            raw = f"{head}.{body}.{signature}"
            with pytest.raises(JWTDecodeError, match="does not publish"):
                await issuers.verify(raw)
            refused += 1
        return refused

    # 1000 unknown kids at once, then 1000 more in the same cooldown: one refetch in all
    assert sum(await asyncio.gather(*(flood(100) for _ in range(10)))) == 1000
    assert provider.fetches == 2
    clock.advance(29)
    await flood(1000)
    assert provider.fetches == 2
    # the cooldown has passed: the next unknown kid may refetch once more
    clock.advance(1)
    await flood(1000)
    assert provider.fetches == 3
    assert (await issuers.verify(good)).sub == "user-1"  # known kids never wait


async def test_junk_tokens_cause_no_traffic(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    issuers = make_issuers(provider, profile="rfc9068")
    key = provider.keys[0]
    body = claims(provider.url, clock.now, client_id="c", jti="j")
    junk = [
        "not a token",
        "a.b",
        "x" * 20000,
        sign(key, body, typ="at+jwt", jku=provider.jwks_uri),
        sign(key, body, typ="at+jwt", x5u=provider.jwks_uri),
        sign(key, body, typ="at+jwt", jwk=key.jwk),
        sign(key, body, typ="at+jwt", crit=["exp"]),
        sign(key, body, typ="JWT"),  # not at+jwt under RFC 9068
        sign(key, body),  # no typ at all
        sign(key, {**body, "iss": "https://evil.example"}, typ="at+jwt"),
        sign(key, {k: v for k, v in body.items() if k != "iss"}, typ="at+jwt"),
        f"{segment({'alg': 'none'})}.{segment(body)}.x",
        f"{segment({'alg': 'HS256', 'typ': 'at+jwt'})}.{segment(body)}.AAAA",
        f"{b64url(b'{' * 2000)}.e30.AAAA",
    ]
    for raw in junk:
        with pytest.raises(TokenRefusedError):
            await issuers.verify(raw)
    assert provider.requests.total() == 0


async def test_max_age_is_honoured_and_refreshed_ahead_in_the_background(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    provider.cache_control = "public, max-age=120"
    issuers = make_issuers(provider, key_set={"refresh_ahead": 0.8})
    raw = sign(provider.keys[0], claims(provider.url, clock.now, exp=int(clock.now) + 3600))
    await issuers.verify(raw)
    clock.advance(95)  # under 80 % of 120 s: the cached set is used as it is
    await issuers.verify(raw)
    assert provider.fetches == 1
    provider.hold()  # the refresh will hang: the request must not wait for it
    clock.advance(2)
    assert (await issuers.verify(raw)).sub == "user-1"
    await until(lambda: provider.fetches == 2)
    provider.release()
    provider.mode = "ok"
    await until(lambda: issuers.health()[provider.url].last_success == clock.now)
    health = issuers.health()[provider.url]
    assert (health.age, health.expires_in, health.last_error) == (0, 120, None)


@pytest.mark.parametrize(
    ("cache_control", "ttl"),
    [
        ("max-age=5", 60.0),  # raised to min_cache
        ("public, max-age=999999999", 86400.0),  # lowered to max_cache
        ("no-store", 60.0),
        (None, 300.0),  # default_cache
        ('private, max-age="900"', 900.0),
    ],
)
async def test_cache_lifetime_within_bounds(
    cache_control: str | None, ttl: float, provider: JWKSProvider, clock: ManualClock
) -> None:
    provider.cache_control = cache_control
    key_set = RemoteKeySet(provider.jwks_uri, clock=clock)
    try:
        await key_set.refresh()
        assert key_set.health().expires_in == ttl
    finally:
        await key_set.aclose()


async def test_stale_keys_serve_while_the_provider_is_down_then_fail_closed(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    """The timeline: fetched at 0 (max-age 60), down from 10 s, stale limit 300 s."""
    provider.cache_control = "max-age=60"
    issuers = make_issuers(provider, key_set={"stale_limit": 300, "retry_interval": 10})
    raw = sign(provider.keys[0], claims(provider.url, clock.now, exp=int(clock.now) + 3600))
    start = clock.now
    await issuers.verify(raw)
    clock.advance(10)
    await provider.stop()
    served = []
    for at in (50, 60, 100, 200, 359):  # past 80 % of max-age: background refreshes fail
        clock.now = start + at
        token = await issuers.verify(raw)
        # a background refresh was tried, and failed, at this very time
        await until(lambda: issuers.health()[provider.url].last_fetch == clock.now)
        served.append((at, token.sub))
    assert served == [(t, "user-1") for t in (50, 60, 100, 200, 359)]
    (health,) = issuers.health().values()
    assert health.failures >= 1
    assert health.last_error is not None
    assert health.expires_in is not None
    assert health.expires_in < 0  # serving stale
    clock.now = start + 360  # 60 s max-age + 300 s stale limit: fail closed
    with pytest.raises(KeySetUnavailableError):
        await issuers.verify(raw)
    await provider.start()  # back: the next attempt after the retry interval succeeds
    clock.now = start + 371
    assert (await issuers.verify(raw)).sub == "user-1"
    (health,) = issuers.health().values()
    assert health.age == 0


async def test_provider_down_at_start(
    make_issuers: MakeIssuers, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    provider = JWKSProvider(keys=[new_key("RS256", "rs-1")], mode="status", status=503)
    await provider.start()
    try:
        issuers = make_issuers(provider, key_set={"retry_interval": 10})
        with caplog.at_level(logging.WARNING, "jwt_core.remote"):
            health = await issuers.open()
        assert "not fetched at start" in caplog.text
        assert health[provider.url].keys == 0
        assert health[provider.url].last_error == "HTTP status 503"
        with pytest.raises(KeySetUnavailableError):
            await issuers.open(strict=True)  # strict start: the error stops it
        raw = sign(provider.keys[0], claims(provider.url, clock.now))
        for _ in range(100):  # within the retry interval: refused without asking again
            with pytest.raises(KeySetUnavailableError):
                await issuers.verify(raw)
        assert provider.fetches == 2
        provider.mode = "ok"
        clock.advance(10)
        assert (await issuers.verify(raw)).sub == "user-1"
        assert provider.fetches == 3
    finally:
        await provider.stop()


async def test_connection_refused_at_start_is_a_503_refusal(
    make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    provider = JWKSProvider(keys=[new_key("RS256", "rs-1")])
    await provider.start()
    await provider.stop()
    issuers = make_issuers(provider)
    with pytest.raises(KeySetUnavailableError, match="cannot be fetched"):
        await issuers.verify(sign(provider.keys[0], claims(provider.url, clock.now)))
    (health,) = issuers.health().values()
    assert health.last_error == "ConnectError"


@pytest.mark.parametrize("mode", ["slow", "drip"])
async def test_a_slow_provider_times_out(
    mode: str, provider: JWKSProvider, clock: ManualClock
) -> None:
    provider.mode = mode  # type: ignore[assignment]
    if mode == "slow":
        provider.hold()
    key_set = RemoteKeySet(provider.jwks_uri, timeout=0.3, clock=clock)
    try:
        with pytest.raises(KeySetUnavailableError):
            await key_set.refresh()
        assert key_set.health().last_error == "timed out"
    finally:
        provider.release()
        await key_set.aclose()


@pytest.mark.parametrize(
    ("mode", "document", "error"),
    [
        ("garbage", None, "the response is not JSON"),
        ("huge", None, "larger than"),
        ("huge_unsized", None, "larger than"),
        ("ok", {"keys": "nope"}, "not a JSON object with a keys list"),
        ("ok", [1, 2], "not a JSON object with a keys list"),
        ("ok", {"keys": [{"kty": "oct", "kid": "h", "k": "c2VjcmV0"}]}, "no usable"),
        ("ok", {"keys": [{"kty": "RSA", "kid": "r", "n": "AQAB", "e": "AQAB"}]}, "no usable"),
        ("ok", {"keys": [{"kty": "EC", "kid": "e", "crv": "P-256", "x": "A", "y": "A"}]}, "usable"),
        ("status", None, "HTTP status 500"),
    ],
)
async def test_bad_jwks_never_replaces_the_good_one(
    mode: str,
    document: Any,
    error: str,
    provider: JWKSProvider,
    make_issuers: MakeIssuers,
    clock: ManualClock,
) -> None:
    issuers = make_issuers(provider, key_set={"retry_interval": 0})
    raw = sign(provider.keys[0], claims(provider.url, clock.now, exp=int(clock.now) + 3600))
    await issuers.verify(raw)
    provider.mode = mode  # type: ignore[assignment]
    if document is not None:
        provider.document = lambda: document  # type: ignore[method-assign]
    clock.advance(300)  # expired: a refresh is due
    await issuers.verify(raw)
    await until(lambda: issuers.health()[provider.url].failures > 0)
    health = issuers.health()[provider.url]
    assert health.last_error is not None
    assert error in health.last_error
    assert health.keys == 1
    assert (await issuers.verify(raw)).sub == "user-1"
    # and on a cold start, the same answer is a 503 refusal, never a 500
    cold = TrustedIssuers(
        [Issuer(provider.url, audiences=["api://orders"], jwks_uri=provider.jwks_uri)],
        clock=clock,
    )
    try:
        with pytest.raises(KeySetUnavailableError):
            await cold.verify(raw)
    finally:
        await cold.aclose()


async def test_a_rotating_provider_new_kid_accepted_after_one_refetch(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    issuers = make_issuers(provider)
    old = provider.keys[0]
    await issuers.verify(sign(old, claims(provider.url, clock.now)))
    new = new_key("RS256", "rs-2")
    provider.keys = [new]  # the provider rotates: the old key is gone
    assert (await issuers.verify(sign(new, claims(provider.url, clock.now)))).kid == "rs-2"
    assert provider.fetches == 2
    with pytest.raises(JWTDecodeError, match="does not publish"):
        await issuers.verify(sign(old, claims(provider.url, clock.now, sub="late")))
    assert provider.fetches == 2  # within the cooldown


async def test_a_token_without_kid(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    issuers = make_issuers(provider)
    key = provider.keys[0]
    assert (await issuers.verify(sign(key, claims(provider.url, clock.now), kid=None))).kid is None
    provider.keys.append(new_key("RS256", "rs-2"))
    clock.advance(400)
    await issuers.verify(sign(key, claims(provider.url, clock.now)))
    await until(lambda: issuers.health()[provider.url].keys == 2)
    with pytest.raises(JWTDecodeError, match="names no key"):
        await issuers.verify(sign(key, claims(provider.url, clock.now), kid=None))


def test_keys_from_jwks_skips_what_it_cannot_use() -> None:
    good = new_key("ES256", "good")
    document = {
        "keys": [
            good.jwk,
            {**new_key("RS256", "enc").jwk, "use": "enc"},
            {**new_key("RS256").jwk, "kid": None},
            {"kty": "oct", "kid": "hmac", "k": "c2VjcmV0"},
            {**new_key("RS256", "weird").jwk, "alg": "RS1"},
            {**good.jwk, "d": "AAAA"},  # a second entry for the kid; a published d is ignored
            "not a key",
        ]
    }
    found, skipped = keys_from_jwks(document, {"ES256", "RS256"})
    assert list(found) == ["good"]
    assert list(found["good"]) == ["ES256"]
    assert skipped == 6


def test_configuration_is_checked() -> None:
    with pytest.raises(ConfigurationConflictError, match="http"):
        RemoteKeySet("file:///etc/passwd")
    with pytest.raises(ConfigurationConflictError, match="asymmetric"):
        RemoteKeySet("https://idp.example/jwks", algorithms=["HS256"])
    with pytest.raises(ConfigurationConflictError, match="min_cache"):
        RemoteKeySet("https://idp.example/jwks", min_cache=600, default_cache=300)
    with pytest.raises(ConfigurationConflictError, match="audiences"):
        Issuer("https://idp.example", audiences=[])
    with pytest.raises(ConfigurationConflictError, match="unknown key_set"):
        Issuer("https://idp.example", audiences=["a"], key_set={"max_agee": 1})


async def test_refusal_messages_never_carry_the_token(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    issuers = make_issuers(provider)
    raw = sign(provider.keys[0], claims(provider.url, clock.now, aud="api://other"))
    with pytest.raises(InvalidTokenError) as caught:
        await issuers.verify(raw)
    for part in raw.split("."):
        assert part not in str(caught.value)


def test_one_key_set_serves_successive_event_loops(clock: ManualClock) -> None:
    """A key set built at import time outlives the loop of a test or a restarted server."""
    provider = JWKSProvider(keys=[new_key("ES256", "es-1")])
    provider.port = free_port()
    key_set = RemoteKeySet(provider.jwks_uri, algorithms=["ES256"], clock=clock)

    async def fetch_in_this_loop() -> None:
        await provider.start()
        try:
            await key_set.refresh()
        finally:
            await provider.stop()

    for _ in range(3):
        asyncio.run(fetch_in_this_loop())
        clock.advance(400)
    assert provider.fetches == 3
    assert key_set.health().failures == 0
