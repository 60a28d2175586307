"""`Config`: the core's options (keys, claims, checks, revocation), validated once and frozen.

Where tokens travel over HTTP (headers, cookies, CSRF names and methods, cookie attributes,
`error_msg_key`) is the Sanic adapter's concern: its options are those of
`sanic_jwt_extended.HttpConfig`, a subclass of `Config`. Given to a core `Config`, those names
still work, with a `DeprecationWarning` naming their new home (`_MOVED`); the core uses
none of them except to derive `csrf_claim` from `token_location` and `csrf_protect`.
"""

from __future__ import annotations

import dataclasses
import difflib
import functools
import json
import warnings
from collections.abc import Callable, Mapping, Sequence
from datetime import timedelta
from typing import TYPE_CHECKING, Any, Literal, TypeVar

from jwt_core.blacklist.base import DEFAULT_SKEW_MARGIN, BlacklistABC
from jwt_core.blacklist.memory import InMemoryBlacklist
from jwt_core.errors import ConfigFrozenError, ConfigurationConflictError

__all__ = ["Config"]

_C = TypeVar("_C", bound="Config")

# The options of the Sanic adapter (`sanic_jwt_extended.HttpConfig`) that a core Config used
# to hold, with their defaults: still accepted and returned, with a DeprecationWarning.
_MOVED: dict[str, Any] = {
    "token_location": ("headers",),
    "jwt_header_key": "Authorization",
    "refresh_jwt_header_key": "X-Refresh-Token",
    "jwt_header_prefix": "Bearer",
    "refresh_jwt_header_prefix": "Bearer",
    "jwt_cookie": "access_token_cookie",
    "refresh_jwt_cookie": "refresh_token_cookie",
    "jwt_query_param_name": "jwt",
    "jwt_json_key": "access_token",
    "refresh_json_key": "refresh_token",
    "json_body_max_bytes": 65536,
    "csrf_protect": True,
    "csrf_request_methods": ("POST", "PUT", "PATCH", "DELETE"),
    "jwt_csrf_header": "X-CSRF-Token",
    "refresh_jwt_csrf_header": "X-CSRF-Token",
    "csrf_in_cookies": True,
    "access_csrf_cookie": "csrf_access_token",
    "refresh_csrf_cookie": "csrf_refresh_token",
    "cookie_secure": True,
    "cookie_samesite": "Lax",
    "cookie_domain": None,
    "access_cookie_path": "/",
    "refresh_cookie_path": "/",
    "access_csrf_cookie_path": "/",
    "refresh_csrf_cookie_path": "/",
    "error_msg_key": "msg",
}
# Attributes of a Config that are not options.
_PRIVATE = frozenset({"_frozen", "_moved_values"})


def _warn_moved(name: str, stacklevel: int) -> None:
    hint = "; the core's own part is csrf_claim=True" if name in _CSRF_SOURCES else ""
    warnings.warn(
        f"{name!r} is an option of the Sanic adapter, no longer of jwt_core.Config: set it "
        f"on JWT.config, or use sanic_jwt_extended.HttpConfig{hint} "
        "(see docs/migration/sanic-jwt-extended.md)",
        DeprecationWarning,
        stacklevel=stacklevel + 1,
    )


# The moved options a core Config derives its csrf_claim from, for code written before.
_CSRF_SOURCES = ("token_location", "csrf_protect")


