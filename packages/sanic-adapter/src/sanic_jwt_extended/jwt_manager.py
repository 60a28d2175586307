"""1.0-dev path of `JWT`: use `from sanic_jwt_extended import JWT`."""

from __future__ import annotations

from sanic_jwt_extended._moved import warn_moved
from sanic_jwt_extended.facade import JWT

__all__ = ["JWT"]

warn_moved(__name__, __all__)
