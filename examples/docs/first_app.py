"""Getting started: one login route and one protected route."""

import os

from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, Token, jwt_required

app = Sanic("first-app")

with JWT.initialize(app) as jwt:
    # Read the secret from the environment in real deployments; at least 32 random bytes.
    jwt.config.secret_key = os.environ.get(
        "JWT_SECRET_KEY", "change-me-to-at-least-32-random-bytes-please"
    )


@app.post("/login")
async def login(request: Request) -> HTTPResponse:
    # Check the user's credentials here; this example trusts whoever asks.
    username = (request.json or {}).get("username", "alice")
    # no-store: no cache (browser, proxy) may keep a response that carries a token
    token = JWT.create_access_token(username)
    return json({"access_token": token}, headers={"Cache-Control": "no-store"})


@app.get("/me")
@jwt_required
async def me(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})
