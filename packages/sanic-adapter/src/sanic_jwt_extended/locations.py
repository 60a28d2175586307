"""Reading the raw token from a Sanic request: headers, cookies, query string, JSON body.

Locations are tried in the configured order and the first one that holds a token wins. Nothing
here judges a token; it only finds the text (and, for cookies, the CSRF header beside it).
What to read is worked out once per app and token type (`TokenReader.build`, when the
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
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from sanic import Request
from sanic.cookies.request import parse_cookie

from jwt_core import (
    BodyTooLargeError,
    Config,
    InvalidHeaderError,
    JWTDecodeError,
    NoAuthorizationError,
)

__all__ = ["TOKEN_TYPES", "FoundToken", "TokenReader", "TokenType", "csrf_required", "find_token"]

TokenType = Literal["access", "refresh"]
TOKEN_TYPES: tuple[TokenType, ...] = ("access", "refresh")
_FOREIGN = object()  # marker: the header holds credentials of another scheme (e.g. Basic)
_OWS = " \t"  # RFC 9110 section 5.6.3: the optional whitespace around a field value
# Sanic's request.cookies.get(name) prefers these prefixed forms of a cookie name.
_COOKIE_PREFIXES = ("", "__Host-", "__Secure-")

# What one location's reader returns: the raw token, None, or `_FOREIGN` (headers only).
LocationReader = Callable[["TokenReader", Request], "str | object | None"]


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


def _json_text(reader: TokenReader, request: Request) -> str | None:
    """The body's text when it is a JSON object that may name the token member, else None.

    Bounded work: a body over `json_body_max_bytes` is refused before it is decoded, and a
    body that cannot hold the member (not sent as JSON, not an object, or without the
    member's name in any spelling) is not parsed at all.
    """
    body = request.body
    if not body or not _is_json(request.headers.get("content-type", "")):
        return None
    if len(body) > reader.json_body_max_bytes:
        raise BodyTooLargeError(
            f"the JSON body is {len(body)} bytes; a body that may carry the token is read up "
            f"to {reader.json_body_max_bytes} bytes (json_body_max_bytes)"
        )
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        return None
    if not text.lstrip(_JSON_WHITESPACE).startswith("{"):
        return None
    # Without a backslash, every spelling of the member's name is the literal `"name"`.
    if "\\" not in text and reader.json_member not in text:
        return None
    return text


def _json_values(reader: TokenReader, text: str) -> list[Any] | None:
    """The values of every top-level member named like the token's; None: not JSON."""
    try:
        if "\\" not in text and text.count(reader.json_member) == 1:
            members: dict[str, Any] = _DECODER.decode(text)  # named once at most: a dict will do
            return [members[reader.json_key]] if reader.json_key in members else []
        pairs: list[tuple[str, Any]] = _PAIRS_DECODER.decode(text)
    except (ValueError, RecursionError):
        return None
    return [value for name, value in pairs if name == reader.json_key]


def _sent_twice(what: str, count: int) -> InvalidHeaderError:
    """The refusal of a token carried more than once in one location."""
    return InvalidHeaderError(f"{what} was sent {count} times; send the token once")


def _read_headers(reader: TokenReader, request: Request) -> str | object | None:
    """`<prefix> <token>` -> token (prefix case-insensitive); another scheme -> `_FOREIGN`.

    Only SP separates the scheme from the token (RFC 7235 section 2.1, `1*SP`) and the token
    holds no whitespace; SP and HTAB around the whole value are dropped, as HTTP does for
    any field value (RFC 9110 section 5.5). Any other whitespace (tab, VT, FF, NBSP, NEL,
    any Unicode space) makes the header malformed: a proxy may split there and we must not.
    """
    values: list[str] = [value.strip(_OWS) for value in request.headers.getall(reader.header, [])]
    if len(values) != 1:
        values = [value for value in values if value]
        if len(values) > 1:
            raise InvalidHeaderError(f"send one {reader.header} header, not {len(values)}")
    if not values or not values[0]:
        return None  # a blank header: no credentials at all
    value = values[0]
    if reader.prefix:
        scheme, rest = value[: len(reader.prefix)], value[len(reader.prefix) :]
        if scheme.lower() != reader.prefix_lower or (rest and not rest[0].isspace()):
            if value[0].isspace():  # whitespace before the scheme that HTTP does not drop
                raise InvalidHeaderError(reader.malformed_header)
            return _FOREIGN
        value = rest.lstrip(" ")
        if len(value) == len(rest):  # no SP after the scheme (or nothing at all)
            raise InvalidHeaderError(reader.malformed_header)
    words = value.split()  # str.split() splits on every str.isspace() code point
    if len(words) != 1 or len(words[0]) != len(value):
        raise InvalidHeaderError(reader.malformed_header)
    return value


def _read_cookies(reader: TokenReader, request: Request) -> str | None:
    """The token cookie's value; more than one non-empty copy is refused."""
    # A cookie can arrive twice (a sibling subdomain may set one of the same name for the
    # parent domain), and Sanic also answers for `name` with a `__Host-` / `__Secure-` one.
    # Sanic's request.cookies reads the first Cookie line only; several lines (as HTTP/2
    # may split them) are one list, joined by "; " (RFC 9113 section 8.2.3).
    lines: list[str] = request.headers.getall("cookie", [])
    cookies = request.cookies if len(lines) < 2 else parse_cookie("; ".join(lines))
    values: list[str] = [
        value
        for name in reader.cookie_names
        for value in dict.get(cookies, name, ())  # the raw lists, prefixes not folded in
        if value
    ]
    if not values:
        return None
    if len(values) > 1:
        raise _sent_twice(f"the {reader.cookie!r} cookie", len(values))
    return values[0]


def _read_query_string(reader: TokenReader, request: Request) -> str | None:
    """The token query parameter's value; more than one non-empty copy is refused."""
    values = request.args.getlist(reader.query)  # blank values are dropped by Sanic
    if not values:
        return None
    if len(values) > 1:
        raise _sent_twice(f"the {reader.query!r} query parameter", len(values))
    return values[0]  # type: ignore[no-any-return]


def _read_json(reader: TokenReader, request: Request) -> str | None:
    """The token member of a JSON object body; a repeated member is refused."""
    text = _json_text(reader, request)
    values = None if text is None else _json_values(reader, text)
    if not values:
        return None
    if len(values) > 1:
        raise InvalidHeaderError(
            f"the {reader.json_key!r} member appears more than once in the JSON body; "
            "send the token once"
        )
    value = values[0]
    if value is None or value == "":
        return None
    if not isinstance(value, str):
        raise JWTDecodeError(f"the {reader.json_key!r} member of the JSON body must be a string")
    return value


_READERS: dict[str, LocationReader] = {
    "headers": _read_headers,
    "cookies": _read_cookies,
    "query_string": _read_query_string,
    "json": _read_json,
}


@dataclass(frozen=True, slots=True)
class TokenReader:
    """Where one app reads one token type: names, readers in order and the messages, built once."""

    token_type: TokenType
    header: str
    prefix: str
    prefix_lower: str
    cookie: str
    cookie_names: tuple[str, ...]
    csrf_header: str
    query: str
    json_key: str
    json_member: str
    json_body_max_bytes: int
    readers: tuple[tuple[str, LocationReader], ...]
    malformed_header: str
    foreign_header: str
    missing: str

    @classmethod
    def build(cls, config: Config, token_type: TokenType) -> TokenReader:
        """The reader for `token_type` under `config` (a validated, frozen Config)."""
        refresh = token_type == "refresh"
        header = config.refresh_jwt_header_key if refresh else config.jwt_header_key
        prefix = (config.refresh_jwt_header_prefix if refresh else config.jwt_header_prefix).strip()
        cookie = config.refresh_jwt_cookie if refresh else config.jwt_cookie
        query = config.jwt_query_param_name
        json_key = config.refresh_json_key if refresh else config.jwt_json_key
        form = f"{prefix} <token>" if prefix else "<token>"
        looked_in = {
            "headers": f"the {header} header ('{form}')",
            "cookies": f"the {cookie!r} cookie",
            "query_string": f"the {query!r} query parameter",
            "json": f"the {json_key!r} member of a JSON body",
        }
        places = [looked_in[location] for location in config.token_location]
        where = places[0] if len(places) == 1 else ", ".join(places[:-1]) + " or " + places[-1]
        return cls(
            token_type=token_type,
            header=header,
            prefix=prefix,
            prefix_lower=prefix.lower(),
            cookie=cookie,
            cookie_names=tuple(p + cookie for p in _COOKIE_PREFIXES),
            csrf_header=config.refresh_jwt_csrf_header if refresh else config.jwt_csrf_header,
            query=query,
            json_key=json_key,
            json_member=json.dumps(json_key, ensure_ascii=False),
            json_body_max_bytes=config.json_body_max_bytes,
            readers=tuple((location, _READERS[location]) for location in config.token_location),
            malformed_header=(
                f"the {header} header is malformed; expected '{header}: {form}'"
                + ("" if prefix else " (no prefix)")
            ),
            foreign_header=f"the {header} header uses another scheme; expected '{header}: {form}'",
            missing=f"missing {token_type} token: none found in {where}",
        )


def csrf_required(config: Config, location: str, method: str) -> bool:
    """Whether a token read from `location` by a `method` request must come with its CSRF
    value: only a cookie (a browser sends it unasked), with csrf_protect, on the listed methods."""
    return (
        location == "cookies"
        and config.csrf_protect
        and method.upper() in config.csrf_request_methods
    )


def find_token(
    request: Request, reader: TokenReader, *, optional: bool = False
) -> FoundToken | None:
    """The first token found in the configured locations, or None when optional and absent.

    Raises `NoAuthorizationError` (listing where it looked) when a required token is absent,
    `InvalidHeaderError` for a malformed header or a token sent twice in one place, or for a
    header of another scheme when nothing else carried a token and one is required.
    """
    foreign = False
    for location, read in reader.readers:
        raw = read(reader, request)
        if raw is None:
            continue
        if raw is _FOREIGN:
            foreign = True
            continue
        assert isinstance(raw, str)
        if location == "cookies":
            return FoundToken(raw, location, request.headers.get(reader.csrf_header) or None)
        return FoundToken(raw, location)
    if optional:
        return None
    if foreign:
        raise InvalidHeaderError(reader.foreign_header)
    raise NoAuthorizationError(reader.missing)
