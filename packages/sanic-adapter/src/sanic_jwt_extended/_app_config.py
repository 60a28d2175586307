"""Options from Sanic's `app.config`: `JWT_<OPTION>` keys, and so `SANIC_JWT_<OPTION>` env vars.

An option named `jwt_<x>` is also read from the shorter `JWT_<X>` (`JWT_HEADER_KEY` for
`jwt_header_key`), and the keys flask-jwt-extended and sanic-jwt-extended 0.4 used for the same
settings are read too (`ALIASES`), so an existing `app.config` keeps working. Two keys for one
option must agree. Sanic turns environment strings into int, float or bool where it can; each
option's value is brought back to what the option takes (seconds for durations, comma-separated
lists for sequences, a dotted import path for classes, JSON for mappings). These values are
applied when the initialize block opens, so anything set on `JWT.config` inside the block wins.
"""

from __future__ import annotations

import dataclasses
import importlib
import json
import logging
import os
from collections.abc import Callable, Mapping
from datetime import timedelta
from typing import Any

import jwt_core.blacklist
from jwt_core import ConfigurationConflictError
from sanic_jwt_extended.http_config import HttpConfig

PREFIX = "JWT_"
logger = logging.getLogger("sanic_jwt_extended")

_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class _BadValue(ValueError):
    pass


