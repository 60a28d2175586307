"""`RedisBlacklist`: revocations in a Redis or Valkey server, shared by every machine.

redis-py (`pip install 'jwt-core[redis]'`) is imported only when a store is made, so this
module can be imported without it.
"""

from __future__ import annotations

import asyncio
import inspect
import math
import os
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import TYPE_CHECKING, Any, TypeVar
from urllib.parse import quote

from jwt_core.blacklist.base import BlacklistABC, cutoff_seconds, issued_ms, millisecond_of
from jwt_core.errors import ConfigurationConflictError, RevocationStoreUnavailableError
from jwt_core.token import Token

if TYPE_CHECKING:
    from redis.asyncio import Redis, RedisCluster

__all__ = ["RedisBlacklist"]

T = TypeVar("T")

DEFAULT_URL = "redis://localhost:6379/0"

# Clients a forked child inherited from its parent: kept, never closed nor collected.
_inherited: list[Any] = []

# Raise a subject's cut-off (KEYS[1]) to ARGV[1] (the epoch seconds `k / 1000` of its
# millisecond `k`, which orders exactly as the milliseconds, and is what earlier versions
# stored) and make the key live until
# ARGV[2] (epoch milliseconds; "" for ever), never lowering either: workers whose clocks
# differ may write in any order. One key, so it runs on a Redis Cluster too.
_RAISE_CUTOFF = """
local old = redis.call('GET', KEYS[1])
local cutoff = ARGV[1]
if old and tonumber(old) > tonumber(cutoff) then cutoff = old end
if ARGV[2] == '' then return redis.call('SET', KEYS[1], cutoff) end
if old then
  local at = redis.call('PEXPIRETIME', KEYS[1])
  if at == -1 or at > tonumber(ARGV[2]) then
    return redis.call('SET', KEYS[1], cutoff, 'KEEPTTL')
  end
end
return redis.call('SET', KEYS[1], cutoff, 'PXAT', ARGV[2])
"""


def _import_redis_asyncio() -> Any:
    """redis.asyncio, or an ImportError that says how to install it."""
    try:
        import redis.asyncio
    except ImportError as exc:
        raise ImportError(
            "RedisBlacklist needs redis-py 5 or later: pip install 'jwt-core[redis]'"
        ) from exc
    return redis.asyncio


