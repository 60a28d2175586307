"""Over HTTP: hostile tokens, in every token location, are refused as API.md section 6 says.

Each token is the concrete request that gets past a naive JWT library. It is sent through a
real Sanic app whose only token location is the one under test (header, cookie with its CSRF
header, query string, JSON body), and it is signed with the app's own secret wherever a
signature could matter, so only the rule under test stops it. A control shows the same
forging path is accepted when nothing is wrong, so a refusal is never an accident of the
request's shape. RFC 8725 sections 2.1, 3.1, 3.2, 3.10, 3.12; RFC 7515 sections 4.1, 7.1.
"""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator, Iterator
from typing import Any

import pytest
import pytest_asyncio
from cryptography.hazmat.primitives.asymmetric import rsa

from tests.security.forge import forge, hmac_sign, payload_with
from tests.security.http_app import (
    CSRF,
    LOCATIONS,
    Site,
    assert_refused,
    build_app,
    carry,
    live_claims,
    manager_of,
    started,
)
from tests.support.jose import b64url, join
from tests.support.keys import KeyPair, key_pair

pytestmark = pytest.mark.asyncio(loop_scope="module")  # one loop for the module's apps


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def apps() -> AsyncIterator[dict[str, Site]]:
    """One HS256 app per token location."""
    async with started(*(build_app(location) for location in LOCATIONS)) as sites:
        yield dict(zip(LOCATIONS, sites, strict=True))


@pytest.fixture(scope="module")
def rsa_key() -> KeyPair:
    return key_pair(rsa.generate_private_key(public_exponent=65537, key_size=2048))


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def rs256_apps(rsa_key: KeyPair) -> AsyncIterator[dict[str, Site]]:
    """One RS256 app per token location, all with the same key pair."""
    built = [
        build_app(location, algorithm="RS256", private_key=rsa_key.private_pem)
        for location in LOCATIONS
    ]
    async with started(*built) as sites:
        yield dict(zip(LOCATIONS, sites, strict=True))


async def post(site: Site, location: str, token: str, path: str = "/access", **kw: Any) -> Any:
    return await site.post(path, **carry(location, token, **kw))


def with_header(header: Any, payload: Any = None) -> str:
    """A token with this header, HMAC-signed with the app's secret over live claims."""
    return forge(header, live_claims() if payload is None else payload)


# -- controls: the forging path works in every location ----------------------------------------
@pytest.mark.parametrize("location", LOCATIONS)
async def test_control_a_correct_forged_token_is_accepted(
    apps: dict[str, Site], location: str
) -> None:
    response = await post(apps[location], location, forge(None, live_claims()))
    assert response.status_code == 200, response.text
    assert response.json() == {"identity": "alice"}


@pytest.mark.parametrize("location", LOCATIONS)
async def test_control_an_expired_token_is_a_401_with_a_bearer_challenge(
    apps: dict[str, Site], location: str
) -> None:
    token = forge(None, live_claims(iat=1_000_000, nbf=1_000_000, exp=1_000_900))
    body = assert_refused(await post(apps[location], location, token), 401, token)
    assert "expired" in body["msg"]


# -- rule: alg none ------------------------------------------------------------------------------
ALG_NONE_HEADERS = [
    {"alg": "none", "typ": "JWT"},
    {"alg": "None", "typ": "JWT"},
    {"alg": "NONE"},
    {"alg": "nOnE"},
    {"typ": "JWT"},  # no alg at all
    {"alg": ""},
    {"alg": None},
]


@pytest.mark.parametrize("header", ALG_NONE_HEADERS, ids=lambda h: repr(h.get("alg", "-")))
@pytest.mark.parametrize("signature", ["", "AAAA", "<hmac>"])
@pytest.mark.parametrize("location", LOCATIONS)
async def test_alg_none_is_refused(
    apps: dict[str, Site], location: str, header: dict[str, Any], signature: str
) -> None:
    signing_input = join(header, live_claims())
    if signature == "<hmac>":  # signed with the real secret all the same
        signature = hmac_sign(signing_input)
    token = f"{signing_input}.{signature}"
    assert_refused(await post(apps[location], location, token), 422, token)


# -- rule: RS256 -> HS256 key confusion -----------------------------------------------------------
@pytest.mark.parametrize("location", LOCATIONS)
async def test_control_rs256_app_accepts_its_own_tokens(
    rs256_apps: dict[str, Site], location: str
) -> None:
    app = rs256_apps[location]
    token = manager_of(app).create_access_token("alice")
    csrf = manager_of(app).decode(token).csrf or CSRF
    response = await post(app, location, token, csrf=csrf)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("encoding", ["pem", "pem-stripped", "der"])
