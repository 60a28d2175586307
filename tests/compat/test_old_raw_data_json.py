"""`token.raw_data` serializes as the 1.0-dev dict did, and still cannot be changed."""

from __future__ import annotations

import copy
import json
import pickle
from collections.abc import Callable
from typing import Any

import pytest
from old_api import SECRET, bearer, client
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse
from sanic.response import json as sanic_json
from sanic.response.types import BaseHTTPResponse

from jwt_core import Config, Token, TokenManager
from sanic_jwt_extended import JWT, jwt_required


@pytest.fixture
def token() -> Token:
    manager = TokenManager(Config(secret_key=SECRET, private_claim_prefix="p"))
    raw = manager.create_access_token("alice", private_claims={"nested": {"a": [1, 2]}})
    return manager.decode(raw)


def test_json_dumps_and_sanics_own_dumps_take_raw_data(token: Token) -> None:
    expected = dict(token.raw_data)
    assert json.loads(json.dumps(token.raw_data)) == expected
    # what sanic.response.json calls by default (ujson when installed, else json.dumps)
    assert json.loads(BaseHTTPResponse._dumps(token.raw_data)) == expected
    assert json.loads(sanic_json({"raw_data": token.raw_data}).body) == {"raw_data": expected}


@pytest.mark.parametrize(
    "change",
    [
        lambda data: data.__setitem__("sub", "mallory"),
        lambda data: data.__delitem__("sub"),
        lambda data: data.update(sub="mallory"),
        lambda data: data.pop("sub"),
        lambda data: data.popitem(),
        lambda data: data.setdefault("admin", True),
        lambda data: data.clear(),
        lambda data: data.__ior__({"sub": "mallory"}),
    ],
)
def test_raw_data_refuses_every_change(token: Token, change: Callable[[Any], Any]) -> None:
    before = dict(token.raw_data)
    with pytest.raises(TypeError, match="read-only"):
        change(token.raw_data)
    assert token.raw_data == before
    assert token.sub == "alice"


def test_copies_of_raw_data_are_equal_and_the_plain_copy_is_mutable(token: Token) -> None:
    assert copy.copy(token.raw_data) == token.raw_data
    assert pickle.loads(pickle.dumps(token.raw_data)) == token.raw_data
    mutable = dict(token.raw_data)
    mutable["sub"] = "changed"
    assert token.raw_data["sub"] == "alice"


def test_raw_data_in_a_sanic_response(new_app: Callable[[], Sanic[Any, Any]]) -> None:
    """`json(dict(raw_data=token.raw_data))`, in four of the seven 1.0-dev examples."""
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET

    @app.get("/protected")
    @jwt_required
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return sanic_json(dict(identity=token.identity, raw_data=token.raw_data))

    raw = JWT.for_app(app).create_access_token("alice")
    _, response = client(app).get("/protected", headers=bearer(raw))
    assert response.status == 200, response.text
    assert response.json["raw_data"] == dict(JWT.for_app(app).decode(raw).raw_data)
