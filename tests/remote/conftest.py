"""Fixtures of the identity-provider suite: a real JWKS server on loopback, a hand-moved clock."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from typing import Any

import jwt as pyjwt
import pytest

from jwt_core.remote import Issuer, TrustedIssuers
from tests.remote.jwks_provider import JWKSProvider, SigningKey, claims, new_key
from tests.support.clock import ManualClock

AUDIENCE = "api://orders"


@pytest.fixture
def clock() -> ManualClock:
    return ManualClock()


@pytest.fixture
async def provider() -> AsyncIterator[JWKSProvider]:
    """A JWKS server publishing one RS256 key, `kid` "rs-1"."""
    server = JWKSProvider(keys=[new_key("RS256", "rs-1")])
    await server.start()
    yield server
    await server.stop()


def sign(key: SigningKey, payload: dict[str, Any], **header: Any) -> str:
    """A token signed by PyJWT with `key`, its kid in the header unless told otherwise."""
    header.setdefault("kid", key.kid)
    header = {k: v for k, v in header.items() if v is not None}
    return pyjwt.encode(payload, key.private, algorithm=key.alg, headers=header)


MakeIssuers = Callable[..., TrustedIssuers]


@pytest.fixture
async def make_issuers(clock: ManualClock) -> AsyncIterator[MakeIssuers]:
    """TrustedIssuers of one issuer at `provider`, on the test's clock; closed afterwards."""
    made: list[TrustedIssuers] = []

    def build(provider: JWKSProvider, **options: Any) -> TrustedIssuers:
        options.setdefault("audiences", [AUDIENCE])
        options.setdefault("jwks_uri", provider.jwks_uri)
        trusted = TrustedIssuers([Issuer(provider.url, **options)], clock=clock)
        made.append(trusted)
        return trusted

    yield build
    for trusted in made:
        await trusted.aclose()


__all__ = ["AUDIENCE", "claims", "sign"]
