"""Rule 2: key and algorithm come from our configuration only, never from the token.

RFC 8725 sections 2.1, 3.1 (algorithm verification), 3.2 (never none), 3.10 (kid, jku and x5u
are untrusted input); RFC 7515 sections 4.1.1-4.1.6 (alg, jku, jwk, kid, x5u, x5c), 4.1.9
(typ) and 4.1.11 (crit); RFC 7797 (b64).
"""

from __future__ import annotations

import json
import select
import socket
import sys
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from jwt_core import JWTDecodeError, Token, TokenManager
from tests.security.forge import SECRET, claims, forge, hmac_sign, refusal
from tests.support.jose import b64url, join
from tests.support.keys import KeyPair

# -- observing side effects ------------------------------------------------------------------
# An audit hook cannot be removed, so one is installed once and records only inside `watch`.
_IO_EVENTS = (
    "open",
    "os.",
    "socket.",
    "urllib",
    "http.",
    "subprocess",
    "sqlite3",
    "shutil",
    "ctypes",
    "webbrowser",
    "ftplib",
    "smtplib",
)
_recorded: list[str] = []
_recording = [False]


def _audit(event: str, args: tuple[Any, ...]) -> None:
    if _recording[0] and event.startswith(_IO_EVENTS):
        _recorded.append(f"{event}{args!r}"[:200])


sys.addaudithook(_audit)


@pytest.fixture
def io_events() -> Iterator[Callable[[Callable[[], Any]], list[str]]]:
    """`watch(fn)` runs fn and returns the file, socket, process and database events it caused."""

    def watch(fn: Callable[[], Any]) -> list[str]:
        _recorded.clear()
        _recording[0] = True
        try:
            fn()
        except Exception:
            pass
        finally:
            _recording[0] = False
        return list(_recorded)

    yield watch
    _recording[0] = False


@pytest.fixture
def listener() -> Iterator[tuple[socket.socket, str]]:
    """A loopback TCP listener and its URL, to see whether anything tries to fetch from it."""
    server = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    server.bind(("127.0.0.1", 0))
    server.listen(8)
    port = server.getsockname()[1]
    try:
        yield server, f"http://127.0.0.1:{port}/keys.json"
    finally:
        server.close()


def nobody_connected(server: socket.socket) -> bool:
    readable, _, _ = select.select([server], [], [], 0)
    return not readable


# -- the algorithm is pinned to the key ------------------------------------------------------
@pytest.mark.parametrize("alg", ["HS384", "HS512"])
def test_another_hmac_algorithm_with_the_same_secret_is_refused(
    manager: TokenManager, alg: str
) -> None:
    raw = forge({"alg": alg, "typ": "JWT"}, claims(), alg=alg)
    refusal(manager, raw, JWTDecodeError)


@pytest.mark.parametrize(
    "alg", ["hs256", "Hs256", "HS256 ", " HS256", "HS256\u0000", "HS 256", "HS2560", "\u0048S256x"]
)
def test_the_algorithm_must_match_exactly(manager: TokenManager, alg: str) -> None:
    # Signed with the right secret and HS256 itself: only the name is off.
    raw = forge({"alg": alg, "typ": "JWT"}, claims())
    refusal(manager, raw, JWTDecodeError)


@pytest.mark.parametrize("alg", [None, ["HS256"], {"HS256": True}, 256, True, ""])
def test_an_algorithm_that_is_not_a_string_is_refused(manager: TokenManager, alg: Any) -> None:
    raw = forge({"alg": alg, "typ": "JWT"}, claims())
    refusal(manager, raw, JWTDecodeError)


def test_a_header_without_alg_is_refused(manager: TokenManager) -> None:
    refusal(manager, forge({"typ": "JWT"}, claims()), JWTDecodeError)


@pytest.mark.parametrize("spelling", ["none", "None", "NONE", "nOnE"])
@pytest.mark.parametrize("signature", ["", "AAAA", "hmac"])
def test_alg_none_is_refused_in_every_spelling(
    manager: TokenManager, rs256_manager: TokenManager, spelling: str, signature: str
) -> None:
    signing_input = join({"alg": spelling, "typ": "JWT"}, claims())
    if signature == "hmac":
        signature = hmac_sign(signing_input)
    raw = f"{signing_input}.{signature}"
    refusal(manager, raw, JWTDecodeError)
    refusal(rs256_manager, raw, JWTDecodeError)


# -- key confusion -----------------------------------------------------------------------------
def _public_key_texts(pair: KeyPair) -> dict[str, bytes]:
    from jose.backends.cryptography_backend import CryptographyRSAKey

    texts = {"pem": pair.public_pem, "der": pair.public_der}
    if isinstance(pair.private, rsa.RSAPrivateKey):
        jwk = CryptographyRSAKey(pair.private.public_key(), "RS256").to_dict()
        texts["jwk"] = json.dumps(jwk).encode()
    return texts


