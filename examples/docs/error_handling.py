"""Error handling: replacing the default responses, and the key of the default bodies."""

# --8<-- [start:handlers]
from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, Token, jwt_required

app = Sanic("error-handling")


async def token_expired(request: Request, exception: Exception) -> HTTPResponse:
    """Tell clients to refresh, in the shape the rest of this API uses."""
    return json(
        {"error": {"code": "token_expired", "action": "POST /refresh"}},
        status=401,
        headers={"WWW-Authenticate": 'Bearer error="invalid_token"'},
    )


def no_token(request: Request, exception: Exception) -> HTTPResponse:  # sync works too
    return json({"error": {"code": "login_required", "detail": str(exception)}}, status=401)


with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.error_msg_key = "error"  # default bodies: {"error": "..."}
    jwt.handler.expired_signature = token_expired
    jwt.handler.no_authorization = no_token
# --8<-- [end:handlers]


@app.get("/me")
@jwt_required
async def me(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})