class RedisBlacklist(BlacklistABC):
    """Revocations in a Redis (7+) or Valkey server: one key per revoked token, expiring with it.

    A check is one MGET of two keys: the token's `jti` key and its subject's cut-off key.
    Both keys carry the subject as hash tag, so they sit in one slot and the store works the
    same against a Redis Cluster (pass `cluster=True` or a ready cluster client).

    Give either `url` (the client and its connection pool are then made in `open()`, inside the
    running event loop, and closed in `close()`) or a ready `redis.asyncio` client as `client`
    (then its owner closes it). `prefix` starts every key, so several apps can share a server.
    The socket timeouts (seconds) make calls to a dead or hung server fail instead of waiting;
    a call is retried `retries` times on a broken connection, so the store recovers by itself
    once the server is back. At most `max_connections` calls run at once (the others wait for
    a free connection rather than fail). Other keyword arguments go to `redis.asyncio.from_url`
    (or `RedisCluster.from_url`).
    """

    multiprocess_safe = True

    def __init__(
        self,
        url: str | None = None,
        *,
        client: Redis | RedisCluster | None = None,
        prefix: str = "jwt:",
        cluster: bool = False,
        socket_timeout: float = 1.0,
        socket_connect_timeout: float = 1.0,
        retries: int = 1,
        max_connections: int = 64,
        **client_kwargs: Any,
    ) -> None:
        if client is not None and (url is not None or cluster or client_kwargs):
            raise ConfigurationConflictError(
                "RedisBlacklist takes either a ready client= or url= (with its options), not both"
            )
        if min(socket_timeout, socket_connect_timeout, max_connections) <= 0 or retries < 0:
            raise ConfigurationConflictError(
                "RedisBlacklist: socket timeouts and max_connections must be positive, "
                "retries not negative"
            )
        redis_asyncio = _import_redis_asyncio()
        _check_client_options(redis_asyncio, client_kwargs, cluster=cluster)
        from redis.exceptions import RedisError

        self._errors: tuple[type[BaseException], ...] = (RedisError, OSError)
        self._redis = redis_asyncio
        self.url = url if url is not None else (None if client is not None else DEFAULT_URL)
        self.prefix = prefix
        self._cluster = cluster
        self._socket_timeout = socket_timeout
        self._socket_connect_timeout = socket_connect_timeout
        self._retries = retries
        self._max_connections = max_connections
        self._slots: asyncio.Semaphore | None = None
        self._client_kwargs = client_kwargs
        self._client = client
        self._owns_client = client is None
        self._pid = os.getpid()

    def __repr__(self) -> str:
        where = self.url if self.url is not None else "client"
        return f"RedisBlacklist({where!r}, prefix={self.prefix!r})"

    async def open(self) -> None:
        """Make the client and its pool in this event loop (connections open on first use)."""
        self._connection()

    async def close(self) -> None:
        client, self._slots = self._client, None
        if client is not None and self._owns_client:
            self._client = None
            await client.aclose()

    def subject_tag(self, subject: str) -> str:
        """The key part shared by all of a subject's keys: prefix plus the subject as hash tag.

        The subject is percent-encoded so that no brace in it can end the tag early; an empty
        subject becomes `%`, which encoding never yields, since an empty tag `{}` is ignored.
        """
        return f"{self.prefix}{{{quote(subject, safe='@') or '%'}}}"

    def token_key(self, token: Token) -> str:
        """The key that marks `token` as revoked."""
        return f"{self.subject_tag(token.sub)}:jti:{token.jti.hex}"

    def cutoff_key(self, subject: str) -> str:
        """The key holding `subject`'s revoke-all cut-off (epoch seconds of its millisecond)."""
        return f"{self.subject_tag(subject)}:revoked-before"

    async def register(self, token: Token) -> None:
        expiry = self.entry_expiry(token)
        key = self.token_key(token)
        if expiry is None:
            await self._call(lambda client: client.set(key, b"1"))
        else:
            until = _epoch_ms(expiry)
            await self._call(lambda client: client.set(key, b"1", pxat=until))

    async def register_cutoff(
        self, subject: str, revoked_before_ms: int, expires_at_ms: int | None
    ) -> None:
        key = self.cutoff_key(subject)
        cutoff = repr(cutoff_seconds(revoked_before_ms))
        until = "" if expires_at_ms is None else str(expires_at_ms)
        await self._call(lambda client: client.eval(_RAISE_CUTOFF, 1, key, cutoff, until))

    async def is_blacklisted(self, token: Token) -> bool:
        keys = [self.token_key(token), self.cutoff_key(token.sub)]
        revoked, cutoff = await self._call(lambda client: client.mget(keys))
        if revoked is not None:
            return True
        return cutoff is not None and issued_ms(token) <= millisecond_of(float(cutoff))

    def _connection(self) -> Redis | RedisCluster:
        """The client, made on first use (inside the running loop) when the store owns it.

        A child forked after first use makes its own: the parent's sockets are not for it.
        """
        if self._owns_client and self._pid != os.getpid():
            if self._client is not None:
                # Never let the parent's client be collected here: closing its connections
                # would unregister their sockets from the event-loop selector that parent
                # and child share after a fork (one epoll instance), and the parent's next
                # read would wait until its timeout.
                _inherited.append(self._client)
            self._client, self._slots, self._pid = None, None, os.getpid()
        if self._client is None:
            from redis.asyncio.retry import Retry
            from redis.backoff import NoBackoff
            from redis.exceptions import ConnectionError as RedisConnectionError

            options: dict[str, Any] = {
                "socket_timeout": self._socket_timeout,
                "socket_connect_timeout": self._socket_connect_timeout,
                # Retry a broken connection at once (the server restarted), but not a timeout:
                # a hung server must cost one timeout, not several.
                "retry": Retry(NoBackoff(), self._retries, (RedisConnectionError,)),
                "max_connections": self._max_connections,
                **self._client_kwargs,
            }
            url = self.url if self.url is not None else DEFAULT_URL
            if self._cluster:
                self._client = self._redis.RedisCluster.from_url(url, **options)
            else:
                self._client = self._redis.from_url(url, **options)
        assert self._client is not None
        return self._client

    async def _call(self, operation: Callable[[Redis | RedisCluster], Awaitable[T]]) -> T:
        """Run one call once a connection is free; an unreachable server becomes a library error."""
        client = self._connection()
        if self._slots is None:
            self._slots = asyncio.Semaphore(self._max_connections)
        try:
            async with self._slots:
                return await operation(client)
        except self._errors as exc:
            where = self.url if self.url is not None else "the given client"
            raise RevocationStoreUnavailableError(
                f"the Redis revocation store at {where} cannot be used: {exc}"
            ) from exc


def _check_client_options(redis_asyncio: Any, options: dict[str, Any], *, cluster: bool) -> None:
    """Refuse at startup what no redis-py client takes: later, every check would be a 503."""
    if "connection_info" in options:
        raise ConfigurationConflictError(
            "RedisBlacklist does not take connection_info (the aioredis settings of "
            "sanic-jwt-extended 1.0-dev): give url='redis://host:6379/0' (and max_connections=) "
            "or a ready redis.asyncio client as client=, in blacklist_init_kwargs "
            "(see docs/migration/sanic-jwt-extended.md)"
        )
    from redis.asyncio import connection

    accepted: set[str] = {"single_connection_client", "auto_close_connection_pool"}
    for made_by in (
        connection.ConnectionPool,
        connection.AbstractConnection,
        connection.Connection,
        connection.SSLConnection,
        connection.UnixDomainSocketConnection,
        *([redis_asyncio.RedisCluster] if cluster else []),
    ):
        accepted.update(
            name
            for name, parameter in inspect.signature(made_by).parameters.items()
            if parameter.kind is not parameter.VAR_KEYWORD
        )
    unknown = sorted(set(options) - accepted)
    if unknown:
        raise ConfigurationConflictError(
            f"RedisBlacklist does not take {', '.join(unknown)}: it takes url, client, prefix, "
            "cluster, socket_timeout, socket_connect_timeout, retries, max_connections and the "
            "connection options of redis.asyncio.from_url (host, password, ssl_*, ...)"
        )


def _epoch_ms(moment: datetime) -> int:
    """`moment` in whole epoch milliseconds, rounded up so an entry never goes early."""
    return math.ceil(moment.timestamp() * 1000)
