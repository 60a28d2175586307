"""Coverage-guided fuzzing of `TokenManager.decode` with atheris (libFuzzer for Python).

The contract under test: whatever string reaches `decode`, the result is a `Token` or one of
the library's own exceptions (`JWTExtendedException`). Anything else raised is a crash; so is
a `Token` for a string that is not one of the tokens this harness signed itself.

CI (seconds):   python fuzz/decode_fuzz.py -runs=20000 -dict=fuzz/jwt.dict
Release check:  see fuzz/README.md
"""

from __future__ import annotations

import base64
import contextlib
import hashlib
import hmac
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat

if importlib.util.find_spec("jwt_core") is None:  # a checkout without install: the source tree
    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packages" / "jwt-core" / "src"))


def _instrumented() -> contextlib.AbstractContextManager[Any]:
    """Under the fuzzer, instrument jwt_core's code (only it: instrumenting all is slow)."""
    if __name__ != "__main__":
        return contextlib.nullcontext()
    import atheris  # type: ignore[import-untyped]

    context: contextlib.AbstractContextManager[Any] = atheris.instrument_imports(
        include=["jwt_core"]
    )
    return context


with _instrumented():
    from jwt_core import Config, JWTExtendedException, Token, TokenManager

NOW = 1_750_000_000.0
SECRET = "fuzz-secret-0123456789abcdef0123456789abcdef"
CLAIM_NAMES = ("sub", "iat", "nbf", "exp", "jti", "type", "fresh", "role", "csrf", "aud", "iss")
HEADERS = (
    b'{"alg":"HS256","typ":"JWT"}',
    b'{"alg":"HS256"}',
    b'{"alg":"none"}',
    b'{"alg":"HS256","kid":"k"}',
    b'{"alg":"HS256","crit":["exp"]}',
    b'{"alg":"HS256","jku":"http://127.0.0.1:1/"}',
    b'{"alg":"HS512","typ":"JWT"}',
    b'{"alg":"RS256","typ":"JWT"}',
)


def _clock() -> float:
    return NOW


def _pem(private: Any) -> bytes:
    return bytes(private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption()))


def _managers() -> dict[str, TokenManager]:
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    return {
        "HS256": TokenManager(Config(secret_key=SECRET, use_acl=True), clock=_clock),
        "RS256": TokenManager(Config(algorithm="RS256", private_key=_pem(rsa_key)), clock=_clock),
        "ES256": TokenManager(Config(algorithm="ES256", private_key=_pem(ec_key)), clock=_clock),
    }