@pytest.mark.parametrize("alg", ["HS256", "HS384", "HS512"])
@pytest.mark.parametrize("location", LOCATIONS)
async def test_hmac_signed_with_the_public_key_is_refused_by_an_rs256_app(
    rs256_apps: dict[str, Site], rsa_key: KeyPair, location: str, alg: str, encoding: str
) -> None:
    secret = {
        "pem": rsa_key.public_pem,
        "pem-stripped": rsa_key.public_pem.strip(),
        "der": rsa_key.public_der,
    }[encoding]
    token = forge({"alg": alg, "typ": "JWT"}, live_claims(), secret=secret, alg=alg)
    private_key_line = rsa_key.private_pem.splitlines()[1]  # 64 characters of the key
    response = await post(rs256_apps[location], location, token)
    assert_refused(response, 422, token, private_key_line, rsa_key.public_pem.splitlines()[1])


# -- rule: key material named by the token (jku, x5u, jwk, kid) -----------------------------------
@pytest.fixture
def listener() -> Iterator[tuple[str, socket.socket]]:
    """A loopback port that records whether anyone connects: the URL a forged jku points to."""
    with socket.socket() as server:
        server.bind(("127.0.0.1", 0))
        server.listen(8)
        server.setblocking(False)
        yield f"http://127.0.0.1:{server.getsockname()[1]}/keys.json", server


def nobody_connected(server: socket.socket) -> bool:
    try:
        connection, _ = server.accept()
    except BlockingIOError:
        return True
    connection.close()
    return False


ATTACKER_SECRET = b"attacker-chosen-hmac-key-of-32-bytes!!"
ATTACKER_JWK = {"kty": "oct", "k": b64url(ATTACKER_SECRET), "alg": "HS256"}


@pytest.mark.parametrize("member", ["jku", "x5u"])
@pytest.mark.parametrize("location", LOCATIONS)
async def test_a_key_url_in_the_header_is_refused_and_never_fetched(
    apps: dict[str, Site], listener: tuple[str, socket.socket], location: str, member: str
) -> None:
    url, server = listener
    for secret in (b"irrelevant", ATTACKER_SECRET):
        header = {"alg": "HS256", "typ": "JWT", member: url}
        token = forge(header, live_claims(), secret=secret)
        assert_refused(await post(apps[location], location, token), 422, token)
    # also signed with the app's real secret: the header alone is reason to refuse
    token = with_header({"alg": "HS256", "typ": "JWT", member: url})
    assert_refused(await post(apps[location], location, token), 422, token)
    assert nobody_connected(server), f"the app fetched the {member} URL"


@pytest.mark.parametrize("location", LOCATIONS)
async def test_an_embedded_jwk_is_refused(apps: dict[str, Site], location: str) -> None:
    header = {"alg": "HS256", "typ": "JWT", "jwk": ATTACKER_JWK}
    token = forge(header, live_claims(), secret=ATTACKER_SECRET)
    assert_refused(await post(apps[location], location, token), 422, token, ATTACKER_SECRET)
    token = with_header(header)  # signed with the real secret: still refused
    assert_refused(await post(apps[location], location, token), 422, token)


FORGED_KIDS = [
    ("../../../../../../dev/null", b""),  # path traversal to an empty file
    ("/proc/self/environ", b""),
    ("x' UNION SELECT 'attacker-key'-- ", b"attacker-key"),  # SQL injection
    ("|cat /etc/passwd", b""),  # command injection
    ("http://127.0.0.1:9/key", ATTACKER_SECRET),
    ("", b""),
    ("\u0000", b""),
]


@pytest.mark.parametrize(("kid", "secret"), FORGED_KIDS, ids=[k for k, _ in FORGED_KIDS])
@pytest.mark.parametrize("location", LOCATIONS)
async def test_a_forged_kid_is_refused(
    apps: dict[str, Site], location: str, kid: str, secret: bytes
) -> None:
    token = forge({"alg": "HS256", "typ": "JWT", "kid": kid}, live_claims(), secret=secret)
    assert_refused(await post(apps[location], location, token), 422, token)
    token = with_header({"alg": "HS256", "typ": "JWT", "kid": kid})  # the real secret
    assert_refused(await post(apps[location], location, token), 422, token)


@pytest.mark.parametrize("kid", [1, True, ["a"], {"a": 1}])
@pytest.mark.parametrize("location", LOCATIONS)
async def test_a_kid_that_is_not_a_string_is_refused(
    apps: dict[str, Site], location: str, kid: Any
) -> None:
    token = with_header({"alg": "HS256", "typ": "JWT", "kid": kid})
    assert_refused(await post(apps[location], location, token), 422, token)


# -- rule: exactly three segments ----------------------------------------------------------------
def segment_counts() -> dict[str, str]:
    token = forge(None, live_claims())
    header, payload, signature = token.split(".")
    return {
        "one": header,
        "two": f"{header}.{payload}",
        "two-trailing-dot": f"{header}.{payload}.",
        "four": f"{token}.{signature}",
        "four-empty": f"{token}.",
        "five": f"{token}.{payload}.{signature}",
        "dots": "...",
        "leading-dot": f".{token}",
    }


