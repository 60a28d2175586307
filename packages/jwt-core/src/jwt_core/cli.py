"""The `jwt-core` command line: make keys, mint, verify and inspect tokens, print the JWKS.

It goes through the same `Config` and `TokenManager` an application uses, so a token the
command line accepts is one the application accepts. Every error is one line on stderr; the
exit status is 2 for usage and configuration errors, 1 for a refused token; secrets are never
printed.
"""

from __future__ import annotations

import argparse
import base64
import binascii
import difflib
import json
import os
import re
import secrets
import stat
import sys
import textwrap
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path
from typing import Any, Literal, NoReturn

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

from jwt_core import __version__
from jwt_core.config import Config
from jwt_core.errors import (
    ConfigurationConflictError,
    InvalidClaimsError,
    JWTExtendedException,
    WrongTokenError,
)
from jwt_core.keys import ALGORITHMS, build_key
from jwt_core.manager import TokenManager

__all__ = ["UsageError", "main", "parse_duration"]

PROG = "jwt-core"
EXIT_REFUSED = 1
EXIT_USAGE = 2
EXIT_BUG = 70

KEY_MATERIAL = ("secret_key", "private_key", "public_key", "keys")
_SECRET_BYTES = {"HS256": 32, "HS384": 48, "HS512": 64}
_CURVES: dict[str, ec.EllipticCurve] = {
    "ES256": ec.SECP256R1(),
    "ES384": ec.SECP384R1(),
    "ES512": ec.SECP521R1(),
}
_ALG_OF_CURVE = {"secp256r1": "ES256", "secp384r1": "ES384", "secp521r1": "ES512"}
_DURATION = re.compile(r"(\d{1,12})\s*([smhdw]?)")
_UNIT_SECONDS = {"": 1, "s": 1, "m": 60, "h": 3600, "d": 86400, "w": 604800}
_DURATION_OPTIONS = ("access_token_expires", "refresh_token_expires", "leeway")
_INSPECT_LIMIT = 1_000_000
_HIDDEN = "[hidden]"
_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # absent on Windows, where the lstat check remains
_UTC = timezone.utc


class UsageError(Exception):
    """A bad command line or configuration: reported as one line, exit status 2."""


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and go through `main`'s redaction."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see: {self.prog} --help)")


# -- small parsers ----------------------------------------------------------------------------
def parse_duration(text: str) -> timedelta | Literal[False]:
    """`30s`, `15m`, `2h`, `7d`, `1w`, plain seconds, or `never` (no expiry: False)."""
    value = text.strip().lower()
    if value == "never":
        return False
    match = _DURATION.fullmatch(value)
    if match is None:
        raise argparse.ArgumentTypeError(
            f"invalid duration {text!r}: use e.g. 30s, 15m, 2h, 7d or never"
        )
    try:
        return timedelta(seconds=int(match[1]) * _UNIT_SECONDS[match[2]])
    except OverflowError:
        raise argparse.ArgumentTypeError(f"duration {text!r} is too long") from None


def _reject_constant(name: str) -> Any:
    raise ValueError(f"{name} is not JSON")


