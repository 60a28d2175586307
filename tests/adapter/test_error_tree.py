"""The exceptions form a tree: programmer mistakes (ConfigurationError) apart from refusals."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from contextlib import AbstractContextManager
from datetime import timedelta
from typing import Any

import pytest
from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

import jwt_core
import jwt_core.errors
from sanic_jwt_extended import (
    JWT,
    ConfigurationConflictError,
    ConfigurationError,
    InvalidClaimsError,
    JWTExtendedException,
    Token,
    TokenRefusedError,
    jwt_required,
    refresh_jwt_required,
)
from sanic_jwt_extended.handlers import HANDLED
from tests.support.apps import SECRET, bearer, new_app

REFUSALS = [
    "NoAuthorizationError",
    "InvalidHeaderError",
    "JWTDecodeError",
    "InvalidTokenError",
    "ExpiredSignatureError",
    "WrongTokenError",
    "CSRFError",
    "RevokedTokenError",
    "FreshTokenRequiredError",
    "AccessDeniedError",
    "RevocationStoreUnavailableError",
]


def test_the_tree_of_the_module_docstring() -> None:
    assert issubclass(ConfigurationError, JWTExtendedException)
    assert issubclass(TokenRefusedError, JWTExtendedException)
    # the names users already catch keep their bases
    assert issubclass(ConfigurationConflictError, ConfigurationError)
    assert issubclass(ConfigurationConflictError, JWTExtendedException)
    assert issubclass(InvalidClaimsError, ConfigurationError)
    assert issubclass(InvalidClaimsError, ValueError)
    for name in REFUSALS:
        refusal = getattr(jwt_core, name)
        assert issubclass(refusal, TokenRefusedError), name
        assert not issubclass(refusal, ConfigurationError), name
        assert name in jwt_core.errors.__doc__  # type: ignore[operator]
    # every exception of the module sits on exactly one of the two branches
    for name in jwt_core.errors.__all__:
        error = getattr(jwt_core.errors, name)
        if error in (JWTExtendedException, ConfigurationError, TokenRefusedError):
            continue
        branches = [issubclass(error, ConfigurationError), issubclass(error, TokenRefusedError)]
        assert branches.count(True) == 1, name


def test_every_refusal_the_adapter_answers_is_a_token_refused_error() -> None:
    assert {refusal.exception.__name__ for refusal in HANDLED.values()} >= set(REFUSALS)
    for name, refusal in HANDLED.items():
        assert issubclass(refusal.exception, TokenRefusedError), name


@pytest.fixture
def recording_app() -> tuple[Sanic[Any, Any], list[Exception]]:
    """An app whose every refusal handler records the exception it was given."""
    seen: list[Exception] = []

    def record(request: Request, exception: Exception) -> HTTPResponse:
        seen.append(exception)
        return json({"refused": type(exception).__name__}, status=400)

    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        jwt.config.use_acl = True
        jwt.config.use_blacklist = True
        jwt.config.token_location = ("headers", "cookies")
        for name in HANDLED:
            setattr(jwt.handler, name, record)

    @app.route("/me", methods=["GET", "POST"])
    @jwt_required(allow=["ADMIN"])
    async def me(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    @app.get("/fresh")
    @jwt_required(fresh_required=True)
    async def fresh(request: Request, token: Token) -> HTTPResponse:
        return json({})

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> HTTPResponse:
        return json({})

    return app, seen


async def test_requests_are_refused_with_token_refused_errors_only(
    recording_app: tuple[Sanic[Any, Any], list[Exception]],
) -> None:
    app, seen = recording_app
    named = JWT.for_app(app)
    admin = named.create_access_token("alice", "ADMIN")
    revoked = named.create_access_token("alice", "ADMIN")
    await named.revoke(named.decode(revoked))
    requests: list[tuple[str, str, dict[str, str]]] = [
        ("GET", "/me", {}),
        ("GET", "/me", {"Authorization": "Basic abc"}),
        ("GET", "/me", bearer("not.a.token")),
        (
            "GET",
            "/me",
            bearer(named.create_access_token("a", "ADMIN", expires_delta=timedelta(-1))),
        ),
        ("GET", "/me", bearer(named.create_refresh_token("alice", "ADMIN"))),
        ("POST", "/me", {"Cookie": f"access_token_cookie={admin}"}),
        ("GET", "/me", bearer(revoked)),
        ("GET", "/fresh", bearer(admin)),
        ("GET", "/me", bearer(named.create_access_token("bob", "USER"))),
    ]
    for method, path, headers in requests:
        _, response = await app.asgi_client.request(method, path, headers=headers)
        assert response.status == 400, (path, headers, response.text)
    assert len(seen) == len(requests)
    assert all(isinstance(error, TokenRefusedError) for error in seen)
    # all but a bad claim and a store outage, which other tests provoke
    assert {type(error).__name__ for error in seen} == set(REFUSALS) - {
        "InvalidTokenError",
        "RevocationStoreUnavailableError",
    }


def _initialized(**options: Any) -> Sanic[Any, Any]:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        for name, value in options.items():
            setattr(jwt.config, name, value)
    return app


def _initialize(**options: Any) -> None:
    _initialized(**options)


def _initialize_twice() -> None:
    app = _initialized()
    with JWT.initialize(app):
        pass


def _set_after_the_block() -> None:
    JWT.for_app(_initialized()).config.use_acl = True


def _set_handler(name: str, value: Any) -> Callable[[], None]:
    def set_it() -> None:
        app = new_app()
        with JWT.initialize(app) as jwt:
            jwt.config.secret_key = SECRET
            setattr(jwt.handler, name, value)

    return set_it


def _route_with_roles_without_acl() -> None:
    app = new_app()

    @app.get("/admin")
    @jwt_required(allow=["ADMIN"])
    async def admin(request: Request, token: Token) -> HTTPResponse:
        return json({})

    _initialize_app(app)


def _initialize_app(app: Sanic[Any, Any]) -> None:
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET


def _mint_in_the_block() -> None:
    app = new_app()
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        JWT.create_access_token("alice")


def _taken_ctx() -> None:
    app = new_app()
    app.ctx.jwt = "something else"
    _initialize_app(app)


def _app_config_typo() -> None:
    app = new_app()
    app.config.JWT_ACCESS_TOKEN_EXPIRES = "soon"
    _initialize_app(app)


async def _revoke_without_blacklist() -> None:
    named = JWT.for_app(_initialized())
    await named.revoke(named.decode(named.create_access_token("alice")))


def _several_apps() -> None:
    _initialized()
    _initialized()
    JWT.create_access_token("alice")


MISTAKES: dict[str, Callable[[], Any]] = {
    "unknown option": lambda: _initialize(secret_kye="x"),
    "no secret for HS256": lambda: _initialize(secret_key=None),
    "a key that does not fit the algorithm": lambda: _initialize(algorithm="RS256"),
    "a bad value": lambda: _initialize(access_token_expires="soon"),
    "a bad app.config value": _app_config_typo,
    "initialize twice": _initialize_twice,
    "app.ctx.jwt taken": _taken_ctx,
    "frozen config": _set_after_the_block,
    "unknown handler": _set_handler("no_such_handler", print),
    "a handler that is not a function": _set_handler("no_authorization", 3),
    "allow and deny together": lambda: jwt_required(allow=["A"], deny=["B"]),
    "a route with roles without use_acl": _route_with_roles_without_acl,
    "minting inside the block": _mint_in_the_block,
    "a role without use_acl": lambda: JWT.for_app(_initialized()).create_access_token("a", "A"),
    "a reserved claim": lambda: JWT.for_app(_initialized()).create_access_token(
        "alice", private_claims={"exp": 1}
    ),
    "revoking without use_blacklist": _revoke_without_blacklist,
    "an app never initialized": lambda: JWT.for_app(new_app()),
    "several apps outside a request": _several_apps,
}


@pytest.mark.parametrize("mistake", list(MISTAKES), ids=list(MISTAKES))
async def test_every_programmer_mistake_is_a_configuration_error(mistake: str) -> None:
    async def make_it() -> None:
        result = MISTAKES[mistake]()
        if isinstance(result, Awaitable):
            await result

    with pytest.raises(ConfigurationError) as raised:
        await make_it()
    assert not isinstance(raised.value, TokenRefusedError)


def test_old_except_clauses_still_catch_what_they_caught() -> None:
    catches: list[AbstractContextManager[Any]] = [
        pytest.raises(ConfigurationConflictError),
        pytest.raises(JWTExtendedException),
    ]
    for catch in catches:
        with catch:
            _initialize(secret_kye="x")
    with pytest.raises(ValueError):
        JWT.for_app(_initialized()).create_access_token("alice", private_claims={"exp": 1})
