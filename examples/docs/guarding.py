"""Guarding many routes at once, per-route locations, and verifying in middleware."""

# --8<-- [start:locations]
import functools
from typing import Any

from sanic import Blueprint, Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import (
    JWT,
    Token,
    get_jwt_identity,
    jwt_exempt,
    jwt_required,
    protect,
    verify_jwt_in_request,
)

app = Sanic("guarding")

with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.token_location = ("headers", "cookies")
    jwt.config.use_acl = True


@app.post("/cookie-session")
@jwt_required(locations=["cookies"])  # this route reads its token from the cookie only
async def cookie_session(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})


# --8<-- [end:locations]


# --8<-- [start:verify]
def admins_only(view: Any) -> Any:
    """A decorator of your own: the same checks and refusals as `jwt_required`."""

    @functools.wraps(view)
    async def guarded(request: Request, *args: Any, **kwargs: Any) -> Any:
        await verify_jwt_in_request(request, allow=["ADMIN"], fresh=True)
        return await view(request, *args, **kwargs)

    return guarded


@app.middleware("request")
async def greet_known_users(request: Request) -> None:
    if request.path == "/hello":
        await verify_jwt_in_request(request, optional=True)  # None without a token


@app.get("/hello")
async def hello(request: Request) -> HTTPResponse:
    return json({"hello": get_jwt_identity() or "stranger"})


@app.delete("/users/<name>")
@admins_only
async def delete_user(request: Request, name: str) -> HTTPResponse:
    return json({"deleted": name, "by": get_jwt_identity()})


# --8<-- [end:verify]


# --8<-- [start:protect]
api = Blueprint("api", url_prefix="/api")
protect(api, exempt=["health"])  # every route of the blueprint, but `health`


@api.get("/orders")
async def orders(request: Request) -> HTTPResponse:
    return json({"orders_of": get_jwt_identity()})


@api.get("/health")
async def health(request: Request) -> HTTPResponse:
    return json({"ok": True})


@api.get("/version")
@jwt_exempt  # or mark the view itself
async def version(request: Request) -> HTTPResponse:
    return json({"version": 1})


app.blueprint(api)
# --8<-- [end:protect]
