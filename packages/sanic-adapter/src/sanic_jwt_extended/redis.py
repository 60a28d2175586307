"""1.0-dev path of the Redis support: use `from sanic_jwt_extended import RedisBlacklist`.

1.0-dev's `RedisConnection` (a class-wide aioredis pool) has no counterpart: `RedisBlacklist`
owns its redis-py client, configured with `blacklist_init_kwargs={"url": ...}`.
"""

from __future__ import annotations

from jwt_core import RedisBlacklist
from sanic_jwt_extended._moved import MIGRATION_PAGE, warn_moved

__all__ = ["RedisBlacklist"]

warn_moved(__name__, __all__)


def __getattr__(name: str) -> object:
    if name == "RedisConnection":
        raise ImportError(
            "RedisConnection (sanic-jwt-extended 1.0-dev's aioredis pool) is gone: "
            "RedisBlacklist keeps its own client; set blacklist_class = RedisBlacklist and "
            'blacklist_init_kwargs = {"url": "redis://host:6379/0"} '
            f"(see {MIGRATION_PAGE})",
            name=name,
            path=__file__,
        )
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
