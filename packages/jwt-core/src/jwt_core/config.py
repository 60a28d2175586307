"""`Config`: every option of the library, validated once and then frozen."""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import Any, Literal

from jwt_core.blacklist.base import DEFAULT_SKEW_MARGIN, BlacklistABC
from jwt_core.blacklist.memory import InMemoryBlacklist
from jwt_core.errors import ConfigFrozenError, ConfigurationConflictError

__all__ = ["TOKEN_LOCATIONS", "Config"]

TOKEN_LOCATIONS = ("headers", "cookies", "query_string", "json")
_LOCATION_ALIASES = {"header": "headers", "query": "query_string", "cookie": "cookies"}
_SAMESITE = ("Strict", "Lax", "None")


def _positive_delta(name: str, value: Any, *, allow_false: bool) -> timedelta | Literal[False]:
    """Normalise an expiry-like option: a timedelta, seconds as a number, or False."""
    if value is False and allow_false:
        return False
    if isinstance(value, bool):
        raise ConfigurationConflictError(f"{name} must be a timedelta or False, not {value!r}")
    if isinstance(value, int | float):
        value = timedelta(seconds=value)
    if not isinstance(value, timedelta):
        raise ConfigurationConflictError(f"{name} must be a timedelta, got {type(value).__name__}")
    if value < timedelta(0):
        raise ConfigurationConflictError(f"{name} must not be negative")
    return value


