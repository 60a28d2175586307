"""Whatever string decode and verify are given, only the library's own exceptions escape."""

from __future__ import annotations

import asyncio
import base64
import hashlib
import hmac
import json
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from jwt_core import Config, JWTExtendedException, Token, TokenManager
from tests.core.conftest import SECRET
from tests.support.jose import b64url

NS = "https://a.io/"
B64URL = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"

MANAGER = TokenManager(
    Config(
        secret_key=SECRET,
        use_acl=True,
        use_blacklist=True,
        public_claim_namespace=NS,
        private_claim_prefix="p",
        csrf_claim=True,
    )
)
STRICT = TokenManager(
    Config(secret_key=SECRET, decode_audience=["api"], decode_issuer="https://i.example")
)
PROPERTY = settings(max_examples=100, deadline=None)

JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers()
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(max_size=40),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=10,
)
REGISTERED = ["sub", "iat", "nbf", "exp", "jti", "type", "fresh", "aud", "iss", "identity"]
CLAIM_NAMES = st.sampled_from(
    [*REGISTERED, "csrf", "role", NS + "a", NS + "a/b", NS, "p_x", "p_", "other"]
)
PLAUSIBLE = {
    "sub": st.sampled_from(["alice", "1", '{"a":1}', ""]),
    "iat": st.sampled_from([0, 1_600_000_000, 1_600_000_000.5, 253402300799, -1]),
    "nbf": st.sampled_from([0, 1_600_000_000, 253402300799]),
    "exp": st.sampled_from([0, 4_000_000_000, 253402300799, 253402300800]),
    "jti": st.sampled_from(["6f1c3a2e-8a5b-4c1d-9e2f-0a1b2c3d4e5f", "x", ""]),
    "type": st.sampled_from(["access", "refresh", "other"]),
    "fresh": st.sampled_from([True, False, 0, 4_000_000_000, 1e300]),
    "aud": st.sampled_from(["api", ["api"], [], ["x", 1]]),
    "iss": st.sampled_from(["https://i.example", "x"]),
}


def _signed(header: Any, payload_text: str) -> str:
    signing_input = f"{b64url(json.dumps(header).encode())}.{b64url(payload_text.encode())}"
    sig = hmac.new(SECRET.encode(), signing_input.encode("ascii"), hashlib.sha256).digest()
    return f"{signing_input}.{b64url(sig)}"


def _read_everything(token: Token) -> None:
    """Touch every attribute, lazy ones included: none may raise."""
    for name in (
        "raw_jwt", "raw_data", "type", "identity", "sub", "jti", "iat", "nbf", "exp", "iss",
        "aud", "role", "fresh", "csrf", "public_claims", "private_claims", "kid",
    ):  # fmt: skip
        getattr(token, name)
    repr(token)
    hash(token)


def _only_library_errors(raw: Any) -> None:
    for manager in (MANAGER, STRICT):
        try:
            token = manager.decode(raw)
        except JWTExtendedException:
            continue  # verify starts with decode: it would refuse the same way
        _read_everything(token)

        async def verify(manager: TokenManager = manager) -> None:
            for kwargs in (
                {},
                {"token_type": "refresh"},
                {"fresh_required": True, "check_csrf": True, "csrf": "é"},
            ):
                try:
                    verified = await manager.verify(raw, **kwargs)  # type: ignore[arg-type]
                except JWTExtendedException:
                    continue
                _read_everything(verified)

        asyncio.run(verify())


@PROPERTY
@given(st.text(max_size=300))
def test_any_text(raw: str) -> None:
    _only_library_errors(raw)


@PROPERTY
@given(st.lists(st.text(alphabet=B64URL, max_size=60), min_size=1, max_size=5))
def test_any_dotted_base64url(parts: list[str]) -> None:
    _only_library_errors(".".join(parts))


@PROPERTY
@given(header=JSON, payload=JSON, signature=st.binary(max_size=64))
def test_any_json_segments(header: Any, payload: Any, signature: bytes) -> None:
    raw = (
        ".".join(b64url(json.dumps(part).encode()) for part in (header, payload))
        + "."
        + b64url(signature)
    )
    _only_library_errors(raw)


