"""Why the core does not rely on python-jose alone: its 3.5 behaviour, pinned down.

Each test feeds python-jose's own `jwt.decode` a hostile token from this suite and records what
it does when used the naive way. These are not tests of our code; they keep the claims in
docs/security.md ("why we do not rely on python-jose alone") true, and tell us when an upgrade
changes them. The matching refusals by jwt_core are in the other files of this folder.
"""

from __future__ import annotations

import importlib.metadata
import json
import time
from typing import Any

import pytest

from tests.security.forge import (
    NOW,
    SECRET,
    claims,
    forge,
    hmac_sign,
    non_canonical_twin,
    payload_with,
    segments,
)
from tests.support.jose import b64url, join
from tests.support.keys import KeyPair

jose_jwt = pytest.importorskip("jose.jwt")
from jose.exceptions import JOSEError, JWKError, JWTError  # noqa: E402

pytestmark = pytest.mark.skipif(
    not importlib.metadata.version("python-jose").startswith("3.5."),
    reason="records python-jose 3.5 behaviour; re-check docs/security.md for another version",
)


def live(**overrides: Any) -> dict[str, Any]:
    """Claims that are current by the wall clock, which is all python-jose knows."""
    return claims(exp=int(time.time()) + 3600, **overrides)


def jose_decode(raw: Any, key: Any, algorithms: Any = ("HS256",), **kwargs: Any) -> Any:
    options = {"verify_iat": True, "verify_exp": True, "verify_nbf": True, "verify_aud": True}
    alg_list = list(algorithms) if isinstance(algorithms, tuple) else algorithms
    return jose_jwt.decode(raw, key, algorithms=alg_list, options=options, **kwargs)


# 1. the header chooses the algorithm unless `algorithms` is a list of exactly one
@pytest.mark.parametrize("algorithms", [None, ["RS256", "HS256"]])
def test_jose_lets_the_header_pick_hs256_for_a_public_key(
    rsa_key: KeyPair, algorithms: Any
) -> None:
    raw = forge({"alg": "HS256"}, live(), secret=rsa_key.public_der)
    assert jose_decode(raw, rsa_key.public_der, algorithms)["sub"] == "alice"


# 2. any string is an HMAC secret except PEM/SSH text
def test_jose_accepts_an_empty_hmac_secret() -> None:
    raw = jose_jwt.encode(live(), "", algorithm="HS256")
    assert jose_decode(raw, "")["sub"] == "alice"


def test_jose_accepts_a_der_public_key_as_hmac_secret_but_not_pem(rsa_key: KeyPair) -> None:
    raw = forge({"alg": "HS256"}, live(), secret=rsa_key.public_der)
    assert jose_decode(raw, rsa_key.public_der)["sub"] == "alice"
    with pytest.raises(JWKError):
        jose_decode(forge({"alg": "HS256"}, live(), secret=rsa_key.public_pem), rsa_key.public_pem)


# 3. every key of a set is tried; kid is ignored
def test_jose_tries_every_key_and_ignores_kid() -> None:
    keys = {
        "keys": [
            {"kty": "oct", "kid": "a", "k": b64url(b"first-key")},
            {"kty": "oct", "kid": "b", "k": b64url(b"second-key")},
        ]
    }
    for kid in ("a", "../../etc/passwd"):
        raw = forge({"alg": "HS256", "kid": kid}, live(), secret="second-key")
        assert jose_decode(raw, keys)["sub"] == "alice"


# 4. crit, b64, jku, x5u, jwk and x5c are ignored
@pytest.mark.parametrize(
    "extra",
    [
        {"crit": ["exp"]},
        {"crit": ["b64"], "b64": False},
        {"jku": "https://attacker.example/jwks.json"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"jwk": {"kty": "oct", "k": "AA"}},
        {"x5c": ["AAAA"]},
        {"typ": "at+jwt"},
    ],
)
def test_jose_ignores_key_and_extension_headers(extra: dict[str, Any]) -> None:
    raw = forge({"alg": "HS256", **extra}, live())
    assert jose_decode(raw, SECRET)["sub"] == "alice"


