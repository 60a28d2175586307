"""`jwt-core mint`, `verify` and `jwks`: the configured TokenManager at work."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Mapping
from typing import Any

from jwt_core.cli._common import (
    EXIT_REFUSED,
    PROG,
    UsageError,
    note,
    redact,
    to_json,
    token_argument,
)
from jwt_core.cli._sources import configured_manager
from jwt_core.errors import JWTExtendedException, WrongTokenError


def run_mint(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    if args.fresh and args.refresh:
        raise UsageError("--fresh is for access tokens; a refresh token is never fresh")
    claims: dict[str, Any] = {}
    for name, value in args.claim or ():
        if name in claims:
            raise UsageError(f"--claim {name} is given twice")
        claims[name] = value
    extra: dict[str, Any] = {"use_acl": True} if args.role is not None else {}
    manager = configured_manager(args, env, found, **extra)
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


def run_verify(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    manager = configured_manager(args, env, found)
    raw = token_argument(args.token)
    try:
        token = manager.decode(raw)
        if args.type is not None and token.type != args.type:
            raise WrongTokenError(
                f"only {args.type} tokens are accepted here (this token's type is {token.type})"
            )
    except JWTExtendedException as exc:
        sys.stderr.write(
            f"{PROG}: token refused: {redact(str(exc), found)} ({type(exc).__name__})\n"
        )
        return EXIT_REFUSED
    sys.stdout.write(to_json(dict(token.raw_data)) + "\n")
    return 0


def run_jwks(args: argparse.Namespace, env: Mapping[str, str], found: set[str]) -> int:
    document = configured_manager(args, env, found).jwks()
    if not document["keys"]:
        note("the configuration holds no RSA or EC key (HMAC secrets are never published)")
    sys.stdout.write(to_json(document) + "\n")
    return 0
