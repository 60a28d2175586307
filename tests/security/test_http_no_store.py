"""Every refusal carries `Cache-Control: no-store`, so no cache keeps it or replays it.

RFC 9111 section 5.2.2.5. A refusal says who was refused and why; stored by a browser, a
proxy or a CDN it could be served for the next request of that URL, or its 401 replayed to
a client that has since logged in. Each kind in HANDLED is provoked for real, on a real
server: a kind added to HANDLED without a case here fails `test_every_kind_has_a_case`.
`Pragma: no-cache` is not sent: RFC 9111 deprecates it, and no-store is what every cache
honours. (The login routes' token responses send no-store too: see the demo's test.)
"""

from __future__ import annotations

import time
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from sanic import Request
from sanic.response import HTTPResponse, json

from jwt_core import RedisBlacklist, Token
from jwt_core.remote import ExternalToken, Issuer, TrustedIssuers
from sanic_jwt_extended import jwt_required
from sanic_jwt_extended.external import external_jwt_required, trust_issuers
from sanic_jwt_extended.handlers import HANDLED
from tests.remote.conftest import AUDIENCE, sign
from tests.remote.jwks_provider import claims, new_key
from tests.security.forge import forge
from tests.security.http_app import assert_refused, build_app, live_claims, manager_of
from tests.support.redis_server import free_port
from tests.support.sanic_server import RunningServer

Send = Callable[[RunningServer], Any]


