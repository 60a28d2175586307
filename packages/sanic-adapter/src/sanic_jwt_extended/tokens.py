"""1.0-dev path of `Token`: use `from sanic_jwt_extended import Token`."""

from __future__ import annotations

from jwt_core import Token
from sanic_jwt_extended._moved import warn_moved

__all__ = ["Token"]

warn_moved(__name__, __all__)