@pytest.mark.parametrize("encoding", ["pem", "der", "jwk"])
def test_rs256_to_hs256_key_confusion_is_refused(
    rs256_manager: TokenManager, rsa_key: KeyPair, encoding: str
) -> None:
    # The classic attack: the verifier's public key, known to all, used as an HMAC secret.
    # python-jose accepts the DER variant when HS256 is among the allowed algorithms.
    secret = _public_key_texts(rsa_key)[encoding]
    raw = forge({"alg": "HS256", "typ": "JWT"}, claims(), secret=secret)
    refusal(rs256_manager, raw, JWTDecodeError)
    # ... also when it names the verifier's own key id
    kid = rs256_manager.keys.signing.kid if rs256_manager.keys.signing else None
    assert kid
    raw = forge({"alg": "HS256", "typ": "JWT", "kid": kid}, claims(), secret=secret)
    refusal(rs256_manager, raw, JWTDecodeError)


@pytest.mark.parametrize("encoding", ["pem", "der"])
def test_es256_to_hs256_key_confusion_is_refused(
    es256_manager: TokenManager, ec_key: KeyPair, encoding: str
) -> None:
    secret = _public_key_texts(ec_key)[encoding]
    raw = forge({"alg": "HS256", "typ": "JWT"}, claims(), secret=secret)
    refusal(es256_manager, raw, JWTDecodeError)


def _rs256(header: dict[str, Any], private: rsa.RSAPrivateKey) -> str:
    signing_input = join(header, claims())
    signature = private.sign(signing_input.encode(), padding.PKCS1v15(), hashes.SHA256())
    return f"{signing_input}.{b64url(signature)}"


def test_an_rs256_token_is_refused_by_an_hmac_configuration(manager: TokenManager) -> None:
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refusal(manager, _rs256({"alg": "RS256", "typ": "JWT"}, attacker), JWTDecodeError)


def test_an_rs256_token_signed_by_another_key_is_refused(
    rs256_manager: TokenManager, rsa_key: KeyPair
) -> None:
    good = _rs256({"alg": "RS256", "typ": "JWT"}, rsa_key.private)
    assert rs256_manager.decode(good).sub == "alice"
    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refusal(rs256_manager, _rs256({"alg": "RS256", "typ": "JWT"}, attacker), JWTDecodeError)


# -- embedded and remote keys -------------------------------------------------------------------
def _attacker_jwk() -> tuple[rsa.RSAPrivateKey, dict[str, Any]]:
    from jose.backends.cryptography_backend import CryptographyRSAKey

    attacker = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    return attacker, CryptographyRSAKey(attacker.public_key(), "RS256").to_dict()


def test_an_embedded_jwk_is_refused(rs256_manager: TokenManager) -> None:
    # The attacker's own public key in the header, and a token signed with its private key.
    attacker, jwk = _attacker_jwk()
    raw = _rs256({"alg": "RS256", "typ": "JWT", "jwk": jwk}, attacker)
    refusal(rs256_manager, raw, JWTDecodeError)


@pytest.mark.parametrize("member", ["jku", "x5u"])
def test_a_key_url_is_refused_and_never_fetched(
    manager: TokenManager,
    rs256_manager: TokenManager,
    rsa_key: KeyPair,
    listener: tuple[socket.socket, str],
    io_events: Callable[[Callable[[], Any]], list[str]],
    member: str,
) -> None:
    # Each token is otherwise valid for its manager: only the URL member can stop it.
    server, url = listener
    hs = forge({"alg": "HS256", "typ": "JWT", member: url}, claims())
    rs = _rs256({"alg": "RS256", "typ": "JWT", member: url}, rsa_key.private)
    for target, raw in ((manager, hs), (rs256_manager, rs)):
        events = io_events(lambda target=target, raw=raw: target.decode(raw))
        assert events == []
        exc = refusal(target, raw, JWTDecodeError)
        assert member in str(exc)
    assert nobody_connected(server)


@pytest.mark.parametrize(
    "extra",
    [
        {"jku": "https://attacker.example/jwks.json"},
        {"x5u": "https://attacker.example/cert.pem"},
        {"jwk": {"kty": "oct", "k": b64url(SECRET.encode())}},
        {"x5c": ["MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEA"]},
        {"crit": ["exp"]},
        {"crit": ["b64"], "b64": False},
        {"crit": []},
        {"crit": "b64"},
        {"b64": False},
        {"b64": True},
    ],
)
def test_headers_that_bring_keys_or_demand_extensions_are_refused(
    manager: TokenManager, extra: dict[str, Any]
) -> None:
    # Signed with our own secret, so the header member alone is what must stop it.
    raw = forge({"alg": "HS256", "typ": "JWT", **extra}, claims())
    exc = refusal(manager, raw, JWTDecodeError)
    assert next(iter(extra)) in str(exc)


# -- kid -----------------------------------------------------------------------------------------
HOSTILE_KIDS: list[Any] = [
    "../../etc/passwd",
    "/dev/null",
    "../../../../../../dev/zero",
    "' OR '1'='1",
    "x'; DROP TABLE keys; --",
    "http://127.0.0.1:1/key",
    "file:///etc/passwd",
    "| cat /etc/passwd",
    "$(id)",
    "",
    "k" * 4000,
    0,
    ["k1"],
    {"kid": "k1"},
    True,
]


