"""Refresh tokens: a short-lived access token, renewed with a long-lived refresh token."""

# --8<-- [start:login]
from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, Token, jwt_required, refresh_jwt_required

app = Sanic("refresh-tokens")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.use_blacklist = True  # to revoke used refresh tokens (rotation)


def password_is_right(request: Request) -> bool:
    """Stands in for a real password check."""
    return (request.json or {}).get("password") == "wonderland"


@app.post("/login")
async def login(request: Request) -> HTTPResponse:
    if not password_is_right(request):
        return json({"msg": "bad username or password"}, status=401)
    return json(
        {
            "access_token": JWT.create_access_token("alice", fresh=True),
            "refresh_token": JWT.create_refresh_token("alice"),
        },
        headers={"Cache-Control": "no-store"},  # a response with tokens is never cached
    )


# --8<-- [end:login]


# --8<-- [start:refresh]
@app.post("/refresh")
@refresh_jwt_required
async def refresh(request: Request, token: Token) -> HTTPResponse:
    # Rotation: each refresh token works once. Revoke it and hand out a new pair, so a
    # stolen refresh token stops working as soon as either party uses it.
    await token.revoke()
    return json(
        {
            "access_token": JWT.create_access_token(token.identity, token.role, False),
            "refresh_token": JWT.create_refresh_token(token.identity, token.role),
        },
        headers={"Cache-Control": "no-store"},
    )


# --8<-- [end:refresh]


# --8<-- [start:fresh]
@app.post("/fresh-login")
async def fresh_login(request: Request) -> HTTPResponse:
    """Asks for the password again, and gives a fresh access token only."""
    if not password_is_right(request):
        return json({"msg": "bad username or password"}, status=401)
    token = JWT.create_access_token("alice", fresh=True)
    return json({"access_token": token}, headers={"Cache-Control": "no-store"})


@app.post("/settings/email")
@jwt_required(fresh_required=True)
async def change_email(request: Request, token: Token) -> HTTPResponse:
    return json({"msg": f"e-mail changed for {token.identity}"})


# --8<-- [end:fresh]
