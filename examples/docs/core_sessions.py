"""Sessions in the core: a login, a rotation, a retried rotation, reuse, and logout."""

# --8<-- [start:sessions]
import asyncio

from jwt_core import Config, Policy, RevokedTokenError, TokenManager

tm = TokenManager(
    Config(secret_key="change-me-to-at-least-32-random-bytes-please", use_blacklist=True)
)
REFRESH = Policy("refresh")


async def main() -> None:
    login = tm.start_session("alice")  # a login: a new family, auth_time now
    pair = await tm.rotate(login.refresh_token)  # consumes it: the next pair of the family
    family = tm.decode(login.access_token).family
    print("same family:", tm.decode(pair.refresh_token).family == family)

    # the client never got that answer and retries, within refresh_reuse_grace (10 s)
    retry = await tm.rotate(login.refresh_token)
    successor = tm.decode(pair.refresh_token).jti
    print("same successor:", tm.decode(retry.refresh_token).jti == successor)

    newer = await tm.rotate(pair.refresh_token)  # the chain goes on
    try:
        await tm.rotate(login.refresh_token)  # its successor was used: this is reuse
    except RevokedTokenError as exc:
        print("refused:", exc)
    try:
        await tm.verify(newer.access_token)  # the whole family is revoked
    except RevokedTokenError as exc:
        print("refused:", exc)

    other = tm.start_session("alice")  # another session: one logout ends it
    access = await tm.verify(other.access_token)
    await tm.logout(access, await tm.verify(other.refresh_token, REFRESH))
    try:
        await tm.rotate(other.refresh_token)
    except RevokedTokenError as exc:
        print("after logout:", exc)


asyncio.run(main())
# --8<-- [end:sessions]
