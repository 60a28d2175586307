"""Revocation stores: the ABC and the implementations shipped with jwt_core."""

from __future__ import annotations

from jwt_core.blacklist.base import BlacklistABC
from jwt_core.blacklist.memory import InMemoryBlacklist

__all__ = ["BlacklistABC", "InMemoryBlacklist"]