@dataclasses.dataclass(kw_only=True, eq=False)
class Config:
    """Every option of jwt_core and of the Sanic adapter, with the documented defaults.

    Set options by keyword or attribute until the config is validated (by `TokenManager`, or
    when `JWT.initialize`'s block closes); afterwards it is frozen. Unknown option names are
    refused at once.
    """

    # keys and algorithm
    secret_key: str | bytes | None = None
    private_key: str | bytes | None = None
    public_key: str | bytes | None = None
    algorithm: str = "HS256"
    keys: Sequence[Mapping[str, Any]] | Mapping[str, Any] | None = None
    signing_key_id: str | None = None
    key_id: str | None = None
    # claims put into every token, and what is accepted when verifying
    default_iss: str | None = None
    default_aud: str | list[str] | None = None
    decode_issuer: str | None = None
    decode_audience: str | list[str] | None = None
    leeway: timedelta = timedelta(0)
    json_encoder: type[json.JSONEncoder] = json.JSONEncoder
    access_token_expires: timedelta | Literal[False] = timedelta(minutes=15)
    refresh_token_expires: timedelta | Literal[False] = timedelta(days=30)
    public_claim_namespace: str = ""
    private_claim_prefix: str = ""
    use_acl: bool = False
    acl_claim: str = "role"
    max_token_length: int = 8192
    verified_token_cache_size: int = 1024
    # where tokens travel (read by the adapter)
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
    # revocation
    use_blacklist: bool = False
    blacklist_class: type[BlacklistABC] = InMemoryBlacklist
    blacklist_init_kwargs: Mapping[str, Any] | None = None
    blacklist_timeout: float = 1.0
    blacklist_skew_margin: timedelta = DEFAULT_SKEW_MARGIN
    # sessions (jwt_core.sessions: refresh-token rotation, reuse detection, sliding)
    refresh_reuse_grace: timedelta = timedelta(seconds=10)
    session_max_age: timedelta | Literal[False] = timedelta(days=30)
    sliding_session_threshold: timedelta | Literal[False] = False
    # responses
    error_msg_key: str = "msg"

    _frozen: bool = dataclasses.field(default=False, init=False, repr=False)

    @classmethod
    def option_names(cls) -> tuple[str, ...]:
        """The names of every option, in declaration order."""
        return tuple(f.name for f in dataclasses.fields(cls) if f.init)

    @classmethod
    def defaults(cls) -> dict[str, Any]:
        """Every option's default value."""
        return {name: getattr(cls, name) for name in cls.option_names()}

    @classmethod
    def _unknown(cls, name: str) -> ConfigurationConflictError:
        close = difflib.get_close_matches(name, cls.option_names(), n=1)
        hint = f"; did you mean {close[0]!r}?" if close else ""
        return ConfigurationConflictError(f"unknown configuration option {name!r}{hint}")

    def __setattr__(self, name: str, value: Any) -> None:
        if name != "_frozen":
            if name not in _OPTION_SET:
                raise self._unknown(name)
            if getattr(self, "_frozen", False):
                raise ConfigFrozenError(
                    f"cannot set {name!r}: the configuration is frozen once validated "
                    "(set options inside the JWT.initialize block, or before TokenManager(...))"
                )
        object.__setattr__(self, name, value)

    def update(self, options: Mapping[str, Any]) -> None:
        """Set several options at once (each name checked as for attribute assignment)."""
        for name, value in options.items():
            setattr(self, name, value)

    @property
    def frozen(self) -> bool:
        """Whether the config has been validated and can no longer change."""
        return self._frozen

    # -- validation -------------------------------------------------------------------------
    def validate(self) -> None:
        """Normalise and check every option, raise `ConfigurationConflictError`, then freeze.

        Keys are checked (and parsed) by the key module when the TokenManager builds them; this
        checks everything else.
        """
        if self._frozen:
            return
        self.token_location = self._locations(self.token_location)
        self.access_token_expires = _positive_delta(
            "access_token_expires", self.access_token_expires, allow_false=True
        )
        self.refresh_token_expires = _positive_delta(
            "refresh_token_expires", self.refresh_token_expires, allow_false=True
        )
        leeway = _positive_delta("leeway", self.leeway, allow_false=False)
        assert leeway is not False
        self.leeway = leeway
        margin = _positive_delta(
            "blacklist_skew_margin", self.blacklist_skew_margin, allow_false=False
        )
        assert margin is not False
        self.blacklist_skew_margin = margin
        if not isinstance(self.algorithm, str) or not self.algorithm:
            raise ConfigurationConflictError("algorithm must be a non-empty string like 'HS256'")
        methods = self.csrf_request_methods
        if isinstance(methods, str):
            methods = methods.replace(",", " ").split()
        self.csrf_request_methods = tuple(str(m).upper() for m in methods)
        for name in ("default_aud", "decode_audience"):
            value = getattr(self, name)
            if isinstance(value, list | tuple):
                if not value or not all(isinstance(a, str) and a for a in value):
                    raise ConfigurationConflictError(f"{name} must be non-empty strings")
                setattr(self, name, list(value))
            elif value is not None and (not isinstance(value, str) or not value):
                raise ConfigurationConflictError(f"{name} must be a non-empty string or a list")
        for name in ("default_iss", "decode_issuer"):
            value = getattr(self, name)
            if value is not None and (not isinstance(value, str) or not value):
                raise ConfigurationConflictError(f"{name} must be a non-empty string")
        if self.decode_audience is None:
            self.decode_audience = self.default_aud
        if self.decode_issuer is None:
            self.decode_issuer = self.default_iss
        if not (
            isinstance(self.json_encoder, type) and issubclass(self.json_encoder, json.JSONEncoder)
        ):
            raise ConfigurationConflictError("json_encoder must be a json.JSONEncoder subclass")
        if not isinstance(self.acl_claim, str) or not self.acl_claim:
            raise ConfigurationConflictError("acl_claim must be a non-empty string")
        if not (
            isinstance(self.blacklist_class, type)
            and issubclass(self.blacklist_class, BlacklistABC)
        ):
            raise ConfigurationConflictError(
                "blacklist_class must be a BlacklistABC subclass (the class, not an instance)"
            )
        if self.blacklist_init_kwargs is not None and not isinstance(
            self.blacklist_init_kwargs, Mapping
        ):
            raise ConfigurationConflictError("blacklist_init_kwargs must be a mapping or None")
        if (
            isinstance(self.blacklist_timeout, bool)
            or not isinstance(self.blacklist_timeout, int | float)
            or not self.blacklist_timeout > 0
        ):
            raise ConfigurationConflictError(
                "blacklist_timeout must be a positive number of seconds"
            )
        if self.cookie_samesite is not None:
            samesite = str(self.cookie_samesite).capitalize()
            if samesite not in _SAMESITE:
                raise ConfigurationConflictError(
                    "cookie_samesite must be 'Strict', 'Lax', 'None' or None"
                )
            if samesite == "None" and not self.cookie_secure:
                raise ConfigurationConflictError("cookie_samesite='None' needs cookie_secure=True")
            self.cookie_samesite = samesite
        for name in ("max_token_length", "json_body_max_bytes"):
            size = getattr(self, name)
            if isinstance(size, bool) or not isinstance(size, int) or size < 256:
                raise ConfigurationConflictError(f"{name} must be an integer of at least 256")
        size = self.verified_token_cache_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ConfigurationConflictError(
                "verified_token_cache_size must be a non-negative integer (0 turns it off)"
            )
        if self.public_claim_namespace and not isinstance(self.public_claim_namespace, str):
            raise ConfigurationConflictError("public_claim_namespace must be a string")
        if not isinstance(self.private_claim_prefix, str):
            raise ConfigurationConflictError("private_claim_prefix must be a string")
        for name in ("jwt_header_prefix", "refresh_jwt_header_prefix"):
            prefix = getattr(self, name)
            if not isinstance(prefix, str) or " " in prefix.strip():
                raise ConfigurationConflictError(f"{name} must be one word like 'Bearer' (or '')")
        self._validate_sessions()
        self._frozen = True

    def _validate_sessions(self) -> None:
        """The sessions section: a grace shorter than a refresh token lives, a positive maximum
        age, and a sliding threshold below the access lifetime (else every request slides)."""
        grace = _positive_delta("refresh_reuse_grace", self.refresh_reuse_grace, allow_false=False)
        assert grace is not False
        refresh = self.refresh_token_expires
        if refresh is not False and grace >= refresh:
            raise ConfigurationConflictError(
                "refresh_reuse_grace must be shorter than refresh_token_expires"
            )
        self.refresh_reuse_grace = grace
        max_age = _positive_delta("session_max_age", self.session_max_age, allow_false=True)
        if max_age is not False and max_age <= timedelta(0):
            raise ConfigurationConflictError("session_max_age must be positive, or False")
        self.session_max_age = max_age
        threshold = _positive_delta(
            "sliding_session_threshold", self.sliding_session_threshold, allow_false=True
        )
        access = self.access_token_expires
        if threshold is not False and (access is False or threshold >= access):
            raise ConfigurationConflictError(
                "sliding_session_threshold must be shorter than access_token_expires (else "
                "every request would get a new access token), or False"
            )
        self.sliding_session_threshold = threshold

    @staticmethod
    def _locations(value: Any) -> tuple[str, ...]:
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


_OPTION_SET = frozenset(Config.option_names())


def _refuse_unknown(init: Callable[..., None]) -> Callable[..., None]:
    """Turn the dataclass's TypeError for an unknown keyword into a named, helpful error."""

    @functools.wraps(init)
    def __init__(self: Config, **options: Any) -> None:
        for name in options:
            if name not in _OPTION_SET:
                raise Config._unknown(name)
        init(self, **options)

    return __init__


Config.__init__ = _refuse_unknown(Config.__init__)  # type: ignore[method-assign]