# 5. base64url is decoded leniently: many strings verify as the same token
def test_jose_accepts_many_spellings_of_one_token() -> None:
    raw = forge(None, live())
    h, p, s = segments(raw)
    spellings = {
        f"{h}.{p}.{s}=",
        f"{h}.{p}.{s}===",
        f"{h}.{p}.{s[:10]}!!!!{s[10:]}",
        f"{h}.{p}.{s[:10]}\n{s[10:]}=",
        f"{h}.{p}.{non_canonical_twin(s)}",
        f"{h}.{p}.{s.replace('-', '+').replace('_', '/')}",
    }
    spellings.discard(raw)
    assert len(spellings) >= 5
    for spelling in spellings:
        assert jose_decode(spelling, SECRET)["sub"] == "alice"


# 6. duplicate member names: the last one wins
def test_jose_takes_the_last_duplicate() -> None:
    raw = forge(None, json.dumps(live())[:-1] + ',"sub":"admin"}')
    assert jose_decode(raw, SECRET)["sub"] == "admin"


# 7. time claims are coerced with int(): strings and booleans pass, no bound applies
@pytest.mark.parametrize(
    ("member", "value"),
    [("exp", '"9999999999"'), ("iat", "true"), ("iat", '"1750000000"'), ("exp", "1e300")],
)
def test_jose_coerces_time_claims(member: str, value: str) -> None:
    assert jose_decode(forge(None, payload_with(member, value, live())), SECRET)["sub"] == "alice"


def test_jose_accepts_iat_in_the_future() -> None:
    raw = forge(None, live(iat=NOW + 10**9, nbf=...))
    assert jose_decode(raw, SECRET)["sub"] == "alice"


# 8. audience: missing is accepted when one is expected; present is refused when none is
def test_jose_accepts_a_token_without_aud_when_an_audience_is_expected() -> None:
    assert jose_decode(forge(None, live()), SECRET, audience="api")["sub"] == "alice"


def test_jose_refuses_a_token_with_aud_when_none_is_expected() -> None:
    with pytest.raises(JWTError):
        jose_decode(forge(None, live(aud="api")), SECRET)


# 9. exceptions that are not JWTError escape
DEEP = "[" * 10_000 + "]" * 10_000


@pytest.mark.parametrize(
    ("raw", "algorithms", "escapes"),
    [
        (forge(None, payload_with("exp", "null", live())), ("HS256",), TypeError),
        (forge(None, payload_with("exp", "[]", live())), ("HS256",), TypeError),
        (forge(None, payload_with("exp", "1e400", live())), ("HS256",), OverflowError),
        (
            forge(None, payload_with("x", "[" * 10_000 + "]" * 10_000, live())),
            ("HS256",),
            RecursionError,
        ),
        (forge({"alg": ["HS256"]}, live()), None, TypeError),
        (forge({"alg": "RS256"}, live()), None, JWKError),
        (12345, ("HS256",), AttributeError),
    ],
)
def test_jose_lets_foreign_exceptions_escape(
    raw: Any, algorithms: Any, escapes: type[BaseException]
) -> None:
    with pytest.raises(escapes) as info:
        jose_decode(raw, SECRET, algorithms)
    assert not isinstance(info.value, JWTError)


def test_jose_none_is_refused_only_for_want_of_a_key_class() -> None:
    # alg none is refused, but by JWKError ("Unable to find an algorithm"), not by a policy.
    raw = join({"alg": "none"}, live()) + "." + hmac_sign(join({"alg": "none"}, live()))
    with pytest.raises(JOSEError) as info:
        jose_decode(raw, SECRET, None)
    assert isinstance(info.value, JWKError)
