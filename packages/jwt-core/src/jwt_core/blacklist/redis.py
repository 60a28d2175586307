"""`RedisBlacklist`: revocations in a Redis or Valkey server, shared by every machine.

redis-py (`pip install 'jwt-core[redis]'`) is imported only when a store is made, so this
module can be imported without it.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
import math
import time
from collections.abc import Awaitable, Callable
from datetime import datetime
from itertools import repeat
from typing import TYPE_CHECKING, Any, Literal, TypeVar
from urllib.parse import quote, unquote
from uuid import UUID

from jwt_core.blacklist.base import (
    BlacklistABC,
    Consumed,
    cutoff_seconds,
    family_of,
    issued_ms,
    millisecond_of,
    process_id,
)
from jwt_core.blacklist.replica import Replica
from jwt_core.errors import ConfigurationConflictError, RevocationStoreUnavailableError
from jwt_core.token import Token

if TYPE_CHECKING:
    from redis.asyncio import Redis, RedisCluster

__all__ = ["FEED_CLIENT_NAME", "RedisBlacklist"]

logger = logging.getLogger("jwt_core")

# The client name of the connection a worker's feed reads the stream with (then ":<pid>").
FEED_CLIENT_NAME = "jwt-core-feed"

T = TypeVar("T")

DEFAULT_URL = "redis://localhost:6379/0"

# Clients a forked child inherited from its parent: kept, never closed nor collected.
_inherited: list[Any] = []

# The index of the live changes, in the feed's slot, read by a starting worker in a few bulk
# reads instead of one key at a time: revoked token ids (hex, one a line) appended to one
# string per minute of expiry, "<tag>:ids:<end of that minute, epoch ms>" ("ever" for good),
# which expires at the end of its minute by itself; the sorted set "<tag>:buckets" names them
# (scored by that end); every other kind of change is a member "<kind> <value> <key>" of the
# sorted set "<tag>:other", scored by its expiry (epoch ms, inf for ever). The bucket may
# outlive an id by up to a minute: harmless, its token has expired. `index_add(buckets, kind,
# key, value, expiry)` adds one change as the feed carries it ("<tag>:buckets" names the tag).
_INDEX_ADD = """
local function index_add(buckets, kind, key, value, expiry)
  local tag = string.sub(buckets, 1, #buckets - 8)
  if kind ~= 'jti' then
    if expiry == '' then expiry = 'inf' end
    redis.call('ZADD', tag .. ':other', 'GT', expiry, kind .. ' ' .. value .. ' ' .. key)
    return
  end
  local bucket, score = 'ever', 'inf'
  if expiry ~= '' then
    score = math.ceil(tonumber(expiry) / 60000) * 60000
    bucket = string.format('%d', score)
  end
  local ids = tag .. ':ids:' .. bucket
  redis.call('APPEND', ids, key .. '\\n')
  if bucket ~= 'ever' then redis.call('PEXPIREAT', ids, score) end
  redis.call('ZADD', buckets, score, bucket)
end
"""

# Append one change to the feed: KEYS[#KEYS - 3] is the change counter, KEYS[#KEYS - 2] the
# stream, KEYS[#KEYS - 1] the index's buckets and KEYS[#KEYS] the number of the last change
# the index is known to hold every change up to; the last five ARGV are the kind, key, value
# and expiry (epoch ms, "" for ever) of the change and the stream's approximate length bound.
# Each entry carries its number `n` (1, 2, ... per prefix): a reader that finds a gap knows
# the stream was trimmed past it. The index forgets what has expired, takes the change, and
# stays whole only while no change skipped it (a writer of an earlier version: see `_INDEX`).
_FEED = (
    _INDEX_ADD
    + """
local nk, na = #KEYS, #ARGV
local n = redis.call('INCR', KEYS[nk - 3])
redis.call('XADD', KEYS[nk - 2], 'MAXLEN', '~', ARGV[na], '*', 'n', n,
  'k', ARGV[na - 4], 'key', ARGV[na - 3], 'v', ARGV[na - 2], 'x', ARGV[na - 1])
local now = redis.call('TIME')
local now_ms = string.format('%d', now[1] * 1000 + math.floor(now[2] / 1000))
local buckets = KEYS[nk - 1]
redis.call('ZREMRANGEBYSCORE', buckets, '-inf', now_ms)
redis.call('ZREMRANGEBYSCORE', string.sub(buckets, 1, #buckets - 8) .. ':other', '-inf', now_ms)
index_add(buckets, ARGV[na - 4], ARGV[na - 3], ARGV[na - 2], ARGV[na - 1])
if tonumber(redis.call('GET', KEYS[nk]) or '-1') == n - 1 then redis.call('SET', KEYS[nk], n) end
return n
"""
)

# Where a worker's load starts (KEYS: counter, stream, buckets, indexed): the last stream
# entry {id, n} and whether the index holds every change up to it. ARGV[1] is the number the
# index is whole up to ("": what KEYS[4] says; none: never built). The changes after it,
# read from the stream, are added first (those of writers of an earlier version, or those
# made while the index was being built); if the stream no longer holds them all, or the index
# was never built, the answer is 0 and the caller reads every key instead.
_INDEX = (
    _INDEX_ADD
    + """
local counter = tonumber(redis.call('GET', KEYS[1]) or '0')
local last = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', 1)
local last_id, last_n = '0-0', counter
if last[1] then
  last_id = last[1][1]
  for i = 1, #last[1][2], 2 do
    if last[1][2][i] == 'n' then last_n = tonumber(last[1][2][i + 1]) end
  end
end
local base = ARGV[1]
if base == '' then base = redis.call('GET', KEYS[4]) end
base = tonumber(base)
if base == nil or base > last_n then return {0, last_id, last_n} end
if base < last_n then
  local entries = redis.call('XREVRANGE', KEYS[2], '+', '-', 'COUNT', last_n - base)
  local expected = last_n
  for _, entry in ipairs(entries) do
    local f = {}
    for i = 1, #entry[2], 2 do f[entry[2][i]] = entry[2][i + 1] end
    if tonumber(f['n']) ~= expected then return {0, last_id, last_n} end
    index_add(KEYS[3], f['k'], f['key'], f['v'], f['x'])
    expected = expected - 1
  end
  if expected ~= base then return {0, last_id, last_n} end
end
redis.call('SET', KEYS[4], last_n)
return {1, last_id, last_n}
"""
)

# Add changes (ARGV: kind, key, value, expiry, kind, ...) to the index (KEYS[1]: buckets).
_INDEX_FILL = (
    _INDEX_ADD
    + """
for i = 1, #ARGV, 4 do index_add(KEYS[1], ARGV[i], ARGV[i + 1], ARGV[i + 2], ARGV[i + 3]) end
"""
)

# Revoke a token (KEYS[1]) until ARGV[1] (epoch ms, "" for ever).
_REVOKE = """
if ARGV[1] == '' then redis.call('SET', KEYS[1], '1')
else redis.call('SET', KEYS[1], '1', 'PXAT', ARGV[1]) end
"""

# Raise a subject's cut-off (KEYS[1]) to ARGV[1] (the epoch seconds `k / 1000` of its
# millisecond `k`, which orders exactly as the milliseconds, and is what earlier versions
# stored) and make the key live until
# ARGV[2] (epoch milliseconds; "" for ever), never lowering either: workers whose clocks
# differ may write in any order. One key, so it runs on a Redis Cluster too.
_RAISE_CUTOFF = """
local function raise()
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
end
raise()
"""

# Revoke a session family (key `key`) until `until` (epoch ms, "" for ever), never shortening
# an earlier revocation: a function, so that the feed appended after it always runs.
_REVOKE_FAMILY_FN = """
local function revoke_family(key, expiry)
  local at = redis.call('PEXPIRETIME', key)
  if at == -1 then return end
  if expiry == '' then redis.call('SET', key, '1') return end
  if at > tonumber(expiry) then return end
  redis.call('SET', key, '1', 'PXAT', expiry)
end
"""
_REVOKE_FAMILY = _REVOKE_FAMILY_FN + "revoke_family(KEYS[1], ARGV[1])\n"

# Consume a refresh token: KEYS[1] is its consumed-key, KEYS[2] its family's key; ARGV[1] the
# successor to record ("<jti hex> <iat ms> <exp ms or ->"), ARGV[2] now (epoch ms), ARGV[3]
# the grace (ms), ARGV[4] when the entries may go (epoch ms, "" for ever), ARGV[5] the start
# of the consumed-keys of the family (the successor's is that plus its jti: the same hash
# tag, so the same slot). Returns the outcome and the record "<successor> <consumed at>".
# A family revoked already is "reused" whatever the token: the family key is what a rotation
# trusts, not a replica (on a cluster, a replica misses a family whose feed append failed;
# the caller then appends it again).
# `feed()` appends the family's revocation to the change feed and the index (`_FEED`, whose
# four keys follow: KEYS[3..6]; a no-op on a cluster, where the feed and the index have their
# own slot and are written after).
_CONSUME = """
if redis.call('EXISTS', KEYS[2]) == 1 then
  return {'reused', ARGV[1] .. ' ' .. ARGV[2]}
end
local record = redis.call('GET', KEYS[1])
if not record then
  record = ARGV[1] .. ' ' .. ARGV[2]
  if ARGV[4] == '' then redis.call('SET', KEYS[1], record)
  else redis.call('SET', KEYS[1], record, 'PXAT', ARGV[4]) end
  return {'rotated', record}
end
local successor, at = string.match(record, '^(%S+) %S+ %S+ (%S+)$')
local grace = tonumber(ARGV[3])
if grace > 0 and tonumber(ARGV[2]) < tonumber(at) + grace
    and redis.call('EXISTS', ARGV[5] .. successor) == 0 then
  return {'retry', record}
end
revoke_family(KEYS[2], ARGV[4])
feed()
return {'reused', record}
"""
_CONSUME_AND_FEED = _REVOKE_FAMILY_FN + "local function feed()\n" + _FEED + "\nend\n" + _CONSUME
_CONSUME_ONLY = _REVOKE_FAMILY_FN + "local function feed() end\n" + _CONSUME
_OUTCOMES: dict[str, Literal["rotated", "retry", "reused"]] = {
    "rotated": "rotated",
    "retry": "retry",
    "reused": "reused",
}

# One page of a full load: SCAN from cursor ARGV[1] for pattern ARGV[2] (COUNT ARGV[3]); for
# each key its name without the prefix (ARGV[4] characters), its expiry (epoch ms, -1 none,
# -2 gone) and, for a cut-off, its value, one key a line in one string: a reply that costs
# the client one string to parse instead of a thousand items. The rest of a key's name after
# the prefix is a percent-encoded tag and a suffix: no space nor line break.
_SNAPSHOT_PAGE = """
local page = redis.call('SCAN', ARGV[1], 'MATCH', ARGV[2], 'COUNT', ARGV[3])
local lines, skip = {}, tonumber(ARGV[4]) + 1
for i, key in ipairs(page[2]) do
  local line = string.sub(key, skip) .. ' ' .. redis.call('PEXPIRETIME', key)
  if string.sub(key, -15) == ':revoked-before' then
    line = line .. ' ' .. (redis.call('GET', key) or '')
  end
  lines[i] = line
end
return {page[1], table.concat(lines, '\\n')}
"""

# The expiry (epoch ms, -1 for none, -2 gone) of each key, for a resynchronisation.
_EXPIRY_TIMES = """
local times = {}
for i, key in ipairs(KEYS) do times[i] = redis.call('PEXPIRETIME', key) end
return times
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

    With `replica=False` a check is one MGET of two keys: the token's `jti` key and its
    subject's cut-off key. Both keys carry the subject as hash tag, so they sit in one slot
    and the store works the same against a Redis Cluster (pass `cluster=True` or a ready
    cluster client).

    With `replica=True` (the default) every revocation is also appended to a stream (one per
    prefix, its own hash tag), and each worker keeps the revocations in memory (a `Replica`,
    loaded in `open()` from an index beside the stream, in a few bulk reads, or by a SCAN of
    the keys when there is none yet) and answers checks from it, with no round trip.
    A task follows the stream with a blocking XREAD from the last entry it has seen, resumes
    from there after a reconnect, and loads everything again when entries it has not read
    were trimmed (`stream_maxlen` bounds the stream, approximately). A revocation is refused
    by the other workers once their feed has read it (about a round trip later); when a
    worker cannot vouch that its replica missed nothing older than `max_staleness` seconds
    (the server is down, hung or the feed behind), its checks fail with
    `RevocationStoreUnavailableError` rather than answer from an old state. A store used
    where it was not opened (a forked child) checks with a round trip.

    Sessions: a revoked family is one key tagged by the family (`family_key`), replicated as
    the `family` change kind and kept in the index's `other` set like cut-offs; consuming a
    refresh token is one Lua script over the family's slot (`consumed_key_start`), on one
    server together with the feed and index entry of a reuse.

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
        replica: bool = True,
        max_staleness: float = 0.25,
        stream_maxlen: int = 100_000,
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
        if not 0.01 <= max_staleness <= 60 or stream_maxlen < 1:
            raise ConfigurationConflictError(
                "RedisBlacklist: max_staleness must lie between 0.01 and 60 seconds, "
                "stream_maxlen must be positive"
            )
        redis_asyncio = _import_redis_asyncio()
        _check_client_options(redis_asyncio, client_kwargs, cluster=cluster)
        from redis.exceptions import RedisError

        self._errors: tuple[type[BaseException], ...] = (RedisError, OSError)
        self._redis = redis_asyncio
        self.url = url if url is not None else (None if client is not None else DEFAULT_URL)
        self.prefix = prefix
        self._cluster = cluster or (client is not None and _is_cluster_client(client))
        self._socket_timeout = socket_timeout
        self._socket_connect_timeout = socket_connect_timeout
        self._retries = retries
        self._max_connections = max_connections
        self._slots: asyncio.Semaphore | None = None
        self._client_kwargs = client_kwargs
        self._client = client
        self._owns_client = client is None
        self._pid = process_id()
        self.replicated = replica
        self.max_staleness = max_staleness
        self.stream_maxlen = stream_maxlen
        feed_tag = f"{prefix}{{~feed}}"
        self.stream_key = f"{feed_tag}:stream"
        self.counter_key = f"{feed_tag}:n"
        self.feed_tag = feed_tag
        self.buckets_key = f"{feed_tag}:buckets"
        self.other_key = f"{feed_tag}:other"
        self.indexed_key = f"{feed_tag}:indexed"
        self.feed = _Feed(self) if replica else None
        # Answered from the replica, a check waits on nothing (see `_Feed.current`).
        self.performs_io = not replica

    def __repr__(self) -> str:
        where = self.url if self.url is not None else "client"
        return f"RedisBlacklist({where!r}, prefix={self.prefix!r})"

    async def open(self) -> None:
        """Make the client and its pool in this event loop; load the replica and follow it."""
        self._connection()
        if self.feed is not None:
            await self.feed.start()

    async def close(self) -> None:
        if self.feed is not None:
            await self.feed.stop()
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

    def family_key(self, family: str) -> str:
        """The key that marks session `family` as revoked (its own hash tag: `fam:<id>`,
        which no subject tag can be, since a subject's `:` is percent-encoded)."""
        return f"{self.prefix}{{fam:{family}}}:family"

    def consumed_key_start(self, family: str) -> str:
        """What the keys of `family`'s consumed refresh tokens start with (then their jti).

        Outside the `prefix{...}:` pattern of a full load, which never reads them; in the
        family key's hash slot, so that one script sees both.
        """
        return f"{self.prefix}~consumed{{fam:{family}}}:"

    async def register(self, token: Token) -> None:
        expiry = self.entry_expiry(token)
        until = "" if expiry is None else str(_epoch_ms(expiry))
        await self._change(
            _REVOKE, self.token_key(token), [until], ("jti", token.jti.hex, "", until)
        )
        if self.feed is not None:
            self.feed.replica.revoke_token(token.jti.int, _seconds(until))

    async def register_cutoff(
        self, subject: str, revoked_before_ms: int, expires_at_ms: int | None
    ) -> None:
        key = self.cutoff_key(subject)
        cutoff = repr(cutoff_seconds(revoked_before_ms))
        until = "" if expires_at_ms is None else str(expires_at_ms)
        await self._change(
            _RAISE_CUTOFF, key, [cutoff, until], ("cutoff", subject, str(revoked_before_ms), until)
        )
        if self.feed is not None:
            self.feed.replica.raise_cutoff(subject, revoked_before_ms, _seconds(until))

    async def register_family(self, family: str, expires_at_ms: int | None) -> None:
        until = "" if expires_at_ms is None else str(expires_at_ms)
        key = self.family_key(family)
        await self._change(_REVOKE_FAMILY, key, [until], ("family", family, "", until))
        if self.feed is not None:
            self.feed.replica.revoke_family(family, _seconds(until))

    async def consume_refresh(
        self,
        jti: UUID,
        family: str,
        successor_jti: UUID,
        successor_iat_ms: int,
        successor_exp_ms: int | None,
        now_ms: int,
        grace_ms: int,
        until_ms: int | None,
    ) -> Consumed:
        start = self.consumed_key_start(family)
        keys = [start + jti.hex, self.family_key(family)]
        exp = "-" if successor_exp_ms is None else str(successor_exp_ms)
        until = "" if until_ms is None else str(until_ms)
        record = f"{successor_jti.hex} {successor_iat_ms} {exp}"
        args = [record, str(now_ms), str(grace_ms), until, start]
        change = ("family", family, "", until)
        if self._cluster:
            reply = await self._call(lambda client: client.eval(_CONSUME_ONLY, 2, *keys, *args))
        else:
            keys += self.feed_keys()
            args += [*change, str(self.stream_maxlen)]
            reply = await self._call(
                lambda client: client.eval(_CONSUME_AND_FEED, len(keys), *keys, *args)
            )
        outcome, found = _OUTCOMES[_text(reply[0])], _text(reply[1]).split(" ")
        if outcome == "reused":
            if self.feed is not None:
                self.feed.replica.revoke_family(family, _seconds(until))
            # on a cluster the feed and the index have a slot of their own: appended after the
            # family key, in one script (if this append fails, the key, strict checks and this
            # worker refuse the family at once; the caller gets
            # RevocationStoreUnavailableError; the other workers' replicas, and workers that
            # start from the index, learn it only from a load that reads the keys)
            if self._cluster:
                feed_args = [*change, str(self.stream_maxlen)]
                feed_keys = self.feed_keys()
                await self._call(
                    lambda client: client.eval(_FEED, len(feed_keys), *feed_keys, *feed_args)
                )
        recorded_exp = None if found[2] == "-" else int(found[2])
        return Consumed(outcome, UUID(hex=found[0]), int(found[1]), recorded_exp)

    async def is_blacklisted(self, token: Token) -> bool:
        feed = self.feed
        family = family_of(token)
        if feed is not None and feed.running():
            if not feed.fresh():
                await feed.catch_up()
            return feed.replica.is_revoked(token.jti.int, token.sub, issued_ms(token), family)
        keys = [self.token_key(token), self.cutoff_key(token.sub)]
        if family is not None and not self._cluster:  # a cluster: another slot, asked apart
            keys.append(self.family_key(family))
        found = await self._call(lambda client: client.mget(keys))
        if found[0] is not None:
            return True
        cutoff = found[1]
        if cutoff is not None and issued_ms(token) <= millisecond_of(float(cutoff)):
            return True
        if family is None:
            return False
        if self._cluster:
            key = self.family_key(family)
            return bool(await self._call(lambda client: client.exists(key)))
        return found[2] is not None

    async def _change(
        self, script: str, key: str, args: list[str], change: tuple[str, str, str, str]
    ) -> None:
        """Write `key` with `script` and append `change` to the feed: one script (atomic)
        on one server; on a cluster, where the feed has its own slot, the feed first, so
        that a write that fails half-way leaves the replicas refusing, never accepting."""
        feed_keys = self.feed_keys()
        feed_args = [*change, str(self.stream_maxlen)]
        if self._cluster:
            await self._call(lambda client: client.eval(_FEED, 4, *feed_keys, *feed_args))
            await self._call(lambda client: client.eval(script, 1, key, *args))
            return
        both = script + _FEED
        await self._call(lambda client: client.eval(both, 5, key, *feed_keys, *args, *feed_args))

    def feed_keys(self) -> list[str]:
        """The keys of the feed, all in one slot: counter, stream, the index's buckets and
        how far the index is whole (the index's other keys are named after the buckets')."""
        return [self.counter_key, self.stream_key, self.buckets_key, self.indexed_key]

    def _connection(self) -> Redis | RedisCluster:
        """The client, made on first use (inside the running loop) when the store owns it.

        A child forked after first use makes its own: the parent's sockets are not for it.
        """
        if self._owns_client and self._pid != process_id():
            if self._client is not None:
                # Never let the parent's client be collected here: closing its connections
                # would unregister their sockets from the event-loop selector that parent
                # and child share after a fork (one epoll instance), and the parent's next
                # read would wait until its timeout.
                _inherited.append(self._client)
            self._client, self._slots, self._pid = None, None, process_id()
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
            "cluster, replica, max_staleness, stream_maxlen, socket_timeout, "
            "socket_connect_timeout, retries, max_connections and the "
            "connection options of redis.asyncio.from_url (host, password, ssl_*, ...)"
        )


class _Feed:
    """One worker's replica of a `RedisBlacklist`, and the task that keeps it current.

    The replica may answer while the feed runs in this process and its last completed read
    was sent less than `max_staleness` ago (`fresh()`). A read completes at the latest after
    `block` seconds (an XREAD with nothing new answers then), so a feed that reads on stays
    fresh. A check that finds it not fresh reads at once (`catch_up()`), and fails closed if
    that does not succeed within the bound: a server that is gone, hung or slow.
    """

    def __init__(self, store: RedisBlacklist) -> None:
        self.store = store
        self.replica = Replica()
        self.block = store.max_staleness / 4  # how long one XREAD waits for news
        self.last_id = b"0-0"  # the last stream entry applied
        self.last_n = 0  # its number
        self.resyncs = 0  # how many times the replica was loaded from the keys
        self._read_at = -math.inf  # monotonic time a completed read (or load) was sent
        self._task: asyncio.Task[None] | None = None
        self._pid = process_id()
        self._client: Any = None
        self._failing = False
        self._started: asyncio.Future[None] | None = None
        self._stopping = False
        self._catching: asyncio.Future[None] | None = None
        self._reload = False  # a gap was found: load everything again
        # what a read may raise that the next attempt can get past (ValueError: an entry
        # this version cannot read, written by a newer one: logged, and checks fail closed)
        self._errors: tuple[type[BaseException], ...] = (*store._errors, ValueError)

    def running(self) -> bool:
        """Whether the feed runs in this process (else the store was not opened here)."""
        return self._task is not None and self._pid == process_id()

    def fresh(self) -> bool:
        """Whether the last completed read was sent less than `max_staleness` ago."""
        return time.monotonic() - self._read_at <= self.store.max_staleness

    async def catch_up(self) -> None:
        """Read what is new at once (one XREAD that does not block), within `max_staleness`.

        For a check that finds the replica's proof too old: a loop that was busy, or a feed
        that is behind, costs that check one round trip; a server that is down, hung or slow
        fails it closed within the bound. Concurrent checks share one read.
        """
        if self._catching is None or self._catching.done():
            self._catching = asyncio.ensure_future(self._read_once())
        try:
            await asyncio.wait_for(asyncio.shield(self._catching), self.store.max_staleness)
        except (asyncio.TimeoutError, RevocationStoreUnavailableError) as exc:
            raise self._behind() from exc
        if not self.fresh():
            raise self._behind()  # a gap: the feed loads everything again

    async def _read_once(self) -> None:
        store = self.store
        sent = time.monotonic()
        last_id = self.last_id
        reply = await store._call(lambda client: client.xread({store.stream_key: last_id}))
        if self._apply(reply):
            self._read_at = max(self._read_at, sent)

    def _behind(self) -> RevocationStoreUnavailableError:
        behind = time.monotonic() - self._read_at
        return RevocationStoreUnavailableError(
            f"the revocation feed of {self.store!r} is {behind:.3f} s behind "
            f"(more than max_staleness={self.store.max_staleness} s)"
        )

    async def start(self) -> None:
        """Load the replica and start following the stream; wait until it has caught up."""
        if self._task is not None and self._pid == process_id() and not self._task.done():
            return
        self._pid = process_id()
        self._task = None
        loop = asyncio.get_running_loop()
        self._started = loop.create_future()
        self._task = loop.create_task(self._follow(), name=f"jwt-core feed {self.store!r}")
        # Returns once loaded, or once the first attempt failed (the task goes on trying, and
        # checks fail closed until it succeeds): a store that is down does not stop a start.
        await asyncio.shield(self._started)

    async def stop(self) -> None:
        task, self._task = self._task, None
        if task is not None and self._pid == process_id():
            # redis-py may swallow the cancellation of a blocking read (and read on): the
            # flag ends the loop at its next turn, at the latest one `block` later
            self._stopping = True
            task.cancel()
            await asyncio.wait({task}, timeout=self.block + self.store._socket_timeout)
            self._stopping = False
        client, self._client = self._client, None
        if client is not None and client is not self.store._client:
            await client.aclose()
        self._read_at = -math.inf

    def _feed_client(self) -> Any:
        """A client of its own for the blocking reads (named, so an operator sees it)."""
        store = self.store
        if self._client is None:
            if store.url is None:  # a ready client: its pool lends a connection for the reads
                self._client = store._connection()
            else:
                from redis.asyncio.retry import Retry
                from redis.backoff import NoBackoff
                from redis.exceptions import ConnectionError as RedisConnectionError

                options: dict[str, Any] = {
                    **store._client_kwargs,
                    "socket_timeout": self.block + store._socket_timeout,
                    "socket_connect_timeout": store._socket_connect_timeout,
                    "retry": Retry(NoBackoff(), store._retries, (RedisConnectionError,)),
                    "client_name": f"{FEED_CLIENT_NAME}:{process_id()}",
                }
                if store._cluster:
                    self._client = store._redis.RedisCluster.from_url(store.url, **options)
                else:
                    options["max_connections"] = 2
                    self._client = store._redis.from_url(store.url, **options)
        return self._client

    async def _follow(self) -> None:
        try:
            await self._follow_on()
        except asyncio.CancelledError:
            raise
        except BaseException:
            logger.exception("the revocation feed of %r stopped; checks fail closed", self.store)
            self._started_done()
            raise

    async def _follow_on(self) -> None:
        store = self.store
        need_load = True
        while not self._stopping:
            try:
                client = self._feed_client()
                if need_load or self._reload:
                    self._reload = False
                    await self._load(client)
                    need_load = False
                sent = time.monotonic()
                reply = await client.xread(
                    {store.stream_key: self.last_id}, count=1000, block=int(self.block * 1000)
                )
                need_load = not self._apply(reply)
                if not need_load:
                    self._read_at = sent
                    self._started_done()  # loaded and caught up: the worker may serve
                if self._failing:
                    self._failing = False
                    logger.warning("the revocation feed of %r reads again", store)
            except asyncio.CancelledError:
                raise
            except self._errors as exc:
                self._started_done()
                if not self._failing:
                    self._failing = True
                    logger.error(
                        "the revocation feed of %r cannot read (%s); checks fail closed "
                        "until it has caught up",
                        store,
                        exc,
                    )
                # a broken connection is retried at once by the client; this paces a server
                # that is down: a bounded wait before the next attempt, not a synchronisation
                await asyncio.sleep(min(self.block, 0.05))

    def _started_done(self) -> None:
        if self._started is not None and not self._started.done():
            self._started.set_result(None)

    def _apply(self, reply: Any) -> bool:
        """Apply the entries of one XREAD; False on a gap (entries trimmed before being read)."""
        streams = reply.items() if isinstance(reply, dict) else (reply or [])
        replica = self.replica
        for _, entries in streams:
            for entry_id, raw in entries if not isinstance(entries, dict) else entries.items():
                fields = {_text(k): _text(v) for k, v in raw.items()}
                n = int(fields["n"])
                if _entry_order(entry_id) <= _entry_order(self.last_id):
                    continue  # applied already, by the other reader (feed or catch-up)
                if n != self.last_n + 1:  # a gap, or a reset (numbers start again)
                    logger.warning(
                        "the revocation feed of %r found entry %d after %d (entries trimmed "
                        "before they were read, or the server lost its data): loading every "
                        "revocation again",
                        self.store,
                        n,
                        self.last_n,
                    )
                    self._reload = True
                    return False
                value = fields["v"]
                replica.apply(
                    fields["k"], fields["key"], int(value) if value else 0, _seconds(fields["x"])
                )
                self.last_id, self.last_n = entry_id, n
        now = time.time()
        if replica.purge_due(now):
            replica.purge(now)
        return True

    async def _load(self, client: Any) -> None:
        """Read every revocation from the keys into a new replica, and where to read on from.

        The stream position is taken first: what is revoked during the scan is read again
        from the stream afterwards (applying a change twice is harmless).
        """
        store = self.store
        sent = time.monotonic()
        keys = store.feed_keys()
        indexed, last_id, last_n = await client.eval(_INDEX, len(keys), *keys, "")
        last_n = int(last_n)
        if int(indexed):
            replica = await self._read_index(client)
        else:  # no index yet (keys of an earlier version): read every key, then build it
            scanned: list[tuple[str, str, str, str]] = []
            replica = await self._scan(client, scanned)
            await self._build_index(client, scanned, last_n)
        self.replica, self.last_id, self.last_n = replica, last_id, last_n
        self.resyncs += 1
        self._read_at = sent

    async def _read_index(self, client: Any) -> Replica:
        """A replica of the index: its buckets, one bulk read each, then the other kinds."""
        store = self.store
        for_good: list[int] = []
        expiring: list[int] = []
        until: list[float] = []
        cutoffs: list[tuple[str, int, float | None]] = []
        families: list[tuple[str, float | None]] = []
        others: list[tuple[str, str, int, float | None]] = []
        buckets = [_text(b) for b in await client.zrange(store.buckets_key, 0, -1)]
        for start in range(0, len(buckets), 100):
            names = buckets[start : start + 100]
            async with client.pipeline(transaction=False) as pipe:
                for bucket in names:
                    pipe.get(f"{store.feed_tag}:ids:{bucket}")
                texts = await pipe.execute()
            for bucket, text in zip(names, texts, strict=True):
                if not text:
                    continue  # expired since it was named
                ids = list(map(int, _text(text).split(), repeat(16)))
                if bucket == "ever":
                    for_good += ids
                else:
                    expiring += ids
                    until += repeat(int(bucket) / 1000, len(ids))
        for member, ms in await client.zrange(store.other_key, 0, -1, withscores=True):
            kind, value, key = _text(member).split(" ", 2)
            entry_until = None if math.isinf(ms) else ms / 1000
            if kind == "cutoff":
                cutoffs.append((key, int(value), entry_until))
            elif kind == "family":
                families.append((key, entry_until))
            else:
                others.append((kind, key, int(value) if value else 0, entry_until))
        replica = Replica.from_snapshot(for_good, expiring, until, cutoffs, families)
        for change in others:
            replica.apply(*change)
        return replica

    async def _build_index(
        self, client: Any, scanned: list[tuple[str, str, str, str]], since: int
    ) -> None:
        """Fill the index from the keys read (a first start after an upgrade) and mark it whole:
        the changes made since `since` (the last stream entry before the scan) are added from
        the stream. If the stream no longer holds them all, it stays unmarked for the next."""
        store = self.store
        # Token ids by minute of expiry, up to 5000 of one minute as one change that expires
        # at the end of that minute (so the script puts them in that minute's bucket, or a
        # later one, never an earlier one): one append per 5000 ids instead of one per id.
        minutes: dict[int | None, list[str]] = {}
        other: list[tuple[str, str, str, str]] = []
        for change in scanned:
            kind, key, _, expiry = change
            if kind != "jti":
                other.append(change)
                continue
            minute = None if expiry == "" else -(-int(expiry) // 60_000)
            minutes.setdefault(minute, []).append(key)
        batches = [other[i : i + 1000] for i in range(0, len(other), 1000)]
        for minute, ids in minutes.items():
            until = "" if minute is None else str(minute * 60_000)
            for i in range(0, len(ids), 5000):
                batches.append([("jti", "\n".join(ids[i : i + 5000]), "", until)])
        for batch in batches:
            args = [part for change in batch for part in change]
            await client.eval(_INDEX_FILL, 1, store.buckets_key, *args)
        keys = store.feed_keys()
        indexed, _, _ = await client.eval(_INDEX, len(keys), *keys, str(since))
        if int(indexed):
            logger.info("the revocation index of %r was built from its keys", store)

    async def _scan(
        self, client: Any, changes: list[tuple[str, str, str, str]] | None = None
    ) -> Replica:
        """A replica of every key under the prefix: pages of a server-side SCAN on one server,
        a SCAN and the expiry of each key on a cluster (every node). Each key is also added to
        `changes` as the feed writes it: (kind, key, value, expiry ms or "")."""
        for_good: list[int] = []
        expiring: list[tuple[float, int]] = []
        cutoffs: list[tuple[str, int, float | None]] = []
        families: list[tuple[str, float | None]] = []
        async for entries in self._snapshot_pages(client):
            for rest, at, value in entries:
                if at == -2:
                    continue  # expired since the scan saw it
                if rest.endswith(":revoked-before"):
                    if value:
                        tag = rest[1 : rest.rindex("}:")]
                        subject = "" if tag == "%" else unquote(tag)
                        until = None if at < 0 else at / 1000
                        cutoff_ms = millisecond_of(float(value))
                        cutoffs.append((subject, cutoff_ms, until))
                        if changes is not None:
                            expires = "" if at < 0 else str(at)
                            changes.append(("cutoff", subject, str(cutoff_ms), expires))
                elif rest.endswith(":family"):
                    family = rest[len("{fam:") : rest.rindex("}:")]
                    families.append((family, None if at < 0 else at / 1000))
                    if changes is not None:
                        changes.append(("family", family, "", "" if at < 0 else str(at)))
                elif ":jti:" in rest:
                    hex_id = rest.rsplit(":", 1)[1]
                    jti = int(hex_id, 16)
                    if at == -1:
                        for_good.append(jti)
                    else:
                        expiring.append((at / 1000, jti))
                    if changes is not None:
                        changes.append(("jti", hex_id, "", "" if at == -1 else str(at)))
        expiring.sort()
        return Replica.from_snapshot(
            for_good, [jti for _, jti in expiring], [at for at, _ in expiring], cutoffs, families
        )

    async def _snapshot_pages(self, client: Any) -> Any:
        """(name after the prefix, expiry ms, value of a cut-off or "") of every key, by page."""
        store = self.store
        pattern = _glob_escape(store.prefix) + "{*}:*"
        skip = len(store.prefix)
        if not store._cluster:
            cursor: bytes | str = b"0"
            while True:
                cursor, text = await client.eval(
                    _SNAPSHOT_PAGE, 0, cursor, pattern, "2000", str(len(store.prefix.encode()))
                )
                entries: list[tuple[str, int, str]] = []
                for line in _text(text).split("\n") if text else ():
                    rest, at, *value = line.split(" ")
                    entries.append((rest, int(at), value[0] if value else ""))
                yield entries
                if _text(cursor) == "0":
                    return
        async for keys in _scan_batches(client, pattern, 10_000):
            names = [_text(key) for key in keys]
            times = await self._expiry_times(client, names)
            entries = []  # (the same shape)
            for name, expiry in zip(names, times, strict=True):
                stored = await client.get(name) if name.endswith(":revoked-before") else None
                entries.append((name[skip:], expiry, "" if stored is None else _text(stored)))
            yield entries

    async def _expiry_times(self, client: Any, keys: list[str]) -> list[int]:
        if not keys:
            return []
        if self.store._cluster:  # keys of many slots: one command each
            async with client.pipeline(transaction=False) as pipe:
                for key in keys:
                    pipe.pexpiretime(key)
                return [int(at) for at in await pipe.execute()]
        return [int(at) for at in await client.eval(_EXPIRY_TIMES, len(keys), *keys)]


async def _scan_batches(client: Any, pattern: str, count: int) -> Any:
    """The keys matching `pattern`, a SCAN reply at a time (every node of a cluster)."""
    batch: list[bytes] = []
    async for key in client.scan_iter(match=pattern, count=count):
        batch.append(key)
        if len(batch) >= count:
            yield batch
            batch = []
    if batch:
        yield batch


def _entry_order(entry_id: bytes | str) -> tuple[int, int]:
    """A stream entry id ("<ms>-<seq>") as what orders it."""
    ms, _, seq = _text(entry_id).partition("-")
    return int(ms), int(seq or 0)


def _text(value: bytes | str) -> str:
    """A reply value as text, whether or not the client decodes responses."""
    return value.decode() if isinstance(value, bytes) else value


def _glob_escape(text: str) -> str:
    """`text` matched literally in a SCAN pattern."""
    return "".join("\\" + ch if ch in "*?[]\\" else ch for ch in text)


def _seconds(epoch_ms: str) -> float | None:
    """An expiry as the feed writes it (epoch ms, "" for ever) in epoch seconds."""
    return None if epoch_ms == "" else int(epoch_ms) / 1000


def _is_cluster_client(client: Any) -> bool:
    try:
        from redis.asyncio import RedisCluster
    except ImportError:  # pragma: no cover - redis-py without cluster support
        return False
    return isinstance(client, RedisCluster)


def _epoch_ms(moment: datetime) -> int:
    """`moment` in whole epoch milliseconds, rounded up so an entry never goes early."""
    return math.ceil(moment.timestamp() * 1000)
