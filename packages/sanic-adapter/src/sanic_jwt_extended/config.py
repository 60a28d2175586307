"""1.0-dev path of `Config`: use `from sanic_jwt_extended import Config`."""

from __future__ import annotations

from jwt_core import Config
from sanic_jwt_extended._moved import warn_moved

__all__ = ["Config"]

warn_moved(__name__, __all__)
