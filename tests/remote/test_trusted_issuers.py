"""OpenID discovery, several issuers (allow-list or resolver), RFC 9068 and claim mapping."""

from __future__ import annotations

import logging
from collections.abc import AsyncIterator
from typing import Any

import pytest

from jwt_core import (
    ConfigurationConflictError,
    ExpiredSignatureError,
    InvalidTokenError,
    JWTDecodeError,
    KeySetUnavailableError,
)
from jwt_core.remote import ExternalToken, Issuer, TrustedIssuers, discover_jwks_uri
from tests.remote.conftest import AUDIENCE, MakeIssuers, claims, sign
from tests.remote.jwks_provider import DISCOVERY_PATH, JWKSProvider, new_key
from tests.support.clock import ManualClock


@pytest.fixture
async def second() -> AsyncIterator[JWKSProvider]:
    server = JWKSProvider(keys=[new_key("ES256", "es-1")])
    await server.start()
    yield server
    await server.stop()


async def test_discovery_takes_jwks_uri_from_the_openid_configuration(
    provider: JWKSProvider, clock: ManualClock
) -> None:
    assert await discover_jwks_uri(provider.url) == provider.jwks_uri
    provider.requests.clear()
    issuers = TrustedIssuers([Issuer(provider.url, audiences=[AUDIENCE])], clock=clock)
    try:
        raw = sign(provider.keys[0], claims(provider.url, clock.now))
        for _ in range(5):
            assert (await issuers.verify(raw)).iss == provider.url
        assert provider.requests[DISCOVERY_PATH] == 1
        assert provider.fetches == 1
    finally:
        await issuers.aclose()


