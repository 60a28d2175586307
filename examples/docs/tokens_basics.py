"""Creating tokens: identity, role, freshness and expiry, and what comes back from them."""

# --8<-- [start:identity]
from datetime import timedelta

from sanic import Sanic

from sanic_jwt_extended import JWT

app = Sanic("tokens-basics")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.use_acl = True  # needed for roles

# Outside a request, JWT acts for the only initialized app (several: JWT.for_app(app)); its
# TokenManager is app.ctx.jwt.manager, used here to show what a view would receive as `token`.
decode = app.ctx.jwt.manager.decode

# Any JSON value is an identity, and it comes back exactly as given.
for identity in ("alice", 42, {"id": 7, "tenant": "acme"}):
    token = decode(JWT.create_access_token(identity))
    print(repr(token.identity), "sub =", repr(token.sub))
# --8<-- [end:identity]

# --8<-- [start:role-fresh]
raw = JWT.create_access_token("alice", "ADMIN", True)  # identity, role, fresh
token = decode(raw)
print(token.role, token.fresh)

# Fresh for the next 5 minutes only, then an ordinary (non-fresh) token.
token = decode(JWT.create_access_token("alice", fresh=timedelta(minutes=5)))
print("fresh for now:", token.fresh)
# --8<-- [end:role-fresh]

# --8<-- [start:expiry]
token = decode(JWT.create_access_token("alice"))
print("default lifetime:", round((token.exp - token.iat).total_seconds() / 60), "minutes")

token = decode(JWT.create_access_token("alice", expires_delta=timedelta(hours=2)))
print("two hours:", round((token.exp - token.iat).total_seconds() / 3600, 1))

token = decode(JWT.create_refresh_token("alice", expires_delta=False))  # never expires
print("no exp:", token.exp is None, token.type, token.fresh)
# --8<-- [end:expiry]
