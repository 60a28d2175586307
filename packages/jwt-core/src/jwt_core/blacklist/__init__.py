"""Revocation stores: the ABC and the implementations shipped with jwt_core."""

from __future__ import annotations

from jwt_core.blacklist.base import BlacklistABC
from jwt_core.blacklist.memory import InMemoryBlacklist
from jwt_core.blacklist.redis import RedisBlacklist
from jwt_core.blacklist.sqlite import SQLiteBlacklist

__all__ = ["BlacklistABC", "InMemoryBlacklist", "RedisBlacklist", "SQLiteBlacklist"]
