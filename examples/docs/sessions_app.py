"""Sessions: login starts a family, /refresh rotates, a reused refresh token ends the session."""

# --8<-- [start:config]
import os
from datetime import timedelta

from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import (
    JWT,
    SQLiteBlacklist,
    Token,
    TokenPair,
    jwt_required,
    refresh_jwt_required,
    verify_jwt_in_request,
)

app = Sanic("sessions-app")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    # Rotation records each used refresh token, so sessions need a revocation store.
    jwt.config.use_blacklist = True
    jwt.config.blacklist_class = SQLiteBlacklist
    jwt.config.blacklist_init_kwargs = {"path": os.environ.get("SESSIONS_DB", "sessions.sqlite3")}
    # The defaults, written out: a lost answer may be retried for 10 s; a session lasts at
    # most 30 days from its login, however often it is refreshed.
    jwt.config.refresh_reuse_grace = timedelta(seconds=10)
    jwt.config.session_max_age = timedelta(days=30)
# --8<-- [end:config]


# --8<-- [start:routes]
def tokens(pair: TokenPair) -> HTTPResponse:
    # {"access_token": ..., "refresh_token": ...}, never kept by a cache
    return json(pair._asdict(), headers={"Cache-Control": "no-store"})


@app.post("/login")
async def login(request: Request) -> HTTPResponse:
    # (check the password here)
    return tokens(JWT.start_session("alice", fresh=True))


@app.post("/refresh")
@refresh_jwt_required
async def refresh(request: Request, token: Token) -> HTTPResponse:
    # The refresh token is used up: the client keeps the new one. Presenting the old one
    # again (after the grace window) revokes the whole session: 401.
    return tokens(await JWT.rotate(token))


@app.post("/logout")
@jwt_required
async def logout(request: Request, token: Token) -> HTTPResponse:
    # The access token, the refresh token when the client sends it (X-Refresh-Token), and
    # their family: every other token of this login, the refresh token the client kept too.
    refresh = await verify_jwt_in_request(request, refresh=True, optional=True)
    await JWT.logout(token, refresh)
    return json({"msg": "logged out"})


@app.post("/logout-everywhere")
@jwt_required
async def logout_everywhere(request: Request, token: Token) -> HTTPResponse:
    # Every session of this identity, on every device, up to now.
    await JWT.revoke_all(token.identity)
    return json({"msg": "logged out everywhere"})


# --8<-- [end:routes]
