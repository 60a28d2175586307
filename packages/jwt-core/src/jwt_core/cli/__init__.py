"""The `jwt-core` command line: make keys, mint, verify and inspect tokens, print the JWKS.

It goes through the same `Config` and `TokenManager` an application uses, so a token the
command line accepts is one the application accepts. Every error is one line on stderr; the
exit status is 2 for usage and configuration errors, 1 for a refused token; secrets are never
printed.

The parts: `_common` (names, exit statuses, output), `_files` (reading and writing key files),
`_sources` (flags > config file > environment), one module per command group (`_keygen`,
`_commands` for mint/verify/jwks, `_inspect`), and `_parser`.
"""

from __future__ import annotations

import os
import sys
from collections.abc import Mapping, Sequence

from jwt_core.cli._common import (
    EXIT_BUG,
    EXIT_REFUSED,
    EXIT_USAGE,
    PROG,
    UsageError,
    redact,
)
from jwt_core.cli._parser import build_parser
from jwt_core.errors import ConfigurationConflictError, InvalidClaimsError, JWTExtendedException

__all__ = ["main"]


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
        sys.stderr.write(f"{PROG}: error: {redact(str(exc), found)}\n")
        return EXIT_USAGE
    except JWTExtendedException as exc:
        sys.stderr.write(f"{PROG}: error: {redact(str(exc), found)} ({type(exc).__name__})\n")
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
