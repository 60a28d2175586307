"""The core in a background worker: verify tokens that arrive with jobs, no web framework."""

# --8<-- [start:issuer]
import asyncio

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from jwt_core import Config, JWTExtendedException, TokenManager

# Keys for the example; in production, load the PEM files your deployment provides.
private_key = ec.generate_private_key(ec.SECP256R1())
private_pem = private_key.private_bytes(
    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
)
public_pem = private_key.public_key().public_bytes(
    serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
)

# The service that issues tokens holds the private key.
issuer = TokenManager(
    Config(algorithm="ES256", private_key=private_pem, default_iss="https://auth.example.com")
)
job_token = issuer.create_access_token("report-generator", private_claims={"scope": "reports"})
# --8<-- [end:issuer]

# --8<-- [start:worker]
# A worker only verifies: it gets the public key, and cannot mint tokens.
verifier = TokenManager(
    Config(algorithm="ES256", public_key=public_pem, default_iss="https://auth.example.com")
)
print("worker can sign:", verifier.can_sign)


async def handle(job: dict[str, str]) -> str:
    try:
        token = await verifier.verify(job["token"])
    except JWTExtendedException as exc:
        return f"rejected {job['name']}: {type(exc).__name__}"
    return f"ran {job['name']} for {token.identity} with scope {token.private_claims['scope']}"


async def main() -> None:
    queue: asyncio.Queue[dict[str, str]] = asyncio.Queue()
    await queue.put({"name": "monthly-report", "token": job_token})
    await queue.put({"name": "forged", "token": job_token[:-4] + "AAAA"})
    await queue.put({"name": "anonymous", "token": "not a token"})
    while not queue.empty():
        print(await handle(await queue.get()))


asyncio.run(main())
# --8<-- [end:worker]

# --8<-- [start:jwks]
# Other services can fetch the public keys as a JWK Set (RFC 7517), e.g. from a route.
print([(key["kty"], key["crv"], key["alg"]) for key in issuer.jwks()["keys"]])
# --8<-- [end:jwks]
