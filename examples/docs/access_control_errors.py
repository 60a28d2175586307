"""Role options that cannot work are refused when the app starts, not at the first request."""

# --8<-- [start:errors]
from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, ConfigurationConflictError, Token, jwt_required

SECRET = "change-me-to-at-least-32-random-bytes-please"

# allow and deny together: refused when decorating
try:

    @jwt_required(allow=["ADMIN"], deny=["BANNED"])
    async def both(request: Request, token: Token) -> HTTPResponse:
        return json({})

except ConfigurationConflictError as exc:
    print(exc)

# allow/deny on a route while use_acl is off: refused when the initialize block closes
app = Sanic("access-control-errors")


@app.get("/admin")
@jwt_required(allow=["ADMIN"])
async def admin(request: Request, token: Token) -> HTTPResponse:
    return json({})


try:
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET  # use_acl left off
except ConfigurationConflictError as exc:
    print(exc)

# a role given to a token while use_acl is off
other = Sanic("access-control-errors-2")
with JWT.initialize(other) as jwt:
    jwt.config.secret_key = SECRET
try:
    JWT.create_access_token("alice", "ADMIN")
except ConfigurationConflictError as exc:
    print(exc)
# --8<-- [end:errors]
