"""TokenManager.jwks(): the public JWK Set (RFC 7517), checked member by member and used by
two other JOSE libraries (joserfc and PyJWT) to verify our tokens."""

from __future__ import annotations

import base64
import json
import re
import time
import uuid
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives.asymmetric import ec, rsa
from joserfc import jwt as joserfc_jwt
from joserfc.errors import BadSignatureError
from joserfc.jwk import ECKey, KeySet

from jwt_core import Config, TokenManager
from tests.support.keys import private_pem, public_pem

SECRET = "an-hmac-secret-that-must-never-appear-in-any-jwks-0123456789"
PRIVATE_MEMBERS = ("d", "p", "q", "dp", "dq", "qi", "oth", "k")
BASE64URL = re.compile(r"[A-Za-z0-9_-]+")
CURVES = {"ES256": "P-256", "ES384": "P-384", "ES512": "P-521"}


def unb64url(value: str) -> bytes:
    return base64.urlsafe_b64decode(value + "=" * (-len(value) % 4))


def b64url_int(value: str) -> int:
    return int.from_bytes(unb64url(value), "big")


@pytest.fixture(scope="module")
def key_specs(
    rsa_key: rsa.RSAPrivateKey, ec_keys: dict[str, ec.EllipticCurvePrivateKey]
) -> list[dict[str, Any]]:
    """One key of every kind: RSA and EC private keys, and an HMAC secret."""
    return [
        {"kid": "rs", "alg": "RS256", "private_key": private_pem(rsa_key)},
        *(
            {"kid": alg.lower(), "alg": alg, "private_key": private_pem(key)}
            for alg, key in ec_keys.items()
        ),
        {"kid": "hs", "alg": "HS256", "secret_key": SECRET},
    ]


def signer(key_specs: list[dict[str, Any]], kid: str) -> TokenManager:
    return TokenManager(Config(keys=key_specs, signing_key_id=kid))


# -- the document -----------------------------------------------------------------------------
def test_jwks_holds_every_asymmetric_key_and_no_secret(key_specs: list[dict[str, Any]]) -> None:
    document = signer(key_specs, "rs").jwks()
    assert set(document) == {"keys"}
    assert [k["kid"] for k in document["keys"]] == ["rs", "es256", "es384", "es512"]
    text = json.dumps(document)
    assert SECRET not in text
    assert base64.urlsafe_b64encode(SECRET.encode()).decode().rstrip("=") not in text
    assert '"oct"' not in text


def test_jwks_members_follow_rfc7517_and_rfc7518(
    key_specs: list[dict[str, Any]],
    rsa_key: rsa.RSAPrivateKey,
    ec_keys: dict[str, ec.EllipticCurvePrivateKey],
) -> None:
    keys = {k["kid"]: k for k in signer(key_specs, "es256").jwks()["keys"]}
    for kid, jwk in keys.items():
        assert jwk["use"] == "sig", kid
        assert isinstance(jwk["alg"], str), kid
        for member in PRIVATE_MEMBERS:
            assert member not in jwk, (kid, member)
        for name, value in jwk.items():
            if name not in ("kty", "kid", "alg", "use", "crv"):
                assert BASE64URL.fullmatch(value), (kid, name)  # base64url, no padding

    rs = keys["rs"]
    assert rs["kty"] == "RSA"
    assert rs["alg"] == "RS256"
    numbers = rsa_key.public_key().public_numbers()
    assert b64url_int(rs["n"]) == numbers.n
    assert b64url_int(rs["e"]) == numbers.e
    assert rs["e"] == "AQAB"

    for alg, key in ec_keys.items():
        jwk = keys[alg.lower()]
        assert jwk["kty"] == "EC"
        assert jwk["alg"] == alg
        assert jwk["crv"] == CURVES[alg]
        point = key.public_key().public_numbers()
        assert b64url_int(jwk["x"]) == point.x
        assert b64url_int(jwk["y"]) == point.y
        size = (key.curve.key_size + 7) // 8  # RFC 7518 6.2.1.2: full length coordinates
        assert len(unb64url(jwk["x"])) == len(unb64url(jwk["y"])) == size


