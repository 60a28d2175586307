"""The configuration of mint, verify and jwks: flags > config file > environment."""

from __future__ import annotations

import argparse
import difflib
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from jwt_core._keys import implied_algorithm
from jwt_core.cli._common import UsageError, parse_duration, warn
from jwt_core.cli._files import (
    holds_secret,
    key_specs,
    read_file,
    read_key,
    read_keys_file,
    warn_if_exposed,
)
from jwt_core.config import Config
from jwt_core.manager import TokenManager

KEY_MATERIAL = ("secret_key", "private_key", "public_key", "keys")
_DURATION_OPTIONS = ("access_token_expires", "refresh_token_expires", "leeway")


@dataclass(frozen=True)
class _KeyFile:
    """Key material to read from a file, only if its source wins the precedence."""

    path: Path
    option: str


@dataclass(frozen=True)
class _KeySpecs:
    """An inline `keys` list (config file), whose entries may name files relative to `base`."""

    value: Any
    base: Path
    where: str


def _pem_text(value: str) -> str:
    """PEM from an environment variable, where line breaks are often written as `\\n`."""
    if "\n" not in value and "\\n" in value:
        return value.replace("\\n", "\n")
    return value


def _audience(values: Sequence[str]) -> str | list[str]:
    names = [v.strip() for v in values if v.strip()]
    if not names:
        raise UsageError("the audience is empty")
    return names[0] if len(names) == 1 else names


def _env_layer(env: Mapping[str, str], found: set[str]) -> dict[str, Any]:
    """Options from JWT_* environment variables (an empty variable counts as unset)."""
    layer: dict[str, Any] = {}
    for option, variable in (
        ("secret_key", "JWT_SECRET_KEY"),
        ("private_key", "JWT_PRIVATE_KEY"),
        ("public_key", "JWT_PUBLIC_KEY"),
    ):
        inline, file = env.get(variable) or None, env.get(f"{variable}_FILE") or None
        if inline is not None and file is not None:
            raise UsageError(f"set {variable} or {variable}_FILE, not both")
        if inline is not None:
            if option != "public_key":
                found.add(inline)
            layer[option] = inline if option == "secret_key" else _pem_text(inline)
        elif file is not None:
            layer[option] = _KeyFile(Path(file), option)
    if env.get("JWT_ALGORITHM"):
        layer["algorithm"] = env["JWT_ALGORITHM"].strip().upper()
    if env.get("JWT_ISSUER"):
        layer["default_iss"] = env["JWT_ISSUER"]
    if env.get("JWT_AUDIENCE"):
        layer["default_aud"] = _audience(env["JWT_AUDIENCE"].split(","))
    return layer


def _file_layer(path: Path, found: set[str]) -> dict[str, Any]:
    """Options from a TOML file whose keys are Config option names (plus `*_file` variants)."""
    try:
        import tomllib
    except ModuleNotFoundError:
        raise UsageError(
            "--config needs Python 3.11 or newer (tomllib); on this Python give the options "
            "as flags or JWT_* environment variables"
        ) from None
    data = read_file(path, "config file")
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None
    where = f"config file {path}"
    if holds_secret(document):
        warn_if_exposed(path, "config file")
    names = Config.option_names()
    file_options = {f"{option}_file": option for option in KEY_MATERIAL}
    layer: dict[str, Any] = {}
    for name, value in document.items():
        if name in file_options:
            option = file_options[name]
            if option in document:
                raise UsageError(f"{where}: set {option} or {name}, not both")
            if not isinstance(value, str) or not value:
                raise UsageError(f"{where}: {name} must be a path")
            layer[option] = _KeyFile(path.parent / value, option)
        elif name == "keys":
            layer[name] = _KeySpecs(value, path.parent, where)
        elif name not in names:
            close = difflib.get_close_matches(name, [*names, *file_options], n=1)
            hint = f"; did you mean {close[0]!r}?" if close else ""
            raise UsageError(f"{where}: unknown option {name!r}{hint}")
        elif name in _DURATION_OPTIONS and isinstance(value, str):
            try:
                duration = parse_duration(value)
            except argparse.ArgumentTypeError as exc:
                raise UsageError(f"{where}: {name}: {exc}") from None
            if duration is False and name == "leeway":
                raise UsageError(f"{where}: leeway cannot be 'never'")
            layer[name] = duration
        else:
            if name in ("secret_key", "private_key") and isinstance(value, str):
                found.add(value)
            layer[name] = value
    return layer


