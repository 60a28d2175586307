"""Reading the raw token from a Sanic request: headers, cookies, query string, JSON body.

Locations are tried in the configured order and the first one that holds a token wins. Nothing
here judges a token; it only finds the text (and, for cookies, the CSRF header beside it).
What to read is worked out once per app and token type (`TokenReader.build`, when the
initialize block closes), so a request only does the lookups.

A JSON body that is not valid UTF-8 JSON, or not an object, is treated as holding no token,
so a malformed body can never turn into a 500. A token sent twice in one place (two query
parameters, two cookies, a repeated JSON member) is refused with `InvalidHeaderError`: the
library and whatever sits in front of it could each read a different copy.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Literal, NamedTuple

from sanic import Request

from jwt_core import Config, InvalidHeaderError, JWTDecodeError, NoAuthorizationError

__all__ = ["TOKEN_TYPES", "FoundToken", "TokenReader", "TokenType", "find_token"]

TokenType = Literal["access", "refresh"]
TOKEN_TYPES: tuple[TokenType, ...] = ("access", "refresh")
_FOREIGN = object()  # marker: the header holds credentials of another scheme (e.g. Basic)
_NOTHING = object()  # marker: the body is not a JSON object
# Sanic's request.cookies.get(name) prefers these prefixed forms of a cookie name.
_COOKIE_PREFIXES = ("", "__Host-", "__Secure-")

# What one location's reader returns: the raw token, None, or `_FOREIGN` (headers only).
LocationReader = Callable[["TokenReader", Request], "str | object | None"]


class FoundToken(NamedTuple):
    """A raw token, where it came from, and the CSRF value sent with it (cookies only)."""

    raw: str
    location: str
    csrf: str | None = None


class _Members(dict[str, Any]):
    """A JSON object, and the member names it holds more than once."""

    __slots__ = ("repeated",)

    repeated: frozenset[str]


_NO_REPEATS: frozenset[str] = frozenset()


def _json_object(pairs: list[tuple[str, Any]]) -> _Members:
    """The decoder's hook for every JSON object: keep its members and note repeated names."""
    members = _Members(pairs)
    if len(members) == len(pairs):
        members.repeated = _NO_REPEATS
        return members
    seen: set[str] = set()
    repeated: set[str] = set()
    for name, _ in pairs:
        (repeated if name in seen else seen).add(name)
    members.repeated = frozenset(repeated)
    return members


# RFC 8259 section 4 leaves repeated member names to the parser; this one keeps track of them.
_DECODER = json.JSONDecoder(object_pairs_hook=_json_object)


def _json_body(request: Request) -> Any:
    """The body as a `_Members` object, or `_NOTHING` when it is not a JSON object."""
    body = request.body
    if not body:
        return _NOTHING
    try:
        value = _DECODER.decode(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _NOTHING
    return value if isinstance(value, _Members) else _NOTHING


def _sent_twice(what: str, count: int) -> InvalidHeaderError:
    """The refusal of a token carried more than once in one location."""
    return InvalidHeaderError(f"{what} was sent {count} times; send the token once")


def _read_headers(reader: TokenReader, request: Request) -> str | object | None:
    """`<prefix> <token>` -> token (prefix case-insensitive); another scheme -> `_FOREIGN`."""
    values: list[str] = request.headers.getall(reader.header, [])
    if len(values) != 1:
        values = [value for value in values if value.strip()]
        if not values:
            return None
        if len(values) > 1:
            raise InvalidHeaderError(f"send one {reader.header} header, not {len(values)}")
    parts = values[0].split()
    if not parts:
        return None  # a blank header: no credentials at all
    if reader.prefix:
        if parts[0].lower() != reader.prefix_lower:
            return _FOREIGN
        if len(parts) != 2:
            raise InvalidHeaderError(reader.malformed_header)
        return parts[1]
    if len(parts) != 1:
        raise InvalidHeaderError(reader.malformed_header)
    return parts[0]


def _read_cookies(reader: TokenReader, request: Request) -> str | None:
    """The token cookie's value; more than one non-empty copy is refused."""
    # A cookie can arrive twice (a sibling subdomain may set one of the same name for the
    # parent domain), and Sanic also answers for `name` with a `__Host-` / `__Secure-` one.
    cookies = request.cookies
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
    body = _json_body(request)
    if body is _NOTHING or reader.json_key not in body:
        return None
    if reader.json_key in body.repeated:
        raise InvalidHeaderError(
            f"the {reader.json_key!r} member appears more than once in the JSON body; "
            "send the token once"
        )
    value = body[reader.json_key]
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
            readers=tuple((location, _READERS[location]) for location in config.token_location),
            malformed_header=(
                f"the {header} header is malformed; expected '{header}: {form}'"
                + ("" if prefix else " (no prefix)")
            ),
            foreign_header=f"the {header} header uses another scheme; expected '{header}: {form}'",
            missing=f"missing {token_type} token: none found in {where}",
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
