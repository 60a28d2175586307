"""Access control: roles in tokens, allow and deny lists on views."""

# --8<-- [start:config]
from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, Token, jwt_required

app = Sanic("access-control")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.use_acl = True
    jwt.config.acl_claim = "role"  # the default
# --8<-- [end:config]

ROLES = {"alice": "ADMIN", "bob": "ANALYST", "carol": "USER", "mallory": "BANNED"}


# --8<-- [start:login]
@app.post("/login/<name>")
async def login(request: Request, name: str) -> HTTPResponse:
    # the role comes from your user database, never from the client
    return json({"access_token": JWT.create_access_token(name, ROLES[name])})


# --8<-- [end:login]


# --8<-- [start:views]
@app.get("/admin")
@jwt_required(allow=["ADMIN"])
async def admin(request: Request, token: Token) -> HTTPResponse:
    return json({"msg": f"hello admin {token.identity}"})


@app.get("/reports")
@jwt_required(allow=["ADMIN", "ANALYST"])
async def reports(request: Request, token: Token) -> HTTPResponse:
    return json({"msg": f"reports for {token.identity} ({token.role})"})


@app.get("/shop")
@jwt_required(deny=["BANNED"])
async def shop(request: Request, token: Token) -> HTTPResponse:
    return json({"msg": f"welcome {token.identity}"})


# --8<-- [end:views]
