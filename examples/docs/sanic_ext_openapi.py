"""Sanic Extensions: the OpenAPI document shows which routes need a token, and where it goes."""

# --8<-- [start:app]
from sanic import Request, Sanic, json
from sanic.response import HTTPResponse
from sanic_ext import openapi

from sanic_jwt_extended import JWT, Token, jwt_optional, jwt_required, refresh_jwt_required

app = Sanic("openapi-demo")
app.config.API_TITLE = "Orders"  # sanic-ext's own settings, as usual

with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"


@app.get("/orders")
@openapi.summary("The caller's orders")  # sanic-ext's decorators go above or below ours
@jwt_required
async def orders(request: Request, token: Token) -> HTTPResponse:
    return json({"owner": token.identity, "orders": []})


@app.get("/catalogue")
@jwt_optional
async def catalogue(request: Request, token: Token | None) -> HTTPResponse:
    return json({"personalised": token is not None})


@app.post("/refresh")
@refresh_jwt_required
async def refresh(request: Request, token: Token) -> HTTPResponse:
    return json({"access_token": JWT.create_access_token(token.identity)})


@app.get("/health")
async def health(request: Request) -> HTTPResponse:
    return json({"ok": True})


# --8<-- [end:app]
