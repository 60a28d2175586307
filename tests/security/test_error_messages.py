"""Rule 6: a refusal never carries the key, the token, or a dependency's exception text.

Error messages end up in logs and in HTTP responses (the adapter's JSON body); the token there
would be replayable and the secret would be fatal. RFC 8725 section 3.10 (received claims are
untrusted input, also when echoed), RFC 6750 section 5.3 (do not leak bearer tokens).
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from jwt_core import JWTExtendedException, TokenManager
from tests.security.forge import (
    NOW,
    SECRET,
    claims,
    forge,
    non_canonical_twin,
    payload_with,
    segments,
)
from tests.support.jose import b64url, join
from tests.support.keys import KeyPair

_DEPENDENCY_MODULES = ("jose", "json", "base64", "binascii", "cryptography", "uuid", "re")


def _hostile(rsa_key: KeyPair) -> dict[str, str]:
    valid = forge()
    h, p, s = segments(valid)
    deep = "[" * 990 + '"\\ud800"' + "]" * 990
    return {
        "two segments": f"{h}.{p}",
        "four segments": f"{valid}.{s}",
        "padding": f"{h}.{p}.{s}=",
        "standard alphabet": f"{h}.{p}.{s.replace('-', '+').replace('_', '/')}/",
        "non-canonical signature": f"{h}.{p}.{non_canonical_twin(s)}",
        "newline inside": f"{h}.{p[:5]}\n{p[5:]}.{s}",
        "not utf-8": forge(None, b'{"sub":"\xff"}'),
        "not json": forge(None, "{sub: alice}"),
        "duplicate sub": forge(None, json.dumps(claims())[:-1] + ',"sub":"admin"}'),
        "NaN": forge(None, payload_with("exp", "NaN")),
        "nested": forge(None, payload_with("x", "[" * 200 + "]" * 200)),
        "deep surrogate": forge(None, payload_with("x", deep)),
        "deep surrogate, unsigned": f"{h}.{b64url(payload_with('x', deep).encode())}.{s}",
        "header too long": forge({"alg": "HS256", "kid": "k" * 1000}, claims()),
        "alg none": join({"alg": "none"}, claims()) + ".AAAA",
        "alg None": join({"alg": "None"}, claims()) + ".",
        "alg hs256": forge({"alg": "hs256"}, claims()),
        "alg HS512": forge({"alg": "HS512"}, claims(), alg="HS512"),
        "alg list": forge({"alg": ["HS256"]}, claims()),
        "key confusion": forge({"alg": "HS256"}, claims(), secret=rsa_key.public_pem),
        "kid traversal": forge({"alg": "HS256", "kid": "../../etc/passwd"}, claims()),
        "kid sql": forge({"alg": "HS256", "kid": "' OR 1=1 --"}, claims()),
        "jku": forge({"alg": "HS256", "jku": "http://127.0.0.1:1/"}, claims()),
        "jwk": forge({"alg": "HS256", "jwk": {"kty": "oct", "k": b64url(b"k")}}, claims()),
        "x5c": forge({"alg": "HS256", "x5c": ["AAAA"]}, claims()),
        "crit": forge({"alg": "HS256", "crit": ["exp"]}, claims()),
        "typ": forge({"alg": "HS256", "typ": "at+jwt"}, claims()),
        "wrong secret": forge(secret="not-the-secret-0123456789abcdef0123"),
        "tampered payload": f"{h}.{b64url(json.dumps(claims(sub='admin')).encode())}.{s}",
        "expired": forge(None, claims(exp=NOW - 1)),
        "exp string": forge(None, claims(exp="9999999999")),
        "exp true": forge(None, claims(exp=True)),
        "exp 1e400": forge(None, payload_with("exp", "1e400")),
        "iat future": forge(None, claims(iat=NOW + 3600)),
        "nbf future": forge(None, claims(nbf=NOW + 3600)),
        "sub int": forge(None, claims(sub=1)),
        "jti bad": forge(None, claims(jti="x")),
        "type bad": forge(None, claims(type="id")),
        "fresh bad": forge(None, claims(fresh="yes")),
        "role bad": forge(None, claims(role=["ADMIN"])),
        "aud unexpected": forge(None, claims(aud="api")),
        "identity mismatch": forge(None, claims(identity="admin")),
        "huge": forge(None, claims(blob="A" * 20_000)),
    }


def _fragments(raw: str) -> Iterator[str]:
    """The token, each segment, and every 12-character window of each segment."""
    yield raw
    for segment in raw.split("."):
        if len(segment) >= 8:
            yield segment
        for start in range(0, max(0, len(segment) - 12), 6):
            yield segment[start : start + 12]


def assert_clean(exc: BaseException, raw: str, secrets: tuple[str, ...] = (SECRET,)) -> None:
    """No token, no secret, no dependency exception in the message or the shown chain."""
    assert isinstance(exc, JWTExtendedException)
    shown = f"{exc}\n{exc!r}\n{exc.args!r}"
    for secret in secrets:
        assert secret not in shown
    for fragment in _fragments(raw):
        assert fragment not in shown, f"token text {fragment!r} in {shown!r}"
    assert exc.__cause__ is None, f"chained to {exc.__cause__!r}"
    if exc.__context__ is not None:
        assert exc.__suppress_context__, f"shows the context {exc.__context__!r}"
    module = type(exc).__module__
    assert module.startswith("jwt_core"), module
    assert not any(module.startswith(dep) for dep in _DEPENDENCY_MODULES)


def test_the_catalogue_is_refused_by_the_library_only(
    manager: TokenManager, rsa_key: KeyPair
) -> None:
    outcomes: dict[str, str] = {}
    for name, raw in _hostile(rsa_key).items():
        try:
            manager.decode(raw)
            outcomes[name] = "accepted"
        except JWTExtendedException as exc:
            assert_clean(exc, raw)
            outcomes[name] = "refused"
    assert outcomes == dict.fromkeys(outcomes, "refused")


def test_refusals_by_an_rs256_configuration_are_clean(
    rs256_manager: TokenManager, rsa_key: KeyPair
) -> None:
    pem_body = "".join(rsa_key.private_pem.decode().splitlines()[1:-1])
    for raw in _hostile(rsa_key).values():
        with pytest.raises(JWTExtendedException) as info:
            rs256_manager.decode(raw)
        assert_clean(info.value, raw, secrets=(SECRET, pem_body[:40], pem_body[-40:]))


async def test_policy_refusals_are_clean(manager: TokenManager) -> None:
    csrf_value = "csrf-value-that-must-stay-secret-0123"
    access = forge(None, claims(csrf=csrf_value, role="GUEST"))
    refresh = forge(None, claims(type="refresh", fresh=...))
    calls: list[tuple[str, dict[str, Any]]] = [
        (refresh, {}),  # WrongTokenError
        (access, {"token_type": "refresh"}),
        (access, {"csrf": "wrong-" + csrf_value, "check_csrf": True}),  # CSRFError
        (access, {"csrf": None, "check_csrf": True}),
        (access, {"fresh_required": True}),  # FreshTokenRequiredError
        (access, {"allow": ["ADMIN"]}),  # AccessDeniedError
        (access, {"deny": ["GUEST"]}),
    ]
    for raw, options in calls:
        with pytest.raises(JWTExtendedException) as info:
            await manager.verify(raw, **options)
        assert_clean(info.value, raw, secrets=(SECRET, csrf_value))
    await manager.revoke(manager.decode(access))
    with pytest.raises(JWTExtendedException) as info:
        await manager.verify(access)
    assert_clean(info.value, access, secrets=(SECRET, csrf_value))