def _legacy_csrf_claim(moved: Mapping[str, Any]) -> bool:
    """What a core Config used to mint: a csrf claim with cookies and csrf_protect on."""
    locations = moved.get("token_location", _MOVED["token_location"])
    if isinstance(locations, str):
        locations = locations.replace(",", " ").split()
    if not isinstance(locations, list | tuple):
        return False
    cookies = any(item in ("cookies", "cookie") for item in locations)
    return cookies and bool(moved.get("csrf_protect", _MOVED["csrf_protect"]))


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
    """The options of jwt_core, with the documented defaults.

    Set options by keyword or attribute until the config is validated (by `TokenManager`, or
    when `JWT.initialize`'s block closes); afterwards it is frozen. Unknown option names are
    refused at once. The Sanic adapter's `HttpConfig` adds the options of where tokens travel.
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
    # a random `csrf` claim in every token, for double-submit CSRF checks (the adapter turns
    # it on when tokens travel in cookies with csrf_protect)
    csrf_claim: bool = False
    max_token_length: int = 8192
    verified_token_cache_size: int = 1024
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

    _frozen: bool = dataclasses.field(default=False, init=False, repr=False)
    # Options of the adapter given to a core Config (older code): name -> value.
    _moved_values: dict[str, Any] = dataclasses.field(default_factory=dict, init=False, repr=False)

    def __new__(cls: type[_C], *args: Any, **options: Any) -> _C:
        """Refuse an unknown option name with a suggestion, for this class and subclasses."""
        known = _option_set(cls)
        for name in options:
            if name not in known and name not in _MOVED:
                raise cls._unknown(name)
        return super().__new__(cls)

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
        if name in _PRIVATE:
            object.__setattr__(self, name, value)
            return
        own = name in _option_set(type(self))
        if not own and name not in _MOVED:
            raise self._unknown(name)
        if getattr(self, "_frozen", False):
            raise ConfigFrozenError(
                f"cannot set {name!r}: the configuration is frozen once validated "
                "(set options inside the JWT.initialize block, or before TokenManager(...))"
            )
        if own:
            object.__setattr__(self, name, value)
        else:
            _warn_moved(name, stacklevel=2)
            self._moved_values[name] = value

    if not TYPE_CHECKING:  # the moved names are not attributes to type checkers

        def __getattr__(self, name: str) -> Any:
            if name in _MOVED:
                _warn_moved(name, stacklevel=2)
                return self.__dict__.get("_moved_values", {}).get(name, _MOVED[name])
            raise AttributeError(f"{type(self).__name__!r} object has no attribute {name!r}")

    def _moved_option(self, name: str) -> Any:
        """A moved option's value, without the warning: a subclass's own, or the given one."""
        if name in _option_set(type(self)):
            return getattr(self, name)
        return self._moved_values.get(name, _MOVED[name])

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
        size = self.max_token_length
        if isinstance(size, bool) or not isinstance(size, int) or size < 256:
            raise ConfigurationConflictError("max_token_length must be an integer of at least 256")
        if not isinstance(self.csrf_claim, bool):
            raise ConfigurationConflictError("csrf_claim must be True or False")
        if any(name in self._moved_values for name in _CSRF_SOURCES):
            self.csrf_claim = self.csrf_claim or _legacy_csrf_claim(self._moved_values)
        size = self.verified_token_cache_size
        if isinstance(size, bool) or not isinstance(size, int) or size < 0:
            raise ConfigurationConflictError(
                "verified_token_cache_size must be a non-negative integer (0 turns it off)"
            )
        if self.public_claim_namespace and not isinstance(self.public_claim_namespace, str):
            raise ConfigurationConflictError("public_claim_namespace must be a string")
        if not isinstance(self.private_claim_prefix, str):
            raise ConfigurationConflictError("private_claim_prefix must be a string")
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


_OPTION_SETS: dict[type[Config], frozenset[str]] = {}


def _option_set(cls: type[Config]) -> frozenset[str]:
    """The option names of `cls` (Config or a subclass), for the checks on every assignment."""
    names = _OPTION_SETS.get(cls)
    if names is None:
        names = _OPTION_SETS[cls] = frozenset(cls.option_names())
    return names


def _take_moved(init: Callable[..., None]) -> Callable[..., None]:
    """Let `Config(...)` still take the adapter's options older code gives it, with a warning."""

    @functools.wraps(init)
    def __init__(self: Config, **options: Any) -> None:
        moved = {name: options.pop(name) for name in list(options) if name in _MOVED}
        init(self, **options)
        for name, value in moved.items():
            _warn_moved(name, stacklevel=2)
            self._moved_values[name] = value

    return __init__


Config.__init__ = _take_moved(Config.__init__)  # type: ignore[method-assign]

if not TYPE_CHECKING:

    def __getattr__(name: str) -> Any:
        if name == "TOKEN_LOCATIONS":  # where tokens travel: the adapter's now
            warnings.warn(
                "jwt_core.config.TOKEN_LOCATIONS moved to sanic_jwt_extended.http_config",
                DeprecationWarning,
                stacklevel=2,
            )
            return ("headers", "cookies", "query_string", "json")
        raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
