"""Tokens from identity providers: keys fetched from their JWKS, OpenID discovery, RFC 9068.

Needs the `remote` extra (`pip install "jwt-core[remote]"`, which brings httpx).
"""

from __future__ import annotations

from jwt_core.remote._issuers import ExternalToken, Issuer, TrustedIssuers, discover_jwks_uri
from jwt_core.remote._jwks import KeySetHealth, RemoteKeySet, keys_from_jwks

__all__ = [
    "ExternalToken",
    "Issuer",
    "KeySetHealth",
    "RemoteKeySet",
    "TrustedIssuers",
    "discover_jwks_uri",
    "keys_from_jwks",
]
