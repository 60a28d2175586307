"""The token and the current user anywhere in the request, and the app's own hooks."""

# --8<-- [start:hooks]
import asyncio
from typing import Any

from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import (
    JWT,
    Token,
    get_current_user,
    get_jwt,
    get_jwt_identity,
    jwt_required,
)

app = Sanic("current-user")

USERS = {"alice": {"name": "Alice"}, "bob": {"name": "Bob"}}
CLOSED_SESSIONS = {"session-of-bob"}


async def find_user(token: Token) -> Any:
    """The user behind a token: None when there is none (a 401 user_not_found)."""
    await asyncio.sleep(0)  # a database lookup, say
    return USERS.get(token.identity)


def tenant_claims(identity: Any) -> dict[str, Any]:
    """Put the user's tenant into every token minted for this app."""
    return {"tenant": "acme", "session": f"session-of-{identity}"}


async def session_is_live(token: Token) -> bool:
    """Refuse the tokens of closed sessions: True accepts, anything else refuses."""
    return token.private_claims["session"] not in CLOSED_SESSIONS


with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.user_loader(find_user)
    jwt.additional_claims_loader(tenant_claims)
    jwt.token_verification_loader(session_is_live)
# --8<-- [end:hooks]


# --8<-- [start:accessors]
def audit(action: str) -> str:
    """Deep inside the app, with no request at hand."""
    return f"{get_jwt_identity()} of {get_jwt()['tenant']} did {action}"


@app.middleware("response")
async def tag_response(request: Request, response: HTTPResponse) -> None:
    if get_jwt_identity() is not None:
        response.headers["X-User"] = str(get_jwt_identity())


@app.get("/me")
@jwt_required
async def me(request: Request, token: Token) -> HTTPResponse:
    user = get_current_user()  # also request.ctx.jwt_user; the token is request.ctx.jwt_token
    return json({"name": user["name"], "audit": audit("GET /me")})


# --8<-- [end:accessors]