def _parse_claim(text: str) -> tuple[str, Any]:
    """`name=value` -> (name, JSON value when `value` parses as JSON, else the string)."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"a claim is name=value, got {text!r}")
    try:
        return name, json.loads(value, parse_constant=_reject_constant)
    except (ValueError, RecursionError):
        return name, value


def _upper(text: str) -> str:
    return text.upper()


# -- configuration: flags > config file > environment -----------------------------------------
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


def _read(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or 'error'}") from None


def _warn_if_exposed(path: Path, what: str) -> None:
    """Warn (naming the file and its mode, never its content) when others may read a secret."""
    if os.name == "nt":  # no POSIX permission bits to judge by
        return
    try:
        mode = stat.S_IMODE(path.stat().st_mode)
    except OSError:
        return
    readers = [
        who for who, bit in (("group", stat.S_IRGRP), ("others", stat.S_IROTH)) if mode & bit
    ]
    if readers:
        _warn(
            f"{what} {path} is readable by {' and '.join(readers)} (mode {mode:04o}); "
            f"make it private: chmod 600 {path}"
        )


def _holds_secret(entries: Any) -> bool:
    """True when a key set (or config document) carries a secret or private key inline."""
    if isinstance(entries, dict):
        entries = entries.get("keys", [entries])
    if not isinstance(entries, list):
        return False
    members = ("secret_key", "private_key", "k", "d")
    return any(isinstance(e, dict) and any(m in e for m in members) for e in entries)


def _read_secret(path: Path, found: set[str]) -> bytes:
    """An HMAC secret file, without its trailing line break."""
    data = _read(path, "secret key file").rstrip(b"\r\n")
    if not data:
        raise UsageError(f"secret key file {path} is empty")
    found.add(data.decode("utf-8", "replace"))
    _warn_if_exposed(path, "secret key file")
    return data


def _read_key(path: Path, option: str, found: set[str]) -> bytes:
    if option == "secret_key":
        return _read_secret(path, found)
    data = _read(path, option.replace("_", " ") + " file")
    if option == "private_key":
        found.add(data.decode("utf-8", "replace").strip())
        _warn_if_exposed(path, "private key file")
    return data


def _key_specs(document: Any, base: Path, where: str, found: set[str]) -> list[Any]:
    """The entries of a JWKS document or key spec list, `*_file` members read from files."""
    entries = document["keys"] if isinstance(document, dict) and "keys" in document else document
    if not isinstance(entries, list):
        raise UsageError(
            f'{where} must hold a JWKS document {{"keys": [...]}} or a list of key specs'
        )
    specs: list[Any] = []
    for position, entry in enumerate(entries):
        if not isinstance(entry, dict):
            specs.append(entry)  # the core names the position and what is wrong
            continue
        spec = dict(entry)
        for member in ("secret_key", "private_key", "public_key"):
            file_member = f"{member}_file"
            if file_member not in spec:
                continue
            name = spec.pop(file_member)
            if member in spec:
                raise UsageError(f"{where}: keys[{position}] has both {member} and {file_member}")
            if not isinstance(name, str) or not name:
                raise UsageError(f"{where}: keys[{position}].{file_member} must be a path")
            spec[member] = _read_key(base / name, member, found)
        for member in ("secret_key", "k", "d"):
            if isinstance(spec.get(member), str):
                found.add(spec[member])
        specs.append(spec)
    return specs


def _keys_file(path: Path, found: set[str]) -> list[Any]:
    data = _read(path, "keys file")
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise UsageError(f"keys file {path} is not JSON ({exc.msg}, line {exc.lineno})") from None
    except (UnicodeDecodeError, RecursionError):
        raise UsageError(f"keys file {path} is not JSON text") from None
    if _holds_secret(document):
        _warn_if_exposed(path, "keys file")
    return _key_specs(document, path.parent, f"keys file {path}", found)


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
    data = _read(path, "config file")
    try:
        document = tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError:
        raise UsageError(f"config file {path} is not UTF-8 text") from None
    except tomllib.TOMLDecodeError as exc:
        raise UsageError(f"config file {path} is not valid TOML: {exc}") from None
    where = f"config file {path}"
    if _holds_secret(document):
        _warn_if_exposed(path, "config file")
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
        _warn(
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


def _algorithm_of(material: Any) -> str | None:
    """The algorithm a PEM key implies: RS256 for RSA, ES256/384/512 by the EC curve."""
    data = material.encode("utf-8") if isinstance(material, str) else material
    if not isinstance(data, bytes):
        return None
    key: Any = None
    try:
        key = serialization.load_pem_private_key(data, password=None)
    except (ValueError, TypeError, UnsupportedAlgorithm):
        try:
            key = serialization.load_pem_public_key(data)
        except (ValueError, TypeError, UnsupportedAlgorithm):
            return None
    if isinstance(key, rsa.RSAPrivateKey | rsa.RSAPublicKey):
        return "RS256"
    if isinstance(key, ec.EllipticCurvePrivateKey | ec.EllipticCurvePublicKey):
        return _ALG_OF_CURVE.get(key.curve.name)
    return None


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
                options[name] = _keys_file(value.path, found)
            else:
                options[name] = _read_key(value.path, name, found)
        elif isinstance(value, _KeySpecs):
            options[name] = _key_specs(value.value, value.base, value.where, found)
    if all(options.get(name) is None for name in KEY_MATERIAL):
        raise UsageError(
            "no key configured: give --secret-key-file, --private-key-file, --public-key-file "
            "or --keys-file (or a --config file, or JWT_SECRET_KEY, JWT_PRIVATE_KEY, "
            "JWT_PUBLIC_KEY and their *_FILE variants)"
        )
    if "algorithm" not in options and options.get("keys") is None and not options.get("secret_key"):
        implied = _algorithm_of(options.get("private_key") or options.get("public_key"))
        if implied is None:
            raise UsageError("cannot tell the algorithm from the key; give --alg")
        options["algorithm"] = implied
    return options


def _manager(
    args: argparse.Namespace, env: Mapping[str, str], found: set[str], **extra: Any
) -> TokenManager:
    """The TokenManager of the configuration; the core's warnings become one-line notes."""
    options = config_options(args, env, found)
    options.update(extra)
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        manager = TokenManager(Config(**options))
    for warning in caught:
        _warn(str(warning.message))
    return manager


