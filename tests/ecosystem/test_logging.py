"""Refusals are logged on the `sanic_jwt_extended` logger with their reason, never the token."""

from __future__ import annotations

import logging
from datetime import datetime, timedelta
from typing import Any

import pytest
from sanic import Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    BlacklistABC,
    Token,
    jwt_optional,
    jwt_required,
    refresh_jwt_required,
)
from tests.ecosystem.apps import new_app
from tests.support.apps import SECRET, bearer, initialized

LOGGER = "sanic_jwt_extended"
# The test client's own loggers: they log the URL it requested, query string and all, which is
# the client's business (and a reason to avoid the query string location), not the server's.
CLIENT_LOGGERS = {"httpx", "httpcore"}


class UnreachableStore(BlacklistABC):
    """A revocation store whose server is down."""

    async def register(self, token: Token) -> None:
        raise ConnectionError("store down")

    async def register_identity(
        self, subject: str, revoked_before: datetime, expires_at: datetime | None
    ) -> None:
        raise ConnectionError("store down")

    async def is_blacklisted(self, token: Token) -> bool:
        raise ConnectionError("store down")


def guarded(app: Sanic[Any, Any]) -> Sanic[Any, Any]:
    @app.route("/private", methods=["GET", "POST"])
    @jwt_required
    async def private(request: Request, token: Token) -> Any:
        return json({"identity": token.identity})

    @app.get("/fresh")
    @jwt_required(fresh_required=True)
    async def fresh(request: Request, token: Token) -> Any:
        return json({})

    @app.get("/admin")
    @jwt_required(allow=["ADMIN"])
    async def admin(request: Request, token: Token) -> Any:
        return json({})

    @app.get("/optional")
    @jwt_optional
    async def optional(request: Request, token: Token | None) -> Any:
        return json({})

    @app.post("/refresh")
    @refresh_jwt_required
    async def refresh(request: Request, token: Token) -> Any:
        return json({})

    return app


@pytest.fixture(scope="module")
def app() -> Sanic[Any, Any]:
    return guarded(
        initialized(
            new_app(),
            use_acl=True,
            use_blacklist=True,
            token_location=("headers", "cookies", "query_string"),
        )
    )


def leaks(records: list[logging.LogRecord], *secrets: str) -> list[str]:
    """Every server-side record (message, arguments, traceback) that contains one of `secrets`."""
    formatter = logging.Formatter("%(name)s %(levelname)s %(message)s")
    found = []
    for record in records:
        if record.name.split(".")[0] in CLIENT_LOGGERS:
            continue
        text = formatter.format(record) + repr(record.args) + repr(record.msg)
        if any(secret in text for secret in secrets):
            found.append(text)
    return found


def ours(records: list[logging.LogRecord]) -> list[logging.LogRecord]:
    return [record for record in records if record.name == LOGGER]