async def test_discovery_refuses_a_configuration_of_another_issuer(
    provider: JWKSProvider, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    provider.issuer = "https://evil.example"
    with pytest.raises(ConfigurationConflictError, match="another issuer"):
        await discover_jwks_uri(provider.url)
    issuers = TrustedIssuers([Issuer(provider.url, audiences=[AUDIENCE])], clock=clock)
    try:
        with pytest.raises(ConfigurationConflictError, match="another issuer"):
            await issuers.open()
        assert provider.fetches == 0
        # met while verifying (a resolver's tenant, say): logged, and a 503 refusal, not a 500
        clock.advance(10)
        raw = sign(provider.keys[0], claims(provider.url, clock.now))
        with (
            caplog.at_level(logging.ERROR, "jwt_core.remote"),
            pytest.raises(KeySetUnavailableError, match="not usable"),
        ):
            await issuers.verify(raw)
        assert "another issuer" in caplog.text
        assert provider.fetches == 0
    finally:
        await issuers.aclose()


async def test_discovery_down_is_retried_only_after_the_retry_interval(
    provider: JWKSProvider, clock: ManualClock
) -> None:
    await provider.stop()
    issuers = TrustedIssuers(
        [Issuer(provider.url, audiences=[AUDIENCE], key_set={"retry_interval": 10})], clock=clock
    )
    raw = sign(provider.keys[0], claims(provider.url, clock.now))
    try:
        with pytest.raises(KeySetUnavailableError, match="OpenID configuration"):
            await issuers.verify(raw)
        await provider.start()
        with pytest.raises(KeySetUnavailableError, match="try again"):
            await issuers.verify(raw)
        assert provider.requests.total() == 0
        clock.advance(10)
        assert (await issuers.verify(raw)).sub == "user-1"
    finally:
        await issuers.aclose()


async def test_several_issuers_each_with_its_own_rules(
    provider: JWKSProvider, second: JWKSProvider, clock: ManualClock
) -> None:
    issuers = TrustedIssuers(
        [
            Issuer(provider.url, audiences=["api://orders"], jwks_uri=provider.jwks_uri),
            Issuer(
                second.url,
                audiences=["orders"],
                jwks_uri=second.jwks_uri,
                algorithms=["ES256"],
                leeway=30,
            ),
        ],
        clock=clock,
    )
    try:
        first_key, second_key = provider.keys[0], second.keys[0]
        a = await issuers.verify(sign(first_key, claims(provider.url, clock.now)))
        b = await issuers.verify(
            sign(second_key, claims(second.url, clock.now, "orders", exp=int(clock.now) - 10))
        )
        assert (a.issuer.issuer, b.issuer.issuer) == (provider.url, second.url)
        # the first issuer has no leeway
        with pytest.raises(ExpiredSignatureError):
            await issuers.verify(
                sign(first_key, claims(provider.url, clock.now, exp=int(clock.now) - 10))
            )
        # each issuer's audience and algorithms only
        with pytest.raises(InvalidTokenError, match="audience"):
            await issuers.verify(sign(second_key, claims(second.url, clock.now, "api://orders")))
        with pytest.raises(JWTDecodeError, match="not accepted"):
            await issuers.verify(sign(first_key, claims(second.url, clock.now, "orders")))
        # a key of one issuer does not verify the other's tokens
        impostor = new_key("ES256", second_key.kid)
        with pytest.raises(JWTDecodeError, match="signature"):
            await issuers.verify(sign(impostor, claims(second.url, clock.now, "orders")))
        assert set(issuers.health()) == {provider.url, second.url}
    finally:
        await issuers.aclose()


async def test_an_unknown_issuer_is_refused_before_any_fetch(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    issuers = make_issuers(provider)
    key = provider.keys[0]
    for iss in ("https://evil.example", provider.url + "/", provider.url.upper(), ""):
        with pytest.raises(InvalidTokenError, match="issuer"):
            await issuers.verify(sign(key, claims(provider.url, clock.now, iss=iss)))
    anonymous = {k: v for k, v in claims(provider.url, clock.now).items() if k != "iss"}
    with pytest.raises(InvalidTokenError, match="issuer"):
        await issuers.verify(sign(key, anonymous))
    assert provider.requests.total() == 0


async def test_an_async_resolver_for_tenants(provider: JWKSProvider, clock: ManualClock) -> None:
    asked: list[str] = []

    async def resolve(iss: str) -> Issuer | None:
        asked.append(iss)
        if iss.startswith(provider.url + "/tenants/"):
            return Issuer(iss, audiences=[AUDIENCE], jwks_uri=provider.jwks_uri)
        return None

    issuers = TrustedIssuers(resolver=resolve, clock=clock)
    key = provider.keys[0]
    try:
        tenant = provider.url + "/tenants/acme"
        for _ in range(3):
            assert (await issuers.verify(sign(key, claims(tenant, clock.now)))).iss == tenant
        with pytest.raises(InvalidTokenError, match="issuer"):
            await issuers.verify(sign(key, claims("https://other.example", clock.now)))
        assert asked == [tenant, "https://other.example"]
        assert provider.fetches == 1
    finally:
        await issuers.aclose()


@pytest.mark.parametrize("answer", ["raises", "a str", "another issuer"])
async def test_a_broken_resolver_fails_closed(
    answer: str, provider: JWKSProvider, clock: ManualClock, caplog: pytest.LogCaptureFixture
) -> None:
    async def resolve(iss: str) -> Any:
        if answer == "raises":
            raise LookupError("tenant table unreachable")
        if answer == "a str":
            return iss
        return Issuer(provider.url + "/elsewhere", audiences=[AUDIENCE], jwks_uri=provider.jwks_uri)

    issuers = TrustedIssuers(resolver=resolve, clock=clock)
    try:
        with (
            caplog.at_level(logging.ERROR, logger="jwt_core.remote"),
            pytest.raises(KeySetUnavailableError),
        ):
            await issuers.verify(sign(provider.keys[0], claims(provider.url, clock.now)))
        assert any("resolver" in record.getMessage() for record in caplog.records)
        assert provider.requests.total() == 0
    finally:
        await issuers.aclose()


@pytest.fixture
def at_issuers(provider: JWKSProvider, make_issuers: MakeIssuers) -> TrustedIssuers:
    return make_issuers(provider, profile="rfc9068")


def access_claims(provider: JWKSProvider, clock: ManualClock, **extra: object) -> dict[str, object]:
    return claims(provider.url, clock.now, client_id="svc", jti="t-1", scope="read write", **extra)


@pytest.mark.parametrize("typ", ["at+jwt", "application/at+jwt", "AT+JWT"])
async def test_rfc9068_access_tokens(
    typ: str, provider: JWKSProvider, at_issuers: TrustedIssuers, clock: ManualClock
) -> None:
    token = await at_issuers.verify(sign(provider.keys[0], access_claims(provider, clock), typ=typ))
    assert isinstance(token, ExternalToken)
    assert (token.client_id, token.jti, token.scopes) == ("svc", "t-1", {"read", "write"})


@pytest.mark.parametrize("missing", ["client_id", "jti", "iat", "sub", "exp", "aud"])
async def test_rfc9068_required_claims(
    missing: str, provider: JWKSProvider, at_issuers: TrustedIssuers, clock: ManualClock
) -> None:
    body = {k: v for k, v in access_claims(provider, clock).items() if k != missing}
    with pytest.raises(InvalidTokenError):
        await at_issuers.verify(sign(provider.keys[0], body, typ="at+jwt"))


async def test_an_id_token_is_not_an_access_token(
    provider: JWKSProvider,
    at_issuers: TrustedIssuers,
    make_issuers: MakeIssuers,
    clock: ManualClock,
) -> None:
    key = provider.keys[0]
    id_token = claims(provider.url, clock.now, AUDIENCE, nonce="n", at_hash="h", azp="svc")
    with pytest.raises(JWTDecodeError, match="at\\+jwt"):
        await at_issuers.verify(sign(key, id_token, typ="JWT"))
    # without the RFC 9068 profile too: its ID-token claims give it away
    plain = make_issuers(provider)
    with pytest.raises(InvalidTokenError, match="ID token"):
        await plain.verify(sign(key, id_token, typ="JWT"))
    with pytest.raises(InvalidTokenError, match="ID token"):
        await at_issuers.verify(
            sign(key, {**access_claims(provider, clock), "nonce": "n"}, typ="at+jwt")
        )


async def test_keycloak_style_claim_mapping(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    issuers = make_issuers(
        provider, roles_claim="realm_access.roles", subject_claim="preferred_username"
    )
    body = claims(
        provider.url,
        clock.now,
        ["api://orders", "account"],
        preferred_username="alice",
        realm_access={"roles": ["admin", "user"]},
        scope="openid profile",
        azp="web",
    )
    token = await issuers.verify(sign(provider.keys[0], body))
    assert (token.identity, token.sub, token.roles, token.role) == (
        "alice",
        "user-1",
        ("admin", "user"),
        "admin",
    )
    assert token.scopes == {"openid", "profile"}
    assert token.client_id == "web"
    assert token.claims["realm_access"] == {"roles": ["admin", "user"]}
    with pytest.raises(TypeError):
        token.claims["sub"] = "mallory"  # type: ignore[index]


async def test_auth0_style_namespaced_roles_and_entra_scp(
    provider: JWKSProvider, make_issuers: MakeIssuers, clock: ManualClock
) -> None:
    auth0 = make_issuers(provider, roles_claim="https://orders.example/roles")
    body = claims(provider.url, clock.now, **{"https://orders.example/roles": ["editor"]})
    assert (await auth0.verify(sign(provider.keys[0], body))).roles == ("editor",)
    entra = make_issuers(provider, scopes_claim="scp", roles_claim="roles")
    body = claims(provider.url, clock.now, scp="Orders.Read", roles="Reader")
    token = await entra.verify(sign(provider.keys[0], body))
    assert (token.scopes, token.roles) == ({"Orders.Read"}, ("Reader",))
    with pytest.raises(InvalidTokenError, match="roles"):
        await entra.verify(sign(provider.keys[0], claims(provider.url, clock.now, roles=[1])))
