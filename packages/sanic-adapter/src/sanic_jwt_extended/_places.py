"""`TokenPlaces`: where one app's requests carry one token type, resolved once.

Every name that differs between access and refresh tokens (header, prefix, cookie and its
path, CSRF cookie, its path and header, JSON key) is chosen here, from the one table
`_OPTIONS`, when the initialize block closes (`JWTState.start`). Reading (`_locations`),
cookies and the OpenAPI document all take `state.places[token_type]`, so a name is never
chosen twice, and the phrases that tell a client where a token goes are written once.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Literal

from sanic_jwt_extended.http_config import HttpConfig

TokenType = Literal["access", "refresh"]
TOKEN_TYPES: tuple[TokenType, ...] = ("access", "refresh")
# Sanic's request.cookies.get(name) prefers these prefixed forms of a cookie name.
_COOKIE_PREFIXES = ("", "__Host-", "__Secure-")


# Each per-type transport name -> the options that hold it (access, refresh): the one place
# where a name is chosen by token type.
_OPTIONS: dict[str, tuple[str, str]] = {
    "header": ("jwt_header_key", "refresh_jwt_header_key"),
    "prefix": ("jwt_header_prefix", "refresh_jwt_header_prefix"),
    "cookie": ("jwt_cookie", "refresh_jwt_cookie"),
    "cookie_path": ("access_cookie_path", "refresh_cookie_path"),
    "csrf_cookie": ("access_csrf_cookie", "refresh_csrf_cookie"),
    "csrf_cookie_path": ("access_csrf_cookie_path", "refresh_csrf_cookie_path"),
    "csrf_header": ("jwt_csrf_header", "refresh_jwt_csrf_header"),
    "json_key": ("jwt_json_key", "refresh_json_key"),
}

# "an access token", "a refresh token": for messages that name a token type.
A_TOKEN: dict[str, str] = {"access": "an access token", "refresh": "a refresh token"}


@dataclass(frozen=True, slots=True)
class TokenPlaces:
    """Where one app reads and writes one token type: names, locations and phrases, built once."""

    token_type: TokenType
    locations: tuple[str, ...]
    header: str
    prefix: str
    prefix_lower: str
    cookie: str
    cookie_names: tuple[str, ...]
    cookie_path: str
    csrf_cookie: str
    csrf_cookie_path: str
    csrf_header: str
    # The methods whose requests must send the CSRF value with a cookie (none: csrf_protect off).
    csrf_methods: frozenset[str]
    query: str
    json_key: str
    json_member: str
    json_body_max_bytes: int
    # What a client is told: "access token", "Bearer <token>", and the refusals' messages.
    what: str
    header_form: str
    malformed_header: str
    foreign_header: str
    missing: str

    @classmethod
    def build(
        cls, config: HttpConfig, token_type: TokenType, locations: tuple[str, ...] | None = None
    ) -> TokenPlaces:
        """The places of `token_type` under `config` (a validated, frozen HttpConfig).

        `locations`: a route's own choice among the configured locations (default: all).
        """
        if locations is None:
            locations = tuple(config.token_location)
        column = TOKEN_TYPES.index(token_type)
        names: dict[str, str] = {
            name: getattr(config, options[column]) for name, options in _OPTIONS.items()
        }
        header, cookie, json_key = names["header"], names["cookie"], names["json_key"]
        prefix = names["prefix"].strip()
        query = config.jwt_query_param_name
        form = f"{prefix} <token>" if prefix else "<token>"
        looked_in = {
            "headers": f"the {header} header ('{form}')",
            "cookies": f"the {cookie!r} cookie",
            "query_string": f"the {query!r} query parameter",
            "json": f"the {json_key!r} member of a JSON body",
        }
        places = [looked_in[location] for location in locations]
        where = places[0] if len(places) == 1 else ", ".join(places[:-1]) + " or " + places[-1]
        return cls(
            token_type=token_type,
            locations=locations,
            header=header,
            prefix=prefix,
            prefix_lower=prefix.lower(),
            cookie=cookie,
            cookie_names=tuple(p + cookie for p in _COOKIE_PREFIXES),
            cookie_path=names["cookie_path"],
            csrf_cookie=names["csrf_cookie"],
            csrf_cookie_path=names["csrf_cookie_path"],
            csrf_header=names["csrf_header"],
            csrf_methods=frozenset(config.csrf_request_methods if config.csrf_protect else ()),
            query=query,
            json_key=json_key,
            json_member=json.dumps(json_key, ensure_ascii=False),
            json_body_max_bytes=config.json_body_max_bytes,
            what=f"{token_type} token",
            header_form=form,
            malformed_header=(
                f"the {header} header is malformed; expected '{header}: {form}'"
                + ("" if prefix else " (no prefix)")
            ),
            foreign_header=f"the {header} header uses another scheme; expected '{header}: {form}'",
            missing=f"missing {token_type} token: none found in {where}",
        )
