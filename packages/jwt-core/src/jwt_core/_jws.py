"""The JWS compact serialization (RFC 7515 section 7.1), parsed strictly, and the JOSE header rules.

A token is exactly three non-empty segments of unpadded base64url, each canonical (no stray
bits in the last character, so one token has one spelling), with a header and payload that are
UTF-8 JSON objects without duplicate member names and with bounded nesting. The header is
parsed before any crypto, within a small budget of values, and checked by `check_header`; the
payload only once the signature over it verifies, so unsigned junk never reaches the JSON parser.
"""

from __future__ import annotations

import base64
import binascii
import json
import string
from collections.abc import Callable
from typing import Any

from jwt_core.errors import JWTDecodeError

_ALPHABET = (string.ascii_letters + string.digits + "-_").encode("ascii")
# For a segment whose length is 2 or 3 mod 4, the last character carries unused low bits that
# must be zero; these are the characters for which they are.
_CANONICAL_LAST = {2: frozenset("AQgw"), 3: frozenset("AEIMQUYcgkosw048")}
MAX_DEPTH = 32
# A JOSE header holds a handful of short members (alg, typ, kid, ...) and is read before the
# signature is checked: a longer segment, or more values, is refused before it is decoded or
# parsed, so a hostile header costs no more than a valid one.
MAX_HEADER_LENGTH = 1024
MAX_HEADER_VALUES = 64
# Header parameters that would let a token choose its own key or demand processing we do not
# implement (RFC 8725 section 3.1, RFC 7515 section 4.1.11): their presence invalidates it.
_FORBIDDEN_HEADER = frozenset({"jku", "x5u", "jwk", "x5c", "crit", "b64"})
_TYPES = ("jwt", "application/jwt")


class _Duplicate(ValueError):
    pass