def _bool(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    if isinstance(value, int | float) and value in (0, 1):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    raise _BadValue("expected true or false")


def _seconds(value: Any, *, allow_false: bool) -> timedelta | bool:
    if isinstance(value, timedelta):
        return value
    if isinstance(value, bool):
        if value is False and allow_false:
            return False
        raise _BadValue("expected a number of seconds" + (" or false" if allow_false else ""))
    if isinstance(value, str):
        text = value.strip().lower()
        if allow_false and text in ("false", "none", "never"):
            return False
        try:
            value = float(text)
        except ValueError:
            raise _BadValue("expected a number of seconds") from None
    if isinstance(value, int | float):
        return timedelta(seconds=value)
    raise _BadValue("expected a number of seconds")


def _sequence(value: Any) -> tuple[str, ...]:
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    if isinstance(value, list | tuple):
        return tuple(str(item) for item in value)
    raise _BadValue("expected a comma-separated list")


def _audience(value: Any) -> str | list[str]:
    if isinstance(value, list | tuple):
        return [str(item) for item in value]
    text = str(value)
    return [part.strip() for part in text.split(",")] if "," in text else text


def _number(kind: type[int] | type[float]) -> Callable[[Any], int | float]:
    def convert(value: Any) -> int | float:
        if isinstance(value, bool):
            raise _BadValue(f"expected {kind.__name__}")
        try:
            return kind(value)
        except (TypeError, ValueError):
            raise _BadValue(f"expected {kind.__name__}") from None

    return convert


def _mapping(value: Any) -> Mapping[str, Any] | None:
    if value is None or isinstance(value, Mapping):
        return value
    try:
        loaded = json.loads(str(value))
    except ValueError:
        raise _BadValue("expected a JSON object") from None
    if not isinstance(loaded, dict):
        raise _BadValue("expected a JSON object")
    return loaded


def _class(value: Any) -> Any:
    """A class itself, a blacklist's name (`SQLiteBlacklist`) or `package.module:Name`."""
    if isinstance(value, type):
        return value
    text = str(value).strip()
    known = getattr(jwt_core.blacklist, text, None)
    if isinstance(known, type):
        return known
    module_name, sep, name = text.partition(":")
    if not sep:
        module_name, _, name = text.rpartition(".")
    if not module_name or not name:
        raise _BadValue("expected an import path like 'package.module:ClassName'")
    try:
        found = getattr(importlib.import_module(module_name), name)
    except (ImportError, AttributeError) as exc:
        raise _BadValue(f"cannot import it ({exc})") from None
    if not isinstance(found, type):
        raise _BadValue("it does not name a class")
    return found


def _text(key: str) -> Callable[[Any], Any]:
    """A string option: undo Sanic's int/float/bool conversion by reading the raw env value."""

    def convert(value: Any) -> Any:
        if isinstance(value, str | bytes) or value is None:
            return value
        raw = os.environ.get("SANIC_" + key)
        return raw if raw is not None else str(value)

    return convert


# Each option's declared type, as text: how a duration option is read (a default of False,
# as `sliding_session_threshold` has, says nothing about the type).
_ANNOTATIONS = {f.name: str(f.type) for f in dataclasses.fields(HttpConfig)}


def _converter(name: str, key: str) -> Callable[[Any], Any]:
    special: dict[str, Callable[[Any], Any]] = {
        "default_aud": _audience,
        "decode_audience": _audience,
        "blacklist_init_kwargs": _mapping,
        "blacklist_class": _class,
        "json_encoder": _class,
    }
    if name in special:
        return special[name]
    if "timedelta" in _ANNOTATIONS[name]:  # seconds or a timedelta; False where the type says
        allow_false = "Literal[False]" in _ANNOTATIONS[name]
        return lambda v: _seconds(v, allow_false=allow_false)
    default = HttpConfig.defaults()[name]
    if isinstance(default, bool):
        return _bool
    if isinstance(default, int | float):
        return _number(type(default))
    if isinstance(default, tuple):
        return _sequence
    return _text(key)


# Keys of flask-jwt-extended and sanic-jwt-extended 0.4 that mean what one option means here.
# (Their keys that are already `JWT_<OPTION>`, such as JWT_COOKIE_SECURE, need no entry.)
ALIASES: dict[str, str] = {
    "JWT_HEADER_NAME": "jwt_header_key",
    "JWT_HEADER_TYPE": "jwt_header_prefix",
    "JWT_ERROR_MESSAGE_KEY": "error_msg_key",
    "JWT_ACCESS_COOKIE_NAME": "jwt_cookie",
    "JWT_REFRESH_COOKIE_NAME": "refresh_jwt_cookie",
    "JWT_COOKIE_CSRF_PROTECT": "csrf_protect",
    "JWT_CSRF_METHODS": "csrf_request_methods",
    "JWT_ACCESS_CSRF_HEADER_NAME": "jwt_csrf_header",
    "JWT_REFRESH_CSRF_HEADER_NAME": "refresh_jwt_csrf_header",
    "JWT_ACCESS_CSRF_COOKIE_NAME": "access_csrf_cookie",
    "JWT_REFRESH_CSRF_COOKIE_NAME": "refresh_csrf_cookie",
    "JWT_QUERY_STRING_NAME": "jwt_query_param_name",
    "JWT_DECODE_LEEWAY": "leeway",
    "JWT_ENCODE_ISSUER": "default_iss",
    "JWT_ENCODE_AUDIENCE": "default_aud",
    "RBAC_ENABLE": "use_acl",  # sanic-jwt-extended 0.4: roles on tokens and allow/deny
}


def canonical_key(option: str) -> str:
    """The `app.config` key named after `option` itself: `JWT_<OPTION>`."""
    return PREFIX + option.upper()


def _app_config_keys() -> dict[str, str]:
    """Every key read -> its option: `JWT_<OPTION>`, the short `JWT_<X>` of `jwt_<x>`, ALIASES."""
    names = HttpConfig.option_names()
    keys = {canonical_key(name): name for name in names}
    candidates = [
        (canonical_key(name[len("jwt_") :]), name)
        for name in names
        if name.startswith("jwt_") and name[len("jwt_") :] not in names
    ]
    for key, name in [*candidates, *ALIASES.items()]:
        if keys.setdefault(key, name) != name:  # a library bug, caught by the test suite
            raise RuntimeError(f"app.config.{key} would mean both {keys[key]} and {name}")
    return keys


# app.config key -> option, for every key this library reads.
APP_CONFIG_KEYS: Mapping[str, str] = _app_config_keys()


def options_from_app_config(app_config: Mapping[str, Any]) -> dict[str, Any]:
    """The library options found in `app_config` (see `APP_CONFIG_KEYS`), converted to their types.

    An unknown `JWT_*` key is logged and ignored (other extensions may use the prefix); a value
    that cannot be converted raises `ConfigurationConflictError` naming the key, and so do two
    keys for one option (`JWT_JWT_HEADER_KEY` and `JWT_HEADER_NAME`, say) set to different
    values.
    """
    found: dict[str, tuple[str, Any]] = {}  # option -> (the key it was read from, its value)
    for key, value in app_config.items():
        if not isinstance(key, str):
            continue
        name = APP_CONFIG_KEYS.get(key)
        if name is None:
            if key.startswith(PREFIX):
                logger.warning("app.config.%s is not a sanic-jwt-extended option; ignored", key)
            continue
        try:
            converted = _converter(name, key)(value)
        except _BadValue as exc:
            raise ConfigurationConflictError(f"app.config.{key}: {exc}") from None
        if name in found:
            other, other_value = found[name]
            if other_value != converted:
                first, second = sorted((other, key))
                raise ConfigurationConflictError(
                    f"app.config.{first} and app.config.{second} both set the option {name}, "
                    f"to different values; keep one ({canonical_key(name)})"
                )
            if key != canonical_key(name):
                continue  # the same value twice: keep the canonical key as where it came from
        found[name] = (key, converted)
        if key != canonical_key(name):
            logger.debug("app.config.%s read as the option %s", key, name)
    return {name: value for name, (_, value) in found.items()}
