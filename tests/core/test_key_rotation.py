"""Key sets and rotation: tokens carry the kid of their key; verification uses configured keys only.

Each phase of a rotation is a new TokenManager built from that phase's configuration, as a
service restarting with new settings would be.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc.jwk import ECKey, RSAKey

from jwt_core import Config, ConfigurationConflictError, JWTDecodeError, TokenManager
from jwt_core._keys import thumbprint
from tests.support.keys import private_pem, public_pem

SECRET = "legacy-secret-of-the-single-key-config-0123456789abcdef"
NEW_SECRET = "the-next-hmac-secret-for-2025-long-enough-even-for-hs512-0123456789abcdef"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def header_of(raw: str) -> dict[str, Any]:
    segment = raw.split(".")[0]
    result: dict[str, Any] = json.loads(
        base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))
    )
    return result


def hmac_signed(header: dict[str, Any], payload_segment: str, key: bytes, digest: Any) -> str:
    """A token with exactly `header`, the given payload segment, HMAC-signed with `key`."""
    head = b64url(json.dumps(header, separators=(",", ":")).encode())
    signing_input = f"{head}.{payload_segment}"
    signature = hmac.new(key, signing_input.encode("ascii"), digest).digest()
    return f"{signing_input}.{b64url(signature)}"


@pytest.fixture(scope="module")
def old_rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def new_rsa() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@pytest.fixture(scope="module")
def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def manager(**options: Any) -> TokenManager:
    return TokenManager(Config(**options))


# -- rotation end to end ----------------------------------------------------------------------
def test_rotation_end_to_end(old_rsa: rsa.RSAPrivateKey, new_rsa: rsa.RSAPrivateKey) -> None:
    old = {"kid": "2024", "alg": "RS256", "private_key": private_pem(old_rsa)}
    old_public = {"kid": "2024", "alg": "RS256", "public_key": public_pem(old_rsa)}
    new = {"kid": "2025", "alg": "RS256", "private_key": private_pem(new_rsa)}
    new_public = {"kid": "2025", "alg": "RS256", "public_key": public_pem(new_rsa)}

    # 0. one key in the set
    phase0 = manager(keys=[old])
    before = phase0.create_access_token("alice")
    assert header_of(before)["kid"] == "2024"
    assert phase0.decode(before).kid == "2024"

    # 1. the new key is added, verification only: the old key still signs
    phase1 = manager(keys=[old, new_public])
    assert phase1.keys.signing is not None
    assert phase1.keys.signing.kid == "2024"
    assert header_of(phase1.create_access_token("alice"))["kid"] == "2024"
    assert phase1.decode(before).identity == "alice"

    # 2. the new key is promoted; the old one only verifies
    phase2 = manager(keys=[new, old_public], signing_key_id="2025")
    after = phase2.create_refresh_token("bob")
    assert header_of(after)["kid"] == "2025"
    assert phase2.decode(before).kid == "2024"
    assert phase2.decode(after).kid == "2025"
    # a phase-1 instance still running alongside accepts the new tokens too
    assert phase1.decode(after).identity == "bob"

    # 3. the old key is dropped: its tokens are refused from now on
    phase3 = manager(keys=[new])
    assert phase3.decode(after).identity == "bob"
    with pytest.raises(JWTDecodeError, match="kid"):
        phase3.decode(before)


def test_rotation_between_hmac_secrets() -> None:
    old = {"kid": "s1", "alg": "HS256", "secret_key": SECRET}
    new = {"kid": "s2", "alg": "HS512", "secret_key": NEW_SECRET}
    before = manager(keys=[old]).create_access_token("alice")
    during = manager(keys=[new, old], signing_key_id="s2")
    after = during.create_access_token("alice")
    assert header_of(after) == {"alg": "HS512", "typ": "JWT", "kid": "s2"}
    assert during.decode(before).kid == "s1"
    with pytest.raises(JWTDecodeError):
        manager(keys=[new]).decode(before)


# -- what a single key writes, and migrating from it -----------------------------------------
def test_single_hmac_key_writes_no_kid() -> None:
    raw = manager(secret_key=SECRET).create_access_token("alice")
    assert header_of(raw) == {"alg": "HS256", "typ": "JWT"}


def test_single_asymmetric_key_writes_its_rfc7638_thumbprint(
    ec_key: ec.EllipticCurvePrivateKey, old_rsa: rsa.RSAPrivateKey
) -> None:
    es = manager(algorithm="ES256", private_key=private_pem(ec_key))
    rs = manager(algorithm="RS256", private_key=private_pem(old_rsa))
    es_kid = header_of(es.create_access_token("alice"))["kid"]
    rs_kid = header_of(rs.create_access_token("alice"))["kid"]
    # joserfc computes the RFC 7638 thumbprint independently
    assert es_kid == ECKey.import_key(public_pem(ec_key)).thumbprint()
    assert rs_kid == RSAKey.import_key(public_pem(old_rsa)).thumbprint()
    assert es.decode(es.create_access_token("x")).kid == es_kid


def test_thumbprint_of_rfc7638_example() -> None:
    # RFC 7638 section 3.1
    jwk = {
        "kty": "RSA",
        "n": "0vx7agoebGcQSuuPiLJXZptN9nndrQmbXEps2aiAFbWhM78LhWx4cbbfAAtVT86zwu1RK7aPFFxuhDR1"
        "L6tSoc_BJECPebWKRXjBZCiFV4n3oknjhMstn64tZ_2W-5JsGY4Hc5n9yBXArwl93lqt7_RN5w6Cf0h4Q"
        "yQ5v-65YGjQR0_FDW2QvzqY368QQMicAtaSqzs8KJZgnYb9c7d0zgdAZHzu6qMQvRL5hajrn1n91CbOpb"
        "ISD08qNLyrdkt-bFTWhAI4vMQFh6WeZu0fM4lFd2NcRwr3XPksINHaQ-G_xBniIqbw0Ls1jF44-csFCur"
        "-kEgU8awapJzKnqDKgw",
        "e": "AQAB",
        "alg": "RS256",
        "kid": "2011-04-29",
    }
    assert thumbprint(jwk) == "NzbLsXh8uDCcd-6MNwXF4W_7noWXFZAfHkxZsRGC9Xs"


def test_migrating_from_a_single_hmac_secret() -> None:
    single = manager(secret_key=SECRET)
    legacy = single.create_access_token("alice")  # no kid in its header

    # A set of two keys refuses tokens without kid, so the single key's tokens would break ...
    two = manager(
        keys=[
            {"kid": "legacy", "alg": "HS256", "secret_key": SECRET},
            {"kid": "2025", "alg": "HS256", "secret_key": NEW_SECRET},
        ],
        signing_key_id="2025",
    )
    with pytest.raises(JWTDecodeError, match="kid"):
        two.decode(legacy)

    # ... so step 1 names the one secret in a set of one: kid-less tokens still verify,
    step1 = manager(keys=[{"kid": "legacy", "alg": "HS256", "secret_key": SECRET}])
    assert step1.decode(legacy).identity == "alice"
    assert step1.decode(legacy).kid == "legacy"
    fresh = step1.create_access_token("alice")
    assert header_of(fresh)["kid"] == "legacy"
    # and once the kid-less tokens have expired, the ordinary rotation can start.
    assert two.decode(fresh).identity == "alice"


def test_migrating_from_a_single_asymmetric_key_keeps_its_tokens(
    old_rsa: rsa.RSAPrivateKey, new_rsa: rsa.RSAPrivateKey
) -> None:
    single = manager(algorithm="RS256", private_key=private_pem(old_rsa))
    legacy = single.create_access_token("alice")
    kid = header_of(legacy)["kid"]
    assert single.keys.signing is not None
    assert single.keys.signing.kid == kid
    # Name the old key by its thumbprint and the single key's tokens verify in a set of two at once.
    rotated = manager(
        keys=[
            {"kid": kid, "alg": "RS256", "public_key": public_pem(old_rsa)},
            {"kid": "2025", "alg": "RS256", "private_key": private_pem(new_rsa)},
        ]
    )
    assert rotated.decode(legacy).identity == "alice"
    assert header_of(rotated.create_access_token("bob"))["kid"] == "2025"


# -- choosing the key: by kid, among configured keys only ------------------------------------
def test_unknown_kid_is_refused() -> None:
    signer = manager(keys=[{"kid": "elsewhere", "alg": "HS256", "secret_key": SECRET}])
    verifier = manager(keys=[{"kid": "here", "alg": "HS256", "secret_key": SECRET}])
    with pytest.raises(JWTDecodeError, match=r"names a key \(kid\) this service does not have"):
        verifier.decode(signer.create_access_token("alice"))


def test_non_string_kid_is_refused() -> None:
    tm = manager(keys=[{"kid": "a", "alg": "HS256", "secret_key": SECRET}])
    payload = tm.create_access_token("alice").split(".")[1]
    forged = hmac_signed(
        {"alg": "HS256", "typ": "JWT", "kid": ["a"]}, payload, SECRET.encode(), hashlib.sha256
    )
    with pytest.raises(JWTDecodeError):
        tm.decode(forged)


def test_kid_with_another_alg_than_its_key_is_refused(ec_key: ec.EllipticCurvePrivateKey) -> None:
    tm = manager(
        keys=[
            {"kid": "a", "alg": "HS256", "secret_key": SECRET},
            {"kid": "b", "alg": "ES256", "public_key": public_pem(ec_key)},
        ]
    )
    payload = tm.create_access_token("alice").split(".")[1]
    # alg confusion: kid b is an ES256 key; sign with HS256 using its public PEM as the secret
    confused = hmac_signed(
        {"alg": "HS256", "typ": "JWT", "kid": "b"}, payload, public_pem(ec_key), hashlib.sha256
    )
    with pytest.raises(JWTDecodeError, match=r"algorithm \(alg\)"):
        tm.decode(confused)
    # the right secret, but an algorithm other than the one key a is bound to
    upgraded = hmac_signed(
        {"alg": "HS512", "typ": "JWT", "kid": "a"}, payload, SECRET.encode(), hashlib.sha512
    )
    with pytest.raises(JWTDecodeError, match=r"algorithm \(alg\)"):
        tm.decode(upgraded)
    # the control: the same payload with the right kid and alg verifies
    honest = hmac_signed(
        {"alg": "HS256", "typ": "JWT", "kid": "a"}, payload, SECRET.encode(), hashlib.sha256
    )
    assert tm.decode(honest).identity == "alice"


def test_token_without_kid_is_refused_when_two_keys_exist() -> None:
    legacy = manager(secret_key=SECRET).create_access_token("alice")
    two = manager(
        keys=[
            {"kid": "a", "alg": "HS256", "secret_key": SECRET},
            {"kid": "b", "alg": "HS256", "secret_key": NEW_SECRET},
        ],
        signing_key_id="a",
    )
    with pytest.raises(JWTDecodeError, match="names no key"):
        two.decode(legacy)


def test_token_without_kid_uses_the_only_key() -> None:
    legacy = manager(secret_key=SECRET).create_access_token("alice")
    one = manager(keys=[{"kid": "only", "alg": "HS256", "secret_key": SECRET}])
    assert one.decode(legacy).identity == "alice"


def test_single_hmac_key_refuses_a_token_naming_a_kid() -> None:
    tm = manager(secret_key=SECRET)
    payload = tm.create_access_token("alice").split(".")[1]
    named = hmac_signed(
        {"alg": "HS256", "typ": "JWT", "kid": "x"}, payload, SECRET.encode(), hashlib.sha256
    )
    with pytest.raises(JWTDecodeError, match="kid"):
        tm.decode(named)


# -- a service that only verifies -------------------------------------------------------------
def test_verify_only_key_set(ec_key: ec.EllipticCurvePrivateKey) -> None:
    signer = manager(keys=[{"kid": "e1", "alg": "ES256", "private_key": private_pem(ec_key)}])
    verifier = manager(keys=[{"kid": "e1", "alg": "ES256", "public_key": public_pem(ec_key)}])
    assert signer.can_sign
    assert not verifier.can_sign
    raw = signer.create_access_token("alice", fresh=True)
    assert verifier.decode(raw).fresh is True
    with pytest.raises(ConfigurationConflictError, match="only verify"):
        verifier.create_access_token("alice")
    with pytest.raises(ConfigurationConflictError, match="only verify"):
        verifier.create_refresh_token("alice")


def test_verify_only_single_public_key(old_rsa: rsa.RSAPrivateKey) -> None:
    signer = manager(algorithm="RS256", private_key=private_pem(old_rsa))
    verifier = manager(algorithm="RS256", public_key=public_pem(old_rsa))
    assert not verifier.can_sign
    assert verifier.decode(signer.create_refresh_token("alice")).type == "refresh"
    with pytest.raises(ConfigurationConflictError):
        verifier.create_access_token("alice")


# -- where keys come from: PEM files and JWKS documents --------------------------------------
def test_keys_from_pem_file_paths(
    tmp_path: Path, old_rsa: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    (tmp_path / "rs.pem").write_bytes(private_pem(old_rsa))
    (tmp_path / "rs.pub.pem").write_bytes(public_pem(old_rsa))
    (tmp_path / "es.pub.pem").write_bytes(public_pem(ec_key))

    single = manager(algorithm="RS256", private_key=tmp_path / "rs.pem")
    raw = single.create_access_token("alice")
    from_path = manager(algorithm="RS256", public_key=tmp_path / "rs.pub.pem")
    assert from_path.decode(raw).identity == "alice"

    ring = manager(
        keys=[
            {"kid": "r", "alg": "RS256", "private_key": tmp_path / "rs.pem"},
            {"kid": "e", "alg": "ES256", "public_key": tmp_path / "es.pub.pem"},
        ]
    )
    assert header_of(ring.create_access_token("bob"))["kid"] == "r"
    assert {k["kid"] for k in ring.jwks()["keys"]} == {"r", "e"}


def test_missing_pem_file_is_a_configuration_error(tmp_path: Path) -> None:
    with pytest.raises(ConfigurationConflictError, match="cannot be read"):
        manager(algorithm="ES256", public_key=tmp_path / "absent.pem")


def test_keys_from_a_jwks_document(
    old_rsa: rsa.RSAPrivateKey, ec_key: ec.EllipticCurvePrivateKey
) -> None:
    signer = manager(
        keys=[
            {"kid": "r", "alg": "RS256", "private_key": private_pem(old_rsa)},
            {"kid": "e", "alg": "ES256", "private_key": private_pem(ec_key)},
        ],
        signing_key_id="e",
    )
    document = json.loads(json.dumps(signer.jwks()))  # as fetched over the network
    verifier = manager(keys=document)
    assert not verifier.can_sign
    token = verifier.decode(signer.create_access_token("alice"))
    assert (token.identity, token.kid) == ("alice", "e")
    assert verifier.jwks() == signer.jwks()


def test_private_jwk_signs(ec_key: ec.EllipticCurvePrivateKey) -> None:
    jwk = ECKey.import_key(private_pem(ec_key)).as_dict(private=True)
    jwk.update(kid="j1", alg="ES256")
    signer = manager(keys=[jwk])
    raw = signer.create_access_token("alice")
    assert header_of(raw)["kid"] == "j1"
    verifier = manager(keys=[{"kid": "j1", "alg": "ES256", "public_key": public_pem(ec_key)}])
    assert verifier.decode(raw).identity == "alice"


def test_oct_jwk_secret() -> None:
    jwk = {"kty": "oct", "kid": "o", "alg": "HS256", "k": b64url(SECRET.encode())}
    from_jwk = manager(keys=[jwk])
    from_text = manager(keys=[{"kid": "o", "alg": "HS256", "secret_key": SECRET}])
    assert from_text.decode(from_jwk.create_access_token("alice")).identity == "alice"
    assert from_jwk.jwks() == {"keys": []}


# -- key sets that cannot work are refused at startup ---------------------------------------
@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"keys": []}, "empty"),
        ({"keys": "not a list"}, "list of key specs"),
        ({"keys": [{"alg": "HS256", "secret_key": SECRET}]}, "kid"),
        ({"keys": [{"kid": "a", "secret_key": SECRET}]}, "alg"),
        ({"keys": [{"kid": "a", "alg": "none", "secret_key": SECRET}]}, "not supported"),
        ({"keys": [{"kid": "a", "alg": "HS256", "secret": SECRET}]}, "unknown fields"),
        (
            {
                "keys": [
                    {"kid": "a", "alg": "HS256", "secret_key": SECRET},
                    {"kid": "a", "alg": "HS256", "secret_key": NEW_SECRET},
                ]
            },
            "twice",
        ),
        (
            {
                "keys": [
                    {"kid": "a", "alg": "HS256", "secret_key": SECRET},
                    {"kid": "b", "alg": "HS256", "secret_key": NEW_SECRET},
                ]
            },
            "signing_key_id",
        ),
        (
            {
                "keys": [{"kid": "a", "alg": "HS256", "secret_key": SECRET}],
                "signing_key_id": "z",
            },
            "not in keys",
        ),
        ({"secret_key": SECRET, "signing_key_id": "a"}, "needs the keys option"),
        (
            {"secret_key": SECRET, "keys": [{"kid": "a", "alg": "HS256", "secret_key": SECRET}]},
            "not both",
        ),
    ],
)
def test_unusable_key_sets_are_refused(options: dict[str, Any], message: str) -> None:
    with pytest.raises(ConfigurationConflictError, match=message):
        manager(**options)


def test_signing_key_id_must_name_a_key_that_can_sign(ec_key: ec.EllipticCurvePrivateKey) -> None:
    with pytest.raises(ConfigurationConflictError, match="no private key"):
        manager(
            keys=[
                {"kid": "a", "alg": "HS256", "secret_key": SECRET},
                {"kid": "b", "alg": "ES256", "public_key": public_pem(ec_key)},
            ],
            signing_key_id="b",
        )


def test_jwk_with_encryption_use_is_refused(ec_key: ec.EllipticCurvePrivateKey) -> None:
    jwk = ECKey.import_key(public_pem(ec_key)).as_dict()
    jwk.update(kid="x", alg="ES256", use="enc")
    with pytest.raises(ConfigurationConflictError, match="use"):
        manager(keys=[jwk])