def test_jwks_is_a_copy(key_specs: list[dict[str, Any]]) -> None:
    tm = signer(key_specs, "rs")
    tm.jwks()["keys"][0]["kid"] = "changed"
    assert tm.jwks()["keys"][0]["kid"] == "rs"


def test_hmac_only_configuration_publishes_an_empty_set() -> None:
    assert TokenManager(Config(secret_key=SECRET)).jwks() == {"keys": []}


def test_single_key_jwks_names_the_kid_its_tokens_carry(
    ec_keys: dict[str, ec.EllipticCurvePrivateKey],
) -> None:
    tm = TokenManager(Config(algorithm="ES384", private_key=private_pem(ec_keys["ES384"])))
    (jwk,) = tm.jwks()["keys"]
    assert tm.decode(tm.create_access_token("alice")).kid == jwk["kid"]
    assert jwk["kid"] == ECKey.import_key(public_pem(ec_keys["ES384"])).thumbprint()


def test_verify_only_service_publishes_the_same_set(
    rsa_key: rsa.RSAPrivateKey,
) -> None:
    private = TokenManager(Config(algorithm="RS256", private_key=private_pem(rsa_key)))
    public = TokenManager(Config(algorithm="RS256", public_key=public_pem(rsa_key)))
    assert public.jwks() == private.jwks()


# -- other libraries read our set and verify our tokens ---------------------------------------
@pytest.mark.parametrize("kid", ["rs", "es256", "es512"])
def test_joserfc_verifies_our_tokens_with_our_jwks(
    key_specs: list[dict[str, Any]], kid: str
) -> None:
    tm = signer(key_specs, kid)
    raw = tm.create_access_token("alice", fresh=True, private_claims={"tenant": 7})
    key_set = KeySet.import_key_set(json.loads(json.dumps(tm.jwks())))
    algorithms = ["RS256", "ES256", "ES512"]
    token = joserfc_jwt.decode(raw, key_set, algorithms=algorithms)
    assert token.header["kid"] == kid
    assert token.claims["sub"] == "alice"
    assert token.claims["tenant"] == 7
    assert token.claims["fresh"] is True
    # and joserfc really checks: a tampered payload fails
    head, _, signature = raw.split(".")
    other = tm.create_access_token("mallory").split(".")[1]
    with pytest.raises(BadSignatureError):
        joserfc_jwt.decode(f"{head}.{other}.{signature}", key_set, algorithms=algorithms)


@pytest.mark.parametrize(("kid", "alg"), [("rs", "RS256"), ("es256", "ES256")])
def test_pyjwt_verifies_our_tokens_with_our_jwks(
    key_specs: list[dict[str, Any]], kid: str, alg: str
) -> None:
    tm = signer(key_specs, kid)
    raw = tm.create_refresh_token("alice")
    key_set = pyjwt.PyJWKSet.from_json(json.dumps(tm.jwks()))
    header = pyjwt.get_unverified_header(raw)
    assert header["kid"] == kid
    claims = pyjwt.decode(raw, key_set[header["kid"]].key, algorithms=[alg])
    assert claims["sub"] == "alice"
    assert claims["type"] == "refresh"
    with pytest.raises(pyjwt.InvalidSignatureError):
        pyjwt.decode(
            raw[:-4] + ("AAAA" if raw[-4:] != "AAAA" else "BBBB"),
            key_set[kid].key,
            algorithms=[alg],
        )


def test_we_verify_tokens_signed_by_joserfc_with_its_public_jwk() -> None:
    """The other direction: a JWK made elsewhere is a key we can verify with."""
    key = ECKey.generate_key("P-256", parameters={"kid": "ext", "alg": "ES256"})
    now = int(time.time())
    claims = {
        "sub": "alice",
        "iat": now,
        "nbf": now,
        "exp": now + 60,
        "jti": str(uuid.uuid4()),
        "type": "access",
        "fresh": False,
    }
    raw = joserfc_jwt.encode({"alg": "ES256", "kid": "ext"}, claims, key)
    public_set = key.as_dict(private=False)
    tm = TokenManager(Config(keys={"keys": [public_set]}))
    token = tm.decode(raw)
    assert (token.identity, token.kid, token.type) == ("alice", "ext", "access")
