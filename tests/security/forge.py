"""Hand-made hostile tokens (built with `tests.support.jose`, so no JOSE code shapes them) and
the managers they are thrown at."""

from __future__ import annotations

import json
import uuid
from typing import Any

from jwt_core import Config, TokenManager
from tests.support import jose
from tests.support.jose import join
from tests.support.jose import unb64url as lenient_decode

# A fixed clock for every manager of this suite: claims are built against it, never wall time.
NOW = 1_750_000_000.0
SECRET = "test-secret-for-hostile-tokens-0123456789abcdef"
JTI = "2b1e2a0c-9b3e-4b8a-9a53-2a5e9f8f1c11"


def hmac_sign(signing_input: str, secret: str | bytes = SECRET, alg: str = "HS256") -> str:
    """`jose.hmac_sign` with the suite's secret unless told."""
    return jose.hmac_sign(signing_input, secret, alg)


def forge(
    header: Any = None,
    payload: Any = None,
    *,
    secret: str | bytes = SECRET,
    alg: str = "HS256",
) -> str:
    """An HMAC-signed compact token; with the suite's secret, only the core's checks stop it."""
    header = {"alg": alg, "typ": "JWT"} if header is None else header
    payload = claims() if payload is None else payload
    signing_input = join(header, payload)
    return f"{signing_input}.{hmac_sign(signing_input, secret, alg)}"


def claims(**overrides: Any) -> dict[str, Any]:
    """A claim set the core accepts at `NOW` (an access token); keys set to `...` are dropped."""
    base: dict[str, Any] = {
        "sub": "alice",
        "iat": NOW,
        "nbf": int(NOW),
        "exp": int(NOW) + 900,
        "jti": JTI,
        "type": "access",
        "fresh": False,
    }
    base.update(overrides)
    return {k: v for k, v in base.items() if v is not ...}


def payload_with(raw_member: str, value_text: str, base: dict[str, Any] | None = None) -> str:
    """A valid claim set's JSON with one member spelled exactly as given (e.g. `1e400`, `NaN`)."""
    rest = {k: v for k, v in (claims() if base is None else base).items() if k != raw_member}
    body = json.dumps(rest, separators=(",", ":"))
    return body[:-1] + f',"{raw_member}":{value_text}}}'


def fresh_jti() -> str:
    return str(uuid.uuid4())


def segments(token: str) -> list[str]:
    """The three dot-separated parts of a compact token."""
    return token.split(".")


def refusal(manager: Any, raw: Any, expected: type[BaseException]) -> BaseException:
    """Decode `raw` and return the exception, which must be exactly of class `expected`."""
    caught: BaseException | None = None
    try:
        token = manager.decode(raw)
    except BaseException as exc:
        caught = exc
    if caught is None:
        raise AssertionError(f"expected {expected.__name__}, but it was accepted: {token!r}")
    assert type(caught) is expected, f"expected {expected.__name__}, got {caught!r}"
    return caught


ALPHABET = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"


def non_canonical_twin(segment: str) -> str:
    """Another spelling of `segment` (its last character's unused bits set) with the same bytes."""
    assert len(segment) % 4 in (2, 3), "only a segment with a partial last group has a twin"
    for char in ALPHABET:
        twin = segment[:-1] + char
        if twin != segment and lenient_decode(twin) == lenient_decode(segment):
            return twin
    raise AssertionError("no twin found")


# -- the managers the hostile tokens are thrown at ---------------------------------
def fixed_clock() -> float:
    return NOW


def build_manager(**options: Any) -> TokenManager:
    """A TokenManager on the suite's fixed clock; HS256 with the suite's secret by default."""
    keyed = any(k in options for k in ("secret_key", "private_key", "public_key", "keys"))
    if not keyed:
        options["secret_key"] = SECRET
    if options.get("use_blacklist"):
        options.setdefault("blacklist_init_kwargs", {"clock": fixed_clock})
    return TokenManager(Config(**options), clock=fixed_clock)
