"""Property-based: whatever reaches `TokenManager.decode`, it returns a Token only for a valid,
untampered token and otherwise raises one of the library's own exceptions, nothing else.

Kept modest (a few hundred examples per property, no deadline) so it runs in seconds; the
coverage-guided fuzz target in fuzz/ goes further.
"""

from __future__ import annotations

import json
import math
import sys
import uuid
from datetime import timezone
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.hazmat.primitives.serialization import Encoding, NoEncryption, PrivateFormat
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from jwt_core import JWTExtendedException, Token, TokenManager
from jwt_core import _jws as jws
from tests.security.forge import ALPHABET, NOW, SECRET, build_manager, claims, forge
from tests.support.jose import b64url

MAX_NUMERIC_DATE = 253402300799
SETTINGS = settings(
    max_examples=250,
    deadline=None,
    database=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.filter_too_much],
)

HS256 = build_manager(use_acl=True)


def _pem(private: Any) -> bytes:
    return private.private_bytes(Encoding.PEM, PrivateFormat.PKCS8, NoEncryption())


RS256 = build_manager(
    algorithm="RS256",
    private_key=_pem(rsa.generate_private_key(public_exponent=65537, key_size=2048)),
)
ES256 = build_manager(algorithm="ES256", private_key=_pem(ec.generate_private_key(ec.SECP256R1())))
MANAGERS = {"HS256": HS256, "RS256": RS256, "ES256": ES256}


def outcome(manager: TokenManager, raw: Any) -> Token | JWTExtendedException:
    """decode(raw): a Token, or the library's exception; anything else fails the property."""
    try:
        return manager.decode(raw)
    except JWTExtendedException as exc:
        return exc


# -- arbitrary input ---------------------------------------------------------------------------
@SETTINGS
@given(st.text(max_size=400))
def test_arbitrary_text_is_refused(raw: str) -> None:
    for manager in MANAGERS.values():
        assert isinstance(outcome(manager, raw), JWTExtendedException)


@SETTINGS
@given(st.binary(max_size=400), st.sampled_from(["latin-1", "surrogateescape", "bytes"]))
def test_arbitrary_bytes_are_refused(data: bytes, how: str) -> None:
    raw: Any
    if how == "latin-1":
        raw = data.decode("latin-1")
    elif how == "surrogateescape":
        raw = data.decode("utf-8", "surrogateescape")
    else:
        raw = data
    assert isinstance(outcome(HS256, raw), JWTExtendedException)


_segment = st.text(alphabet=ALPHABET + "=+/ ", min_size=0, max_size=120)


@SETTINGS
@given(st.lists(_segment, min_size=1, max_size=5))
def test_arbitrary_base64ish_segments_are_refused(parts: list[str]) -> None:
    raw = ".".join(parts)
    for manager in MANAGERS.values():
        assert isinstance(outcome(manager, raw), JWTExtendedException)


# -- arbitrary JSON, correctly signed ----------------------------------------------------------
_numbers = st.one_of(
    st.integers(),
    st.floats(allow_nan=True, allow_infinity=True),
    st.sampled_from(
        [NOW, NOW - 1, NOW + 1, int(NOW) + 900, 0, -0.0, MAX_NUMERIC_DATE, MAX_NUMERIC_DATE + 1]
    ),
)
_json = st.recursive(
    st.none() | st.booleans() | _numbers | st.text(max_size=12),
    lambda children: (
        st.lists(children, max_size=4) | st.dictionaries(st.text(max_size=6), children, max_size=4)
    ),
    max_leaves=12,
)
_claim_values = st.one_of(
    _json,
    st.sampled_from(["access", "refresh", "alice", "", str(uuid.uuid4()), "ADMIN"]),
)
_claim_names = st.sampled_from(
    ["sub", "iat", "nbf", "exp", "jti", "type", "fresh", "role", "csrf", "aud", "iss", "identity"]
)
_header_extras = st.dictionaries(
    st.sampled_from(["typ", "kid", "jku", "x5u", "jwk", "x5c", "crit", "b64", "cty", "zip", "x"]),
    _json | st.sampled_from(["JWT", "jwt", "at+jwt", "../../etc/passwd", "http://127.0.0.1/"]),
    max_size=3,
)
# mostly the right algorithm and plain headers, so that the claim checks get exercised
_algs = st.sampled_from(["HS256"] * 8 + ["HS384", "hs256", "none", "RS256"])
_headers = st.one_of(st.just({}), st.just({"typ": "JWT"}), _header_extras)


