"""Sanic Extensions: the verified token by dependency injection, without a decorator."""

# --8<-- [start:injection]
from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, Token, jwt_optional, token_dependency

app = Sanic("injection-demo")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"

app.ext.add_dependency(Token, token_dependency)


@app.get("/me")
async def me(request: Request, token: Token) -> HTTPResponse:
    # No decorator: a `token: Token` parameter is enough. Refusals are jwt_required's.
    return json({"identity": token.identity})


@app.get("/greeting")
@jwt_optional  # a decorator still decides on its route: here, no token is fine
async def greeting(request: Request, token: Token | None) -> HTTPResponse:
    return json({"hello": token.identity if token else "stranger"})


# --8<-- [end:injection]
