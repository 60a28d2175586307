"""Logging: the library's refusals, with their reasons, through Sanic's own log handlers."""

# --8<-- [start:config]
from sanic import Request, Sanic, json
from sanic.log import LOGGING_CONFIG_DEFAULTS
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, Token, jwt_required

# Sanic's default configuration, plus the library's logger on Sanic's console handler.
log_config = {
    **LOGGING_CONFIG_DEFAULTS,
    "loggers": {
        **LOGGING_CONFIG_DEFAULTS["loggers"],
        "sanic_jwt_extended": {
            "level": "DEBUG",  # refusals are logged at debug level; INFO keeps the warnings
            "handlers": ["console"],
        },
    },
}
app = Sanic("logging-demo", log_config=log_config)
# --8<-- [end:config]

with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"


@app.get("/me")
@jwt_required
async def me(request: Request, token: Token) -> HTTPResponse:
    return json({"identity": token.identity})