@SETTINGS
@given(
    st.dictionaries(_claim_names, _claim_values, max_size=3),
    st.sets(_claim_names, max_size=1),
    st.dictionaries(st.text(max_size=8), _json, max_size=3),
    _headers,
    _algs,
)
def test_signed_arbitrary_claims_pass_only_when_every_check_holds(
    overrides: dict[str, Any],
    dropped: set[str],
    extra: dict[str, Any],
    header_extra: dict[str, Any],
    alg: str,
) -> None:
    payload = {**claims(**overrides), **extra}
    for name in dropped:
        payload.pop(name, None)
    header = {"alg": alg, **header_extra}
    try:
        body = json.dumps(payload)
    except ValueError:
        return
    raw = forge(header, body, alg="HS256")
    result = outcome(HS256, raw)
    event(type(result).__name__)  # see the mix with --hypothesis-show-statistics
    if isinstance(result, Token):
        _assert_token_is_sound(result, header, json.loads(body))


def _is_number(value: Any) -> bool:
    return value.__class__ in (int, float) and math.isfinite(value)


def _assert_token_is_sound(token: Token, header: dict[str, Any], payload: dict[str, Any]) -> None:
    """What a Token promises, checked against what was actually sent."""
    assert header["alg"] == "HS256"
    assert not {"jku", "x5u", "jwk", "x5c", "crit", "b64", "kid"} & set(header)
    assert header.get("typ", "JWT").lower() in ("jwt", "application/jwt")
    for name in ("iat", "nbf"):
        assert _is_number(payload[name])
        assert 0 <= payload[name] <= NOW
    if "exp" in payload:
        assert _is_number(payload["exp"])
        assert NOW <= payload["exp"] <= MAX_NUMERIC_DATE
        assert token.exp is not None
        assert token.exp.tzinfo is timezone.utc
    else:
        assert token.exp is None
    assert payload["sub"].__class__ is str
    assert payload["sub"] == token.sub != ""
    assert uuid.UUID(payload["jti"]) == token.jti
    assert payload["type"] in ("access", "refresh")
    assert token.type == payload["type"]
    if token.type == "access":
        fresh = payload["fresh"]
        assert fresh is True or fresh is False or fresh.__class__ in (int, float)
        assert token.fresh is True or token.fresh is False
    for name in ("role", "csrf", "iss"):
        assert payload.get(name) is None or payload[name].__class__ is str
    # no audience is configured, so any aud is refused (null passes as absent, like iss/role)
    assert payload.get("aud") is None


# -- mutations of valid tokens ------------------------------------------------------------------
_VALID = {
    name: [
        manager.create_access_token("alice", fresh=True),
        manager.create_refresh_token({"id": 7, "name": "alice"}),
    ]
    for name, manager in MANAGERS.items()
}
_mutation = st.tuples(
    st.sampled_from(["flip", "insert", "delete", "swap", "duplicate"]),
    st.integers(min_value=0, max_value=10_000),
    st.sampled_from([*ALPHABET, ".", "=", "+", "/", " ", "\n", "\x00", "\u00e9", "\udc80"]),
)


@SETTINGS
@given(
    st.sampled_from(sorted(MANAGERS)),
    st.integers(min_value=0, max_value=1),
    st.lists(_mutation, min_size=1, max_size=4),
)
def test_a_mutated_valid_token_is_refused_unless_unchanged(
    alg: str, which: int, mutations: list[tuple[str, int, str]]
) -> None:
    original = _VALID[alg][which]
    raw = original
    for kind, position, char in mutations:
        i = position % (len(raw) + 1)
        if kind == "flip" and i < len(raw):
            raw = raw[:i] + char + raw[i + 1 :]
        elif kind == "insert":
            raw = raw[:i] + char + raw[i:]
        elif kind == "delete" and i < len(raw):
            raw = raw[:i] + raw[i + 1 :]
        elif kind == "swap" and i + 1 < len(raw):
            raw = raw[:i] + raw[i + 1] + raw[i] + raw[i + 2 :]
        elif kind == "duplicate":
            raw = raw[:i] + raw[i:] + raw[i:]
    result = outcome(MANAGERS[alg], raw)
    if raw == original:
        assert isinstance(result, Token)
    else:
        assert isinstance(result, JWTExtendedException), "a tampered token was accepted"


def test_the_valid_tokens_of_the_mutation_property_are_valid() -> None:
    for name, tokens in _VALID.items():
        for raw in tokens:
            assert isinstance(MANAGERS[name].decode(raw), Token)
    assert SECRET


# -- deep nesting around lone surrogates --------------------------------------------------------
_LEAVES = {  # the leaf JSON text -> (levels it adds, holds a lone surrogate)
    '"\\ud800"': (0, True),
    '"\\uDFFF"': (0, True),
    '"a\\udbff"': (0, True),
    '{"\\udc00":0}': (1, True),
    '"\\ud83d\\ude00"': (0, False),  # a pair: one astral character, fine
    '"x"': (0, False),
    "0": (0, False),
    "[]": (0, False),
}


