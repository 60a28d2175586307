"""The decode pipeline of one configuration, and the two caches that make a repeat cheap.

Compact form, then the JOSE header and its key, then the signature over the segments' text,
and only then the payload and its claims (`claims.check_payload`). What this yields does not
depend on the time: `TokenManager.decode` runs the time checks on every call, cached or not.
"""

from __future__ import annotations

from collections import OrderedDict

from jwt_core._claims import ClaimRules, check_payload
from jwt_core._jws import (
    b64url_decode,
    check_canonical,
    check_header,
    decode_header_segment,
    decode_payload,
    split_signed,
)
from jwt_core._keys import Key, KeyRing
from jwt_core.errors import JWTDecodeError
from jwt_core.token import VerifiedClaims

_HEADER_CACHE_SIZE = 64


class Verifier:
    """Checks a raw token's form, header, signature and claims; remembers verified tokens."""

    __slots__ = ("cache_size", "header_keys", "keys", "max_length", "rules", "verified")

    def __init__(self, keys: KeyRing, rules: ClaimRules, max_length: int, cache_size: int):
        self.keys = keys
        self.rules = rules
        self.max_length = max_length
        self.cache_size = cache_size
        self.header_keys: dict[str, Key] = {}  # header segment -> key, for signed headers only
        # raw token -> its verified claims, oldest first
        self.verified: OrderedDict[str, VerifiedClaims] = OrderedDict()

    def key_for_header(self, segment: str) -> Key:
        """Check a header segment and pick its key from our own configuration only.

        Headers seen on a verified token are cached (see `verify`).
        """
        key = self.header_keys.get(segment)
        if key is not None:
            return key
        alg, kid = check_header(decode_header_segment(segment))
        found = self.keys.for_header(kid)
        if found is None:
            if kid is None:
                raise JWTDecodeError(
                    "the token names no key (kid) and this service has several to choose from"
                )
            raise JWTDecodeError("the token names a key (kid) this service does not have")
        if alg != found.alg:
            raise JWTDecodeError("the token's algorithm (alg) is not the one its key is bound to")
        return found

    def verify(self, raw: str) -> VerifiedClaims:
        """Every check of `raw` that does not depend on the time; `JWTDecodeError` or
        `InvalidTokenError` otherwise."""
        header_b64, payload_b64, signature_b64, signing_input = split_signed(raw, self.max_length)
        key = self.header_keys.get(header_b64)
        cached_header = key is not None
        if key is None:
            key = self.key_for_header(header_b64)
        # The signature is checked before the payload is decoded or parsed: it covers the
        # segment's text, whatever it holds, so an unsigned payload costs one signature check
        # and no parsing. A signed payload then gets every check of its form and claims.
        check_canonical(payload_b64, "payload")  # one spelling per token, before crypto too
        signature = b64url_decode(signature_b64, "signature")
        if not key.verify(signing_input, signature):
            raise JWTDecodeError("the token's signature does not verify")
        # Only a header that came with a valid signature is cached: unsigned ones cannot fill
        # the cache. Racing threads can overshoot the bound by one entry each, no more.
        if not cached_header and len(self.header_keys) < _HEADER_CACHE_SIZE:
            self.header_keys[header_b64] = key
        payload, flat = decode_payload(payload_b64)
        claims = check_payload(payload, self.rules, key.kid)
        # Only payloads of plain values (flat) are cached: a Token hands out its identity and
        # claim values as they are, and a mutable one shared between decodes could be changed
        # by one caller under another.
        if flat and self.cache_size:
            cache = self.verified
            if len(cache) >= self.cache_size:
                self._evict()
            cache[raw] = claims
        return claims

    def _evict(self) -> None:
        """Drop the oldest cached tokens until there is room for one more; safe under threads.

        No lock: every step is one operation of the (C) ordered dict, atomic under the GIL
        and in free-threaded builds, and a race between two evictions only costs one of them
        its pick (KeyError: emptied by the other), after which it looks again. The oldest is
        taken in O(1): from a plain dict, `next(iter())` walks over the slots its earlier
        evictions left empty, once per fresh token.
        """
        cache = self.verified
        while len(cache) >= self.cache_size:
            try:
                cache.popitem(last=False)
            except KeyError:
                continue
