"""Public and private claims, issuer and audience, and the claim names that are refused."""

# --8<-- [start:config]
from datetime import datetime, timedelta, timezone

from sanic import Sanic

from jwt_core import Config, InvalidClaimsError, TokenManager
from sanic_jwt_extended import JWT

app = Sanic("tokens-claims")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.public_claim_namespace = "https://api.example.com/"
    jwt.config.private_claim_prefix = "app"
    jwt.config.default_iss = "https://auth.example.com"
    jwt.config.default_aud = "api"

decode = app.ctx.jwt.manager.decode
# --8<-- [end:config]

# --8<-- [start:claims]
raw = JWT.create_access_token(
    "alice",
    public_claims={"user": {"name": "Alice", "plan": "pro"}},
    private_claims={"tenant": "acme"},
)
token = decode(raw)
print(token.public_claims)  # nested again
print(token.private_claims)  # under the keys they were given with
print(sorted(k for k in token.raw_data if k.startswith(("https://", "app_"))))
# --8<-- [end:claims]

# --8<-- [start:iss-aud]
token = decode(raw)
print(token.iss, token.aud)

# A token for another audience is made with aud=...; this service would refuse it.
other = JWT.create_access_token("alice", aud="billing")
try:
    decode(other)
except Exception as exc:
    print(type(exc).__name__ + ":", exc)
# --8<-- [end:iss-aud]

# --8<-- [start:nbf]
start = datetime.now(timezone.utc) + timedelta(hours=1)
later = JWT.create_access_token("alice", nbf=start)
try:
    decode(later)
except Exception as exc:
    print(type(exc).__name__ + ":", exc)
# --8<-- [end:nbf]

# --8<-- [start:reserved]
# Without a private_claim_prefix, private claims sit beside the library's own claims;
# a name the library uses is refused rather than silently overwritten.
plain = TokenManager(Config(secret_key="change-me-to-at-least-32-random-bytes-please"))
for claims in ({"sub": "mallory"}, {"fresh": True}, {"csrf": "x"}):
    try:
        plain.create_access_token("bob", private_claims=claims)
    except InvalidClaimsError as exc:
        print("refused:", exc)
# --8<-- [end:reserved]
