"""Token locations: headers, cookies with CSRF protection, query strings and JSON bodies."""

# --8<-- [start:config]
from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import (
    JWT,
    Token,
    jwt_required,
    refresh_jwt_required,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
)

app = Sanic("token-locations")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    # Looked at in this order; the first location holding a token wins.
    jwt.config.token_location = ("headers", "cookies", "query_string", "json")
    jwt.config.refresh_cookie_path = "/refresh"  # the refresh cookie goes there only
# --8<-- [end:config]


# --8<-- [start:cookies]
@app.post("/login")
async def login(request: Request) -> HTTPResponse:
    response = json({"msg": "logged in"})
    set_access_cookies(response, JWT.create_access_token("alice", fresh=True))
    set_refresh_cookies(response, JWT.create_refresh_token("alice"))
    return response


@app.post("/refresh")
@refresh_jwt_required
async def refresh(request: Request, token: Token) -> HTTPResponse:
    response = json({"msg": "refreshed"})
    set_access_cookies(response, JWT.create_access_token(token.identity))
    return response


@app.post("/logout")
async def logout(request: Request) -> HTTPResponse:
    response = json({"msg": "logged out"})
    unset_jwt_cookies(response)
    return response


# --8<-- [end:cookies]


# --8<-- [start:views]
@app.route("/whoami", methods=["GET", "POST"])
@jwt_required
async def whoami(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})


# --8<-- [end:views]
