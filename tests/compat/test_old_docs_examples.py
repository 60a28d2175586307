"""The full examples of the 1.0-dev usage pages, written from what each page documents.

Each test builds the page's app as the page does (old imports, `with JWT.initialize(app) as
manager`, `manager.config.<option>`, `token: Token` views, `json(... raw_data=token.raw_data)`)
and drives it over HTTP. What the page says the app answers is what is asserted.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable
from datetime import timedelta
from enum import Enum
from json import JSONEncoder
from typing import Any

import pytest
from old_api import SECRET, bearer, client
from sanic import Sanic
from sanic.request import Request
from sanic.response import HTTPResponse, json

with warnings.catch_warnings():
    warnings.simplefilter("ignore", DeprecationWarning)
    from sanic_jwt_extended.blacklist import BlacklistABC, InMemoryBlacklist
    from sanic_jwt_extended.tokens import Token

from sanic_jwt_extended import JWT, jwt_optional, jwt_required, refresh_jwt_required

NewApp = Callable[[], Sanic[Any, Any]]


def _login_route(app: Sanic[Any, Any], **create: Any) -> None:
    @app.route("/login", methods=["POST"])
    async def login(request: Request) -> HTTPResponse:
        username = request.json.get("username", "user")
        access_token = JWT.create_access_token(identity=username, **create)
        refresh_token = JWT.create_refresh_token(identity=username)
        return json(dict(access_token=access_token, refresh_token=refresh_token), status=200)


def _login(app: Sanic[Any, Any], username: str = "user") -> dict[str, str]:
    _, response = client(app).post("/login", json={"username": username})
    assert response.status == 200, response.text
    tokens: dict[str, str] = response.json
    return tokens


def test_basic_usage(new_app: NewApp) -> None:
    app = new_app()
    # the page's short secret still starts the app; it only warns now
    with (
        pytest.warns(UserWarning, match="secret_key is 6 bytes"),
        JWT.initialize(app) as manager,
    ):
        manager.config.secret_key = "secret"
    _login_route(app)

    @app.route("/protected", methods=["GET"])
    @jwt_required
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return json(
            dict(
                identity=token.identity,
                type=token.type,
                raw_data=token.raw_data,
                exp=str(token.exp),
            )
        )

    tokens = _login(app, "alice")
    _, response = client(app).get("/protected", headers=bearer(tokens["access_token"]))
    assert response.status == 200, response.text
    body = response.json
    assert body["identity"] == "alice"
    assert body["type"] == "access"
    assert body["raw_data"]["sub"] == "alice"
    assert 15 * 60 - 1 < body["raw_data"]["exp"] - body["raw_data"]["iat"] <= 15 * 60
    assert body["exp"].endswith("+00:00")  # aware UTC now: see the migration page

    _, response = client(app).get("/protected")
    assert response.status == 401
    assert "msg" in response.json


def test_refresh_token(new_app: NewApp) -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
    _login_route(app)

    @app.route("/refresh", methods=["POST"])
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> HTTPResponse:
        return json({"refresh_token": JWT.create_access_token(identity=token.identity)})

    @app.route("/protected", methods=["GET"])
    @jwt_required
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    tokens = _login(app, "bob")
    _, response = client(app).post(
        "/refresh", headers={"X-Refresh-Token": f"Bearer {tokens['refresh_token']}"}
    )
    assert response.status == 200, response.text
    fresh_access = response.json["refresh_token"]
    _, response = client(app).get("/protected", headers=bearer(fresh_access))
    assert response.json == {"identity": "bob"}
    # an access token where a refresh token is needed: WrongTokenError, 422 as in 1.0-dev
    _, response = client(app).post(
        "/refresh", headers={"X-Refresh-Token": f"Bearer {tokens['access_token']}"}
    )
    assert response.status == 422


def test_public_claims(new_app: NewApp) -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.public_claim_namespace = "https://jwt.io/"
    _login_route(app, public_claims={"sso_user_id": "asdf", "user_info": {"name": "foo"}})

    @app.route("/protected", methods=["GET"])
    @jwt_required
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return json(dict(public_claims=token.public_claims, raw_data=token.raw_data))

    tokens = _login(app)
    _, response = client(app).get("/protected", headers=bearer(tokens["access_token"]))
    assert response.status == 200, response.text
    assert response.json["public_claims"] == {"sso_user_id": "asdf", "user_info": {"name": "foo"}}
    assert response.json["raw_data"]["https://jwt.io/sso_user_id"] == "asdf"
    assert response.json["raw_data"]["https://jwt.io/user_info/name"] == "foo"


def test_private_claims(new_app: NewApp) -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.private_claim_prefix = "sanic_jwt_extended"
    _login_route(app, private_claims={"foo": "bar"})

    @app.route("/protected", methods=["GET"])
    @jwt_required
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return json(dict(private_claims=token.private_claims, raw_data=token.raw_data))

    tokens = _login(app)
    _, response = client(app).get("/protected", headers=bearer(tokens["access_token"]))
    assert response.status == 200, response.text
    assert response.json["private_claims"] == {"foo": "bar"}
    assert response.json["raw_data"]["sanic_jwt_extended_foo"] == "bar"


def test_freshness(new_app: NewApp) -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
    _login_route(app, fresh=True)

    @app.route("/protected", methods=["GET"])
    @jwt_required(fresh_required=True)
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return json(
            dict(
                identity=token.identity,
                is_fresh=token.fresh,
                raw_data=token.raw_data,
                exp=str(token.exp),
            )
        )

    tokens = _login(app, "carol")
    _, response = client(app).get("/protected", headers=bearer(tokens["access_token"]))
    assert response.status == 200, response.text
    assert response.json["is_fresh"] is True
    assert response.json["raw_data"]["fresh"] is True
    stale = JWT.for_app(app).create_access_token(identity="carol")
    _, response = client(app).get("/protected", headers=bearer(stale))
    assert response.status == 401


class Role(Enum):
    user = "USER"
    admin = "ADMIN"


def test_access_control(new_app: NewApp) -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.use_acl = True
    _login_route(app, role=Role.user.value)

    @app.route("/user", methods=["GET"])
    @jwt_required(allow=[Role.user.value])
    async def user(request: Request, token: Token) -> HTTPResponse:
        return json(dict(identity=token.identity, role=token.role, raw_data=token.raw_data))

    @app.route("/admin", methods=["GET"])
    @jwt_required(allow=[Role.admin.value])
    async def admin(request: Request, token: Token) -> HTTPResponse:
        return json(dict(identity=token.identity, role=token.role, raw_data=token.raw_data))

    tokens = _login(app, "dave")
    _, response = client(app).get("/user", headers=bearer(tokens["access_token"]))
    assert response.status == 200, response.text
    assert response.json["role"] == "USER"
    assert response.json["raw_data"]["role"] == "USER"
    _, response = client(app).get("/admin", headers=bearer(tokens["access_token"]))
    assert response.status == 403


def test_blacklist_and_revoking(new_app: NewApp) -> None:
    app = new_app()
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        manager.config.use_blacklist = True
    _login_route(app)

    @app.route("/logout", methods=["POST"])
    @refresh_jwt_required
    async def logout(request: Request, token: Token) -> HTTPResponse:
        await token.revoke()
        return json(dict(msg="Goodbye"), status=200)

    @app.route("/revoke", methods=["POST"])
    @jwt_optional
    async def revoke(request: Request, token: Token | None) -> HTTPResponse:
        assert token is not None
        await token.revoke()
        return json(dict(revoked=str(token.jti)))

    @app.route("/protected", methods=["GET"])
    @jwt_required
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return json(dict(identity=token.identity, type=token.type, raw_data=token.raw_data))

    assert isinstance(JWT.for_app(app).blacklist, InMemoryBlacklist)
    assert isinstance(JWT.for_app(app).blacklist, BlacklistABC)
    tokens = _login(app)
    refresh_header = {"X-Refresh-Token": f"Bearer {tokens['refresh_token']}"}
    _, response = client(app).post("/logout", headers=refresh_header)
    assert response.json == {"msg": "Goodbye"}
    _, response = client(app).post("/logout", headers=refresh_header)
    assert response.status == 401

    access = bearer(tokens["access_token"])
    _, response = client(app).get("/protected", headers=access)
    assert response.status == 200, response.text
    _, response = client(app).post("/revoke", headers=access)
    assert response.status == 200, response.text
    _, response = client(app).get("/protected", headers=access)
    assert response.status == 401


# The options of the 1.0-dev "Configuration Options" page, each with the default it lists.
OLD_OPTIONS: dict[str, Any] = {
    "secret_key": SECRET,
    "public_key": None,
    "private_key": None,
    "default_iss": None,
    "default_aud": None,
    "json_encoder": JSONEncoder,
    "token_location": ("header",),
    "access_token_expires": timedelta(minutes=15),
    "refresh_token_expires": timedelta(days=30),
    "algorithm": "HS256",
    "public_claim_namespace": "",
    "private_claim_prefix": "",
    "jwt_header_key": "Authorization",
    "refresh_jwt_header_key": "X-Refresh-Token",
    "jwt_header_prefix": "Bearer",
    "refresh_jwt_header_prefix": "Bearer",
    "jwt_cookie": "access_token_cookie",
    "refresh_jwt_cookie": "refresh_token_cookie",
    "csrf_protect": True,
    "csrf_request_methods": ("POST", "PUT", "PATCH", "DELETE"),
    "jwt_csrf_header": "X-CSRF-Token",
    "refresh_jwt_csrf_header": "X-CSRF-Token",
    "jwt_query_param_name": "jwt",
    "use_acl": False,
    "acl_claim": "role",
    "use_blacklist": False,
    "blacklist_class": InMemoryBlacklist,
    "blacklist_init_kwargs": None,
}


def test_configuration_options_page(new_app: NewApp) -> None:
    """Every option of the page is set as `manager.config.<OPTION> = <VALUE>`."""
    app = new_app()
    with JWT.initialize(app) as manager:
        for name, value in OLD_OPTIONS.items():
            setattr(manager.config, name, value)
    config = JWT.for_app(app).config
    for name, value in OLD_OPTIONS.items():
        if name != "token_location":
            assert getattr(config, name) == value, name
    assert config.token_location == ("headers",)


def test_error_handling_page(new_app: NewApp) -> None:
    """`manager.handler.<name> = my_handler`, for each handler name the page lists."""
    app = new_app()

    def make(name: str) -> Callable[[Request, Exception], Any]:
        async def my_handler(request: Request, exception: Exception) -> HTTPResponse:
            return json({"handled_by": name, "msg": str(exception)}, status=418)

        return my_handler

    names = [
        "no_authorization",
        "expired_signature",
        "invalid_header",
        "invalid_token",
        "jwt_decode_error",
        "wrong_token",
        "revoked_token",
        "fresh_token_required",
        "access_denied",
    ]
    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        for name in names:
            setattr(manager.handler, name, make(name))

    @app.get("/protected")
    @jwt_required
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return json({})

    jwt = JWT.for_app(app)
    cases = {
        "no_authorization": {},
        "invalid_header": {"Authorization": "Token abc"},
        "jwt_decode_error": bearer("not-a-token"),
        "wrong_token": bearer(jwt.create_refresh_token("alice")),
        "expired_signature": bearer(
            jwt.create_access_token("alice", expires_delta=timedelta(seconds=-60))
        ),
    }
    for name, headers in cases.items():
        _, response = client(app).get("/protected", headers=headers)
        assert response.status == 418, name
        assert response.json["handled_by"] == name
