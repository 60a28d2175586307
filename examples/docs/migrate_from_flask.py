"""flask-jwt-extended settings carried over: its app.config keys are read under their own names."""

# --8<-- [start:views]
# --8<-- [start:config]
from datetime import timedelta

from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, Token, jwt_optional, jwt_required

app = Sanic("migrate-from-flask")

# A Flask app's settings, unchanged: every key below is read as it is.
app.config.JWT_SECRET_KEY = "change-me-to-at-least-32-random-bytes-please"
app.config.JWT_ACCESS_TOKEN_EXPIRES = timedelta(minutes=10)
app.config.JWT_TOKEN_LOCATION = ["headers", "cookies"]
app.config.JWT_COOKIE_SECURE = False  # flask's default; ours is True
app.config.JWT_HEADER_TYPE = "JWT"  # the option jwt_header_prefix
app.config.JWT_ACCESS_COOKIE_NAME = "session_jwt"  # the option jwt_cookie
app.config.JWT_ERROR_MESSAGE_KEY = "message"  # the option error_msg_key

with JWT.initialize(app):
    pass
# --8<-- [end:config]


@app.get("/protected")
@jwt_required  # flask: @jwt_required()
async def protected(request: Request, token: Token) -> HTTPResponse:
    return json({"logged_in_as": token.identity})  # flask: get_jwt_identity()


@app.get("/maybe")
@jwt_optional  # flask: @jwt_required(optional=True)
async def maybe(request: Request, token: Token | None) -> HTTPResponse:
    return json({"user": token.identity if token else None})


# --8<-- [end:views]