@pytest.mark.parametrize("shape", list(segment_counts()))
@pytest.mark.parametrize("location", LOCATIONS)
async def test_other_than_three_segments_is_refused(
    apps: dict[str, Site], location: str, shape: str
) -> None:
    token = segment_counts()[shape]
    assert_refused(await post(apps[location], location, token), 422, token)


# -- rule: each segment is canonical base64url of a JSON object ----------------------------------
GARBAGE_SEGMENTS: dict[str, str] = {
    "not-base64url": "!!!*%%",
    "std-base64": "ab+/cd==",
    "padded": b64url(b'{"alg":"HS256"}') + "==",
    "one-char": "A",
    "not-json": b64url(b"not json at all"),
    "json-array": b64url(b"[1,2,3]"),
    "json-string": b64url(b'"text"'),
    "json-null": b64url(b"null"),
    "json-number": b64url(b"12345"),
    "not-utf8": b64url(b'{"a":"\xff\xfe"}'),
    "trailing-junk": b64url(b'{"alg":"HS256"} x'),
    "deeply-nested": b64url(b'{"a":' * 2000 + b"1" + b"}" * 2000),
    "nan": b64url(b'{"alg":"HS256","x":NaN}'),
    "bom": b64url(b'\xef\xbb\xbf{"alg":"HS256"}'),
}


@pytest.mark.parametrize("garbage", list(GARBAGE_SEGMENTS))
@pytest.mark.parametrize("index", [0, 1, 2], ids=["header", "payload", "signature"])
@pytest.mark.parametrize("location", LOCATIONS)
async def test_garbage_in_a_segment_is_refused(
    apps: dict[str, Site], location: str, index: int, garbage: str
) -> None:
    parts = forge(None, live_claims()).split(".")
    parts[index] = GARBAGE_SEGMENTS[garbage]
    if index < 2:  # re-sign, so that a lenient parser would accept what it made of the garbage
        signing_input = f"{parts[0]}.{parts[1]}"
        parts[2] = hmac_sign(signing_input)
    token = ".".join(parts)
    assert_refused(await post(apps[location], location, token), 422, token)


# -- rule: duplicate JSON member names -----------------------------------------------------------
def duplicates() -> dict[str, str]:
    base = live_claims()
    body = payload_with("type", '"access"', base)
    return {
        "header-alg": forge('{"alg":"none","typ":"JWT","alg":"HS256"}', base),
        "header-kid": forge('{"alg":"HS256","kid":"a","kid":null}', base),
        "payload-sub": forge(None, body[:-1] + ',"sub":"admin"}'),
        "payload-type": forge(None, body[:-1] + ',"type":"refresh"}'),
        "payload-exp": forge(None, body[:-1] + ',"exp":99999999999}'),
        "payload-fresh": forge(None, body[:-1] + ',"fresh":true}'),
    }


@pytest.mark.parametrize("case", list(duplicates()))
@pytest.mark.parametrize("location", LOCATIONS)
async def test_duplicate_member_names_are_refused(
    apps: dict[str, Site], location: str, case: str
) -> None:
    token = duplicates()[case]
    assert_refused(await post(apps[location], location, token), 422, token)


# -- rule: registered claims by exact JSON type (exp as a string, ...) ---------------------------
BAD_EXP = ['"9999999999"', '"2099-01-01T00:00:00Z"', "true", "null", "[9999999999]", "1e400"]


@pytest.mark.parametrize("value", BAD_EXP)
@pytest.mark.parametrize("location", LOCATIONS)
async def test_exp_that_is_not_a_number_is_refused(
    apps: dict[str, Site], location: str, value: str
) -> None:
    token = forge(None, payload_with("exp", value, live_claims()))
    body = assert_refused(await post(apps[location], location, token), 422, token)
    assert "exp" in body["msg"]


# -- rule: a refresh token is not an access token, and vice versa --------------------------------
@pytest.mark.parametrize("location", LOCATIONS)
async def test_a_refresh_token_on_an_access_route_is_refused(
    apps: dict[str, Site], location: str
) -> None:
    app = apps[location]
    manager = manager_of(app)
    refresh = manager.create_refresh_token("alice")
    csrf = manager.decode(refresh).csrf
    # sent where the access route looks for an access token
    response = await post(app, location, refresh, csrf=csrf)
    assert_refused(response, 422, refresh)
    # sent where the refresh route looks, it works: only the route's type stops it above
    response = await post(app, location, refresh, "/refresh", refresh=True, csrf=csrf)
    assert response.status_code == 200, response.text


@pytest.mark.parametrize("location", LOCATIONS)
async def test_an_access_token_on_a_refresh_route_is_refused(
    apps: dict[str, Site], location: str
) -> None:
    app = apps[location]
    manager = manager_of(app)
    access = manager.create_access_token("alice", fresh=True)
    csrf = manager.decode(access).csrf
    response = await post(app, location, access, "/refresh", refresh=True, csrf=csrf)
    assert_refused(response, 422, access)
    response = await post(app, location, access, csrf=csrf)
    assert response.status_code == 200, response.text
