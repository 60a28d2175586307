"""A token sent twice in one place (query parameter, cookie, JSON member) is refused with 422.

The security suite (tests/security/test_http_request_parts.py) throws hostile repeats at the
server; these pin the message, what does not count as a repeat, and the refresh-token names.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from sanic import Request, Sanic
from sanic.response import json

from sanic_jwt_extended import JWT, Token, jwt_required, refresh_jwt_required
from tests.support.apps import bearer


def _protect(app: Sanic[Any, Any]) -> None:
    @app.route("/me", methods=["GET", "POST"])
    @jwt_required
    async def me(request: Request, token: Token) -> object:
        return json({"identity": token.identity})

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> object:
        return json({"identity": token.identity})


def assert_sent_twice(response: Any, token: str, what: str) -> None:
    assert response.status == 422, response.text
    message = response.json["msg"]
    assert what in message
    assert message.endswith("send the token once")
    assert token not in response.text


async def test_a_repeated_query_parameter(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(token_location=("query_string",))
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/me", params=[("jwt", token), ("jwt", token)])
    assert_sent_twice(response, token, "the 'jwt' query parameter was sent 2 times")
    _, response = await app.asgi_client.get(
        "/me", params=[("jwt", "a"), ("jwt", "b"), ("jwt", "c")]
    )
    assert_sent_twice(response, token, "was sent 3 times")
    # A blank copy carries nothing, as a blank Authorization header does: not a repeat.
    _, response = await app.asgi_client.get("/me", params=[("jwt", ""), ("jwt", token)])
    assert response.json == {"identity": "alice"}


async def test_a_repeated_cookie(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(token_location=("cookies",))
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")

    async def get(cookie_header: str) -> Any:
        _, response = await app.asgi_client.get("/me", headers={"Cookie": cookie_header})
        return response

    response = await get(f"access_token_cookie={token}; access_token_cookie={token}")
    assert_sent_twice(response, token, "the 'access_token_cookie' cookie was sent 2 times")
    # Sanic answers for a cookie name with its __Host- / __Secure- form too: one of each is
    # two tokens, and which one a proxy in front would read is anyone's guess.
    response = await get(f"__Host-access_token_cookie={token}; access_token_cookie={token}")
    assert_sent_twice(response, token, "was sent 2 times")
    response = await get(f"__Secure-access_token_cookie={token}")
    assert response.json == {"identity": "alice"}
    response = await get(f"access_token_cookie=; access_token_cookie={token}; other=1")
    assert response.json == {"identity": "alice"}


async def test_a_repeated_json_member(make_app: Callable[..., Sanic[Any, Any]]) -> None:
    app = make_app(token_location=("json",))
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")

    async def post(path: str, body: str) -> Any:
        headers = {"Content-Type": "application/json"}
        _, response = await app.asgi_client.post(path, content=body.encode(), headers=headers)
        return response

    response = await post("/me", f'{{"access_token": "{token}", "access_token": "{token}"}}')
    assert_sent_twice(response, token, "the 'access_token' member appears more than once")
    response = await post("/me", f'{{"access_token": null, "access_token": "{token}"}}')
    assert_sent_twice(response, token, "'access_token' member")
    # Only the token's own member counts, and only at the top of the body.
    response = await post("/me", f'{{"access_token": "{token}", "a": 1, "a": 2}}')
    assert response.json == {"identity": "alice"}
    nested = f'{{"access_token": "{token}", "x": {{"access_token": 1, "access_token": 2}}}}'
    assert (await post("/me", nested)).json == {"identity": "alice"}

    refresh = JWT.for_app(app).create_refresh_token("alice")
    body = f'{{"refresh_token": "{refresh}", "refresh_token": "{refresh}"}}'
    assert_sent_twice(await post("/refresh", body), refresh, "'refresh_token' member")
    body = f'{{"refresh_token": "{refresh}", "access_token": 1, "access_token": 2}}'
    assert (await post("/refresh", body)).json == {"identity": "alice"}


async def test_a_location_after_the_one_that_holds_the_token_is_not_read(
    make_app: Callable[..., Sanic[Any, Any]],
) -> None:
    app = make_app(token_location=("headers", "query_string"))
    _protect(app)
    token = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get(
        "/me", headers=bearer(token), params=[("jwt", "a"), ("jwt", "b")]
    )
    assert response.json == {"identity": "alice"}
    _, response = await app.asgi_client.get("/me", params=[("jwt", token), ("jwt", token)])
    assert_sent_twice(response, token, "query parameter")
