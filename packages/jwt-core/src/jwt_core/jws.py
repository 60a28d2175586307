"""The JWS compact serialization (RFC 7515 section 7.1), parsed strictly before any crypto.

A token is exactly three non-empty segments of unpadded base64url, each canonical (no stray
bits in the last character, so one token has one spelling), with a header and payload that are
UTF-8 JSON objects without duplicate member names and with bounded nesting.
"""

from __future__ import annotations

import base64
import binascii
import json
import re
from collections.abc import Callable
from typing import Any

from jwt_core.errors import JWTDecodeError

__all__ = [
    "b64url_decode",
    "b64url_encode",
    "decode_json_segment",
    "encode_compact",
    "split_compact",
]

_COMPACT = re.compile(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+")
# For a segment whose length is 2 or 3 mod 4, the last character carries unused low bits that
# must be zero; these are the characters for which they are.
_CANONICAL_LAST = {2: frozenset("AQgw"), 3: frozenset("AEIMQUYcgkosw048")}
MAX_DEPTH = 32


class _Duplicate(ValueError):
    pass


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


_decoder = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
_scan: Callable[[str, int], tuple[Any, int]] = _decoder.raw_decode


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url text of `data`."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def b64url_decode(segment: str, what: str) -> bytes:
    """Decode one canonical, unpadded base64url segment (already checked for its alphabet)."""
    rest = len(segment) % 4
    if rest:
        if rest == 1 or segment[-1] not in _CANONICAL_LAST[rest]:
            raise JWTDecodeError(f"the token's {what} is not canonical base64url")
        segment += "==" if rest == 2 else "="
    try:
        return binascii.a2b_base64(segment.replace("-", "+").replace("_", "/"))
    except (binascii.Error, ValueError):
        raise JWTDecodeError(f"the token's {what} is not base64url") from None


def _depth(value: Any, limit: int) -> bool:
    """True when `value` nests no deeper than `limit` containers."""
    if limit < 0:
        return False
    if isinstance(value, dict):
        return all(_depth(v, limit - 1) for v in value.values())
    if isinstance(value, list):
        return all(_depth(v, limit - 1) for v in value)
    return True


def _encodable(value: Any) -> bool:
    """False when a string in `value` holds a lone surrogate (escaped as \\udXXX in JSON)."""
    try:
        json.dumps(value, ensure_ascii=False).encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_object(data: bytes, what: str) -> dict[str, Any]:
    try:
        text = data.decode("utf-8")
        value, end = _scan(text, 0)
    except _Duplicate:
        raise JWTDecodeError(f"the token's {what} repeats a member name") from None
    except (UnicodeDecodeError, ValueError, RecursionError):
        raise JWTDecodeError(f"the token's {what} is not valid JSON") from None
    if end != len(text) or not isinstance(value, dict):
        raise JWTDecodeError(f"the token's {what} is not a JSON object")
    if ("\\ud" in text or "\\uD" in text) and not _encodable(value):
        raise JWTDecodeError(f"the token's {what} holds a lone UTF-16 surrogate")
    if (text.count("{") + text.count("[") > MAX_DEPTH) and not _depth(value, MAX_DEPTH):
        raise JWTDecodeError(f"the token's {what} nests too deeply")
    return value


def split_compact(raw: Any, max_length: int) -> tuple[str, str, str]:
    """Check the compact form's shape and length and split it; `JWTDecodeError` otherwise."""
    if not isinstance(raw, str):
        raise JWTDecodeError("the token must be a string")
    if len(raw) > max_length:
        raise JWTDecodeError(f"the token is longer than {max_length} characters")
    if _COMPACT.fullmatch(raw) is None:
        raise JWTDecodeError(
            "the token is not a JWS in compact form (three base64url segments joined by '.')"
        )
    header_b64, payload_b64, signature_b64 = raw.split(".")
    return header_b64, payload_b64, signature_b64


def decode_json_segment(segment: str, what: str) -> dict[str, Any]:
    """The JSON object a base64url segment holds, parsed strictly."""
    return _json_object(b64url_decode(segment, what), what)


def encode_compact(header_b64: str, payload_json: bytes, sign: Callable[[bytes], bytes]) -> str:
    """Join a ready header segment and a JSON payload, and sign them."""
    signing_input = f"{header_b64}.{b64url_encode(payload_json)}"
    signature = sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"
