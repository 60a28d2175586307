"""Over HTTP, on the wire: bytes that are not UTF-8, oversized and stalled requests, sent by a
raw socket to Sanic's real HTTP/1.1 server. Every request is answered, within a bound, by a
4xx that echoes nothing, and the server keeps serving others meanwhile.

Each server runs in a thread of its own. The one the stalling tests use has short request and
response timeouts (1 and 2 s) so a stalled request is cut off quickly; the client gives up
after 15 s, far beyond either, so a test fails on a hang instead of waiting for it.
RFC 9112 section 2.2 (field values are octets), RFC 9110 sections 15.5.9 (408) and 15.5.14
(413).
"""

from __future__ import annotations

import json
import socket
from collections.abc import AsyncIterator, Iterator

import pytest
import pytest_asyncio

from tests.security.forge import SECRET, forge
from tests.security.http_app import (
    Site,
    assert_refused,
    build_app,
    live_claims,
    manager_of,
    started,
)
from tests.support.sanic_server import RunningServer, read_response

CLIENT_TIMEOUT = 15.0  # seconds; only a hang gets near it


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    """Sanic's default timeouts: big bodies get all the time they need."""
    with RunningServer(build_app("headers", "json")) as running:
        yield running


@pytest.fixture(scope="module")
def impatient_server() -> Iterator[RunningServer]:
    """Short timeouts, so that a stalled request is cut off within seconds."""
    app = build_app("headers", "json")
    app.config.REQUEST_TIMEOUT = 1
    app.config.RESPONSE_TIMEOUT = 2
    with RunningServer(app) as running:
        yield running


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def asgi_app() -> AsyncIterator[Site]:
    async with started(build_app("headers")) as (site,):
        yield site


def valid_request(server: RunningServer) -> int:
    """Status of a well-formed request with a valid token (200 while the server is healthy)."""
    token = manager_of(server.app).create_access_token("alice")
    headers = [(b"Authorization", f"Bearer {token}".encode())]
    return server.request("GET", "/access", headers).status_code


# -- encoding ----------------------------------------------------------------------------------
NOT_UTF8 = [
    b"Bearer \xff\xfe\x80.\xc3\x28.\xa0\xa1",
    b"\xff\xfe \xff",
    b"Bearer\xa0{t}",  # a latin-1 no-break space is not SP
    b"Bearer {t}\xff",
    b"Bearer \xc0\xae\xc0\xae",  # overlong UTF-8
    b"Bearer \xed\xa0\x80.a.b",  # an encoded surrogate
    b"Bearer {t}\x7f",
]


def _another_scheme(value: bytes) -> bool:
    return not value.lower().startswith(b"bearer ")


@pytest.mark.parametrize("raw", NOT_UTF8)
def test_an_authorization_header_that_is_not_utf8_is_refused(
    server: RunningServer, raw: bytes
) -> None:
    token = forge(None, live_claims()).encode()
    value = raw.replace(b"{t}", token)
    response = server.request("GET", "/access", [(b"Authorization", value)])
    assert_refused(response, 422, token, SECRET)
    response = server.request("GET", "/optional", [(b"Authorization", value)])
    if _another_scheme(value):  # not a Bearer header at all: the optional view runs bare
        assert response.status_code == 200
        assert json.loads(response.content) == {"identity": None}
    else:
        assert_refused(response, 422, token, SECRET)


@pytest.mark.parametrize("raw", NOT_UTF8)
@pytest.mark.asyncio(loop_scope="module")
async def test_an_authorization_header_that_is_not_utf8_is_refused_through_asgi(
    asgi_app: Site, raw: bytes
) -> None:
    token = forge(None, live_claims())
    value = raw.replace(b"{t}", token.encode())
    response = await asgi_app.get("/access", headers=[(b"Authorization", value)])
    assert_refused(response, 422, token)


@pytest.mark.parametrize(
    "body",
    [b'{"access_token": "\xff\xfe"}', b"\xff\xfe{}", b'{"access_token": "\xed\xa0\x80"}'],
)
def test_a_json_body_that_is_not_utf8_is_refused(server: RunningServer, body: bytes) -> None:
    headers = [(b"Content-Type", b"application/json")]
    response = server.request("POST", "/access", headers, body)
    assert_refused(response, 401)  # not JSON text, so it carries no token


# -- size --------------------------------------------------------------------------------------
def test_a_100_kb_authorization_header_is_refused_by_sanic_before_any_route(
    server: RunningServer,
) -> None:
    # Sanic's HTTP/1.1 server stops reading past REQUEST_MAX_HEADER_SIZE (8 KB, at most
    # 16 KB): a 413 before any route runs, so its body is Sanic's, not {"msg": ...}.
    value = b"Bearer " + b"A" * 100_000
    response = server.request("GET", "/access", [(b"Authorization", value)])
    assert response.status_code == 413
    assert b"A" * 100 not in response.content
    assert b"Traceback" not in response.content
    assert valid_request(server) == 200


