"""Two workers sharing one SQLiteBlacklist: a revocation made by one is seen by the other."""

# --8<-- [start:workers]
import asyncio
import os
import tempfile

from jwt_core import Config, RevokedTokenError, TokenManager
from jwt_core.blacklist import SQLiteBlacklist

SECRET = "change-me-to-at-least-32-random-bytes-please"


def worker(path: str) -> TokenManager:
    """What each worker process builds at start: same secret, same revocation file."""
    return TokenManager(
        Config(
            secret_key=SECRET,
            use_blacklist=True,
            blacklist_class=SQLiteBlacklist,
            blacklist_init_kwargs={"path": path},
        )
    )


async def main(path: str) -> None:
    first, second = worker(path), worker(path)
    await first.open()  # inside the running event loop, as Sanic does at worker start
    await second.open()

    raw = first.create_access_token("alice")
    await first.revoke(first.decode(raw))  # revoked in one worker ...
    try:
        await second.verify(raw)  # ... refused by the other
    except RevokedTokenError as exc:
        print("second worker:", exc)

    older = first.create_access_token("bob")
    await first.revoke_all("bob")  # every token of bob issued up to now
    newer = first.create_access_token("bob")  # bob logs in again
    for name, token in (("older", older), ("newer", newer)):
        try:
            await second.verify(token)
            print(name, "bob token: accepted")
        except RevokedTokenError:
            print(name, "bob token: revoked")

    await first.close()
    await second.close()


# --8<-- [end:workers]


with tempfile.TemporaryDirectory() as folder:
    asyncio.run(main(os.path.join(folder, "revoked.sqlite3")))
