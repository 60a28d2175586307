"""Over HTTP, against Sanic's real server: a token whose JSON nests about a thousand levels deep
around a lone surrogate is a JSON 422 on `jwt_required` and `jwt_optional` routes, in every
token location, signed or not; never a 500 with a traceback.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest

from tests.security.forge import claims, forge
from tests.security.http_app import CSRF, LOCATIONS, assert_refused, build_app, manager_of
from tests.support.jose import join
from tests.support.sanic_server import RunningServer

HEADER = {"alg": "HS256", "typ": "JWT"}


def deep(levels: int) -> str:
    return '{"a":' + "[" * levels + '"\\ud800"' + "]" * levels + "}"


def tokens() -> list[str]:
    """Nesting around the depth where Python's own limit strikes (it varies with the stack a
    request runs on), unsigned and signed, in the payload, the identity and the header."""
    stolen_signature = forge().rpartition(".")[2]
    out = []
    for levels in range(900, 1000, 6):
        text = deep(levels)
        out.append(f"{join(HEADER, text)}.{stolen_signature}")
        out.append(forge(None, text))
        out.append(forge(None, json.dumps(claims())[:-1] + ',"identity":' + text[5:-1] + "}"))
    out.append(forge('{"alg":"HS256",' + deep(990)[1:], claims()))
    return out


@pytest.fixture(scope="module")
def servers() -> Iterator[dict[str, RunningServer]]:
    running = [RunningServer(build_app(location)) for location in LOCATIONS]
    for server in running:
        server.__enter__()
    try:
        yield dict(zip(LOCATIONS, running, strict=True))
    finally:
        for server in running:
            server.__exit__(None, None, None)


def send(server: RunningServer, location: str, path: str, raw: str, csrf: str = CSRF) -> Any:
    """POST `raw` to `path` where `location` reads it, byte for byte."""
    if location == "headers":
        return server.request("POST", path, [(b"Authorization", b"Bearer " + raw.encode())])
    if location == "cookies":
        headers = [(b"Cookie", b"access_token_cookie=" + raw.encode())]
        return server.request("POST", path, [*headers, (b"X-CSRF-Token", csrf.encode())])
    if location == "query_string":
        return server.request("POST", f"{path}?jwt={raw}", [])
    body = json.dumps({"access_token": raw}).encode()
    return server.request("POST", path, [(b"Content-Type", b"application/json")], body)


@pytest.mark.parametrize("path", ["/access", "/optional"])
@pytest.mark.parametrize("location", LOCATIONS)
def test_a_deep_token_with_a_lone_surrogate_is_a_json_422(
    servers: dict[str, RunningServer], location: str, path: str
) -> None:
    server = servers[location]
    for raw in tokens():
        assert_refused(send(server, location, path, raw), 422, raw)
    manager = manager_of(server.app)
    good = manager.create_access_token("alice")
    response = send(server, location, path, good, manager.decode(good).csrf or CSRF)
    assert response.status_code == 200, response