def _flag_layer(args: argparse.Namespace, found: set[str]) -> dict[str, Any]:
    """Options from the command line flags."""
    layer: dict[str, Any] = {}
    if args.secret_key is not None and args.secret_key_file is not None:
        raise UsageError("give --secret-key or --secret-key-file, not both")
    if args.secret_key is not None:
        found.add(args.secret_key)
        warn(
            "--secret-key leaves the secret in the shell history and the process list; "
            "prefer --secret-key-file or JWT_SECRET_KEY"
        )
        layer["secret_key"] = args.secret_key
    for option in ("secret_key", "private_key", "public_key"):
        path = getattr(args, f"{option}_file")
        if path is not None:
            layer[option] = _KeyFile(Path(path), option)
    if args.keys_file is not None:
        layer["keys"] = _KeyFile(Path(args.keys_file), "keys")
    if args.alg is not None:
        layer["algorithm"] = args.alg
    if args.issuer is not None:
        layer["default_iss"] = args.issuer
    if args.audience:
        layer["default_aud"] = _audience(args.audience)
    if args.signing_kid is not None:
        layer["signing_key_id"] = args.signing_kid
    if args.kid is not None:
        layer["key_id"] = args.kid
    return layer


def config_options(
    args: argparse.Namespace, env: Mapping[str, str], found: set[str]
) -> dict[str, Any]:
    """The Config options from flags > config file > environment.

    Key material (secret, private/public key, key set) comes whole from the highest source
    that gives any, so keys from two sources are never mixed; other options are taken one by
    one. Without an algorithm anywhere, an RSA/EC key implies it.
    """
    layers = [_env_layer(env, found)]
    if args.config is not None:
        layers.append(_file_layer(Path(args.config), found))
    layers.append(_flag_layer(args, found))
    options: dict[str, Any] = {}
    for layer in layers:
        if any(name in layer for name in KEY_MATERIAL):
            for name in KEY_MATERIAL:
                options.pop(name, None)
        options.update(layer)
    for name in KEY_MATERIAL:
        value = options.get(name)
        if isinstance(value, _KeyFile):
            if name == "keys":
                options[name] = read_keys_file(value.path, found)
            else:
                options[name] = read_key(value.path, name, found)
        elif isinstance(value, _KeySpecs):
            options[name] = key_specs(value.value, value.base, value.where, found)
    if all(options.get(name) is None for name in KEY_MATERIAL):
        raise UsageError(
            "no key configured: give --secret-key-file, --private-key-file, --public-key-file "
            "or --keys-file (or a --config file, or JWT_SECRET_KEY, JWT_PRIVATE_KEY, "
            "JWT_PUBLIC_KEY and their *_FILE variants)"
        )
    if "algorithm" not in options and options.get("keys") is None and not options.get("secret_key"):
        implied = implied_algorithm(options.get("private_key") or options.get("public_key"))
        if implied is None:
            raise UsageError("cannot tell the algorithm from the key; give --alg")
        options["algorithm"] = implied
    return options


def configured_manager(
    args: argparse.Namespace, env: Mapping[str, str], found: set[str], **extra: Any
) -> TokenManager:
    """The TokenManager of the configuration; the core's warnings become one-line notes."""
    options = config_options(args, env, found)
    options.update(extra)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manager = TokenManager(Config(**options))
    for warning in caught:
        warn(str(warning.message))
    return manager
