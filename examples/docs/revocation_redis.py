"""Revocation with RedisBlacklist, for several machines; a store that is down fails closed."""

# --8<-- [start:config]
import os

from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import (
    JWT,
    RedisBlacklist,
    Token,
    jwt_required,
    refresh_jwt_required,
    verify_jwt_in_request,
)

app = Sanic("revocation-redis")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.use_blacklist = True
    jwt.config.blacklist_class = RedisBlacklist
    jwt.config.blacklist_init_kwargs = {
        "url": os.environ.get("REDIS_URL", "redis://localhost:6379/0"),
        "prefix": "myapp:revoked:",  # several apps can share one server
    }
    jwt.config.blacklist_timeout = 0.5  # seconds; then 503 rather than waiting
# --8<-- [end:config]


@app.post("/login")
async def login(request: Request) -> HTTPResponse:
    return json(JWT.start_session("alice")._asdict(), headers={"Cache-Control": "no-store"})


@app.post("/refresh")
@refresh_jwt_required
async def refresh(request: Request, token: Token) -> HTTPResponse:
    # one Lua script consumes the refresh token: one winner across every machine
    pair = await JWT.rotate(token)
    return json(pair._asdict(), headers={"Cache-Control": "no-store"})


@app.get("/me")
@jwt_required
async def me(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})


@app.post("/logout")
@jwt_required
async def logout(request: Request, token: Token) -> HTTPResponse:
    # the session: this token, the refresh token when sent, their family (sessions.md)
    refresh = await verify_jwt_in_request(request, refresh=True, optional=True)
    await JWT.logout(token, refresh)
    return json({"msg": "logged out"})
