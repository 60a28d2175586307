"""What every part of the command line shares: its name, exit statuses, errors and output."""

from __future__ import annotations

import argparse
import json
import re
import sys
from datetime import timedelta
from typing import Any, Literal

PROG = "jwt-core"
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_BUG = 70
INPUT_LIMIT = 1_000_000  # characters of a token read from the command line or stdin

_DURATION = re.compile(r"(\d{1,12})\s*([smhdw]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_HIDDEN = "[hidden]"


class UsageError(Exception):
    """A bad command line or configuration: reported as one line, exit status 2."""


def parse_duration(text: str) -> timedelta | Literal[False]:
    """`30s`, `15m`, `2h`, `7d`, `1w`, plain seconds, or `never` (no expiry: False)."""
    value = text.strip().lower()
    if value == "never":
        return False
    match = _DURATION.fullmatch(value)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use e.g. 30s, 15m, 2h, 7d or never"
        )
    try:
        return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])
    except OverflowError:
        raise argparse.ArgumentTypeError(f"duration {text!r} is too long") from None


def warn(message: str) -> None:
    sys.stderr.write(f"{PROG}: warning: {message}\n")


def note(message: str) -> None:
    sys.stderr.write(f"{PROG}: {message}\n")


def redact(message: str, found: set[str]) -> str:
    """`message` on one line, without any secret this run has seen."""
    for secret in sorted(found, key=len, reverse=True):
        if len(secret) >= 4:
            message = message.replace(secret, _HIDDEN)
    return " ".join(message.split())


def to_json(value: Any) -> str:
    return json.dumps(value, indent=2)


def token_argument(value: str | None) -> str:
    """The token from the command line, or from standard input when absent or `-`."""
    if value is not None and value != "-":
        return value.strip()
    if sys.stdin is None:
        raise UsageError("no token given: pass TOKEN or pipe it on standard input")
    if sys.stdin.isatty():
        note("reading the token from standard input (end with Ctrl-D)")
    text = sys.stdin.read(INPUT_LIMIT + 1).strip()
    if not text:
        raise UsageError("no token given: pass TOKEN or pipe it on standard input")
    return text
