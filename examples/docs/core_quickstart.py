"""The core on its own: mint, decode, verify and revoke tokens without any web framework."""

# --8<-- [start:manager]
import asyncio

from jwt_core import Config, Policy, TokenManager, WrongTokenError

tm = TokenManager(
    Config(secret_key="change-me-to-at-least-32-random-bytes-please", use_blacklist=True)
)

access = tm.create_access_token("alice", fresh=True)
refresh = tm.create_refresh_token("alice")

token = tm.decode(access)  # signature, expiry and the other registered claims
print(token.type, token.identity, token.fresh)
# --8<-- [end:manager]


# --8<-- [start:verify]
async def main() -> None:
    # verify() = decode() plus the checks of a Policy: what a protected view asks
    token = await tm.verify(access, Policy("access", fresh_required=True))
    print("verified", token.identity)

    try:
        await tm.verify(refresh, Policy("access"))
    except WrongTokenError as exc:
        print("refused:", exc)

    await tm.revoke(token)
    try:
        await tm.verify(access)
    except Exception as exc:
        print("refused:", type(exc).__name__)


asyncio.run(main())
# --8<-- [end:verify]
