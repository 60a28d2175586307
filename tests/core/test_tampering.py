"""Tokens signed with another key, with a changed alg, or edited after signing are refused."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Callable
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import decode_dss_signature

from jwt_core import Config, JWTDecodeError, TokenManager
from tests.core.conftest import SECRET, MakeManager
from tests.support.jose import b64url, header_of, hmac_token, json_segment, payload_of, unb64url
from tests.support.keys import private_pem

ALGORITHMS = ["HS256", "HS384", "HS512", "RS256", "RS384", "RS512", "ES256", "ES384", "ES512"]
KeyOptions = Callable[[str], dict[str, Any]]

_HASH = {"256": hashes.SHA256(), "384": hashes.SHA384(), "512": hashes.SHA512()}


def _sign_asymmetric(key: Any, alg: str, signing_input: bytes) -> bytes:
    digest = _HASH[alg[2:]]
    if isinstance(key, rsa.RSAPrivateKey):
        return key.sign(signing_input, padding.PKCS1v15(), digest)
    r, s = decode_dss_signature(key.sign(signing_input, ec.ECDSA(digest)))
    size = (key.curve.key_size + 7) // 8
    return r.to_bytes(size, "big") + s.to_bytes(size, "big")


def _with_signature(raw: str, sign: Callable[[bytes], bytes]) -> str:
    header, payload, _ = raw.split(".")
    signing_input = f"{header}.{payload}"
    return f"{signing_input}.{b64url(sign(signing_input.encode('ascii')))}"


@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
def test_hmac_token_signed_with_another_secret(alg: str, make_manager: MakeManager) -> None:
    ours = make_manager(algorithm=alg)
    theirs = make_manager(algorithm=alg, secret_key="another-secret-" + "x" * 64)
    with pytest.raises(JWTDecodeError, match="signature"):
        ours.decode(theirs.create_access_token("alice"))


@pytest.mark.parametrize("alg", ["RS256", "RS384", "RS512", "ES256", "ES384", "ES512"])
def test_asymmetric_token_signed_with_another_key(
    alg: str, key_options: KeyOptions, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    """Same header (so same kid) as our own tokens, but signed by a key we do not have."""
    ours = TokenManager(Config(**key_options(alg)))
    other: Any = (
        other_rsa_key
        if alg.startswith("RS")
        else ec.generate_private_key(
            {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}[alg]
        )
    )
    forged = _with_signature(
        ours.create_access_token("alice"), lambda data: _sign_asymmetric(other, alg, data)
    )
    with pytest.raises(JWTDecodeError, match="signature"):
        ours.decode(forged)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_asymmetric_token_of_another_manager_is_refused(
    alg: str, key_options: KeyOptions, other_rsa_key: rsa.RSAPrivateKey
) -> None:
    ours = TokenManager(Config(**key_options(alg)))
    other_key: Any = other_rsa_key if alg == "RS256" else ec.generate_private_key(ec.SECP256R1())
    theirs = TokenManager(Config(algorithm=alg, private_key=private_pem(other_key)))
    with pytest.raises(JWTDecodeError):
        ours.decode(theirs.create_access_token("alice"))


@pytest.mark.parametrize(("alg", "claimed"), [("HS256", "HS512"), ("HS512", "HS256")])
def test_hmac_alg_changed_and_resigned_with_the_same_secret(
    alg: str, claimed: str, make_manager: MakeManager
) -> None:
    manager = make_manager(algorithm=alg)
    raw = manager.create_access_token("alice")
    header = {**header_of(raw), "alg": claimed}
    forged = hmac_token(header, payload_of(raw), SECRET, claimed)
    with pytest.raises(JWTDecodeError, match="alg"):
        manager.decode(forged)


@pytest.mark.parametrize("alg", ["RS256", "ES256"])
def test_public_key_used_as_hmac_secret_is_refused(alg: str, key_options: KeyOptions) -> None:
    """The classic algorithm-confusion attack: HS256 signed with the verifier's public key."""
    options = key_options(alg)
    manager = TokenManager(Config(**options))
    raw = manager.create_access_token("alice")
    header = {**header_of(raw), "alg": "HS256"}
    forged = hmac_token(header, {**payload_of(raw), "sub": "admin"}, options["public_key"])
    with pytest.raises(JWTDecodeError):
        manager.decode(forged)


@pytest.mark.parametrize(("alg", "claimed"), [("RS256", "RS512"), ("ES256", "ES512")])
def test_asymmetric_alg_changed(alg: str, claimed: str, key_options: KeyOptions) -> None:
    manager = TokenManager(Config(**key_options(alg)))
    raw = manager.create_access_token("alice")
    _, payload, signature = raw.split(".")
    forged = f"{json_segment({**header_of(raw), 'alg': claimed})}.{payload}.{signature}"
    with pytest.raises(JWTDecodeError, match="alg"):
        manager.decode(forged)


