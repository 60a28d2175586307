"""1.0-dev path of `Handler`: use `from sanic_jwt_extended import Handler`."""

from __future__ import annotations

from sanic_jwt_extended._moved import warn_moved
from sanic_jwt_extended.handlers import Handler

__all__ = ["Handler"]

warn_moved(__name__, __all__)
