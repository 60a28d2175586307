"""PS256/384/512 and EdDSA (Ed25519, also named `Ed25519`): our keys, other libraries' tokens."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import jwt as pyjwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from joserfc import jws as joserfc_jws
from joserfc.jwk import OKPKey, RSAKey

from jwt_core import Config, ConfigurationConflictError, JWTDecodeError, TokenManager
from jwt_core._keys import ALGORITHMS, thumbprint
from jwt_core.cli import main
from tests.support.jose import b64url, header_of, json_segment
from tests.support.keys import private_pem, public_pem

NEW_ALGORITHMS = ["PS256", "PS384", "PS512", "EdDSA", "Ed25519"]


@pytest.fixture(scope="module")
def ed_key() -> ed25519.Ed25519PrivateKey:
    return ed25519.Ed25519PrivateKey.generate()


@pytest.fixture(scope="module")
def pss_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def key_for(alg: str, ed_key: Any, pss_key: Any) -> Any:
    return ed_key if alg.startswith("Ed") else pss_key


def own_claims(**extra: Any) -> dict[str, Any]:
    """The claims our own access tokens must carry."""
    now = int(time.time())
    return {
        "sub": "alice",
        "jti": str(uuid.uuid4()),
        "type": "access",
        "fresh": False,
        "iat": now,
        "nbf": now,
        "exp": now + 600,
        **extra,
    }


def test_the_new_algorithms_are_supported() -> None:
    assert set(NEW_ALGORITHMS) <= set(ALGORITHMS)


@pytest.mark.parametrize("alg", NEW_ALGORITHMS)
def test_round_trip(alg: str, ed_key: Any, pss_key: Any) -> None:
    key = key_for(alg, ed_key, pss_key)
    signer = TokenManager(Config(algorithm=alg, private_key=private_pem(key)))
    raw = signer.create_access_token("alice", private_claims={"tenant": "acme"})
    assert header_of(raw)["alg"] == alg
    verifier = TokenManager(Config(algorithm=alg, public_key=public_pem(key)))
    token = verifier.decode(raw)
    assert (token.identity, token.private_claims) == ("alice", {"tenant": "acme"})
    # one changed signature byte fails
    head, body, sig = raw.split(".")
    flipped = bytearray(pyjwt.utils.base64url_decode(sig))
    flipped[0] ^= 1
    with pytest.raises(JWTDecodeError, match="signature"):
        verifier.decode(f"{head}.{body}.{b64url(bytes(flipped))}")


@pytest.mark.parametrize("alg", NEW_ALGORITHMS)
def test_a_token_signed_by_pyjwt_is_accepted(alg: str, ed_key: Any, pss_key: Any) -> None:
    key = key_for(alg, ed_key, pss_key)
    manager = TokenManager(Config(algorithm=alg, public_key=public_pem(key), key_id="k1"))
    if alg == "Ed25519":  # PyJWT 2.x only writes "EdDSA": the same signature, relabelled
        raw = pyjwt.encode(own_claims(), key, algorithm="EdDSA")
        head = json_segment({"alg": "Ed25519", "typ": "JWT", "kid": "k1"})
        body = raw.split(".")[1]
        raw = f"{head}.{body}.{b64url(ed_key.sign(f'{head}.{body}'.encode()))}"
    else:
        raw = pyjwt.encode(own_claims(), key, algorithm=alg, headers={"kid": "k1"})
    assert manager.decode(raw).sub == "alice"


@pytest.mark.parametrize("alg", NEW_ALGORITHMS)
def test_a_token_signed_by_joserfc_is_accepted(alg: str, ed_key: Any, pss_key: Any) -> None:
    key = key_for(alg, ed_key, pss_key)
    jwk = (OKPKey if alg.startswith("Ed") else RSAKey).import_key(private_pem(key))
    raw = joserfc_jws.serialize_compact(
        {"alg": alg, "typ": "JWT"}, json.dumps(own_claims()), jwk, algorithms=[alg]
    )
    manager = TokenManager(Config(algorithm=alg, public_key=public_pem(key)))
    assert manager.decode(raw).sub == "alice"


@pytest.mark.parametrize("alg", NEW_ALGORITHMS)
def test_our_tokens_verify_under_pyjwt(alg: str, ed_key: Any, pss_key: Any) -> None:
    key = key_for(alg, ed_key, pss_key)
    raw = TokenManager(Config(algorithm=alg, private_key=private_pem(key))).create_access_token(
        "alice"
    )
    if alg == "Ed25519":
        head, body, sig = raw.split(".")
        key.public_key().verify(pyjwt.utils.base64url_decode(sig), f"{head}.{body}".encode())
        return
    claims = pyjwt.decode(raw, key.public_key(), algorithms=[alg])
    assert claims["sub"] == "alice"


def test_each_key_is_pinned_to_its_one_name(ed_key: Any) -> None:
    """A key built for EdDSA refuses a token that says Ed25519, and the other way round."""
    for built, named in (("EdDSA", "Ed25519"), ("Ed25519", "EdDSA")):
        manager = TokenManager(Config(algorithm=built, public_key=public_pem(ed_key), key_id="k"))
        head = json_segment({"alg": named, "kid": "k"})
        body = json_segment(own_claims())
        raw = f"{head}.{body}.{b64url(ed_key.sign(f'{head}.{body}'.encode()))}"
        with pytest.raises(JWTDecodeError, match="algorithm"):
            manager.decode(raw)


def test_a_pss_key_refuses_a_pkcs1_signature_by_the_same_key(pss_key: Any) -> None:
    manager = TokenManager(Config(algorithm="PS256", public_key=public_pem(pss_key), key_id="k"))
    forged = pyjwt.encode(own_claims(), pss_key, algorithm="RS256", headers={"kid": "k"})
    _, body, sig = forged.split(".")
    relabelled = f"{json_segment({'alg': 'PS256', 'kid': 'k'})}.{body}.{sig}"
    with pytest.raises(JWTDecodeError, match="signature"):
        manager.decode(relabelled)


@pytest.mark.parametrize(
    ("alg", "make", "fragment"),
    [
        ("PS256", lambda: ec.generate_private_key(ec.SECP256R1()), "not an RSA key"),
        ("PS384", ed25519.Ed25519PrivateKey.generate, "not an RSA key"),
        ("PS512", lambda: rsa.generate_private_key(public_exponent=65537, key_size=1024), "2048"),
        ("EdDSA", lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048), "Ed2"),
        ("EdDSA", lambda: ec.generate_private_key(ec.SECP256R1()), "Ed25519"),
        ("Ed25519", ed448.Ed448PrivateKey.generate, "Ed25519"),
        ("RS256", ed25519.Ed25519PrivateKey.generate, "not an RSA key"),
        ("ES256", ed25519.Ed25519PrivateKey.generate, "not an EC key"),
    ],
)
def test_a_key_of_the_wrong_kind_is_refused(alg: str, make: Any, fragment: str) -> None:
    key = make()
    for options in ({"private_key": private_pem(key)}, {"public_key": public_pem(key)}):
        with pytest.raises(ConfigurationConflictError, match=fragment):
            TokenManager(Config(algorithm=alg, **options))


def test_a_public_key_that_does_not_belong_to_the_private_key_is_refused(ed_key: Any) -> None:
    other = ed25519.Ed25519PrivateKey.generate()
    with pytest.raises(ConfigurationConflictError, match="does not belong"):
        TokenManager(
            Config(algorithm="EdDSA", private_key=private_pem(ed_key), public_key=public_pem(other))
        )


def test_private_key_holding_a_public_key_is_refused(ed_key: Any) -> None:
    with pytest.raises(ConfigurationConflictError, match="public key, not a private key"):
        TokenManager(Config(algorithm="EdDSA", private_key=public_pem(ed_key)))


def ed_jwk(key: ed25519.Ed25519PrivateKey, private: bool) -> dict[str, Any]:
    jwk = {
        "kty": "OKP",
        "crv": "Ed25519",
        "x": b64url(key.public_key().public_bytes_raw()),
    }
    if private:
        jwk["d"] = b64url(key.private_bytes_raw())
    return jwk


@pytest.mark.parametrize(
    "secret",
    [
        "pem",
        "der-base64",
        "jwk",
    ],
)
def test_an_ed25519_key_posing_as_an_hmac_secret_is_refused(secret: str, ed_key: Any) -> None:
    import base64

    material = {
        "pem": private_pem(ed_key).decode(),
        "der-base64": base64.b64encode(
            ed_key.private_bytes(
                serialization.Encoding.DER,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        ).decode(),
        "jwk": json.dumps(ed_jwk(ed_key, private=True)),
    }[secret]
    with pytest.raises(ConfigurationConflictError, match="asymmetric"):
        TokenManager(Config(algorithm="HS256", secret_key=material))


def test_rfc8037_thumbprint_of_an_okp_key() -> None:
    """RFC 8037 appendix A.3: the thumbprint of the example Ed25519 public key."""
    jwk = {"kty": "OKP", "crv": "Ed25519", "x": "11qYAYKxCrfVS_7TyWQHOg7hcvPapiMlrwIaaPcHURo"}
    assert thumbprint(jwk) == "kPrK_qmxVWaYVA9wwBF6Iuo3vVzz7TxHCTwXBygrS4k"


def test_jwks_and_rotation_with_kids(ed_key: Any, pss_key: Any) -> None:
    """A key set of an EdDSA key (signing) and a PS256 key (old, verify only), as JWKs."""
    old = TokenManager(Config(algorithm="PS256", private_key=private_pem(pss_key), key_id="old"))
    old_token = old.create_access_token("bob")
    keys = [
        {**ed_jwk(ed_key, private=True), "kid": "new", "alg": "EdDSA"},
        {**old.jwks()["keys"][0], "alg": "PS256"},
    ]
    manager = TokenManager(Config(keys=keys))
    new_token = manager.create_access_token("alice")
    assert header_of(new_token) == {"alg": "EdDSA", "typ": "JWT", "kid": "new"}
    assert manager.decode(new_token).identity == "alice"
    assert manager.decode(old_token).identity == "bob"
    published = {k["kid"]: k for k in manager.jwks()["keys"]}
    expected = {**ed_jwk(ed_key, private=False), "alg": "EdDSA", "use": "sig", "kid": "new"}
    assert published["new"] == expected
    assert published["old"]["kty"] == "RSA"
    assert published["old"]["alg"] == "PS256"
    assert "d" not in published["new"]
    assert "d" not in published["old"]
    # PyJWT verifies with the published keys
    for raw, kid in ((new_token, "new"), (old_token, "old")):
        key = pyjwt.PyJWK(published[kid])
        assert pyjwt.decode(raw, key, algorithms=[published[kid]["alg"]])["sub"] in ("alice", "bob")


def test_an_okp_jwk_whose_x_does_not_match_d_is_refused(ed_key: Any) -> None:
    other = ed25519.Ed25519PrivateKey.generate()
    spec = {**ed_jwk(ed_key, private=True), "x": ed_jwk(other, private=False)["x"]}
    with pytest.raises(ConfigurationConflictError, match="does not belong"):
        TokenManager(Config(keys=[{**spec, "kid": "k", "alg": "EdDSA"}]))


def test_default_kid_of_an_ed25519_key_is_its_thumbprint(ed_key: Any) -> None:
    manager = TokenManager(Config(algorithm="Ed25519", private_key=private_pem(ed_key)))
    (jwk,) = manager.jwks()["keys"]
    assert jwk["kid"] == OKPKey.import_key(public_pem(ed_key)).thumbprint()
    assert jwk["alg"] == "Ed25519"


@pytest.mark.parametrize(
    ("alg", "spelled"), [("EdDSA", "eddsa"), ("Ed25519", "ED25519"), ("PS384", "ps384")]
)
def test_keygen(
    alg: str,
    spelled: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["keygen", "--alg", spelled, "--kid", "k1", "--out", "key.pem"]) == 0
    jwk = json.loads(capsys.readouterr().out)
    assert (jwk["alg"], jwk["kid"], jwk["use"]) == (alg, "k1", "sig")
    assert "d" not in jwk
    private = serialization.load_pem_private_key((tmp_path / "key.pem").read_bytes(), None)
    expected = ed25519.Ed25519PrivateKey if alg.startswith("Ed") else rsa.RSAPrivateKey
    assert isinstance(private, expected)
    manager = TokenManager(Config(algorithm=alg, private_key=tmp_path / "key.pem", key_id="k1"))
    raw = manager.create_access_token("alice")
    verifier = TokenManager(Config(keys=[{**jwk}]))
    assert verifier.decode(raw).identity == "alice"


def test_keygen_bits_is_for_rsa_keys_only(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.chdir(tmp_path)
    assert main(["keygen", "--alg", "PS256", "--bits", "3072"]) == 0
    jwk = json.loads(capsys.readouterr().out.split("-----END PUBLIC KEY-----\n")[1])
    assert len(pyjwt.utils.base64url_decode(jwk["n"])) == 384
    assert main(["keygen", "--alg", "EdDSA", "--bits", "3072"]) == 2
    assert "--bits" in capsys.readouterr().err
