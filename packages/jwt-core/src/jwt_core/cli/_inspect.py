"""`jwt-core inspect`: a token's header and claims, decoded WITHOUT verifying anything."""

from __future__ import annotations

import argparse
import base64
import binascii
import json
import sys
from collections.abc import Mapping
from datetime import datetime, timezone
from typing import Any

from jwt_core.cli._common import (
    EXIT_REFUSED,
    INPUT_LIMIT,
    PROG,
    UsageError,
    to_json,
    token_argument,
)

_UTC = timezone.utc


def _loose_b64(segment: str) -> bytes | None:
    """Decode base64url or base64, padded or not; None when it is neither."""
    cleaned = "".join(segment.split()).rstrip("=").replace("+", "-").replace("/", "_")
    if len(cleaned) % 4 == 1:
        return None
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        return None


def _segment_value(segment: str) -> tuple[Any, str | None]:
    """A segment's JSON value, or (None, why it is not one)."""
    data = _loose_b64(segment)
    if data is None:
        return None, "not base64url"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, f"{len(data)} bytes that are not UTF-8 text"
    try:
        return json.loads(text), None
    except (ValueError, RecursionError):
        return None, f"not JSON: {text[:200]!r}"


def _describe_time(value: Any, now: float) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(value, _UTC)
    except (OverflowError, OSError, ValueError):
        return "out of range"
    when = moment.isoformat(timespec="seconds")
    return f"{when} ({'past' if value <= now else 'future'})"


def run_inspect(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    raw = token_argument(args.token)
    if len(raw) > INPUT_LIMIT:
        raise UsageError(f"the token is longer than {INPUT_LIMIT} characters")
    if raw[:7].lower() == "bearer ":
        raw = raw[7:].strip()
    parts = raw.split(".")
    if len(parts) < 2:
        sys.stderr.write(f"{PROG}: cannot inspect: not a JWT (no '.'-separated segments)\n")
        return EXIT_REFUSED
    header, header_problem = _segment_value(parts[0])
    claims: Any = None
    claims_problem: str | None = "encrypted (JWE): the claims cannot be read without the key"
    if len(parts) != 5:
        claims, claims_problem = _segment_value(parts[1])
    if header_problem and claims_problem:
        sys.stderr.write(
            f"{PROG}: cannot inspect: header {header_problem}; claims {claims_problem}\n"
        )
        return EXIT_REFUSED
    signature = _loose_b64(parts[2]) if len(parts) == 3 else None
    now = datetime.now(_UTC).timestamp()
    times: dict[str, str] = {}
    if isinstance(claims, dict):
        for name in ("iat", "nbf", "exp"):
            described = _describe_time(claims.get(name), now)
            if described is not None:
                times[name] = described
    if args.json:
        document = {
            "verified": False,
            "header": header if header_problem is None else None,
            "claims": claims if claims_problem is None else None,
            "problems": {
                k: v for k, v in (("header", header_problem), ("claims", claims_problem)) if v
            },
            "times": times,
            "signature_bytes": None if signature is None else len(signature),
        }
        sys.stdout.write(to_json(document) + "\n")
        return 0
    lines = ["UNVERIFIED: signature and claims NOT checked; do not trust any of this.", ""]
    lines += ["header:", header_problem or to_json(header), ""]
    lines += ["claims:", claims_problem or to_json(claims)]
    if times:
        lines += ["", "times (UTC):", *(f"  {k}: {v}" for k, v in times.items())]
    if len(parts) != 3:
        lines += ["", f"segments: {len(parts)} (a signed JWT has 3)"]
    elif signature is None:
        lines += ["", "signature: not base64url"]
    else:
        lines += ["", f"signature: {len(signature)} bytes (not checked)"]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0