def _no_constants(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _no_duplicates(pairs: list[tuple[str, Any]]) -> dict[str, Any]:
    result = dict(pairs)
    if len(result) != len(pairs):
        raise _Duplicate
    return result


# The scanners themselves (what `JSONDecoder.raw_decode` calls, one Python call fewer; they
# raise StopIteration where there is no value; typeshed does not declare the attribute).
# `_scan` refuses duplicate names; `_scan_plain` does not, for a text whose names provably do
# not repeat (`decode_payload`).
_strict = json.JSONDecoder(object_pairs_hook=_no_duplicates, parse_constant=_no_constants)
_scan: Callable[[str, int], tuple[Any, int]] = _strict.scan_once  # type: ignore[attr-defined]
_plain = json.JSONDecoder(parse_constant=_no_constants)
_scan_plain: Callable[[str, int], tuple[Any, int]] = _plain.scan_once  # type: ignore[attr-defined]
_SCALARS = frozenset({str, int, float, bool, type(None)})


def b64url_encode(data: bytes) -> str:
    """Unpadded base64url text of `data`."""
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def check_canonical(segment: str, what: str) -> None:
    """Refuse a segment of impossible length or with stray bits in its last character."""
    rest = len(segment) % 4
    if rest and (rest == 1 or segment[-1] not in _CANONICAL_LAST[rest]):
        raise JWTDecodeError(f"the token's {what} is not canonical base64url")


def b64url_decode(segment: str, what: str) -> bytes:
    """Decode one canonical, unpadded base64url segment (already checked for its alphabet)."""
    if len(segment) % 4:
        check_canonical(segment, what)
    return _b64decode(segment, what)


def _b64decode(segment: str, what: str) -> bytes:
    """`b64url_decode` of a segment `check_canonical` has passed."""
    rest = len(segment) % 4
    if rest:
        segment += "==" if rest == 2 else "="
    try:
        # str.replace finds nothing to replace at memchr speed; a2b_base64 takes ASCII text
        return binascii.a2b_base64(segment.replace("-", "+").replace("_", "/"))
    except (binascii.Error, ValueError):
        raise JWTDecodeError(f"the token's {what} is not base64url") from None


def _walk_problem(value: Any, limit: int, strings: bool) -> str | None:
    """What is wrong with a parsed value, walked iteratively (never by recursion): it nests
    more than `limit` containers, or (when `strings`) a string or name holds a lone surrogate.

    Depth wins over surrogates: the walk stops at the first container too deep, whatever it
    found before.
    """
    surrogate = False
    stack: list[tuple[Any, int]] = [(value, 0)]
    pop, push = stack.pop, stack.append
    while stack:
        item, level = pop()
        cls = item.__class__
        if cls is dict:
            children: Any = item.values()
            if strings and not surrogate:
                surrogate = not all(map(_encodable, item))
        elif cls is list:
            children = item
        else:
            if strings and not surrogate and cls is str:
                surrogate = not _encodable(item)
            continue
        level += 1
        for child in children:
            if level > limit:
                return "nests too deeply"
            push((child, level))
    return "holds a lone UTF-16 surrogate" if surrogate else None


def _encodable(text: str) -> bool:
    """False when `text` holds a lone surrogate (a \\udXXX escape without its pair)."""
    if text.isascii():
        return True
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _json_object(data: bytes, what: str, max_values: int | None) -> dict[str, Any]:
    if max_values is not None:
        # Every value but the top one follows a ':' or a ',' or opens an array: an upper
        # bound (these characters inside strings count too), found at C speed.
        values = data.count(b":") + data.count(b",") + data.count(b"[")
        if values > max_values:
            raise JWTDecodeError(f"the token's {what} holds too many values")
    try:
        text = data.decode("utf-8")
        value, end = _scan(text, 0)
    except _Duplicate:
        raise JWTDecodeError(f"the token's {what} repeats a member name") from None
    except RecursionError:  # the C scanner's own bound, far beyond MAX_DEPTH
        raise JWTDecodeError(f"the token's {what} nests too deeply") from None
    except (UnicodeDecodeError, ValueError, StopIteration):
        raise JWTDecodeError(f"the token's {what} is not valid JSON") from None
    if end != len(text) or not isinstance(value, dict):
        raise JWTDecodeError(f"the token's {what} is not a JSON object")
    # Depth and lone surrogates are checked before anything else descends into the value, by
    # one iterative walk, and only when the text could hold either: most tokens skip it.
    _check_walk(value, text, text.count("{") + text.count("[") > MAX_DEPTH, what)
    return value


def _check_walk(value: Any, text: str, deep: bool, what: str) -> None:
    """Refuse a parsed value that nests too deeply (only looked for when `deep`: the text has
    enough brackets) or holds a lone surrogate (only looked for when the text escapes one)."""
    strings = "\\" in text and ("\\ud" in text or "\\uD" in text)
    if strings or deep:
        problem = _walk_problem(value, MAX_DEPTH, strings)
        if problem is not None:
            raise JWTDecodeError(f"the token's {what} {problem}")


def split_compact(raw: Any, max_length: int) -> tuple[str, str, str]:
    """Check the compact form's shape and length and split it; `JWTDecodeError` otherwise."""
    header_b64, payload_b64, signature_b64, _ = split_signed(raw, max_length)
    return header_b64, payload_b64, signature_b64


def split_signed(raw: Any, max_length: int) -> tuple[str, str, str, bytes]:
    """`split_compact`, and the signing input (the first two segments and their dot) as bytes,
    cut from the bytes the shape check encodes anyway."""
    if not isinstance(raw, str):
        raise JWTDecodeError("the token must be a string")
    if len(raw) > max_length:
        raise JWTDecodeError(f"the token is longer than {max_length} characters")
    # Deleting the base64url alphabet must leave exactly the two dots (a table lookup per
    # byte: cheaper than a regular expression over a long token).
    if not raw.isascii():
        raise _not_compact()
    data = raw.encode("ascii")
    if data.translate(None, _ALPHABET) != b"..":
        raise _not_compact()
    header_b64, payload_b64, signature_b64 = raw.split(".")
    if not (header_b64 and payload_b64 and signature_b64):
        raise _not_compact()
    return header_b64, payload_b64, signature_b64, data[: len(header_b64) + 1 + len(payload_b64)]


def _not_compact() -> JWTDecodeError:
    return JWTDecodeError(
        "the token is not a JWS in compact form (three base64url segments joined by '.')"
    )


def decode_json_segment(segment: str, what: str) -> dict[str, Any]:
    """The JSON object a base64url segment holds, parsed strictly."""
    return _json_object(b64url_decode(segment, what), what, None)


def decode_payload(segment: str) -> tuple[dict[str, Any], bool]:
    """`decode_json_segment(segment, "payload")` of a segment `check_canonical` has passed, and
    whether the object is flat (no value is an object or an array).

    The same checks and refusals, sooner for the usual claim set: one object of scalars, its
    names never repeated. Such a text has no `[` and no `{` but the first, so its commas
    outside strings are its members less one, and the commas inside strings only add to the
    count; when the plainly parsed object has as many members as the text has commas plus
    one, no name was dropped as a repeat and the duplicate-name hook has nothing to find.
    Any other text (or any doubt) goes through `_json_object`.
    """
    data = _b64decode(segment, "payload")
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = ""  # refused by _json_object, with its own words
    if "[" not in text and text.find("{", 1) < 0:
        try:
            value, end = _scan_plain(text, 0)
        except (ValueError, StopIteration, RecursionError):
            pass  # refused by _json_object, with its own words
        else:
            if end == len(text) and value.__class__ is dict and len(value) == text.count(",") + 1:
                if "\\" in text:  # one level: only a surrogate escape to look for
                    _check_walk(value, text, False, "payload")
                return value, True
    value = _json_object(data, "payload", None)
    return value, _SCALARS.issuperset(map(type, value.values()))


def decode_header_segment(segment: str) -> dict[str, Any]:
    """The JOSE header a segment holds, parsed strictly within the header's small budget."""
    if len(segment) > MAX_HEADER_LENGTH:
        raise JWTDecodeError(f"the token's header is longer than {MAX_HEADER_LENGTH} characters")
    return _json_object(b64url_decode(segment, "header"), "header", MAX_HEADER_VALUES)


def encode_compact(header_b64: str, payload_json: bytes, sign: Callable[[bytes], bytes]) -> str:
    """Join a ready header segment and a JSON payload, and sign them."""
    signing_input = f"{header_b64}.{b64url_encode(payload_json)}"
    signature = sign(signing_input.encode("ascii"))
    return f"{signing_input}.{b64url_encode(signature)}"


def check_header(
    header: dict[str, Any], types: tuple[str, ...] | None = _TYPES
) -> tuple[str, str | None]:
    """The rules of a JOSE header (RFC 7515 section 4.1, RFC 8725 section 3.1); returns the
    `alg` and the `kid` (None when absent) it names. Which key they select is the key ring's
    business; this refuses only what no configuration accepts. `types`: the accepted `typ`
    values (lower case); None leaves the choice to the caller (an issuer's own profile)."""
    alg = header.get("alg")
    if not isinstance(alg, str) or alg.lower() == "none":
        raise JWTDecodeError("the token is unsigned or names no algorithm (alg)")
    forbidden = _FORBIDDEN_HEADER.intersection(header)
    if forbidden:
        raise JWTDecodeError(
            f"the token's header carries {', '.join(sorted(forbidden))}, which is not accepted"
        )
    if "typ" in header:
        typ = header["typ"]
        if types is None:
            if not isinstance(typ, str):
                raise JWTDecodeError("the token's header type (typ) is malformed")
        elif not isinstance(typ, str) or typ.lower() not in types:
            raise JWTDecodeError("the token's header has a type (typ) other than JWT")
    kid = header.get("kid")
    if "kid" in header and not isinstance(kid, str):
        raise JWTDecodeError("the token's key id (kid) is not a string")
    return alg, kid


def header_segment(alg: str, kid: str | None) -> str:
    """The header segment of the tokens signed with `alg` and `kid`: built once per key."""
    header: dict[str, str] = {"alg": alg, "typ": "JWT"}
    if kid is not None:
        header["kid"] = kid
    return b64url_encode(json.dumps(header, separators=(",", ":")).encode())
