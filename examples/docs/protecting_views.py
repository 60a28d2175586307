"""Protecting views: the decorators on functions, class-based views and websockets."""

# --8<-- [start:functions]
from sanic import Request, Sanic, Websocket, json
from sanic.response import HTTPResponse
from sanic.views import HTTPMethodView

from sanic_jwt_extended import JWT, Token, jwt_optional, jwt_required

app = Sanic("protecting-views")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"


@app.get("/private")
@jwt_required  # bare ...
async def private(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})


@app.post("/password")
@jwt_required(fresh_required=True)  # ... or called with options
async def change_password(request: Request, token: Token) -> HTTPResponse:
    return json({"changed_for": token.identity})


@app.get("/greeting")
@jwt_optional
async def greeting(request: Request, token: Token | None) -> HTTPResponse:
    # token is None when the request carries no token; a bad token is still refused
    return json({"hello": token.identity if token else "stranger"})


@app.get("/sync")
@jwt_required
def sync_view(request: Request, token: Token) -> HTTPResponse:  # sync views work too
    return json({"sync": token.identity})


# --8<-- [end:functions]


# --8<-- [start:class-based]
class Profile(HTTPMethodView):
    decorators = [jwt_required]  # noqa: RUF012 - every method needs an access token

    async def get(self, request: Request, token: Token) -> HTTPResponse:
        return json({"profile_of": token.identity})


class Article(HTTPMethodView):
    async def get(self, request: Request) -> HTTPResponse:  # public
        return json({"article": "text"})

    @jwt_required(fresh_required=True)  # only this method is guarded
    async def delete(self, request: Request, token: Token) -> HTTPResponse:
        return json({"deleted_by": token.identity})


app.add_route(Profile.as_view(), "/profile")
app.add_route(Article.as_view(), "/article")
# --8<-- [end:class-based]


# --8<-- [start:websocket]
@app.websocket("/feed")
@jwt_required
async def feed(request: Request, ws: Websocket, token: Token) -> None:
    # Checked before the handshake: a client without a valid token gets an HTTP 401
    # and no websocket at all.
    await ws.send(f"hello {token.identity}")
    async for message in ws:
        await ws.send(f"{token.identity}: {message}")


# --8<-- [end:websocket]
