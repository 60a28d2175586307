"""Reading and hand-signing compact JWS tokens with the standard library only (no JOSE code
shapes them): to inspect what the core writes, and to forge what it must refuse."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

DIGESTS = {"HS256": hashlib.sha256, "HS384": hashlib.sha384, "HS512": hashlib.sha512}


def b64url(data: bytes) -> str:
    """Unpadded base64url, as RFC 7515 section 2 spells it."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def unb64url(segment: str) -> bytes:
    """What a lenient decoder does: pad, then decode without validating (junk is dropped)."""
    return base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))


def as_bytes(part: Any) -> bytes:
    """A header or payload as bytes: raw bytes and text pass through, anything else is JSON."""
    if isinstance(part, bytes):
        return part
    if isinstance(part, str):
        return part.encode("utf-8")
    return json.dumps(part, separators=(",", ":")).encode("utf-8")


def json_segment(value: Any) -> str:
    """A JSON value as one base64url segment."""
    return b64url(json.dumps(value, separators=(",", ":")).encode("utf-8"))


def join(header: Any, payload: Any) -> str:
    """The signing input `header.payload` of two parts (dict -> compact JSON, text/bytes as is)."""
    return f"{b64url(as_bytes(header))}.{b64url(as_bytes(payload))}"


def hmac_sign(signing_input: str, secret: str | bytes, alg: str = "HS256") -> str:
    """The base64url HMAC of a signing input, with any secret (also a public key's bytes)."""
    key = secret.encode("utf-8") if isinstance(secret, str) else secret
    return b64url(hmac.new(key, signing_input.encode("ascii"), DIGESTS[alg]).digest())


def hmac_token(
    header: dict[str, Any], payload: dict[str, Any], secret: str | bytes, alg: str = "HS256"
) -> str:
    """A token with exactly this header and payload, HMAC-signed with `secret`."""
    signing_input = f"{json_segment(header)}.{json_segment(payload)}"
    return f"{signing_input}.{hmac_sign(signing_input, secret, alg)}"


def header_of(raw: str) -> dict[str, Any]:
    """The JOSE header of a compact token, unverified."""
    result: dict[str, Any] = json.loads(unb64url(raw.split(".")[0]))
    return result


def payload_of(raw: str) -> dict[str, Any]:
    """The claims of a compact token, unverified."""
    result: dict[str, Any] = json.loads(unb64url(raw.split(".")[1]))
    return result


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
