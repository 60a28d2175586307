"""Revocation with SQLiteBlacklist: logout, logout everywhere, shared by all workers."""

# --8<-- [start:config]
import os

from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import (
    JWT,
    SQLiteBlacklist,
    Token,
    jwt_required,
    refresh_jwt_required,
    verify_jwt_in_request,
)

app = Sanic("revocation-app")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.use_blacklist = True
    jwt.config.blacklist_class = SQLiteBlacklist
    # One file for every worker of this machine; it survives restarts.
    jwt.config.blacklist_init_kwargs = {
        "path": os.environ.get("REVOCATION_DB", "/var/lib/myapp/revoked.sqlite3")
    }
# --8<-- [end:config]


@app.post("/login")
async def login(request: Request) -> HTTPResponse:
    # A session: an access token and a refresh token of one family (see sessions.md).
    return json(JWT.start_session("alice")._asdict(), headers={"Cache-Control": "no-store"})


@app.post("/refresh")
@refresh_jwt_required
async def refresh(request: Request, token: Token) -> HTTPResponse:
    pair = await JWT.rotate(token)  # the refresh token is used up; a reuse ends the session
    return json(pair._asdict(), headers={"Cache-Control": "no-store"})


@app.get("/me")
@jwt_required
async def me(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})


# --8<-- [start:logout]
@app.post("/logout")
@jwt_required
async def logout(request: Request, token: Token) -> HTTPResponse:
    # This session: the access token, the refresh token when sent (X-Refresh-Token) and
    # every other token of their family. One token alone: await JWT.revoke(token).
    refresh = await verify_jwt_in_request(request, refresh=True, optional=True)
    await JWT.logout(token, refresh)
    return json({"msg": "logged out"})


@app.post("/logout-everywhere")
@jwt_required
async def logout_everywhere(request: Request, token: Token) -> HTTPResponse:
    # Every token of this identity issued up to now, on every device; tokens issued
    # afterwards (the next login) are not affected.
    await JWT.revoke_all(token.identity)
    return json({"msg": "logged out everywhere"})


# --8<-- [end:logout]
