"""Rule 5b: revocation is keyed by jti, so no other spelling of a revoked token gets through.

A token's text is not unique: JSON allows other whitespace, member order and escapes, and an
ECDSA signature (r, s) has the twin (r, n - s). Whoever holds the key can mint such twins;
revoking by jti refuses them all. RFC 7519 section 4.1.7 (jti), RFC 8725 section 2.6
(multiplicity of JSON encodings).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest

from jwt_core import (
    AccessDeniedError,
    RevokedTokenError,
    TokenManager,
)
from jwt_core.blacklist.sqlite import SQLiteBlacklist
from tests.security.forge import (
    SECRET,
    build_manager,
    claims,
    fixed_clock,
    forge,
    hmac_sign,
    segments,
)
from tests.support.jose import b64url
from tests.support.jose import unb64url as lenient_decode
from tests.support.keys import KeyPair

P256_ORDER = 0xFFFFFFFF00000000FFFFFFFFFFFFFFFFBCE6FAADA7179E84F3B9CAC2FC632551


@pytest.fixture(params=["memory", "sqlite"])
async def revoking(request: pytest.FixtureRequest, tmp_path: Path) -> AsyncIterator[TokenManager]:
    """An HS256 manager with ACL and a blacklist: in memory, or a real SQLite file."""
    options: dict[str, Any] = {"use_acl": True, "use_blacklist": True}
    if request.param == "sqlite":
        options["blacklist_class"] = SQLiteBlacklist
        options["blacklist_init_kwargs"] = {
            "path": tmp_path / "revoked.sqlite3",
            "clock": fixed_clock,
        }
    manager = build_manager(**options)
    await manager.open()
    try:
        yield manager
    finally:
        await manager.close()


def _twins(original: str) -> dict[str, str]:
    """Other encodings of the same claims (same jti), each signed with the suite's secret."""
    h, p, _ = segments(original)
    header = json.loads(lenient_decode(h))
    payload = json.loads(lenient_decode(p))
    reordered = dict(reversed(list(payload.items())))
    escaped = json.dumps(payload, ensure_ascii=True).replace('"sub"', '"s\\u0075b"')
    upper_jti = {**payload, "jti": payload["jti"].upper()}
    later = {**payload, "iat": payload["iat"] - 5, "exp": payload["exp"] + 3600}
    variants: dict[str, tuple[Any, Any]] = {
        "whitespace": (header, json.dumps(payload, indent=2)),
        "member order": (header, json.dumps(reordered)),
        "escaped member name": (header, escaped),
        "header respelled": (json.dumps(dict(reversed(list(header.items()))), indent=1), payload),
        "jti in upper case": (header, upper_jti),
        "other times": (header, later),
        "another identity": (header, {**payload, "sub": "mallory"}),
    }
    return {name: forge(hdr, body) for name, (hdr, body) in variants.items()}


async def test_every_twin_of_a_revoked_token_is_refused(revoking: TokenManager) -> None:
    original = revoking.create_access_token("alice", "USER", True)
    twins = _twins(original)
    for name, twin in twins.items():
        assert twin != original, name
        token = await revoking.verify(twin)  # each twin is a valid token in its own right
        assert token.jti == revoking.decode(original).jti, name
    await revoking.revoke(revoking.decode(original))
    outcomes = {}
    for name, twin in twins.items():
        try:
            await revoking.verify(twin)
            outcomes[name] = "accepted"
        except Exception as exc:
            outcomes[name] = type(exc).__name__
    assert outcomes == dict.fromkeys(twins, "RevokedTokenError")


async def test_revoking_a_twin_revokes_the_original(revoking: TokenManager) -> None:
    original = revoking.create_refresh_token("alice")
    twin = _twins(original)["whitespace"]
    await revoking.revoke(await revoking.verify(twin, token_type="refresh"))
    with pytest.raises(RevokedTokenError):
        await revoking.verify(original, token_type="refresh")


async def test_a_token_verified_before_its_revocation_is_refused_after_it(
    revoking: TokenManager,
) -> None:
    # decode() keeps verified tokens in a cache; revocation must not be cached with them.
    raw = revoking.create_access_token("alice")
    for _ in range(3):
        await revoking.verify(raw)
    await revoking.revoke(revoking.decode(raw))
    with pytest.raises(RevokedTokenError):
        await revoking.verify(raw)


async def test_revocation_is_checked_before_freshness_and_role(revoking: TokenManager) -> None:
    raw = revoking.create_access_token("alice", "GUEST", False)
    with pytest.raises(AccessDeniedError):
        await revoking.verify(raw, allow=["ADMIN"])
    await revoking.revoke(revoking.decode(raw))
    with pytest.raises(RevokedTokenError):
        await revoking.verify(raw, fresh_required=True, allow=["ADMIN"])


def _ecdsa_twin(raw: str) -> str:
    h, p, s = segments(raw)
    signature = lenient_decode(s)
    r, s_value = signature[:32], int.from_bytes(signature[32:], "big")
    mirrored = (P256_ORDER - s_value).to_bytes(32, "big")
    return f"{h}.{p}.{b64url(r + mirrored)}"


async def test_the_ecdsa_twin_of_a_revoked_token_is_refused(ec_key: KeyPair) -> None:
    # ECDSA signatures are malleable: (r, n - s) verifies too. Nobody needs the key for this.
    manager = build_manager(algorithm="ES256", private_key=ec_key.private_pem, use_blacklist=True)
    original = manager.create_access_token("alice")
    twin = _ecdsa_twin(original)
    assert twin != original
    assert (await manager.verify(twin)).jti == manager.decode(original).jti
    await manager.revoke(manager.decode(original))
    with pytest.raises(RevokedTokenError):
        await manager.verify(twin)


async def test_a_token_valid_until_year_9999_can_be_revoked() -> None:
    manager = build_manager(use_blacklist=True, leeway=timedelta(seconds=30))
    raw = forge(None, claims(exp=253402300799))
    token = await manager.verify(raw)
    await manager.revoke(token)
    with pytest.raises(RevokedTokenError):
        await manager.verify(raw)


def test_the_forged_twins_are_signed_with_the_configured_secret() -> None:
    # Guards the suite itself: a twin must fail only because of revocation, never its MAC.
    twin = _twins(forge())["whitespace"]
    h, p, s = segments(twin)
    assert s == hmac_sign(f"{h}.{p}", SECRET)
    assert build_manager().decode(twin).sub == "alice"