async def request_case(app: Sanic[Any, Any], case: str) -> tuple[str, str, Any]:
    """Send the request of one refusal case; returns (raw token, expected class, response)."""
    client = app.asgi_client
    if case == "missing":
        raw = ""
        _, response = await client.get("/private")
        return raw, "NoAuthorizationError", response
    if case == "expired":
        raw = JWT.for_app(app).create_access_token("alice", expires_delta=timedelta(seconds=-30))
        _, response = await client.get("/private", headers=bearer(raw))
        return raw, "ExpiredSignatureError", response
    if case == "tampered":
        raw = JWT.for_app(app).create_access_token("alice")
        raw = raw[:-6] + ("AAAAAA" if not raw.endswith("AAAAAA") else "BBBBBB")
        _, response = await client.get("/private", headers=bearer(raw))
        return raw, "JWTDecodeError", response
    if case == "wrong type":
        raw = JWT.for_app(app).create_refresh_token("alice")
        _, response = await client.get("/private", headers=bearer(raw))
        return raw, "WrongTokenError", response
    if case == "revoked":
        raw = JWT.for_app(app).create_access_token("alice")
        manager = app.ctx.jwt.manager
        await manager.revoke(manager.decode(raw))
        _, response = await client.get("/private", headers=bearer(raw))
        return raw, "RevokedTokenError", response
    if case == "not fresh":
        raw = JWT.for_app(app).create_access_token("alice", fresh=False)
        _, response = await client.get("/fresh", headers=bearer(raw))
        return raw, "FreshTokenRequiredError", response
    if case == "role":
        raw = JWT.for_app(app).create_access_token("alice", "USER")
        _, response = await client.get("/admin", headers=bearer(raw))
        return raw, "AccessDeniedError", response
    if case == "csrf":
        raw = JWT.for_app(app).create_access_token("alice")
        client.cookies.set("access_token_cookie", raw)  # no X-CSRF-Token header on a POST
        try:
            _, response = await client.post("/private")
        finally:
            client.cookies.clear()
        return raw, "CSRFError", response
    if case == "query string":
        raw = JWT.for_app(app).create_access_token("alice", expires_delta=timedelta(seconds=-30))
        _, response = await client.get("/private", params={"jwt": raw})
        return raw, "ExpiredSignatureError", response
    if case == "optional, bad token":
        raw = JWT.for_app(app).create_refresh_token("alice")
        _, response = await client.get("/optional", headers=bearer(raw))
        return raw, "WrongTokenError", response
    assert case == "malformed header"
    raw = JWT.for_app(app).create_access_token("alice")
    _, response = await client.get("/private", headers={"Authorization": f"Bearer {raw} extra"})
    return raw, "InvalidHeaderError", response


CASES = [
    "missing",
    "expired",
    "tampered",
    "wrong type",
    "revoked",
    "not fresh",
    "role",
    "csrf",
    "query string",
    "optional, bad token",
    "malformed header",
]


@pytest.mark.parametrize("case", CASES)
async def test_a_refusal_is_logged_at_debug_with_its_reason_and_without_the_token(
    app: Sanic[Any, Any], caplog: pytest.LogCaptureFixture, case: str
) -> None:
    caplog.set_level(logging.DEBUG)
    raw, expected, response = await request_case(app, case)
    assert response.status in (401, 403, 422)
    refusals = [r for r in ours(caplog.records) if r.getMessage().startswith("refused ")]
    assert len(refusals) == 1, [r.getMessage() for r in caplog.records]
    record = refusals[0]
    assert record.levelno == logging.DEBUG
    message = record.getMessage()
    reason = response.json["msg"]
    assert f"{expected}: {reason}" in message
    assert reason
    assert " /" in message  # the path, so the refused route can be told apart
    secrets = [SECRET] + ([raw] if raw else [])
    # Also no piece of the token long enough to matter (its signature, its payload).
    secrets += [part for part in raw.split(".") if len(part) >= 16]
    assert leaks(caplog.records, *secrets) == []


async def test_nothing_is_logged_at_info_or_above_for_an_ordinary_refusal(
    app: Sanic[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.INFO, logger=LOGGER)
    _, response = await app.asgi_client.get("/private")
    assert response.status == 401
    assert ours(caplog.records) == []


async def test_an_accepted_token_is_not_logged(
    app: Sanic[Any, Any], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    raw = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/private", headers=bearer(raw))
    assert response.json == {"identity": "alice"}
    assert leaks(caplog.records, raw, SECRET, raw.split(".")[2]) == []
    assert [r for r in ours(caplog.records) if r.getMessage().startswith("refused")] == []


async def test_an_unreachable_store_is_a_warning(caplog: pytest.LogCaptureFixture) -> None:
    app = guarded(
        initialized(
            new_app(),
            use_acl=True,
            use_blacklist=True,
            blacklist_class=UnreachableStore,
            blacklist_timeout=0.5,
        )
    )
    caplog.set_level(logging.DEBUG)
    raw = JWT.for_app(app).create_access_token("alice")
    _, response = await app.asgi_client.get("/private", headers=bearer(raw))
    assert response.status == 503
    warnings = [r for r in ours(caplog.records) if r.levelno == logging.WARNING]
    assert len(warnings) == 1
    assert "RevocationStoreUnavailableError" in warnings[0].getMessage()
    assert leaks(caplog.records, raw, SECRET) == []