MANAGERS = _managers()
ORDER = sorted(MANAGERS)
VALID = [
    raw
    for manager in MANAGERS.values()
    for raw in (
        manager.create_access_token("alice", fresh=True),
        manager.create_refresh_token({"id": 7}),
    )
]
VALID_SET = frozenset(VALID)
BASE_CLAIMS: dict[str, Any] = {
    "sub": "alice",
    "iat": NOW,
    "nbf": int(NOW),
    "exp": int(NOW) + 900,
    "jti": "2b1e2a0c-9b3e-4b8a-9a53-2a5e9f8f1c11",
    "type": "access",
    "fresh": False,
}


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _signed(header: bytes, payload: bytes) -> str:
    """A token over exactly these bytes, signed with the HS256 manager's secret."""
    signing_input = f"{_b64(header)}.{_b64(payload)}"
    mac = hmac.new(SECRET.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{_b64(mac)}"


def _mutated(fdp: Any) -> str:
    raw: str = VALID[int(fdp.ConsumeIntInRange(0, len(VALID) - 1))]
    for _ in range(fdp.ConsumeIntInRange(1, 4)):
        kind = int(fdp.ConsumeIntInRange(0, 3))
        i = int(fdp.ConsumeIntInRange(0, len(raw)))
        char = str(fdp.ConsumeUnicode(1)) or "A"
        if kind == 0:
            raw = raw[:i] + char + raw[i + 1 :]
        elif kind == 1:
            raw = raw[:i] + char + raw[i:]
        elif kind == 2:
            raw = raw[:i] + raw[i + 1 :]
        else:
            raw = raw[:i] + raw[i:] + raw[i:]
    return raw


LEAVES = ('"\\ud800"', '"\\udfff"', '{"\\udbff":0}', '"\\ud83d\\ude00"', '"x"', "0", "[]")


def _frames() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


def _deep(fdp: Any) -> list[tuple[str, bool]]:
    """Arrays and objects nested around a leaf that may be a lone surrogate, in the payload
    (signed or not) or the header, at six depths in a row: shallow, near the bound, or just
    below Python's recursion limit, where a recursive walk breaks (a few levels wide).
    Each comes with True when correctly signed."""
    pattern = fdp.ConsumeUnicode(3) or "["
    band = int(fdp.ConsumeIntInRange(0, 2))
    offset = int(fdp.ConsumeIntInRange(0, 100))
    start = (offset % 41, sys.getrecursionlimit() - _frames() - 80 + offset, 900 + 2 * offset)
    leaf = LEAVES[int(fdp.ConsumeIntInRange(0, len(LEAVES) - 1))]
    where = int(fdp.ConsumeIntInRange(0, 2))
    base = json.dumps(BASE_CLAIMS, separators=(",", ":"))[:-1]
    out = []
    for levels in range(max(0, start[band]), max(0, start[band]) + 6):
        openers = [c in "[(<" for c in (pattern * levels)[:levels]]  # True: array
        value = "".join("[" if a else '{"k":' for a in openers) + leaf
        value += "".join("]" if a else "}" for a in reversed(openers))
        payload = f'{base},"a":{value}}}'.encode()
        if where == 0:  # signed payload
            out.append((_signed(HEADERS[0], payload), True))
        elif where == 1:  # the same, with a signature that is not its own
            signing_input = _signed(HEADERS[0], payload).rpartition(".")[0]
            out.append((f"{signing_input}.{VALID[0].rpartition('.')[2]}", False))
        else:
            header = f'{{"alg":"HS256","a":{value}}}'.encode()
            out.append((_signed(header, json.dumps(BASE_CLAIMS).encode()), True))
    return out


def _check(token: Token, raw: str, signed_by_us: bool) -> None:
    """A Token is only acceptable for a token we made, and must honour its promises."""
    if not signed_by_us and raw not in VALID_SET:
        raise AssertionError(f"a token nobody signed was accepted: {raw[:200]!r}")
    if not isinstance(token.sub, str) or not token.sub:
        raise AssertionError("Token.sub is not a non-empty string")
    if token.type not in ("access", "refresh"):
        raise AssertionError("Token.type is neither access nor refresh")
    if token.iat.tzinfo is None or token.nbf.tzinfo is None:
        raise AssertionError("naive datetime in a Token")
    if token.type == "access" and token.fresh not in (True, False):
        raise AssertionError("Token.fresh is not a bool")


def one_input(data: bytes) -> None:
    """One fuzz iteration: build a string from `data` in one of five ways and decode it."""
    import atheris

    fdp = atheris.FuzzedDataProvider(data)
    mode = fdp.ConsumeIntInRange(0, 4)
    manager = MANAGERS[ORDER[fdp.ConsumeIntInRange(0, len(ORDER) - 1)]]
    signed_by_us = False
    if mode == 0:  # raw text
        raw = fdp.ConsumeUnicode(fdp.remaining_bytes())
    elif mode == 1:  # a fixed header over fuzzed payload bytes, correctly signed
        header = HEADERS[fdp.ConsumeIntInRange(0, len(HEADERS) - 1)]
        raw = _signed(header, fdp.ConsumeBytes(fdp.remaining_bytes()))
        manager, signed_by_us = MANAGERS["HS256"], True
    elif mode == 2:  # one claim spelled by the fuzzer, correctly signed
        name = CLAIM_NAMES[fdp.ConsumeIntInRange(0, len(CLAIM_NAMES) - 1)]
        rest = {k: v for k, v in BASE_CLAIMS.items() if k != name}
        value = fdp.ConsumeUnicode(fdp.remaining_bytes())
        body = json.dumps(rest, separators=(",", ":"))[:-1] + f',"{name}":{value}}}'
        raw = _signed(HEADERS[0], body.encode("utf-8", "surrogatepass"))
        manager, signed_by_us = MANAGERS["HS256"], True
    elif mode == 3:  # a valid token, mutated
        raw = _mutated(fdp)
    else:  # deep nesting around lone surrogates, six depths
        for raw, signed_by_us in _deep(fdp):
            _decode(MANAGERS["HS256"], raw, signed_by_us)
        return
    _decode(manager, raw, signed_by_us)


def _decode(manager: TokenManager, raw: str, signed_by_us: bool) -> None:
    try:
        token = manager.decode(raw)
    except JWTExtendedException:
        return
    _check(token, raw, signed_by_us)


def main() -> None:
    import atheris

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
