"""A Sanic app on Sanic's own HTTP/1.1 server, and raw HTTP/1.1 off a socket: shared with the
body-parse benchmark (`benchmarks/harness/sanic_server.py`)."""

from __future__ import annotations

from benchmarks.harness.sanic_server import RawResponse, RunningServer, read_response

__all__ = ["RawResponse", "RunningServer", "read_response"]
