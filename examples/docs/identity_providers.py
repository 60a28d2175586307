"""A service that accepts access tokens of Keycloak and Auth0 (docs/identity-providers.md).

The issuer URLs come from the environment so the docs tests can point them at a loopback
provider; the defaults are what a real deployment would write.
"""

# --8<-- [start:issuers]
import os

from sanic import Request, Sanic
from sanic.response import json

from jwt_core.remote import ExternalToken, Issuer, TrustedIssuers
from sanic_jwt_extended import JWT, Token
from sanic_jwt_extended.external import external_jwt_required, trust_issuers

keycloak = Issuer(
    os.environ.get("KEYCLOAK_ISSUER", "https://sso.example.com/realms/acme"),
    audiences=["orders-api"],  # Keycloak: add an audience mapper for this client
    algorithms=["RS256", "PS256", "EdDSA"],
    roles_claim="realm_access.roles",
    subject_claim="sub",
    leeway=30,
)
auth0 = Issuer(
    os.environ.get("AUTH0_ISSUER", "https://acme.eu.auth0.com/"),
    audiences=["https://orders.acme.example"],
    roles_claim="https://orders.acme.example/roles",  # set by an Auth0 Action
    profile="rfc9068",  # Auth0 "RFC 9068" token profile: typ at+jwt, client_id, jti
    key_set={"stale_limit": 6 * 3600, "unknown_kid_cooldown": 30},
)
issuers = TrustedIssuers([keycloak, auth0])  # jwks_uri found by OpenID discovery
# --8<-- [end:issuers]

# --8<-- [start:app]
app = Sanic("orders")
with JWT.initialize(app) as jwt:
    jwt.config.secret_key = os.environ.get("JWT_SECRET_KEY", "change-me-to-32-random-bytes-or-more")
trust_issuers(app, issuers)  # keys fetched as each worker starts


@app.get("/orders")
@external_jwt_required(scopes=["orders:read"])
async def orders(request: Request, token: ExternalToken) -> object:
    return json({"user": token.identity, "issuer": token.iss, "roles": list(token.roles)})


@app.delete("/orders/<number:int>")
@external_jwt_required(roles=["admin"])
async def cancel(request: Request, number: int, token: ExternalToken) -> object:
    return json({"cancelled": number, "by": token.identity})


@app.get("/me")
@external_jwt_required(also_own=True)  # our own access tokens and the providers'
async def me(request: Request, token: ExternalToken | Token) -> object:
    return json({"sub": token.sub})


@app.get("/health/keys")
async def key_health(request: Request) -> object:
    return json(
        {
            iss: {"keys": h.keys, "age": h.age, "failures": h.failures, "error": h.last_error}
            for iss, h in issuers.health().items()
        }
    )


# --8<-- [end:app]
