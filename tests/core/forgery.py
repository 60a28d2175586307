"""Reading and hand-signing compact JWS tokens, to inspect what the core writes and to forge."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

_HASHES = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data: bytes) -> str:
    """Unpadded base64url text."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(segment: str) -> bytes:
    """Decode unpadded base64url text."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def json_segment(value: Any) -> str:
    """A JSON value as one base64url segment."""
    return b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def header_of(raw: str) -> dict[str, Any]:
    """The JOSE header of a compact token, unverified."""
    result: dict[str, Any] = json.loads(unb64url(raw.split(".")[0]))
    return result


def payload_of(raw: str) -> dict[str, Any]:
    """The claims of a compact token, unverified."""
    result: dict[str, Any] = json.loads(unb64url(raw.split(".")[1]))
    return result


def hmac_token(
    header: dict[str, Any], payload: dict[str, Any], secret: str | bytes, alg: str = "HS256"
) -> str:
    """A token with exactly this header and payload, HMAC-signed with `secret`."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    signing_input = f"{json_segment(header)}.{json_segment(payload)}"
    signature = hmac.new(key, signing_input.encode("ascii"), _HASHES[alg]).digest()
    return f"{signing_input}.{b64url(signature)}"


def resign(raw: str, secret: str | bytes, **changes: Any) -> str:
    """`raw` with some claims changed (None deletes one), correctly re-signed with `secret`."""
    payload = payload_of(raw)
    for name, value in changes.items():
        if value is None:
            payload.pop(name, None)
        else:
            payload[name] = value
    header = header_of(raw)
    return hmac_token(header, payload, secret, header["alg"])