# -- output -----------------------------------------------------------------------------------
def _warn(message: str) -> None:
    sys.stderr.write(f"{PROG}: warning: {message}\n")


def _note(message: str) -> None:
    sys.stderr.write(f"{PROG}: {message}\n")


def _redact(message: str, found: set[str]) -> str:
    """`message` on one line, without any secret this run has seen."""
    for secret in sorted(found, key=len, reverse=True):
        if len(secret) >= 4:
            message = message.replace(secret, _HIDDEN)
    return " ".join(message.split())


def _json(value: Any) -> str:
    return json.dumps(value, indent=2)


def _token_argument(value: str | None) -> str:
    """The token from the command line, or from standard input when absent or `-`."""
    if value is not None and value != "-":
        return value.strip()
    if sys.stdin is None:
        raise UsageError("no token given: pass TOKEN or pipe it on standard input")
    if sys.stdin.isatty():
        _note("reading the token from standard input (end with Ctrl-D)")
    text = sys.stdin.read(_INSPECT_LIMIT + 1).strip()
    if not text:
        raise UsageError("no token given: pass TOKEN or pipe it on standard input")
    return text


# -- keygen -----------------------------------------------------------------------------------
def _public_path(path: Path) -> Path:
    """`key.pem` -> `key.pub.pem`; `key` -> `key.pub`."""
    if path.suffix:
        return path.with_name(f"{path.stem}.pub{path.suffix}")
    return path.with_name(f"{path.name}.pub")


def _check_target(path: Path, force: bool) -> None:
    """Refuse a path that is a symbolic link (dangling or not) or not a regular file."""
    try:
        info = path.lstat()
    except FileNotFoundError:
        return
    if stat.S_ISLNK(info.st_mode):
        raise UsageError(
            f"{path} is a symbolic link; a key is never written through one (remove the link "
            "or give --out the real path)"
        )
    if not stat.S_ISREG(info.st_mode):
        raise UsageError(f"{path} is not a regular file; refusing to write a key there")
    if not force:
        raise UsageError(f"{path} already exists; use --force to overwrite it")


def _create(path: Path, data: bytes, mode: int) -> None:
    """Create `path` (never through a symlink, never over a file) with `mode` from the start."""
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL | _NOFOLLOW
    try:
        descriptor = os.open(path, flags, mode)
    except FileExistsError:  # appeared since the check (or a link a racer put there)
        raise UsageError(f"{path} already exists; use --force to overwrite it") from None
    try:
        with os.fdopen(descriptor, "wb") as stream:
            if hasattr(os, "fchmod"):
                os.fchmod(stream.fileno(), mode)  # exactly `mode` whatever the umask; no byte yet
            stream.write(data)
            stream.flush()
            os.fsync(stream.fileno())
    except BaseException:
        path.unlink(missing_ok=True)
        raise