@pytest.mark.parametrize("none", ["none", "None", "NONE"])
def test_unsigned_token_is_refused(none: str, make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice")
    _, payload, signature = raw.split(".")
    header = json_segment({"alg": none, "typ": "JWT"})
    for forged in (f"{header}.{payload}.", f"{header}.{payload}.{signature}"):
        with pytest.raises(JWTDecodeError):
            manager.decode(forged)


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_payload_edited_after_signing(alg: str, key_options: KeyOptions) -> None:
    manager = TokenManager(Config(**key_options(alg), use_acl=True))
    raw = manager.create_access_token("alice", "USER")
    header, _, signature = raw.split(".")
    payload = {**payload_of(raw), "role": "ADMIN"}
    forged = f"{header}.{json_segment(payload)}.{signature}"
    with pytest.raises(JWTDecodeError, match="signature"):
        manager.decode(forged)


@pytest.mark.parametrize("alg", ALGORITHMS)
def test_signature_edited(alg: str, key_options: KeyOptions) -> None:
    manager = TokenManager(Config(**key_options(alg)))
    raw = manager.create_access_token("alice")
    header, payload, signature = raw.split(".")
    sig = bytearray(unb64url(signature))
    sig[len(sig) // 2] ^= 0x01
    with pytest.raises(JWTDecodeError):
        manager.decode(f"{header}.{payload}.{b64url(bytes(sig))}")
    with pytest.raises(JWTDecodeError):
        manager.decode(f"{header}.{payload}.{b64url(bytes(sig[:-1]))}")


@pytest.mark.parametrize("field", ["jku", "jwk", "x5u", "x5c", "crit"])
def test_header_naming_its_own_key_is_refused(field: str, make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice")
    header = {**header_of(raw), field: "https://evil.example/keys"}
    with pytest.raises(JWTDecodeError):
        manager.decode(hmac_token(header, payload_of(raw), SECRET))


def test_unknown_kid_is_refused(make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice")
    header = {**header_of(raw), "kid": "someone-else"}
    with pytest.raises(JWTDecodeError, match="kid"):
        manager.decode(hmac_token(header, payload_of(raw), SECRET))


@pytest.mark.parametrize(
    "raw",
    [
        "",
        "abc",
        "a.b",
        "a.b.c.d",
        "a..c",
        ".b.c",
        "a.b.",
        "a b.c.d",
        "eyJhbGciOiJIUzI1NiJ9.e30=.c2ln",
        "eyJhbGciOiJIUzI1NiJ9.e30.c2ln\n",
        "é.é.é",
        "x" * 100_000,
    ],
    ids=repr,
)
def test_malformed_strings_are_decode_errors(raw: str, make_manager: MakeManager) -> None:
    with pytest.raises(JWTDecodeError):
        make_manager().decode(raw)


@pytest.mark.parametrize("raw", [None, b"a.b.c", 123, ["a", "b", "c"]], ids=repr)
def test_non_strings_are_decode_errors(raw: Any, make_manager: MakeManager) -> None:
    with pytest.raises(JWTDecodeError):
        make_manager().decode(raw)


@pytest.mark.parametrize(
    ("header", "payload"),
    [
        ("not json", {"sub": "a"}),
        ({"alg": "HS256", "typ": "JWT"}, "[1, 2]"),
        ({"alg": "HS256", "typ": "JWT"}, '{"sub": "a", "sub": "b"}'),
        ({"alg": "HS256", "typ": "JWE"}, {"sub": "a"}),
        ({"typ": "JWT"}, {"sub": "a"}),
    ],
    ids=["header-not-json", "payload-not-object", "duplicate-member", "typ", "no-alg"],
)
def test_signed_but_malformed_segments_are_decode_errors(
    header: Any, payload: Any, make_manager: MakeManager
) -> None:
    def segment(value: Any) -> str:
        return b64url(value.encode()) if isinstance(value, str) else json_segment(value)

    signing_input = f"{segment(header)}.{segment(payload)}"
    signature = hmac.new(SECRET.encode(), signing_input.encode(), hashlib.sha256).digest()
    with pytest.raises(JWTDecodeError):
        make_manager().decode(f"{signing_input}.{b64url(signature)}")


def test_refused_token_leaves_valid_ones_alone(key_options: KeyOptions) -> None:
    manager = TokenManager(Config(**key_options("ES256")))
    good = manager.create_access_token("alice")
    with pytest.raises(JWTDecodeError):
        manager.decode(good[:-4] + ("AAAA" if not good.endswith("AAAA") else "BBBB"))
    assert manager.decode(good).identity == "alice"
