"""1.0-dev path of the revocation stores: import them from `sanic_jwt_extended`."""

from __future__ import annotations

from jwt_core import BlacklistABC, InMemoryBlacklist, RedisBlacklist
from sanic_jwt_extended._moved import warn_moved

__all__ = ["BlacklistABC", "InMemoryBlacklist", "RedisBlacklist"]

warn_moved(__name__, __all__)
