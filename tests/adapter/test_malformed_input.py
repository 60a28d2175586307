"""No request, however malformed, gets a 500: every refusal is a 4xx with a JSON body."""

from __future__ import annotations

import base64
import json
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sanic import Request, Sanic
from sanic.response import json as json_response

from sanic_jwt_extended import JWT, Token, jwt_optional, jwt_required
from tests.support.apps import SECRET, new_app, real_server


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _app() -> Sanic[Any, Any]:
    app = new_app("malformed")
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.token_location = ("headers", "cookies", "query_string", "json")
        manager.config.use_acl = True

    @app.route("/me", methods=["GET", "POST"])
    @jwt_required
    async def me(request: Request, token: Token) -> object:
        return json_response({"identity": token.identity})

    @app.route("/maybe", methods=["GET", "POST"])
    @jwt_optional
    async def maybe(request: Request, token: Token | None) -> object:
        return json_response({"identity": token.identity if token else None})

    return app


HEADER = _b64(b'{"alg":"HS256","typ":"JWT"}')
PAYLOAD = _b64(b'{"sub":"alice"}')
UNSIGNED = _b64(b'{"alg":"none"}')
DEEP = _b64(b'{"sub":' * 500 + b"1" + b"}" * 500)
TOKENS = [
    "a.b",  # two segments
    "a.b.c.d",  # four segments
    f"{HEADER}.{PAYLOAD}",
    f"{HEADER}.{PAYLOAD}.sig.extra",
    "!!!.@@@.###",  # not base64url
    "a.b.c",  # base64 of garbage bytes
    f"{_b64(b'not json')}.{PAYLOAD}.AAAA",
    f"{HEADER}.{_b64(b'[1,2,3]')}.AAAA",  # payload JSON but not an object
    f"{HEADER}.{_b64(bytes(range(256)))}.AAAA",  # payload not UTF-8
    f"{UNSIGNED}.{PAYLOAD}.",
    f"{UNSIGNED}.{PAYLOAD}.AAAA",
    f"{HEADER}.{DEEP}.AAAA",  # deep nesting
    f"{HEADER}.{PAYLOAD}.{'A' * 20000}",  # longer than max_token_length
    "é.é.é",
    "..",
]


@pytest.fixture(scope="module")
def app() -> Sanic[Any, Any]:
    return _app()


@pytest.mark.parametrize("raw", TOKENS)
async def test_garbage_tokens_in_every_location(app: Sanic[Any, Any], raw: str) -> None:
    tries: list[dict[str, Any]] = [
        {"headers": {"Authorization": f"Bearer {raw}".encode()}},
        {"headers": {"Cookie": f"access_token_cookie={raw}".encode()}},
        {"params": {"jwt": raw}},
        {"json": {"access_token": raw}},
    ]
    for path in ("/me", "/maybe"):
        for kwargs in tries:
            _, response = await app.asgi_client.post(path, **kwargs)
            assert response.status in (401, 422), (path, kwargs, response.text)
            assert isinstance(response.json["msg"], str)


@pytest.mark.parametrize(
    "body",
    [b"[]", b"null", b'"x"', b"{", b"\xff\xfe{}", b"[" * 60000, b'{"access_token": {}}'],
)
async def test_json_bodies_that_are_not_objects(app: Sanic[Any, Any], body: bytes) -> None:
    for path in ("/me", "/maybe"):
        _, response = await app.asgi_client.post(
            path, content=body, headers={"Content-Type": "application/json"}
        )
        assert response.status in (200, 401, 422), response.text
        if response.status != 200:
            assert "msg" in response.json
        else:
            assert path == "/maybe"


def test_raw_bytes_and_oversized_headers_on_a_real_server() -> None:
    app = _app()
    server = real_server(app)
    cases: list[dict[str, Any]] = [
        {"Authorization": b"Bearer \xff\xfe\x80.\xc3\x28.\xa0\xa1"},
        {"Authorization": b"\xff\xfe \xff"},
        {"Authorization": "Bearer " + "A" * 7000},
        {"Authorization": "Bearer " + "A" * 70000},  # beyond Sanic's header size limit
        {"Cookie": b"access_token_cookie=\xff\xfe; other=\x80"},
        {"Cookie": "access_token_cookie=" + ";" * 3000},
    ]
    for headers in cases:
        _, response = server.get("/me", headers=headers)
        assert 400 <= response.status < 500, (headers, response.status, response.text)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    value=st.binary(max_size=300).map(
        lambda b: bytes(c for c in b if c not in b"\r\n\x00").decode("latin-1")
    ),
    prefix=st.sampled_from(["Bearer ", "bearer ", "", "Basic ", "Bearer  "]),
)
async def test_any_authorization_header_is_a_4xx(
    app: Sanic[Any, Any], value: str, prefix: str
) -> None:
    _, response = await app.asgi_client.get(
        "/me", headers=[(b"Authorization", (prefix + value).encode("latin-1"))]
    )
    assert response.status in (401, 422)
    assert "msg" in json.loads(response.content)


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    raw=st.from_regex(
        r"[A-Za-z0-9_\-]{0,40}\.[A-Za-z0-9_\-]{0,200}\.[A-Za-z0-9_\-]{0,60}", fullmatch=True
    )
)
async def test_any_compact_looking_token_is_a_4xx(app: Sanic[Any, Any], raw: str) -> None:
    _, response = await app.asgi_client.get("/maybe", params={"jwt": raw})
    assert response.status in (401, 422)
