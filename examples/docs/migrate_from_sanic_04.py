"""An app from sanic-jwt-extended 0.4, ported: the old lines are in the comments."""

# --8<-- [start:setup]
from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, Token, jwt_required, refresh_jwt_required

app = Sanic("migrate-from-0-4")

# 0.4: the same app.config lines, then JWTManager(app)
app.config.JWT_SECRET_KEY = "change-me-to-at-least-32-random-bytes-please"
app.config.RBAC_ENABLE = True  # still read: the option use_acl (JWT_USE_ACL)
with JWT.initialize(app):
    pass  # or set options here: JWT.config.use_acl = True
# --8<-- [end:setup]


# --8<-- [start:views]
@app.post("/login")
async def login(request: Request) -> HTTPResponse:
    # 0.4: await create_access_token(identity="alice", role="ADMIN", app=request.app,
    #                                user_claims={"plan": "pro"})
    access = JWT.create_access_token("alice", "ADMIN", private_claims={"plan": "pro"})
    # 0.4: await create_refresh_token(identity="alice", app=request.app)
    refresh = JWT.create_refresh_token("alice", "ADMIN")  # keep the role for refreshes
    return json({"access_token": access, "refresh_token": refresh})


@app.post("/refresh")
@refresh_jwt_required  # 0.4: @jwt_refresh_token_required
async def refresh(request: Request, token: Token) -> HTTPResponse:
    return json({"access_token": JWT.create_access_token(token.identity, token.role)})


@app.get("/admin")
@jwt_required(allow=["ADMIN"])  # unchanged
async def admin(request: Request, token: Token) -> HTTPResponse:
    # 0.4: token.jwt_identity, token.jwt_user_claims, token.raw_jwt (a dict)
    return json(
        {
            "identity": token.identity,
            "claims": token.private_claims,
            "type": token.raw_data["type"],
        }
    )


@app.post("/settings")
@jwt_required(fresh_required=True)  # 0.4: @fresh_jwt_required
async def settings(request: Request, token: Token) -> HTTPResponse:
    return json({"msg": "saved"})


# --8<-- [end:views]
