"""`Token` objects built directly, as the stores see them: shared with the store benchmark
(`benchmarks/harness/tokens.py`)."""

from __future__ import annotations

from benchmarks.harness.tokens import make_token

__all__ = ["make_token"]
