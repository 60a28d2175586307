"""`HttpConfig`: an app's whole configuration, the core's `Config` plus where tokens travel.

The core's options are about tokens (keys, claims, checks, revocation); the ones here are about
HTTP: the headers, cookies, query parameter and JSON member that carry a token, the CSRF
names and methods, the cookie attributes, and the key of the default error bodies. `JWT.config`
is one `HttpConfig`, so every option is set on one object; validating it checks these, derives
the core's `csrf_claim` from them, then checks and freezes the core's part.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from typing import Any

from jwt_core import Config, ConfigurationConflictError

__all__ = ["TOKEN_LOCATIONS", "HttpConfig"]

TOKEN_LOCATIONS = ("headers", "cookies", "query_string", "json")
_LOCATION_ALIASES = {"header": "headers", "query": "query_string", "cookie": "cookies"}
_SAMESITE = ("Strict", "Lax", "None")


@dataclasses.dataclass(kw_only=True, eq=False)
class HttpConfig(Config):
    """Every option of the Sanic adapter: the core's (`jwt_core.Config`) and its own below.

    Validated once when `JWT.initialize`'s block closes, then frozen, as the core's. Unknown
    option names are refused at once, with a suggestion among all of them.
    """

    # where tokens travel
    token_location: Sequence[str] = ("headers",)
    jwt_header_key: str = "Authorization"
    refresh_jwt_header_key: str = "X-Refresh-Token"
    jwt_header_prefix: str = "Bearer"
    refresh_jwt_header_prefix: str = "Bearer"
    jwt_cookie: str = "access_token_cookie"
    refresh_jwt_cookie: str = "refresh_token_cookie"
    jwt_query_param_name: str = "jwt"
    jwt_json_key: str = "access_token"
    refresh_json_key: str = "refresh_token"
    json_body_max_bytes: int = 65536
    # cookies and CSRF
    csrf_protect: bool = True
    csrf_request_methods: Sequence[str] = ("POST", "PUT", "PATCH", "DELETE")
    jwt_csrf_header: str = "X-CSRF-Token"
    refresh_jwt_csrf_header: str = "X-CSRF-Token"
    csrf_in_cookies: bool = True
    access_csrf_cookie: str = "csrf_access_token"
    refresh_csrf_cookie: str = "csrf_refresh_token"
    cookie_secure: bool = True
    cookie_samesite: str | None = "Lax"
    cookie_domain: str | None = None
    access_cookie_path: str = "/"
    refresh_cookie_path: str = "/"
    access_csrf_cookie_path: str = "/"
    refresh_csrf_cookie_path: str = "/"
    # responses
    error_msg_key: str = "msg"

    @classmethod
    def http_option_names(cls) -> tuple[str, ...]:
        """The adapter's own options: those this class adds to the core's `Config`."""
        core = frozenset(Config.option_names())
        return tuple(name for name in cls.option_names() if name not in core)

    def validate(self) -> None:
        """Normalise and check the HTTP options, set `csrf_claim`, then the core's `validate`.

        Tokens carry a `csrf` claim when they may travel in cookies with `csrf_protect` on
        (or when `csrf_claim` is set anyway).
        """
        if self.frozen:
            return
        self.token_location = _locations(self.token_location)
        methods = self.csrf_request_methods
        if isinstance(methods, str):
            methods = methods.replace(",", " ").split()
        self.csrf_request_methods = tuple(str(m).upper() for m in methods)
        if self.cookie_samesite is not None:
            samesite = str(self.cookie_samesite).capitalize()
            if samesite not in _SAMESITE:
                raise ConfigurationConflictError(
                    "cookie_samesite must be 'Strict', 'Lax', 'None' or None"
                )
            if samesite == "None" and not self.cookie_secure:
                raise ConfigurationConflictError("cookie_samesite='None' needs cookie_secure=True")
            self.cookie_samesite = samesite
        size = self.json_body_max_bytes
        if isinstance(size, bool) or not isinstance(size, int) or size < 256:
            raise ConfigurationConflictError(
                "json_body_max_bytes must be an integer of at least 256"
            )
        for name in ("jwt_header_prefix", "refresh_jwt_header_prefix"):
            prefix = getattr(self, name)
            if not isinstance(prefix, str) or " " in prefix.strip():
                raise ConfigurationConflictError(f"{name} must be one word like 'Bearer' (or '')")
        if "cookies" in self.token_location and self.csrf_protect:
            self.csrf_claim = True  # the value a request sent with a cookie is checked against
        super().validate()


def _locations(value: Any) -> tuple[str, ...]:
    """`token_location` as a tuple of distinct known names (old spellings accepted)."""
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, Sequence) or not value:
        raise ConfigurationConflictError(
            f"token_location must name at least one of {', '.join(TOKEN_LOCATIONS)}"
        )
    locations: list[str] = []
    for item in value:
        name = _LOCATION_ALIASES.get(item, item) if isinstance(item, str) else item
        if name not in TOKEN_LOCATIONS:
            raise ConfigurationConflictError(
                f"unknown token_location {item!r}; use any of {', '.join(TOKEN_LOCATIONS)}"
            )
        if name not in locations:
            locations.append(name)
    return tuple(locations)