def test_a_header_just_under_sanics_limit_reaches_the_library(server: RunningServer) -> None:
    # 7 KB gets through Sanic's server; the library's max_token_length (8192) is not reached
    # either, so it is the compact-form check that refuses it.
    value = b"Bearer " + b"A" * 7000
    response = server.request("GET", "/access", [(b"Authorization", value)])
    assert_refused(response, 422, value[7:100])


def test_a_huge_json_body_is_answered(server: RunningServer) -> None:
    # Over json_body_max_bytes (64 KiB) a body is refused unread: 413, whatever its shape.
    headers = [(b"Content-Type", b"application/json")]
    token = "A" * 5_000_000
    bodies = [
        b"[" * 2_000_000,  # deeply nested
        b'{"a":' * 500_000 + b"1" + b"}" * 500_000,
        b'{"pad": "' + b"x" * 5_000_000 + b'"}',
        json.dumps({"access_token": token}).encode(),
    ]
    for body in bodies:
        assert_refused(server.request("POST", "/access", headers, body), 413, token[:100])
    assert valid_request(server) == 200


# -- one token, however many header lines carry it ----------------------------------------------
COOKIE = b"access_token_cookie="
COOKIE_LINES = {
    "same-twice": [COOKIE + b"{t}", COOKIE + b"{t}"],
    "then-garbage": [COOKIE + b"{t}", COOKIE + b"x.y.z"],
    "garbage-first": [b"a=1; " + COOKIE + b"x.y.z", COOKIE + b"{t}"],
    "host-prefix": [b"__Host-" + COOKIE + b"{t}", COOKIE + b"{t}"],
    "third-line": [b"a=1", b"b=2", b"__Secure-" + COOKIE + b"{t}; " + COOKIE + b"{t}"],
}
SENT_TWICE = "the 'access_token_cookie' cookie was sent 2 times; send the token once"


@pytest.fixture(scope="module")
def cookie_server() -> Iterator[RunningServer]:
    with RunningServer(build_app("cookies")) as running:
        yield running


@pytest.mark.parametrize("lines", COOKIE_LINES.values(), ids=COOKIE_LINES.keys())
@pytest.mark.parametrize("path", ["/access", "/optional"])
def test_a_token_cookie_in_two_cookie_lines_is_refused(
    cookie_server: RunningServer, lines: list[bytes], path: str
) -> None:
    token = manager_of(cookie_server.app).create_access_token("alice").encode()
    headers = [(b"Cookie", line.replace(b"{t}", token)) for line in lines]
    response = cookie_server.request("GET", path, headers)
    payload = assert_refused(response, 422, token)
    assert payload["msg"] == SENT_TWICE


def test_the_token_cookie_is_found_in_any_cookie_line(cookie_server: RunningServer) -> None:
    token = manager_of(cookie_server.app).create_access_token("alice").encode()
    for lines in (
        [b"a=1", b"access_token_cookie=" + token],
        [b"access_token_cookie=" + token, b"a=1; access_token_cookie="],  # empty: no copy
    ):
        response = cookie_server.request("GET", "/access", [(b"Cookie", line) for line in lines])
        assert response.status_code == 200, response.content
        assert json.loads(response.content) == {"identity": "alice"}


# -- never a hang ------------------------------------------------------------------------------
def test_a_request_head_that_never_ends_is_cut_off(impatient_server: RunningServer) -> None:
    with impatient_server.connect(CLIENT_TIMEOUT) as client:
        client.sendall(b"GET /access HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ")
        response = read_response(client)  # socket.timeout here would mean a hang
    assert response.status_code == 408


def test_a_stalled_body_is_cut_off_while_others_are_served(impatient_server: RunningServer) -> None:
    head = (
        b"POST /access HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100000\r\n\r\n"
    )
    with impatient_server.connect(CLIENT_TIMEOUT) as stalled:
        stalled.sendall(head + b'{"access_token": "')
        # the stalled client holds a connection; everyone else is still served
        assert valid_request(impatient_server) == 200
        response = read_response(stalled)
    # Sanic's response timer covers reading the body: it answers 503 "Response Timeout"
    # (408 would be the exact code); either way an answer, never a hang or a 500.
    assert response.status_code in (408, 503)
    assert b"Traceback" not in response.content


def test_many_hostile_connections_at_once_do_not_stop_the_server(
    impatient_server: RunningServer,
) -> None:
    hostile = [
        b"GET /access HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer ",  # unfinished head
        b"GET /access HTTP/1.1\r\nHost: x\r\nAuthorization: " + b"B" * 20_000,  # oversized
        b"POST /access HTTP/1.1\r\nHost: x\r\nContent-Length: 50\r\n\r\n{",  # stalled body
        b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03",  # a TLS hello to a plain port
        b"\xff\xfe\xfd\r\n\r\n",  # not HTTP at all
    ] * 4
    clients: list[socket.socket] = []
    try:
        for data in hostile:
            client = impatient_server.connect(CLIENT_TIMEOUT)
            clients.append(client)
            client.sendall(data)
        assert valid_request(impatient_server) == 200
        for client in clients:
            try:
                status = read_response(client).status_code
            except ConnectionError:
                continue  # closed without an answer: also not a hang
            assert 400 <= status < 500 or status == 503, status
    finally:
        for client in clients:
            client.close()
