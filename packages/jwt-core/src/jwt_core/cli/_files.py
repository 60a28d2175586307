"""Key files: read with a warning when others can read a secret, written never through a link."""

from __future__ import annotations

import json
import os
import secrets
import stat
from pathlib import Path
from typing import Any

from jwt_core.cli._common import UsageError, warn

_NOFOLLOW = getattr(os, "O_NOFOLLOW", 0)  # absent on Windows, where the lstat check remains


def read_file(path: Path, what: str) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise UsageError(f"cannot read {what} {path}: {exc.strerror or 'error'}") from None


def warn_if_exposed(path: Path, what: str) -> None:
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
        warn(
            f"{what} {path} is readable by {' and '.join(readers)} (mode {mode:04o}); "
            f"make it private: chmod 600 {path}"
        )


def holds_secret(entries: Any) -> bool:
    """True when a key set (or config document) carries a secret or private key inline."""
    if isinstance(entries, dict):
        entries = entries.get("keys", [entries])
    if not isinstance(entries, list):
        return False
    members = ("secret_key", "private_key", "k", "d")
    return any(isinstance(e, dict) and any(m in e for m in members) for e in entries)


def _read_secret(path: Path, found: set[str]) -> bytes:
    """An HMAC secret file, without its trailing line break."""
    data = read_file(path, "secret key file").rstrip(b"\r\n")
    if not data:
        raise UsageError(f"secret key file {path} is empty")
    found.add(data.decode("utf-8", "replace"))
    warn_if_exposed(path, "secret key file")
    return data


def read_key(path: Path, option: str, found: set[str]) -> bytes:
    if option == "secret_key":
        return _read_secret(path, found)
    data = read_file(path, option.replace("_", " ") + " file")
    if option == "private_key":
        found.add(data.decode("utf-8", "replace").strip())
        warn_if_exposed(path, "private key file")
    return data


def key_specs(document: Any, base: Path, where: str, found: set[str]) -> list[Any]:
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
            spec[member] = read_key(base / name, member, found)
        for member in ("secret_key", "k", "d"):
            if isinstance(spec.get(member), str):
                found.add(spec[member])
        specs.append(spec)
    return specs


def read_keys_file(path: Path, found: set[str]) -> list[Any]:
    data = read_file(path, "keys file")
    try:
        document = json.loads(data)
    except json.JSONDecodeError as exc:
        raise UsageError(f"keys file {path} is not JSON ({exc.msg}, line {exc.lineno})") from None
    except (UnicodeDecodeError, RecursionError):
        raise UsageError(f"keys file {path} is not JSON text") from None
    if holds_secret(document):
        warn_if_exposed(path, "keys file")
    return key_specs(document, path.parent, f"keys file {path}", found)


def check_target(path: Path, force: bool) -> None:
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


def write_key(path: Path, data: bytes, mode: int, force: bool) -> None:
    """Write a key file: a new file, or with `force` a new file renamed over the old one.

    The old file is replaced, never rewritten in place, so whoever holds it open (or a hard
    link to it) does not get the new key, and the new key is never readable under the old
    file's permissions.
    """
    check_target(path, force)
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