@pytest.mark.parametrize("kid", HOSTILE_KIDS)
def test_a_hostile_kid_is_refused_without_touching_files_or_network(
    manager: TokenManager, io_events: Callable[[Callable[[], Any]], list[str]], kid: Any
) -> None:
    raw = forge({"alg": "HS256", "typ": "JWT", "kid": kid}, claims())
    events = io_events(lambda: manager.decode(raw))
    assert events == []
    refusal(manager, raw, JWTDecodeError)


def test_a_kid_naming_a_readable_file_does_not_make_its_content_a_key(
    manager: TokenManager, tmp_path: Path, io_events: Callable[[Callable[[], Any]], list[str]]
) -> None:
    # The file's content is known to the attacker, who signs with it.
    keyfile = tmp_path / "key.txt"
    keyfile.write_text("attacker-known-content")
    raw = forge({"alg": "HS256", "kid": str(keyfile)}, claims(), secret="attacker-known-content")
    events = io_events(lambda: manager.decode(raw))
    assert events == []
    refusal(manager, raw, JWTDecodeError)


S1 = "first-secret-of-the-key-set-0123456789abcdef"
S2 = "second-secret-of-the-key-set-0123456789abcdef-0123456789abcdef0123"


@pytest.fixture
def key_set(make_manager: Callable[..., TokenManager], rsa_key: KeyPair) -> TokenManager:
    return make_manager(
        keys=[
            {"kid": "k1", "alg": "HS256", "secret_key": S1},
            {"kid": "k2", "alg": "HS512", "secret_key": S2},
            {"kid": "r1", "alg": "RS256", "public_key": rsa_key.public_pem},
        ],
        signing_key_id="k1",
    )


def test_kid_selects_among_configured_keys(key_set: TokenManager) -> None:
    token = key_set.decode(forge({"alg": "HS256", "kid": "k1"}, claims(), secret=S1))
    assert isinstance(token, Token)
    assert token.kid == "k1"
    other = key_set.decode(forge({"alg": "HS512", "kid": "k2"}, claims(), secret=S2, alg="HS512"))
    assert other.kid == "k2"
    own = key_set.decode(key_set.create_access_token("alice"))
    assert own.kid == "k1"


def test_kid_is_not_a_hint_every_key_is_not_tried(key_set: TokenManager) -> None:
    # python-jose tries every key of a set and ignores kid; here k1 names the one key tried.
    raw = forge({"alg": "HS256", "kid": "k1"}, claims(), secret=S2)
    refusal(key_set, raw, JWTDecodeError)


def test_a_key_of_the_set_keeps_its_own_algorithm(key_set: TokenManager) -> None:
    raw = forge({"alg": "HS512", "kid": "k1"}, claims(), secret=S1, alg="HS512")
    refusal(key_set, raw, JWTDecodeError)
    raw = forge({"alg": "HS256", "kid": "k2"}, claims(), secret=S2)
    refusal(key_set, raw, JWTDecodeError)


def test_key_confusion_inside_a_key_set_is_refused(key_set: TokenManager, rsa_key: KeyPair) -> None:
    for secret in (rsa_key.public_pem, rsa_key.public_der):
        raw = forge({"alg": "HS256", "kid": "r1"}, claims(), secret=secret)
        refusal(key_set, raw, JWTDecodeError)


@pytest.mark.parametrize("kid", [None, "k3", "K1", "k1 ", *HOSTILE_KIDS])
def test_a_token_of_a_key_set_must_name_a_configured_key(key_set: TokenManager, kid: Any) -> None:
    header: dict[str, Any] = {"alg": "HS256"}
    if kid is not None:
        header["kid"] = kid
    refusal(key_set, forge(header, claims(), secret=S1), JWTDecodeError)


# -- typ -----------------------------------------------------------------------------------------
@pytest.mark.parametrize("typ", ["JWT", "jwt", "application/jwt", "application/JWT"])
def test_typ_jwt_is_accepted(manager: TokenManager, typ: str) -> None:
    assert manager.decode(forge({"alg": "HS256", "typ": typ}, claims())).sub == "alice"


@pytest.mark.parametrize(
    "typ",
    [
        "at+jwt",
        "JWE",
        "JOSE",
        "JOSE+JSON",
        "",
        "JWT ",
        "application/jose",
        "secevent+jwt",
        1,
        ["JWT"],
    ],
)
def test_typ_other_than_jwt_is_refused(manager: TokenManager, typ: Any) -> None:
    refusal(manager, forge({"alg": "HS256", "typ": typ}, claims()), JWTDecodeError)


@pytest.mark.parametrize("member", ["typ", "kid"])
def test_a_header_member_set_to_null_is_refused(manager: TokenManager, member: str) -> None:
    # RFC 7515 4.1.4 and 4.1.9: kid and typ are strings; null is not "absent".
    refusal(manager, forge({"alg": "HS256", member: None}, claims()), JWTDecodeError)
