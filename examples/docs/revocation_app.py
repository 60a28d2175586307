"""Revocation with SQLiteBlacklist: logout, logout everywhere, shared by all workers."""

# --8<-- [start:config]
import os

from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, SQLiteBlacklist, Token, jwt_required

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
    return json({"access_token": JWT.create_access_token("alice")})


@app.get("/me")
@jwt_required
async def me(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})


# --8<-- [start:logout]
@app.post("/logout")
@jwt_required
async def logout(request: Request, token: Token) -> HTTPResponse:
    await JWT.revoke(token)  # or: await token.revoke()
    return json({"msg": "logged out"})


@app.post("/logout-everywhere")
@jwt_required
async def logout_everywhere(request: Request, token: Token) -> HTTPResponse:
    # Every token of this identity issued up to now, on every device; tokens issued
    # afterwards (the next login) are not affected.
    await JWT.revoke_all(token.identity)
    return json({"msg": "logged out everywhere"})


# --8<-- [end:logout]