@PROPERTY
@given(
    claims=st.dictionaries(CLAIM_NAMES, st.one_of(JSON, *PLAUSIBLE.values()), max_size=12),
    base=st.booleans(),
)
def test_any_correctly_signed_claims(claims: dict[str, Any], base: bool) -> None:
    """Signed with the real secret: every claim check meets arbitrary JSON."""
    payload: dict[str, Any] = {}
    if base:
        payload = {
            "sub": "alice",
            "iat": 1_600_000_000,
            "nbf": 1_600_000_000,
            "jti": "6f1c3a2e-8a5b-4c1d-9e2f-0a1b2c3d4e5f",
            "type": "access",
            "fresh": False,
        }
    payload.update(claims)
    _only_library_errors(_signed({"alg": "HS256", "typ": "JWT"}, json.dumps(payload)))


VALID = MANAGER.create_access_token(
    {"id": 1}, "USER", True, expires_delta=False, private_claims={"x": [1]}
)


@PROPERTY
@given(data=st.data())
def test_mutations_of_a_valid_token(data: st.DataObject) -> None:
    raw = VALID
    position = data.draw(st.integers(min_value=0, max_value=len(raw) - 1))
    kind = data.draw(st.sampled_from(["replace", "delete", "insert"]))
    char = data.draw(st.characters())
    if kind == "replace":
        mutated = raw[:position] + char + raw[position + 1 :]
    elif kind == "delete":
        mutated = raw[:position] + raw[position + 1 :]
    else:
        mutated = raw[:position] + char + raw[position:]
    _only_library_errors(mutated)


@pytest.mark.parametrize(
    "payload_text",
    [
        '{"sub":"a","iat":1e400,"nbf":0,"jti":"6f1c3a2e-8a5b-4c1d-9e2f-0a1b2c3d4e5f","type":"access","fresh":true}',
        '{"sub":"a","iat":0,"nbf":0,"exp":1e999,"jti":"6f1c3a2e-8a5b-4c1d-9e2f-0a1b2c3d4e5f","type":"access","fresh":true}',
        '{"sub":"a","iat":0,"nbf":0,"jti":"6f1c3a2e-8a5b-4c1d-9e2f-0a1b2c3d4e5f","type":"access","fresh":1e400}',
        '{"sub":"Infinity","identity":1e400,"iat":0,"nbf":0,"jti":"6f1c3a2e-8a5b-4c1d-9e2f-0a1b2c3d4e5f","type":"refresh"}',
        '{"sub":"a","iat":NaN,"nbf":0}',
        '{"sub":"a","iat":' + "9" * 5000 + "}",
        '{"sub":"\\ud800","iat":0,"nbf":0,"jti":"6f1c3a2e-8a5b-4c1d-9e2f-0a1b2c3d4e5f","type":"refresh","csrf":"\\udfff"}',
        '{"a":' * 40 + "1" + "}" * 40,
        "[" * 3000 + "]" * 3000,
        '{"sub":"a"} ',
        ' {"sub":"a"}',
        '{"sub":"a"}{"sub":"b"}',
        "\ufeff{}",
    ],
    ids=[
        "iat-inf", "exp-inf", "fresh-inf", "identity-inf", "nan", "huge-int", "lone-surrogates",
        "deep-objects", "deep-arrays", "trailing-space", "leading-space", "two-objects", "bom",
    ],
)  # fmt: skip
def test_hostile_payloads(payload_text: str) -> None:
    _only_library_errors(_signed({"alg": "HS256", "typ": "JWT"}, payload_text))


@pytest.mark.parametrize(
    "header",
    [
        {"alg": "HS256", "kid": ["x"]},
        {"alg": "HS256", "kid": {"a": 1}},
        {"alg": ["HS256"]},
        {"alg": None},
        {"alg": "HS256", "typ": 5},
        {"alg": "HS256", "crit": ["exp"]},
        [],
        "HS256",
    ],
    ids=repr,
)
def test_hostile_headers(header: Any) -> None:
    _only_library_errors(_signed(header, '{"sub":"a"}'))


def test_non_string_inputs() -> None:
    for raw in (None, b"a.b.c", 1, 1.5, [], {}, object(), bytearray(b"x.y.z")):
        _only_library_errors(raw)


def test_padding_and_standard_base64_are_refused() -> None:
    raw = MANAGER.create_access_token("alice")
    header, payload, signature = raw.split(".")
    padded = payload + "=" * (-len(payload) % 4)
    standard = base64.b64encode(base64.urlsafe_b64decode(padded)).decode()
    for variant in (f"{header}.{padded}.{signature}", f"{header}.{standard}.{signature}"):
        if variant == raw:
            continue
        with pytest.raises(JWTExtendedException):
            MANAGER.decode(variant)