def _with_guarded_routes(app: Any) -> Any:
    @app.get("/fresh")
    @jwt_required(fresh_required=True)
    async def fresh(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    @app.get("/admin")
    @jwt_required(allow=["ADMIN"])
    async def admin(request: Request, token: Token) -> HTTPResponse:
        return json({"identity": token.identity})

    @app.websocket("/feed")
    @jwt_required
    async def feed(request: Request, ws: Any, token: Token) -> None:
        await ws.send(token.identity)

    return app


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    app = build_app("headers", "cookies", "json", use_acl=True, use_blacklist=True)
    with RunningServer(_with_guarded_routes(app)) as running:
        yield running


@pytest.fixture(scope="module")
def store_down() -> Iterator[RunningServer]:
    # a real Redis store pointed at a port nobody listens on: every check fails, closed
    app = build_app(
        "headers",
        use_blacklist=True,
        blacklist_class=RedisBlacklist,
        blacklist_init_kwargs={"url": f"redis://127.0.0.1:{free_port()}/0"},
        blacklist_timeout=0.5,
    )
    with RunningServer(app) as running:
        yield running


# An issuer whose JWKS endpoint nobody serves: its keys cannot be had, so its tokens get 503.
DOWN_ISSUER = f"http://127.0.0.1:{free_port()}"


@pytest.fixture(scope="module")
def issuer_down() -> Iterator[RunningServer]:
    app = build_app("headers")
    issuers = TrustedIssuers(
        [Issuer(DOWN_ISSUER, audiences=[AUDIENCE], jwks_uri=DOWN_ISSUER + "/jwks")]
    )
    trust_issuers(app, issuers)

    @app.get("/external")
    @external_jwt_required
    async def external(request: Request, token: ExternalToken) -> HTTPResponse:
        return json({"sub": token.sub})

    with RunningServer(app) as running:
        yield running


@pytest.fixture(scope="module")
def hooked() -> Iterator[RunningServer]:
    # the app's own hooks: no user for "ghost", and its check refuses "intruder"
    hooks = {
        "user_loader": lambda token: None if token.identity == "ghost" else token.identity,
        "token_verification_loader": lambda token: token.identity != "intruder",
    }
    with RunningServer(build_app("headers", hooks=hooks)) as running:
        yield running


def bearer(token: str) -> list[tuple[bytes, bytes]]:
    return [(b"Authorization", b"Bearer " + token.encode())]


def _get(path: str, headers: Callable[[Any], list[tuple[bytes, bytes]]]) -> Send:
    return lambda s: s.request("GET", path, headers(manager_of(s.app)))


def _revoked(server: RunningServer) -> Any:
    manager = manager_of(server.app)
    token = manager.create_access_token("alice")
    server.run(manager.revoke(manager.decode(token)))
    return server.request("GET", "/access", bearer(token))


# handler name -> (status, how to provoke it on `server` or, for the store, `store_down`)
CASES: dict[str, tuple[int, Send]] = {
    "no_authorization": (401, _get("/access", lambda m: [])),
    "expired_signature": (
        401,
        _get("/access", lambda m: bearer(forge(None, live_claims(exp=int(time.time()) - 60)))),
    ),
    "invalid_header": (422, _get("/access", lambda m: [(b"Authorization", b"Bearer")])),
    "invalid_token": (
        422,
        _get("/access", lambda m: bearer(forge(None, live_claims(nbf=int(time.time()) + 600)))),
    ),
    "jwt_decode_error": (422, _get("/access", lambda m: bearer("x.y.z"))),
    "wrong_token": (422, _get("/access", lambda m: bearer(m.create_refresh_token("alice")))),
    "revoked_token": (401, _revoked),
    "fresh_token_required": (
        401,
        _get("/fresh", lambda m: bearer(m.create_access_token("alice", "ADMIN", False))),
    ),
    "access_denied": (403, _get("/admin", lambda m: bearer(m.create_access_token("bob", "USER")))),
    "csrf_error": (
        401,
        lambda s: s.request(
            "POST",
            "/access",
            [(b"Cookie", f"access_token_cookie={forge(None, live_claims())}".encode())],
        ),
    ),
    "revocation_store_unavailable": (
        503,
        lambda s: s.request("GET", "/access", bearer(manager_of(s.app).create_access_token("a"))),
    ),
    "token_verification_failed": (
        401,
        _get("/access", lambda m: bearer(m.create_access_token("intruder"))),
    ),
    "user_not_found": (401, _get("/access", lambda m: bearer(m.create_access_token("ghost")))),
    "key_set_unavailable": (
        503,
        lambda s: s.request(
            "GET", "/external", bearer(sign(new_key("RS256"), claims(DOWN_ISSUER, time.time())))
        ),
    ),
    "body_too_large": (
        413,
        lambda s: s.request(
            "POST", "/access", [(b"Content-Type", b"application/json")], b"[" * 70_000
        ),
    ),
}


def test_every_kind_has_a_case() -> None:
    assert set(CASES) == set(HANDLED)
    assert all(CASES[name][0] == refusal.status for name, refusal in HANDLED.items())


@pytest.mark.parametrize("name", list(HANDLED))
def test_every_refusal_is_no_store(
    server: RunningServer,
    store_down: RunningServer,
    hooked: RunningServer,
    issuer_down: RunningServer,
    name: str,
) -> None:
    status, send = CASES[name]
    special = {
        "revocation_store_unavailable": store_down,
        "key_set_unavailable": issuer_down,
        "token_verification_failed": hooked,
        "user_not_found": hooked,
    }
    response = send(special.get(name, server))
    assert_refused(response, status)  # which checks Cache-Control: no-store
    assert response.headers["cache-control"] == "no-store"


def test_a_websocket_refused_before_the_upgrade_is_no_store(server: RunningServer) -> None:
    upgrade = [
        (b"Connection", b"Upgrade"),
        (b"Upgrade", b"websocket"),
        (b"Sec-WebSocket-Key", b"dGhlIHNhbXBsZSBub25jZQ=="),
        (b"Sec-WebSocket-Version", b"13"),
    ]
    response = server.request("GET", "/feed", upgrade)
    assert_refused(response, 401)
    assert response.headers["cache-control"] == "no-store"


def test_a_replaced_handler_gets_no_store_unless_it_sets_its_own() -> None:
    app = build_app("headers")
    state = app.ctx.jwt

    async def teapot(request: Request, exception: Exception) -> HTTPResponse:
        return json({"msg": "no token, have some tea"}, status=418)

    async def cached(request: Request, exception: Exception) -> HTTPResponse:
        return json({"msg": "x"}, status=401, headers={"Cache-Control": "private, max-age=5"})

    state.handler.no_authorization = teapot
    state.handler.jwt_decode_error = cached
    with RunningServer(app) as running:
        response = running.request("GET", "/access", [])
        assert response.status_code == 418
        assert response.headers["cache-control"] == "no-store"
        response = running.request("GET", "/access", bearer("x.y.z"))
        assert response.status_code == 401
        assert response.headers["cache-control"] == "private, max-age=5"
