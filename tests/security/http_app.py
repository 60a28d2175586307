"""The Sanic app the HTTP half of the hostile-input suite attacks, served in process, and what
every refusal must look like (API.md sections 5 and 6). A real server running it is
`tests.support.sanic_server.RunningServer`."""

from __future__ import annotations

import itertools
import json
import os
import time
from collections.abc import AsyncIterator
from contextlib import AsyncExitStack, asynccontextmanager
from dataclasses import dataclass
from typing import Any

import httpx
from sanic import Request, Sanic
from sanic.response import json as json_response

from sanic_jwt_extended import (
    JWT,
    Token,
    TokenManager,
    jwt_optional,
    jwt_required,
    refresh_jwt_required,
)
from tests.security.forge import SECRET, claims

Sanic.test_mode = True

LOCATIONS = ("headers", "cookies", "query_string", "json")
CSRF = "0b7f1c52-8f1e-4c7e-9a8e-5b4c1d2e3f40"  # the csrf claim of forged cookie tokens
_names = itertools.count()


def build_app(
    *token_location: str, hooks: dict[str, Any] | None = None, **options: Any
) -> Sanic[Any, Any]:
    """An app reading tokens from `token_location` (HS256 with forge's SECRET unless keyed).

    `hooks`: the app's hooks by registration name (`{"user_loader": find_user}`).

    Routes, each for GET and POST: /access (jwt_required), /refresh (refresh_jwt_required),
    /optional (jwt_optional); each answers 200 with the token's identity.
    """
    app = Sanic(f"security-http-{os.getpid()}-{next(_names)}")
    app.config.TOUCHUP = False  # it costs 0.1 s a request
    app.config.AUTO_EXTEND = False  # sanic-ext, when installed, would double each request's cost
    with JWT.initialize(app) as manager:
        if not any(k in options for k in ("secret_key", "private_key", "public_key")):
            manager.config.secret_key = SECRET
        manager.config.token_location = token_location or ("headers",)
        for name, value in options.items():
            setattr(manager.config, name, value)
        for name, hook in (hooks or {}).items():
            getattr(manager, name)(hook)

    @app.route("/access", methods=["GET", "POST"])
    @jwt_required
    async def access(request: Request, token: Token) -> Any:
        return json_response({"identity": token.identity})

    @app.route("/refresh", methods=["GET", "POST"])
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> Any:
        return json_response({"identity": token.identity})

    @app.route("/optional", methods=["GET", "POST"])
    @jwt_optional
    async def optional(request: Request, token: Token | None) -> Any:
        return json_response({"identity": None if token is None else token.identity})

    return app


@dataclass(frozen=True)
class Site:
    """A started app and an httpx client that calls it in process through ASGI."""

    app: Sanic[Any, Any]
    client: httpx.AsyncClient

    async def request(self, method: str, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request(method, path, **kwargs)

    async def get(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request("GET", path, **kwargs)

    async def post(self, path: str, **kwargs: Any) -> httpx.Response:
        return await self.client.request("POST", path, **kwargs)


@asynccontextmanager
async def started(*apps: Sanic[Any, Any]) -> AsyncIterator[list[Site]]:
    """Start each app once (as Sanic's ASGI lifespan does) and serve it to an httpx client.

    sanic-testing's `app.asgi_client` restarts the app for every request, and with Sanic 25
    also adds one more request middleware and signal each time (its `not in` check misses
    Sanic's Middleware wrappers), so a reused app slows down request by request.
    """
    async with AsyncExitStack() as stack:
        sites = []
        for app in apps:
            app.asgi = True
            await app._startup()
            await app._server_event("init", "before")
            await app._server_event("init", "after")
            stack.push_async_callback(app._server_event, "shutdown", "after")
            stack.push_async_callback(app._server_event, "shutdown", "before")
            client = httpx.AsyncClient(
                transport=httpx.ASGITransport(app=app), base_url="http://testserver"
            )
            await stack.enter_async_context(client)
            sites.append(Site(app, client))
        yield sites


def manager_of(app: Sanic[Any, Any] | Site) -> TokenManager:
    """The app's own TokenManager (so tokens are minted for this app, whatever ran last)."""
    if isinstance(app, Site):
        app = app.app
    manager = app.ctx.jwt.manager
    assert isinstance(manager, TokenManager)
    return manager


def live_claims(**overrides: Any) -> dict[str, Any]:
    """forge's valid access claims, dated by the wall clock the app's manager reads."""
    now = time.time()
    base: dict[str, Any] = {"iat": now, "nbf": int(now), "exp": int(now) + 900, "csrf": CSRF}
    base.update(overrides)
    return claims(**base)


def carry(
    location: str, token: str | bytes, *, refresh: bool = False, csrf: str | bytes | None = CSRF
) -> dict[str, Any]:
    """Keyword arguments for a POST that carries `token` where `location` reads it.

    Cookie requests send `csrf` in the CSRF header (double submit), as a browser app would.
    """
    text = token.decode("latin-1") if isinstance(token, bytes) else token
    if location == "headers":
        name = "X-Refresh-Token" if refresh else "Authorization"
        return {"headers": [(name.encode(), b"Bearer " + _raw(token))]}
    if location == "cookies":
        name = "refresh_token_cookie" if refresh else "access_token_cookie"
        headers = [(b"Cookie", name.encode() + b"=" + _raw(token))]
        if csrf is not None:
            headers.append((b"X-CSRF-Token", _raw(csrf)))
        return {"headers": headers}
    if location == "query_string":
        return {"params": {"jwt": text}}
    if location == "json":
        return {"json": {"refresh_token" if refresh else "access_token": text}}
    raise ValueError(location)


def _raw(value: str | bytes) -> bytes:
    return value if isinstance(value, bytes) else value.encode("utf-8")


def assert_refused(response: Any, status: int, *secrets: str | bytes) -> dict[str, Any]:
    """`response` is exactly `status` with a JSON `{"msg": str}` body, a Bearer challenge when
    401, `Cache-Control: no-store`, and none of `secrets` (the signing secret, the token)
    anywhere in it; returns the body.
    """
    body = response.content
    assert response.status_code == status, (response.status_code, body[:300])
    assert response.headers.get("content-type", "").startswith("application/json"), body[:300]
    payload = json.loads(body)
    assert isinstance(payload, dict), payload
    assert isinstance(payload.get("msg"), str), payload
    assert payload["msg"], payload
    if status == 401:
        assert response.headers.get("www-authenticate", "").startswith("Bearer"), response.headers
    # RFC 9111 section 5.2.2.5: no cache keeps a refusal or replays it
    assert response.headers.get("cache-control") == "no-store", response.headers
    assert b"Traceback" not in body
    everything = (
        body
        + b"\n"
        + b"\n".join(
            f"{k}: {v}".encode("utf-8", "surrogateescape") for k, v in response.headers.items()
        )
    )
    for secret in (SECRET, *secrets):
        raw = _raw(secret)
        if len(raw) >= 12:  # shorter text could be in a message by chance
            assert raw not in everything, f"the response echoes {raw[:40]!r}"
    return payload
