"""Over HTTP, on a real server: the JSON body is read for a token with bounded work.

With "json" in token_location a guarded route reads the body before anything is
authenticated, so what it costs is open to anyone. It is read only when the Content-Type is
JSON (`application/json` or a `+json` type, RFC 6839), only up to `json_body_max_bytes`
(default 64 KiB; larger is `413`, `body_too_large`, RFC 9110 section 15.5.14), and parsed by
the C decoder alone. A repeated top-level token member is still refused (RFC 8259 section 4
leaves repeats to the parser; a proxy may keep the other copy), whatever its spelling.
The figure (guarded against unguarded parse time) is in benchmarks/json_body.py.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from jwt_core import ConfigurationConflictError
from sanic_jwt_extended import HttpConfig
from tests.security.http_app import assert_refused, build_app, manager_of
from tests.support.sanic_server import RunningServer

CAP = 65536  # the default json_body_max_bytes
JSON = (b"Content-Type", b"application/json")


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with RunningServer(build_app("headers", "json")) as running:
        yield running


@pytest.fixture(scope="module")
def small_cap_server() -> Iterator[RunningServer]:
    with RunningServer(build_app("json", json_body_max_bytes=1024)) as running:
        yield running


@pytest.fixture(scope="module")
def token(server: RunningServer) -> str:
    return manager_of(server.app).create_access_token("alice")


def post(
    server: RunningServer, body: bytes, content_type: bytes | None = b"application/json", **kw: Any
) -> Any:
    headers = [] if content_type is None else [(b"Content-Type", content_type)]
    headers += kw.pop("headers", [])
    return server.request("POST", kw.pop("path", "/access"), headers, body)


def identity_of(response: Any) -> Any:
    assert response.status_code == 200, (response.status_code, response.content[:300])
    return json.loads(response.content)["identity"]


def padded(token: str, size: int) -> bytes:
    """A JSON object body of exactly `size` bytes carrying `token`."""
    head = json.dumps({"access_token": token, "pad": ""}).encode()
    return head[:-2] + b"x" * (size - len(head)) + b'"}'


# -- the cap -------------------------------------------------------------------------------
def test_a_body_at_the_cap_is_read(server: RunningServer, token: str) -> None:
    body = padded(token, CAP)
    assert len(body) == CAP
    assert identity_of(post(server, body)) == "alice"


@pytest.mark.parametrize(
    "body",
    [
        pytest.param(lambda t: padded(t, CAP + 1), id="one-byte-over"),
        pytest.param(lambda t: b"[" + b"{}," * 7_000_000 + b"{}]", id="20MB-of-objects"),
        pytest.param(lambda t: b"[" * 2_000_000, id="deep"),
        pytest.param(lambda t: json.dumps({"access_token": "A" * 5_000_000}).encode(), id="5MB"),
    ],
)
@pytest.mark.parametrize("path", ["/access", "/optional", "/refresh"])
def test_a_body_over_the_cap_is_refused_with_413(
    server: RunningServer, token: str, body: Any, path: str
) -> None:
    data = body(token)
    payload = assert_refused(post(server, data, path=path), 413, token, data[:100])
    assert "json_body_max_bytes" in payload["msg"]
    assert f"{len(data)} bytes" in payload["msg"]


def test_the_cap_is_configurable(small_cap_server: RunningServer) -> None:
    token = manager_of(small_cap_server.app).create_access_token("alice")
    assert identity_of(post(small_cap_server, padded(token, 1024))) == "alice"
    assert_refused(post(small_cap_server, padded(token, 1025)), 413, token)


def test_a_token_found_before_the_body_leaves_the_body_unread(
    server: RunningServer, token: str
) -> None:
    bearer = [(b"Authorization", f"Bearer {token}".encode())]
    assert identity_of(post(server, b"[" * 1_000_000, headers=bearer)) == "alice"


@pytest.mark.parametrize("value", [0, 255, -1, True, 2.5, "65536", None])
def test_the_cap_is_checked_at_startup(value: Any) -> None:
    config = HttpConfig(secret_key="s" * 32, json_body_max_bytes=value)
    with pytest.raises(ConfigurationConflictError, match="json_body_max_bytes must be an integer"):
        config.validate()


# -- content types -------------------------------------------------------------------------
@pytest.mark.parametrize(
    "content_type",
    [
        b"application/json",
        b"application/json; charset=utf-8",
        b"Application/JSON",
        b"application/vnd.api+json",
        b"application/merge-patch+json ; q=1",
    ],
)
def test_json_content_types_are_read(
    server: RunningServer, token: str, content_type: bytes
) -> None:
    body = json.dumps({"access_token": token}).encode()
    assert identity_of(post(server, body, content_type)) == "alice"


@pytest.mark.parametrize(
    "content_type",
    [
        None,
        b"text/plain",
        b"application/x-www-form-urlencoded",
        b"multipart/form-data; boundary=x",
        b"application/jsonx",
        b"text/json+xml",
        b"application/octet-stream",
    ],
)
def test_other_content_types_are_not_read(
    server: RunningServer, token: str, content_type: bytes | None
) -> None:
    body = json.dumps({"access_token": token}).encode()
    assert_refused(post(server, body, content_type), 401, token)
    # not read at all: a body of any size is no reason to refuse, nor is it parsed
    huge = b"[" + b"{}," * 7_000_000 + b"{}]"
    assert identity_of(post(server, huge, content_type, path="/optional")) is None


# -- hostile bodies under the cap ----------------------------------------------------------
UNDER_THE_CAP = {
    "many-objects": b"[" + b"{}," * 21_000 + b"{}]",
    "deep-arrays": b"[" * 65_000,
    "deep-objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "many-members": b"{" + b",".join(b'"k%d":0' % i for i in range(6_000)) + b"}",
    "escaped-keys": b"{" + b'"\\u0061":0,' * 5_000 + b'"b":0}',
}


@pytest.mark.parametrize("kind", list(UNDER_THE_CAP))
def test_hostile_bodies_under_the_cap_are_handled(server: RunningServer, kind: str) -> None:
    body = UNDER_THE_CAP[kind]
    assert len(body) <= CAP
    assert_refused(post(server, body), 401)
    assert identity_of(post(server, body, path="/optional")) is None


# -- the token member once, in any spelling --------------------------------------------------
@pytest.mark.parametrize(
    "members",
    [
        '"access_token": "{t}", "access_token": "{t}"',
        '"access_token": "{t}", "access\\u005ftoken": "{t}"',  # the same name, escaped
        '"\\u0061ccess_token": null, "access_token": "{t}"',
        '"access_token": "{t}", "x": "\\\\", "access_token": 1',
        '"access_token": "{t}", "x": {"a": ["access_token"]}, "access_token": "{t}"',
    ],
)
def test_a_repeated_token_member_is_refused(
    server: RunningServer, token: str, members: str
) -> None:
    body = ("{" + members.replace("{t}", token) + "}").encode()
    payload = assert_refused(post(server, body), 422, token)
    assert payload["msg"].endswith("send the token once")


@pytest.mark.parametrize(
    "members",
    [
        '"access_token": "{t}", "x": "\\n"',  # a backslash elsewhere
        '"x": "\\"access_token\\"", "access_token": "{t}"',  # the name inside a string
        '"access_token": "{t}", "x": {"access_token": 1, "access\\u005ftoken": 2}',  # nested
        '"access\\u005ftoken": "{t}"',  # escaped, once
        ' "access_token" : "{t}" , "y" : [ "access_token" , {} ] ',
    ],
)
def test_a_token_member_sent_once_is_read(server: RunningServer, token: str, members: str) -> None:
    body = ("{" + members.replace("{t}", token) + "}").encode()
    assert identity_of(post(server, body)) == "alice"
