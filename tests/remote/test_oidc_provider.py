"""Access tokens of a real OpenID provider (node-oidc-provider) accepted, across key rotation."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from jwt_core import InvalidTokenError, JWTDecodeError
from jwt_core.remote import Issuer, TrustedIssuers
from tests.remote.jwks_provider import new_key
from tests.remote.oidc_node import CLIENT_ID, RESOURCE, OIDCProvider, installed_module


@pytest.fixture(scope="module")
def module() -> Path:
    return installed_module()


@pytest.fixture
def node_provider(module: Path, tmp_path: Path) -> Iterator[OIDCProvider]:
    provider = OIDCProvider(module, [new_key("RS256", "node-rs-1")], tmp_path)
    provider.start()
    yield provider
    provider.stop()


def trusted(provider: OIDCProvider, algorithms: list[str]) -> TrustedIssuers:
    """Discovery from the issuer URL, the RFC 9068 profile, this resource as audience."""
    issuer = Issuer(provider.issuer, audiences=[RESOURCE], algorithms=algorithms, profile="rfc9068")
    return TrustedIssuers([issuer])


@pytest.mark.parametrize("alg", ["RS256", "PS256", "ES256", "EdDSA"])
async def test_client_credentials_tokens_are_accepted(
    alg: str, module: Path, tmp_path: Path
) -> None:
    provider = OIDCProvider(module, [new_key(alg, f"node-{alg}")], tmp_path)
    provider.start()
    issuers = trusted(provider, [alg])
    try:
        await issuers.open(strict=True)
        raw = await provider.access_token()
        token = await issuers.verify(raw)
        assert token.iss == provider.issuer
        assert token.aud == RESOURCE
        assert token.client_id == CLIENT_ID
        assert token.identity == CLIENT_ID  # client credentials: the client is the subject
        assert token.scopes == {"orders:read"}
        assert token.kid == f"node-{alg}"
        assert token.jti
    finally:
        await issuers.aclose()
        provider.stop()


async def test_the_provider_rotates_its_keys_while_the_service_runs(
    node_provider: OIDCProvider,
) -> None:
    issuers = trusted(node_provider, ["RS256", "ES256"])
    try:
        old_key = node_provider.keys[0]
        before = await node_provider.access_token()
        assert (await issuers.verify(before)).kid == old_key.kid
        assert issuers.health()[node_provider.issuer].fetches == 1

        new = new_key("ES256", "node-es-2")
        node_provider.restart([new, old_key])  # the new key signs; the old one still published
        after = await node_provider.access_token()
        assert (await issuers.verify(after)).kid == "node-es-2"
        assert (await issuers.verify(before)).kid == old_key.kid
        assert issuers.health()[node_provider.issuer].fetches == 2  # one refetch, for the new kid

        node_provider.restart([new])  # the old key retired
        assert (await issuers.verify(await node_provider.access_token())).kid == "node-es-2"
        assert issuers.health()[node_provider.issuer].fetches == 2
    finally:
        await issuers.aclose()


async def test_a_token_for_another_resource_or_tampered_is_refused(
    node_provider: OIDCProvider,
) -> None:
    """A token of this provider for another audience is refused even though it verifies."""
    issuer = Issuer(node_provider.issuer, audiences=["api://billing"], profile="rfc9068")
    issuers = TrustedIssuers([issuer])
    try:
        with pytest.raises(InvalidTokenError, match="audience"):
            await issuers.verify(await node_provider.access_token())
        raw = await node_provider.access_token()
        head, body, sig = raw.split(".")
        with pytest.raises(JWTDecodeError):
            await issuers.verify(f"{head}.{body}.{sig[::-1]}")
    finally:
        await issuers.aclose()