def _write(path: Path, data: bytes, mode: int, force: bool) -> None:
    """Write a key file: a new file, or with `force` a new file renamed over the old one.

    The old file is replaced, never rewritten in place, so whoever holds it open (or a hard
    link to it) does not get the new key, and the new key is never readable under the old
    file's permissions.
    """
    _check_target(path, force)
    if not force:
        _create(path, data, mode)
        return
    temporary = path.with_name(f".{path.name}.{secrets.token_hex(6)}.tmp")
    _create(temporary, data, mode)
    try:
        os.replace(temporary, path)  # a rename replaces a link itself, never its target
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def _cmd_keygen(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    alg: str = args.alg
    out = None if args.out is None else Path(args.out)
    if args.kid is not None and not args.kid:
        raise UsageError("--kid must not be empty")
    if args.bits is not None and not alg.startswith("RS"):
        raise UsageError("--bits is only for RS* keys")
    if alg in _SECRET_BYTES:
        if args.kid is not None:
            raise UsageError(
                "an HMAC secret has no public key to label; put its kid next to it in a keys "
                "file ({kid, alg, secret_key_file})"
            )
        secret = secrets.token_urlsafe(_SECRET_BYTES[alg])
        found.add(secret)
        if out is None:
            sys.stdout.write(secret + "\n")
        else:
            _write(out, (secret + "\n").encode("ascii"), 0o600, args.force)
            _note(f"wrote a new {alg} secret to {out} (mode 0600)")
        return 0
    private: rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
    if alg.startswith("RS"):
        bits = 2048 if args.bits is None else args.bits
        if not 2048 <= bits <= 16384:
            raise UsageError("--bits must be between 2048 and 16384")
        private = rsa.generate_private_key(public_exponent=65537, key_size=bits)
    else:
        private = ec.generate_private_key(_CURVES[alg])
    private_pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    public_pem = private.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    found.add(private_pem.decode("ascii").strip())
    jwk = build_key(alg, private=private_pem, kid=args.kid).public_jwk
    if out is None:
        sys.stdout.write(private_pem.decode("ascii") + public_pem.decode("ascii"))
        sys.stdout.write(_json(jwk) + "\n")
        return 0
    public_out = _public_path(out)
    for path in (out, public_out):  # both checked before either is written
        _check_target(path, args.force)
    _write(out, private_pem, 0o600, args.force)
    _write(public_out, public_pem, 0o644, args.force)
    _note(f"wrote the {alg} private key to {out} (mode 0600) and its public key to {public_out}")
    sys.stdout.write(_json(jwk) + "\n")
    return 0


# -- mint, verify, jwks -----------------------------------------------------------------------
def _cmd_mint(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    if args.fresh and args.refresh:
        raise UsageError("--fresh is for access tokens; a refresh token is never fresh")
    claims: dict[str, Any] = {}
    for name, value in args.claim or ():
        if name in claims:
            raise UsageError(f"--claim {name} is given twice")
        claims[name] = value
    extra: dict[str, Any] = {"use_acl": True} if args.role is not None else {}
    manager = _manager(args, env, found, **extra)
    if args.refresh:
        raw = manager.create_refresh_token(
            args.identity, args.role, expires_delta=args.expires, private_claims=claims
        )
    else:
        raw = manager.create_access_token(
            args.identity,
            args.role,
            args.fresh,
            expires_delta=args.expires,
            private_claims=claims,
        )
    sys.stdout.write(raw + "\n")
    return 0


def _cmd_verify(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    manager = _manager(args, env, found)
    raw = _token_argument(args.token)
    try:
        token = manager.decode(raw)
        if args.type is not None and token.type != args.type:
            raise WrongTokenError(
                f"only {args.type} tokens are accepted here (this token's type is {token.type})"
            )
    except JWTExtendedException as exc:
        sys.stderr.write(
            f"{PROG}: token refused: {_redact(str(exc), found)} ({type(exc).__name__})\n"
        )
        return EXIT_REFUSED
    sys.stdout.write(_json(dict(token.raw_data)) + "\n")
    return 0


def _cmd_jwks(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    document = _manager(args, env, found).jwks()
    if not document["keys"]:
        _note("the configuration holds no RSA or EC key (HMAC secrets are never published)")
    sys.stdout.write(_json(document) + "\n")
    return 0


# -- inspect ----------------------------------------------------------------------------------
def _loose_b64(segment: str) -> bytes | None:
    """Decode base64url or base64, padded or not; None when it is neither."""
    cleaned = "".join(segment.split()).rstrip("=").replace("+", "-").replace("/", "_")
    if len(cleaned) % 4 == 1:
        return None
    try:
        return base64.urlsafe_b64decode(cleaned + "=" * (-len(cleaned) % 4))
    except (binascii.Error, ValueError):
        return None


def _segment_value(segment: str) -> tuple[Any, str | None]:
    """A segment's JSON value, or (None, why it is not one)."""
    data = _loose_b64(segment)
    if data is None:
        return None, "not base64url"
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        return None, f"{len(data)} bytes that are not UTF-8 text"
    try:
        return json.loads(text), None
    except (ValueError, RecursionError):
        return None, f"not JSON: {text[:200]!r}"


def _describe_time(value: Any, now: float) -> str | None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        return None
    try:
        moment = datetime.fromtimestamp(value, _UTC)
    except (OverflowError, OSError, ValueError):
        return "out of range"
    when = moment.isoformat(timespec="seconds")
    return f"{when} ({'past' if value <= now else 'future'})"


def _cmd_inspect(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    raw = _token_argument(args.token)
    if len(raw) > _INSPECT_LIMIT:
        raise UsageError(f"the token is longer than {_INSPECT_LIMIT} characters")
    if raw[:7].lower() == "bearer ":
        raw = raw[7:].strip()
    parts = raw.split(".")
    if len(parts) < 2:
        sys.stderr.write(f"{PROG}: cannot inspect: not a JWT (no '.'-separated segments)\n")
        return EXIT_REFUSED
    header, header_problem = _segment_value(parts[0])
    claims: Any = None
    claims_problem: str | None = "encrypted (JWE): the claims cannot be read without the key"
    if len(parts) != 5:
        claims, claims_problem = _segment_value(parts[1])
    if header_problem and claims_problem:
        sys.stderr.write(
            f"{PROG}: cannot inspect: header {header_problem}; claims {claims_problem}\n"
        )
        return EXIT_REFUSED
    signature = _loose_b64(parts[2]) if len(parts) == 3 else None
    now = datetime.now(_UTC).timestamp()
    times: dict[str, str] = {}
    if isinstance(claims, dict):
        for name in ("iat", "nbf", "exp"):
            described = _describe_time(claims.get(name), now)
            if described is not None:
                times[name] = described
    if args.json:
        document = {
            "verified": False,
            "header": header if header_problem is None else None,
            "claims": claims if claims_problem is None else None,
            "problems": {
                k: v for k, v in (("header", header_problem), ("claims", claims_problem)) if v
            },
            "times": times,
            "signature_bytes": None if signature is None else len(signature),
        }
        sys.stdout.write(_json(document) + "\n")
        return 0
    lines = ["UNVERIFIED: signature and claims NOT checked; do not trust any of this.", ""]
    lines += ["header:", header_problem or _json(header), ""]
    lines += ["claims:", claims_problem or _json(claims)]
    if times:
        lines += ["", "times (UTC):", *(f"  {k}: {v}" for k, v in times.items())]
    if len(parts) != 3:
        lines += ["", f"segments: {len(parts)} (a signed JWT has 3)"]
    elif signature is None:
        lines += ["", "signature: not base64url"]
    else:
        lines += ["", f"signature: {len(signature)} bytes (not checked)"]
    sys.stdout.write("\n".join(lines) + "\n")
    return 0


# -- the parser -------------------------------------------------------------------------------
def _key_options() -> _Parser:
    """The configuration flags shared by mint, verify and jwks."""
    parent = _Parser(add_help=False, allow_abbrev=False)
    group = parent.add_argument_group(
        "configuration (flags win over the --config file, which wins over the environment)"
    )
    group.add_argument(
        "--config",
        metavar="PATH",
        help="TOML file whose keys are Config option names; key material as secret_key_file, "
        "private_key_file, public_key_file, keys_file (Python 3.11+)",
    )
    group.add_argument(
        "--secret-key",
        metavar="SECRET",
        help="HMAC secret; discouraged (visible in the process list), prefer "
        "--secret-key-file or JWT_SECRET_KEY",
    )
    group.add_argument(
        "--secret-key-file",
        metavar="PATH",
        help="file holding the HMAC secret (trailing line break ignored); env JWT_SECRET_KEY_FILE",
    )
    group.add_argument(
        "--private-key-file",
        metavar="PATH",
        help="PEM private key (RS*/ES*); env JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE",
    )
    group.add_argument(
        "--public-key-file",
        metavar="PATH",
        help="PEM public key (verify only); env JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE",
    )
    group.add_argument(
        "--keys-file",
        metavar="PATH",
        help="JSON key set: a JWKS document or a list of {kid, alg, secret_key_file | "
        "private_key_file | public_key_file} (paths relative to the file)",
    )
    group.add_argument(
        "--signing-kid", metavar="KID", help="kid of the key that signs, with a key set"
    )
    group.add_argument(
        "--kid",
        metavar="KID",
        help="kid of the single key (default for RSA/EC: its RFC 7638 thumbprint)",
    )
    group.add_argument(
        "--alg",
        type=_upper,
        choices=ALGORITHMS,
        metavar="ALG",
        help=f"one of {', '.join(ALGORITHMS)}; env JWT_ALGORITHM; "
        "without it: implied by an RSA/EC key, else HS256",
    )
    group.add_argument(
        "--issuer", metavar="ISS", help="iss put into tokens and required of them; env JWT_ISSUER"
    )
    group.add_argument(
        "--audience",
        metavar="AUD",
        action="append",
        help="aud put into tokens and accepted from them (repeat for several); "
        "env JWT_AUDIENCE (comma-separated)",
    )
    return parent


_EXAMPLES = {
    "keygen": """examples:
  jwt-core keygen --alg ES256                      print private key, public key, JWK
  jwt-core keygen --alg RS256 --bits 3072 --kid 2025-01 --out rs.pem
                                                   write rs.pem (0600) and rs.pub.pem
  jwt-core keygen --alg HS256 --out secret.txt     write a random secret (0600)""",
    "mint": """examples:
  jwt-core mint --secret-key-file secret.txt --identity alice
  jwt-core mint --private-key-file es.pem --identity alice --role ADMIN --fresh --expires 5m
  jwt-core mint --config jwt.toml --identity alice --refresh \\
      --claim tenant=7 --claim 'tags=["a", "b"]' --claim note=hello""",
    "verify": """examples:
  jwt-core verify --public-key-file es.pub.pem "$TOKEN"
  echo "$TOKEN" | jwt-core verify --secret-key-file secret.txt --type access
exit status: 0 valid (claims on stdout), 1 refused (reason on stderr), 2 usage/configuration""",
    "inspect": """examples:
  jwt-core inspect "$TOKEN"
  echo "$TOKEN" | jwt-core inspect --json""",
    "jwks": """examples:
  jwt-core jwks --private-key-file es.pem > jwks.json
  jwt-core jwks --keys-file keys.json""",
}


def build_parser() -> _Parser:
    """The `jwt-core` argument parser with its five commands."""
    parser = _Parser(
        prog=PROG,
        description=textwrap.fill(
            "Generate keys, mint, verify and inspect JSON Web Tokens, print the JWKS."
        ),
        epilog="Run 'jwt-core COMMAND --help' for each command's options.",
        allow_abbrev=False,
    )
    parser.add_argument("--version", action="version", version=f"{PROG} {__version__}")
    commands = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    keys = _key_options()
    common: dict[str, Any] = {
        "formatter_class": argparse.RawDescriptionHelpFormatter,
        "allow_abbrev": False,
    }

    keygen = commands.add_parser(
        "keygen",
        help="generate a private key and its public key / JWK, or an HMAC secret",
        description=textwrap.fill(
            "Generate a key: RSA (RS*, --bits, default 2048) or EC (ES*) private key "
            "in PEM with its public key and JWK, or a random HMAC secret (HS*, base64url)."
        ),
        epilog=_EXAMPLES["keygen"],
        **common,
    )
    keygen.add_argument("--alg", required=True, type=_upper, choices=ALGORITHMS, metavar="ALG")
    keygen.add_argument("--kid", metavar="KID", help="key id (default: RFC 7638 thumbprint)")
    keygen.add_argument("--bits", type=int, metavar="N", help="RSA size, 2048 or more")
    keygen.add_argument(
        "--out",
        metavar="PATH",
        help="write the private key (or secret) to PATH with mode 0600, the public key beside "
        "it (x.pem -> x.pub.pem), and print the JWK",
    )
    keygen.add_argument("--force", action="store_true", help="overwrite existing files")
    keygen.set_defaults(handler=_cmd_keygen)

    mint = commands.add_parser(
        "mint",
        parents=[keys],
        help="create a signed access or refresh token",
        description=textwrap.fill("Create a signed token and print it."),
        epilog=_EXAMPLES["mint"],
        **common,
    )
    mint.add_argument("--identity", required=True, metavar="ID", help="the token's subject")
    mint.add_argument("--role", metavar="ROLE", help="role claim (turns use_acl on)")
    mint.add_argument("--fresh", action="store_true", help="mark the access token fresh")
    mint.add_argument("--refresh", action="store_true", help="a refresh token, not an access one")
    mint.add_argument(
        "--expires",
        type=parse_duration,
        metavar="DURATION",
        help="lifetime: 30s, 15m, 2h, 7d or never (default: the configuration's)",
    )
    mint.add_argument(
        "--claim",
        action="append",
        type=_parse_claim,
        metavar="NAME=VALUE",
        help="private claim; VALUE is read as JSON when it parses, else as a string (repeatable)",
    )
    mint.set_defaults(handler=_cmd_mint)

    verify = commands.add_parser(
        "verify",
        parents=[keys],
        help="verify a token and print its claims",
        description=textwrap.fill(
            "Verify a token's signature and registered claims as the application "
            "would, and print its claims as JSON."
        ),
        epilog=_EXAMPLES["verify"],
        **common,
    )
    verify.add_argument("token", nargs="?", metavar="TOKEN", help="the token; '-' or absent: stdin")
    verify.add_argument("--type", choices=("access", "refresh"), help="require this token type")
    verify.set_defaults(handler=_cmd_verify)

    inspect = commands.add_parser(
        "inspect",
        help="show a token's header and claims WITHOUT verifying",
        description=textwrap.fill(
            "Decode a token's header and claims without checking anything: the output "
            "is labelled UNVERIFIED and must not be trusted."
        ),
        epilog=_EXAMPLES["inspect"],
        **common,
    )
    inspect.add_argument(
        "token", nargs="?", metavar="TOKEN", help="the token; '-' or absent: stdin"
    )
    inspect.add_argument("--json", action="store_true", help="one JSON document, for scripts")
    inspect.set_defaults(handler=_cmd_inspect)

    jwks = commands.add_parser(
        "jwks",
        parents=[keys],
        help="print the public JWK Set of the configured keys",
        description=textwrap.fill(
            "Print the public JWK Set (RFC 7517) of the configured RSA and EC keys."
        ),
        epilog=_EXAMPLES["jwks"],
        **common,
    )
    jwks.set_defaults(handler=_cmd_jwks)
    return parser


# -- entry point ------------------------------------------------------------------------------
def _known_secrets(arguments: Sequence[str], env: Mapping[str, str]) -> set[str]:
    """Secrets given on the command line or in the environment, to keep out of any message."""
    found = {env[name] for name in ("JWT_SECRET_KEY", "JWT_PRIVATE_KEY") if env.get(name)}
    for position, argument in enumerate(arguments):
        if argument == "--secret-key" and position + 1 < len(arguments):
            found.add(arguments[position + 1])
        elif argument.startswith("--secret-key="):
            found.add(argument.partition("=")[2])
    return found


def _unrecognized(extras: Sequence[str]) -> str:
    """Name unknown options without their values, which may be secrets."""
    names = [e.partition("=")[0] + ("=..." if "=" in e else "") for e in extras if e[:1] == "-"]
    values = len(extras) - len(names)
    parts = names + ([f"{values} unexpected value(s), not shown"] if values else [])
    return "unrecognized arguments: " + ", ".join(parts)


def main(argv: Sequence[str] | None = None) -> int:
    """Run one command; return the exit status (never raises, never prints a traceback)."""
    arguments = list(sys.argv[1:] if argv is None else argv)
    found = _known_secrets(arguments, os.environ)
    try:
        parser = build_parser()
        args, extras = parser.parse_known_args(arguments)
        if extras:
            raise UsageError(f"{_unrecognized(extras)} (see: {PROG} --help)")
        if args.command is None:
            raise UsageError(
                f"choose a command: keygen, mint, verify, inspect or jwks (see: {PROG} --help)"
            )
        status: int = args.handler(args, os.environ, found)
        sys.stdout.flush()
        return status
    except (UsageError, ConfigurationConflictError, InvalidClaimsError) as exc:
        sys.stderr.write(f"{PROG}: error: {_redact(str(exc), found)}\n")
        return EXIT_USAGE
    except JWTExtendedException as exc:
        sys.stderr.write(f"{PROG}: error: {_redact(str(exc), found)} ({type(exc).__name__})\n")
        return EXIT_USAGE
    except BrokenPipeError:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        return EXIT_REFUSED
    except OSError as exc:
        where = f" {exc.filename}" if exc.filename else ""
        sys.stderr.write(f"{PROG}: error:{where} {exc.strerror or type(exc).__name__}\n")
        return EXIT_USAGE
    except KeyboardInterrupt:
        sys.stderr.write(f"{PROG}: interrupted\n")
        return 130
    except SystemExit as exc:  # --help and --version
        return exc.code if isinstance(exc.code, int) else 0
    except Exception as exc:
        sys.stderr.write(
            f"{PROG}: error: unexpected {type(exc).__name__}; this is a bug, please report it\n"
        )
        return EXIT_BUG


if __name__ == "__main__":
    sys.exit(main())
