"""The grace window, step by step: a retried refresh, a reuse, and the session's end."""

# --8<-- [start:grace]
import asyncio
import time
from datetime import timedelta

from jwt_core import Config, RevokedTokenError, TokenManager


class Clock:
    """A clock moved by hand, so the steps below need no waiting."""

    def __init__(self) -> None:
        self.now = time.time()

    def __call__(self) -> float:
        return self.now


async def main() -> None:
    clock = Clock()
    manager = TokenManager(
        Config(
            secret_key="change-me-to-at-least-32-random-bytes-please",
            use_blacklist=True,
            refresh_reuse_grace=timedelta(seconds=10),
        ),
        clock=clock,
    )
    await manager.open()
    login = manager.start_session("alice")

    first = await manager.rotate(login.refresh_token)  # the client never gets the answer
    clock.now += 3
    retry = await manager.rotate(login.refresh_token)  # 3 s later it tries again
    again, successor = manager.decode(retry.refresh_token), manager.decode(first.refresh_token)
    print("retry within the grace, the same refresh token:", again.jti == successor.jti)

    clock.now += 60
    second = await manager.rotate(retry.refresh_token)  # the client goes on with its new one
    print("the chain goes on:", (await manager.verify(second.access_token)).identity)

    try:
        await manager.rotate(login.refresh_token)  # a copy of the first, a minute later
    except RevokedTokenError as exc:
        print("reuse:", exc)
    try:
        await manager.verify(second.access_token)
    except RevokedTokenError as exc:
        print("the family's newest access token:", exc)
    try:
        await manager.rotate(second.refresh_token)
    except RevokedTokenError as exc:
        print("its newest refresh token:", exc)
    await manager.close()


asyncio.run(main())
# --8<-- [end:grace]
