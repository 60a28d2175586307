"""A browser session in cookies: rotation through the refresh cookie, and sliding renewal."""

# --8<-- [start:cookies]
from datetime import timedelta

from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import (
    JWT,
    Token,
    TokenPair,
    jwt_required,
    refresh_jwt_required,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
    verify_jwt_in_request,
)

app = Sanic("sessions-cookies")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.use_blacklist = True
    jwt.config.token_location = ("cookies",)
    # The refresh cookie is sent to the refresh and logout routes only.
    jwt.config.refresh_cookie_path = "/auth"
    jwt.config.refresh_csrf_cookie_path = "/auth"
    jwt.config.refresh_jwt_csrf_header = "X-CSRF-Refresh-Token"
    # Sliding: an access cookie with less than 5 of its 15 minutes left is renewed on the
    # response of any route that accepted it.
    jwt.config.sliding_session_threshold = timedelta(minutes=5)


def with_cookies(pair: TokenPair, message: str) -> HTTPResponse:
    response = json({"msg": message}, headers={"Cache-Control": "no-store"})
    set_access_cookies(response, pair.access_token)
    set_refresh_cookies(response, pair.refresh_token)
    return response


@app.post("/auth/login")
async def login(request: Request) -> HTTPResponse:
    # (check the password here)
    return with_cookies(JWT.start_session("alice"), "logged in")


@app.post("/auth/refresh")
@refresh_jwt_required  # the refresh cookie, and its CSRF value in X-CSRF-Refresh-Token
async def refresh(request: Request, token: Token) -> HTTPResponse:
    return with_cookies(await JWT.rotate(token), "refreshed")


@app.get("/me")
@jwt_required  # close to expiry, the response carries a new access cookie
async def me(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})


@app.post("/auth/logout")
@jwt_required
async def logout(request: Request, token: Token) -> HTTPResponse:
    refresh = await verify_jwt_in_request(request, refresh=True, optional=True)
    await JWT.logout(token, refresh)
    response = json({"msg": "logged out"})
    unset_jwt_cookies(response)
    return response


# --8<-- [end:cookies]
