"""The `jwt-core` argument parser: five commands, their flags, help and examples."""

from __future__ import annotations

import argparse
import json
import textwrap
from collections.abc import Callable, Mapping
from typing import Any, NoReturn

from jwt_core import __version__
from jwt_core._jws import _no_constants
from jwt_core._keys import ALGORITHMS, MIN_RSA_BITS
from jwt_core.cli._commands import run_jwks, run_mint, run_verify
from jwt_core.cli._common import PROG, UsageError, parse_duration
from jwt_core.cli._inspect import run_inspect
from jwt_core.cli._keygen import run_keygen

Handler = Callable[[argparse.Namespace, Mapping[str, str], set[str]], int]


class _Parser(argparse.ArgumentParser):
    """An ArgumentParser whose errors are one line and go through `main`'s redaction."""

    def error(self, message: str) -> NoReturn:
        raise UsageError(f"{message} (see: {self.prog} --help)")


def _parse_claim(text: str) -> tuple[str, Any]:
    """`name=value` -> (name, JSON value when `value` parses as JSON, else the string)."""
    name, sep, value = text.partition("=")
    if not sep or not name:
        raise argparse.ArgumentTypeError(f"a claim is name=value, got {text!r}")
    try:
        return name, json.loads(value, parse_constant=_no_constants)
    except (ValueError, RecursionError):
        return name, value


def _upper(text: str) -> str:
    """An algorithm name in its registered spelling, whatever its case (hs256, eddsa)."""
    return next((alg for alg in ALGORITHMS if alg.upper() == text.upper()), text)


# The configuration flags of mint, verify and jwks: (flag, metavar, help).
_CONFIGURATION_FLAGS = (
    (
        "--config",
        "PATH",
        "TOML file whose keys are Config option names; key material as secret_key_file, "
        "private_key_file, public_key_file, keys_file (Python 3.11+)",
    ),
    (
        "--secret-key",
        "SECRET",
        "HMAC secret; discouraged (visible in the process list), prefer "
        "--secret-key-file or JWT_SECRET_KEY",
    ),
    (
        "--secret-key-file",
        "PATH",
        "file holding the HMAC secret (trailing line break ignored); env JWT_SECRET_KEY_FILE",
    ),
    (
        "--private-key-file",
        "PATH",
        "PEM private key (RS*/ES*); env JWT_PRIVATE_KEY or JWT_PRIVATE_KEY_FILE",
    ),
    (
        "--public-key-file",
        "PATH",
        "PEM public key (verify only); env JWT_PUBLIC_KEY or JWT_PUBLIC_KEY_FILE",
    ),
    (
        "--keys-file",
        "PATH",
        "JSON key set: a JWKS document or a list of {kid, alg, secret_key_file | "
        "private_key_file | public_key_file} (paths relative to the file)",
    ),
    ("--signing-kid", "KID", "kid of the key that signs, with a key set"),
    ("--kid", "KID", "kid of the single key (default for RSA/EC: its RFC 7638 thumbprint)"),
)


def _key_options() -> _Parser:
    """The configuration flags shared by mint, verify and jwks."""
    parent = _Parser(add_help=False, allow_abbrev=False)
    group = parent.add_argument_group(
        "configuration (flags win over the --config file, which wins over the environment)"
    )
    for flag, metavar, text in _CONFIGURATION_FLAGS:
        group.add_argument(flag, metavar=metavar, help=text)
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


def _command(
    commands: argparse._SubParsersAction[_Parser],
    name: str,
    handler: Handler,
    summary: str,
    description: str,
    configured: _Parser | None = None,
) -> _Parser:
    """One command, its examples as epilog; `configured` adds the configuration flags."""
    command = commands.add_parser(
        name,
        parents=[] if configured is None else [configured],
        help=summary,
        description=textwrap.fill(description),
        epilog=_EXAMPLES[name],
        formatter_class=argparse.RawDescriptionHelpFormatter,
        allow_abbrev=False,
    )
    command.set_defaults(handler=handler)
    return command


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
    configured = _key_options()

    keygen = _command(
        commands,
        "keygen",
        run_keygen,
        "generate a private key and its public key / JWK, or an HMAC secret",
        f"Generate a key: RSA (RS*, --bits, default {MIN_RSA_BITS}) or EC (ES*) private key "
        "in PEM with its public key and JWK, or a random HMAC secret (HS*, base64url).",
    )
    keygen.add_argument("--alg", required=True, type=_upper, choices=ALGORITHMS, metavar="ALG")
    keygen.add_argument("--kid", metavar="KID", help="key id (default: RFC 7638 thumbprint)")
    keygen.add_argument("--bits", type=int, metavar="N", help=f"RSA size, {MIN_RSA_BITS} or more")
    keygen.add_argument(
        "--out",
        metavar="PATH",
        help="write the private key (or secret) to PATH with mode 0600, the public key beside "
        "it (x.pem -> x.pub.pem), and print the JWK",
    )
    keygen.add_argument("--force", action="store_true", help="overwrite existing files")

    mint = _command(
        commands,
        "mint",
        run_mint,
        "create a signed access or refresh token",
        "Create a signed token and print it.",
        configured,
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

    verify = _command(
        commands,
        "verify",
        run_verify,
        "verify a token and print its claims",
        "Verify a token's signature and registered claims as the application "
        "would, and print its claims as JSON.",
        configured,
    )
    verify.add_argument("token", nargs="?", metavar="TOKEN", help="the token; '-' or absent: stdin")
    verify.add_argument("--type", choices=("access", "refresh"), help="require this token type")

    inspect = _command(
        commands,
        "inspect",
        run_inspect,
        "show a token's header and claims WITHOUT verifying",
        "Decode a token's header and claims without checking anything: the output "
        "is labelled UNVERIFIED and must not be trusted.",
    )
    inspect.add_argument(
        "token", nargs="?", metavar="TOKEN", help="the token; '-' or absent: stdin"
    )
    inspect.add_argument("--json", action="store_true", help="one JSON document, for scripts")

    _command(
        commands,
        "jwks",
        run_jwks,
        "print the public JWK Set of the configured keys",
        "Print the public JWK Set (RFC 7517) of the configured RSA and EC keys.",
        configured,
    )
    return parser
