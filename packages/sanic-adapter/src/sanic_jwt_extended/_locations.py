"""Reading the raw token from a Sanic request: headers, cookies, query string, JSON body.

Locations are tried in the configured order and the first one that holds a token wins. Nothing
here judges a token; it only finds the text (and, for cookies, the CSRF header beside it).
What to read is worked out once per app and token type (`TokenPlaces`, when the
initialize block closes), so a request only does the lookups.

A body is read for a token only when its Content-Type is JSON (`application/json` or a `+json`
type) and it is at most `json_body_max_bytes` long (larger: `BodyTooLargeError`, 413); it is
parsed by the C decoder alone, and only when it could hold the token member, so the work
before authentication stays bounded. A JSON body
that is not valid UTF-8 JSON, or not an object, is treated as holding no token, so a
malformed body can never turn into a 500. A token sent twice in one place (two query
parameters, two cookies, a repeated JSON member) is refused with `InvalidHeaderError`: the
library and whatever sits in front of it could each read a different copy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any, NamedTuple

from sanic import Request
from sanic.cookies.request import parse_cookie

from jwt_core import (
    BodyTooLargeError,
    InvalidHeaderError,
    JWTDecodeError,
    NoAuthorizationError,
)
from sanic_jwt_extended._places import TokenPlaces

_FOREIGN = object()  # marker: the header holds credentials of another scheme (e.g. Basic)
_OWS = " \t"  # RFC 9110 section 5.6.3: the optional whitespace around a field value

# What one location's reader returns: the raw token, None, or `_FOREIGN` (headers only).
LocationReader = Callable[[TokenPlaces, Request], "str | object | None"]


class FoundToken(NamedTuple):
    """A raw token, where it came from, and the CSRF value sent with it (cookies only)."""

    raw: str
    location: str
    csrf: str | None = None


# The JSON media types read for a token: application/json and any `+json` type (RFC 6839).
_JSON_TYPES = ("application/json",)
_JSON_SUFFIX = "+json"
_JSON_WHITESPACE = " \t\n\r"  # RFC 8259 section 2
_DECODER = json.JSONDecoder()  # the C decoder, no hook
# The same C decoding, keeping each object's members as a list of (name, value) pairs so a
# repeated name stays visible (RFC 8259 section 4 leaves repeats to the parser, and a dict
# keeps the last). `list` is a builtin type: no Python code runs per object.
_PAIRS_DECODER = json.JSONDecoder(object_pairs_hook=list)


def _is_json(content_type: str) -> bool:
    """Whether a Content-Type names JSON: application/json or a `+json` type, any parameters."""
    media_type = content_type.partition(";")[0].strip().lower()
    return media_type in _JSON_TYPES or (
        media_type.startswith("application/") and media_type.endswith(_JSON_SUFFIX)
    )


def _json_text(places: TokenPlaces, request: Request) -> str | None:
    """The body's text when it is a JSON object that may name the token member, else None.

    Bounded work: a body over `json_body_max_bytes` is refused before it is decoded, and a
    body that cannot hold the member (not sent as JSON, not an object, or without the
    member's name in any spelling) is not parsed at all.
    """
    body = request.body
    if not body or not _is_json(request.headers.get("content-type", "")):
        return None
    if len(body) > places.json_body_max_bytes:
        raise BodyTooLargeError(
            f"the JSON body is {len(body)} bytes; a body that may carry the token is read up "
            f"to {places.json_body_max_bytes} bytes (json_body_max_bytes)"
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.lstrip(_JSON_WHITESPACE).startswith("{"):
        return None
    # Without a backslash, every spelling of the member's name is the literal `"name"`.
    if "\\" not in text and places.json_member not in text:
        return None
    return text


def _json_values(places: TokenPlaces, text: str) -> list[Any] | None:
    """The values of every top-level member named like the token's; None: not JSON."""
    try:
        if "\\" not in text and text.count(places.json_member) == 1:
            members: dict[str, Any] = _DECODER.decode(text)  # named once at most: a dict will do
            return [members[places.json_key]] if places.json_key in members else []
        pairs: list[tuple[str, Any]] = _PAIRS_DECODER.decode(text)
    except (ValueError, RecursionError):
        return None
    return [value for name, value in pairs if name == places.json_key]


def _sent_twice(what: str, count: int) -> InvalidHeaderError:
    """The refusal of a token carried more than once in one location."""
    return InvalidHeaderError(f"{what} was sent {count} times; send the token once")


def _read_headers(places: TokenPlaces, request: Request) -> str | object | None:
    """`<prefix> <token>` -> token (prefix case-insensitive); another scheme -> `_FOREIGN`.

    Only SP separates the scheme from the token (RFC 7235 section 2.1, `1*SP`) and the token
    holds no whitespace; SP and HTAB around the whole value are dropped, as HTTP does for
    any field value (RFC 9110 section 5.5). Any other whitespace (tab, VT, FF, NBSP, NEL,
    any Unicode space) makes the header malformed: a proxy may split there and we must not.
    """
    values: list[str] = [value.strip(_OWS) for value in request.headers.getall(places.header, [])]
    if len(values) != 1:
        values = [value for value in values if value]
        if len(values) > 1:
            raise InvalidHeaderError(f"send one {places.header} header, not {len(values)}")
    if not values or not values[0]:
        return None  # a blank header: no credentials at all
    value = values[0]
    if places.prefix:
        scheme, rest = value[: len(places.prefix)], value[len(places.prefix) :]
        if scheme.lower() != places.prefix_lower or (rest and not rest[0].isspace()):
            if value[0].isspace():  # whitespace before the scheme that HTTP does not drop
                raise InvalidHeaderError(places.malformed_header)
            return _FOREIGN
        value = rest.lstrip(" ")
        if len(value) == len(rest):  # no SP after the scheme (or nothing at all)
            raise InvalidHeaderError(places.malformed_header)
    words = value.split()  # str.split() splits on every str.isspace() code point
    if len(words) != 1 or len(words[0]) != len(value):
        raise InvalidHeaderError(places.malformed_header)
    return value


def _read_cookies(places: TokenPlaces, request: Request) -> str | None:
    """The token cookie's value; more than one non-empty copy is refused."""
    # A cookie can arrive twice (a sibling subdomain may set one of the same name for the
    # parent domain), and Sanic also answers for `name` with a `__Host-` / `__Secure-` one.
    # Sanic's request.cookies reads the first Cookie line only; several lines (as HTTP/2
    # may split them) are one list, joined by "; " (RFC 9113 section 8.2.3).
    lines: list[str] = request.headers.getall("cookie", [])
    cookies = request.cookies if len(lines) < 2 else parse_cookie("; ".join(lines))
    values: list[str] = [
        value
        for name in places.cookie_names
        for value in dict.get(cookies, name, ())  # the raw lists, prefixes not folded in
        if value
    ]
    if not values:
        return None
    if len(values) > 1:
        raise _sent_twice(f"the {places.cookie!r} cookie", len(values))
    return values[0]


def _read_query_string(places: TokenPlaces, request: Request) -> str | None:
    """The token query parameter's value; more than one non-empty copy is refused."""
    values = request.args.getlist(places.query)  # blank values are dropped by Sanic
    if not values:
        return None
    if len(values) > 1:
        raise _sent_twice(f"the {places.query!r} query parameter", len(values))
    return values[0]  # type: ignore[no-any-return]


def _read_json(places: TokenPlaces, request: Request) -> str | None:
    """The token member of a JSON object body; a repeated member is refused."""
    text = _json_text(places, request)
    values = None if text is None else _json_values(places, text)
    if not values:
        return None
    if len(values) > 1:
        raise InvalidHeaderError(
            f"the {places.json_key!r} member appears more than once in the JSON body; "
            "send the token once"
        )
    value = values[0]
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise JWTDecodeError(f"the {places.json_key!r} member of the JSON body must be a string")
    return value


_READERS: dict[str, LocationReader] = {
    "headers": _read_headers,
    "cookies": _read_cookies,
    "query_string": _read_query_string,
    "json": _read_json,
}


def csrf_required(places: TokenPlaces, location: str, method: str) -> bool:
    """Whether a token read from `location` by a `method` request must come with its CSRF
    value: only a cookie (a browser sends it unasked), with csrf_protect, on the listed methods."""
    return location == "cookies" and method.upper() in places.csrf_methods


def find_token(
    request: Request, places: TokenPlaces, *, optional: bool = False
) -> FoundToken | None:
    """The first token found in the configured locations, or None when optional and absent.

    Raises `NoAuthorizationError` (listing where it looked) when a required token is absent,
    `InvalidHeaderError` for a malformed header or a token sent twice in one place, or for a
    header of another scheme when nothing else carried a token and one is required.
    """
    foreign = False
    for location in places.locations:
        raw = _READERS[location](places, request)
        if raw is None:
            continue
        if raw is _FOREIGN:
            foreign = True
            continue
        assert isinstance(raw, str)
        if location == "cookies":
            return FoundToken(raw, location, request.headers.get(places.csrf_header) or None)
        return FoundToken(raw, location)
    if optional:
        return None
    if foreign:
        raise InvalidHeaderError(places.foreign_header)
    raise NoAuthorizationError(places.missing)
