"""Reading the raw token from a Sanic request: headers, cookies, query string, JSON body.

Locations are tried in the configured order and the first one that holds a token wins. Nothing
here judges a token; it only finds the text (and, for cookies, the CSRF header beside it).

A JSON body that is not valid UTF-8 JSON, or not an object, is treated as holding no token,
so a malformed body can never turn into a 500.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any, Literal

from sanic import Request

from jwt_core import Config, InvalidHeaderError, JWTDecodeError, NoAuthorizationError

__all__ = ["FoundToken", "find_token", "parse_authorization"]

TokenType = Literal["access", "refresh"]
_FOREIGN = object()  # marker: the header holds credentials of another scheme (e.g. Basic)
_NOTHING = object()  # marker: the body is not a JSON object


@dataclass(frozen=True, slots=True)
class FoundToken:
    """A raw token, where it came from, and the CSRF value sent with it (cookies only)."""

    raw: str
    location: str
    csrf: str | None = None


def parse_authorization(value: str, header: str, prefix: str) -> str | object:
    """`<prefix> <token>` -> token (prefix case-insensitive); another scheme -> `_FOREIGN`.

    With an empty prefix the header holds the bare token. Anything else raises
    `InvalidHeaderError` naming the expected form.
    """
    parts = value.split()
    if prefix:
        expected = f"expected '{header}: {prefix} <token>'"
        if parts[0].lower() != prefix.lower():
            return _FOREIGN
        if len(parts) != 2:
            raise InvalidHeaderError(f"the {header} header is malformed; {expected}")
        return parts[1]
    if len(parts) != 1:
        raise InvalidHeaderError(
            f"the {header} header is malformed; expected '{header}: <token>' (no prefix)"
        )
    return parts[0]


def _json_body(request: Request) -> Any:
    body = request.body
    if not body:
        return _NOTHING
    try:
        value = json.loads(body.decode("utf-8"))
    except (UnicodeDecodeError, ValueError, RecursionError):
        return _NOTHING
    return value if isinstance(value, dict) else _NOTHING


class _Reader:
    """One lookup: the names to read for this token type, and what was seen on the way."""

    def __init__(self, request: Request, config: Config, token_type: TokenType) -> None:
        self.request = request
        refresh = token_type == "refresh"
        self.what = "refresh token" if refresh else "access token"
        self.header = config.refresh_jwt_header_key if refresh else config.jwt_header_key
        self.prefix = (
            config.refresh_jwt_header_prefix if refresh else config.jwt_header_prefix
        ).strip()
        self.cookie = config.refresh_jwt_cookie if refresh else config.jwt_cookie
        self.csrf_header = config.refresh_jwt_csrf_header if refresh else config.jwt_csrf_header
        self.query = config.jwt_query_param_name
        self.json_key = config.refresh_json_key if refresh else config.jwt_json_key
        self.foreign_scheme = False

    def headers(self) -> str | None:
        values = self.request.headers.getall(self.header, [])
        values = [v for v in values if v.strip()]
        if not values:
            return None
        if len(values) > 1:
            raise InvalidHeaderError(f"send one {self.header} header, not {len(values)}")
        found = parse_authorization(values[0], self.header, self.prefix)
        if found is _FOREIGN:
            self.foreign_scheme = True
            return None
        assert isinstance(found, str)
        return found

    def cookies(self) -> str | None:
        return self.request.cookies.get(self.cookie) or None

    def query_string(self) -> str | None:
        return self.request.args.get(self.query) or None

    def json(self) -> str | None:
        body = _json_body(self.request)
        if body is _NOTHING or self.json_key not in body:
            return None
        value = body[self.json_key]
        if value is None or value == "":
            return None
        if not isinstance(value, str):
            raise JWTDecodeError(f"the {self.json_key!r} member of the JSON body must be a string")
        return value

    def looked_in(self, location: str) -> str:
        if location == "headers":
            form = f"{self.prefix} <token>" if self.prefix else "<token>"
            return f"the {self.header} header ('{form}')"
        if location == "cookies":
            return f"the {self.cookie!r} cookie"
        if location == "query_string":
            return f"the {self.query!r} query parameter"
        return f"the {self.json_key!r} member of a JSON body"


def find_token(
    request: Request, config: Config, token_type: TokenType, *, optional: bool = False
) -> FoundToken | None:
    """The first token found in the configured locations, or None when optional and absent.

    Raises `NoAuthorizationError` (listing where it looked) when a required token is absent,
    `InvalidHeaderError` for a malformed header, or for a header of another scheme when
    nothing else carried a token and one is required.
    """
    reader = _Reader(request, config, token_type)
    for location in config.token_location:
        raw: str | None = getattr(reader, location)()
        if raw is not None:
            csrf = None
            if location == "cookies":
                csrf = request.headers.get(reader.csrf_header) or None
            return FoundToken(raw, location, csrf)
    if optional:
        return None
    if reader.foreign_scheme:
        form = f"{reader.prefix} <token>" if reader.prefix else "<token>"
        raise InvalidHeaderError(
            f"the {reader.header} header uses another scheme; expected '{reader.header}: {form}'"
        )
    places = [reader.looked_in(location) for location in config.token_location]
    where = places[0] if len(places) == 1 else ", ".join(places[:-1]) + " or " + places[-1]
    raise NoAuthorizationError(f"missing {reader.what}: none found in {where}")