def _frames() -> int:
    frame, count = sys._getframe(), 0
    while frame is not None:
        frame, count = frame.f_back, count + 1
    return count


# Just below Python's recursion limit, as seen from here, is where a recursive walk breaks:
# the C scanner still manages a value that json.dumps (say) cannot walk again. The window is a
# few levels wide, so each example tries twelve depths in a row.
_near_the_limit = st.integers(-80, 20).map(lambda off: sys.getrecursionlimit() - _frames() + off)


@SETTINGS
@given(
    st.text(alphabet="[{", min_size=1, max_size=3),
    st.one_of(st.integers(0, 40), _near_the_limit, st.integers(900, 1100)),
    st.sampled_from(sorted(_LEAVES)),
    st.sampled_from(["", ',"s":"\\ud800"', ',"s":"ok"']),
    st.sampled_from(["payload", "identity", "header", "unsigned"]),
)
def test_deep_nesting_with_surrogates_is_refused_cleanly(
    pattern: str, depth: int, leaf: str, sibling: str, where: str
) -> None:
    """Any nesting of arrays and objects around a lone surrogate (or not), anywhere in a token:
    a Token only when within the depth bound and free of lone surrogates, else the library's
    own error; never RecursionError or any other foreign exception."""
    for levels in range(max(0, depth), max(0, depth) + 12):
        _check_nested((pattern * levels)[:levels], leaf, sibling, where)


def _check_nested(openers: str, leaf: str, sibling: str, where: str) -> None:
    value = "".join("[" if c == "[" else '{"k":' for c in openers) + leaf
    value += "".join("]" if c == "[" else "}" for c in reversed(openers))
    extra, lone = _LEAVES[leaf]
    lone = lone or "ud800" in sibling
    fine = not lone and 1 + len(openers) + extra <= 32  # the member's value is at level 1
    base = json.dumps(claims())[:-1]
    if where == "payload":
        raw = forge(None, f'{base},"a":{value}{sibling}}}')
    elif where == "identity":
        raw = forge(None, f'{base},"identity":{value}{sibling}}}')
        fine = False  # never the subject's canonical JSON ("alice")
    elif where == "header":
        raw = forge(f'{{"alg":"HS256","a":{value}{sibling}}}', claims())
    else:
        signing_input = forge(None, base + ',"a":' + value + "}").rpartition(".")[0]
        raw = signing_input + "." + forge().rpartition(".")[2]  # another token's signature
        fine = False
    result = outcome(HS256, raw)
    event(f"{where} {type(result).__name__}")
    if not fine:
        assert isinstance(result, JWTExtendedException)
    elif where == "payload":
        assert isinstance(result, Token)


# -- the flat claim set's fast parse -------------------------------------------------------------
# Names that repeat (one behind an escape), and strings full of the characters the fast parse
# of `_jws.decode_payload` counts or looks for: commas, brackets, braces, escapes.
_NAMES = st.sampled_from(
    ['"a"', '"\\u0061"', '"b"', '""', '"a,b"', '"{"', '"["', '"\\\\"', '"c"', '"d"', '"e"']
)
_FINE = ["0", "-1.5", "1e400", "true", "null", '""', '","', '",,"', '"[,]"', '"{"', '"\\""']
_FINE += ['"\\ud83d\\ude00"', "[]", "[0,1]", "{}", '{"a":0}', '{"a":0,"b":[{}]}']
_VALUES = st.sampled_from(_FINE * 4 + ['"\\ud800"', '{"a":0,"a":1}', "NaN", "01", "[0,]"])
_SPACES = st.sampled_from(["", " ", "\n", "\t "])


def _parse(parse: Any) -> tuple[Any, ...]:
    try:
        return ("read", *parse())
    except JWTExtendedException as exc:
        return ("refused", type(exc), str(exc))


@SETTINGS
@given(
    st.lists(st.tuples(_SPACES, _NAMES, _SPACES, _SPACES, _VALUES), max_size=6),
    st.sampled_from(["}"] * 5 + [" }", "},", "}x", "}{}", ""]),
)
def test_the_fast_parse_of_a_flat_claim_set_agrees_with_the_strict_one(
    members: list[tuple[str, str, str, str, str]], end: str
) -> None:
    text = "{" + ",".join("".join(member[:3]) + ":" + "".join(member[3:]) for member in members)
    text += end
    scalars = (str, int, float, bool, type(None))

    def strict() -> tuple[Any, bool]:
        value = jws._json_object(text.encode(), "payload", None)
        return value, all(isinstance(v, scalars) for v in value.values())

    fast = _parse(lambda: jws.decode_payload(b64url(text.encode())))
    event(fast[0])
    assert fast == _parse(strict)
