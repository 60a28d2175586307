"""Rule 1: the compact form is parsed strictly, and anything malformed fails before any crypto;
only the payload's JSON waits for the signature, so that unsigned junk is never parsed.

RFC 7515 section 7.1 (compact serialization), section 2 (base64url without padding), section
10.12 and RFC 7519 section 4 (duplicate names), RFC 8725 sections 2.6, 3.7 and 3.4.
"""

from __future__ import annotations

import hmac
import json
from typing import Any

import pytest

from jwt_core import JWTDecodeError, Token, TokenManager
from tests.security.forge import (
    claims,
    forge,
    hmac_sign,
    non_canonical_twin,
    payload_with,
    refusal,
    segments,
)
from tests.support.jose import b64url
from tests.support.jose import unb64url as lenient_decode


@pytest.fixture
def crypto_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record every HMAC computation (hmac.new or one-shot hmac.digest) and comparison."""
    calls: list[str] = []
    real_new, real_digest, real_compare = hmac.new, hmac.digest, hmac.compare_digest

    def new(*args: Any, **kwargs: Any) -> Any:
        calls.append("hmac")
        return real_new(*args, **kwargs)

    def digest(*args: Any, **kwargs: Any) -> bytes:
        calls.append("hmac")
        return real_digest(*args, **kwargs)

    def compare(a: Any, b: Any) -> bool:
        calls.append("compare_digest")
        return real_compare(a, b)

    monkeypatch.setattr(hmac, "new", new)
    monkeypatch.setattr(hmac, "digest", digest)
    monkeypatch.setattr(hmac, "compare_digest", compare)
    return calls


def refused_before_crypto(manager: TokenManager, raw: Any, calls: list[str]) -> JWTDecodeError:
    """`raw` is a decode error, and no HMAC was computed to find that out."""
    calls.clear()
    exc = refusal(manager, raw, JWTDecodeError)
    assert calls == [], f"crypto ran before the parse refused the token: {calls}"
    assert isinstance(exc, JWTDecodeError)
    return exc


def refused_after_the_signature(
    manager: TokenManager, raw: Any, calls: list[str]
) -> JWTDecodeError:
    """`raw` (a correctly signed payload) is a decode error found by parsing the payload after
    its one signature check."""
    calls.clear()
    exc = refusal(manager, raw, JWTDecodeError)
    assert calls == ["hmac", "compare_digest"], calls
    assert "signature" not in str(exc)
    assert isinstance(exc, JWTDecodeError)
    return exc


def test_the_baseline_token_is_accepted(manager: TokenManager) -> None:
    # Every hostile token below is this one with one thing changed.
    token = manager.decode(forge())
    assert isinstance(token, Token)
    assert token.sub == "alice"


@pytest.mark.parametrize(
    "shape",
    [
        "",
        ".",
        "..",
        "{h}",
        "{h}.{p}",
        "{h}.{p}.",  # alg none style: empty signature
        ".{p}.{s}",
        "{h}..{s}",
        "{h}.{p}.{s}.",
        "{h}.{p}.{s}.{s}",
        "{h}.{p}.{s}.{s}.{s}",  # the JWE compact shape
        " {h}.{p}.{s}",
        "{h}.{p}.{s} ",
        "{h}.{p}.{s}\n",
        "Bearer {h}.{p}.{s}",
    ],
)
def test_anything_but_three_non_empty_segments_is_refused(
    manager: TokenManager, crypto_calls: list[str], shape: str
) -> None:
    h, p, s = segments(forge())
    refused_before_crypto(manager, shape.format(h=h, p=p, s=s), crypto_calls)


@pytest.mark.parametrize("raw", [None, 0, 1.5, ("a", "b", "c")])
def test_a_token_that_is_not_a_string_is_refused(manager: TokenManager, raw: Any) -> None:
    refusal(manager, raw, JWTDecodeError)


@pytest.mark.parametrize("raw", [["a", "b", "c"], {"alg": "HS256"}, bytearray(b"a.b.c")])
def test_an_unhashable_token_is_refused(manager: TokenManager, raw: Any) -> None:
    # e.g. a JSON body's "access_token": [...] handed over as it came
    refusal(manager, raw, JWTDecodeError)


def test_a_str_subclass_cannot_pose_as_a_token_that_verified_before(manager: TokenManager) -> None:
    # Verified tokens are cached by their text; a str subclass lying about hash and equality
    # must not be taken for a cached one.
    good = forge()
    manager.decode(good)

    class Impostor(str):
        def __hash__(self) -> int:
            return hash(good)

        def __eq__(self, other: object) -> bool:
            return True

    refusal(manager, Impostor("not.a.token"), JWTDecodeError)
    refusal(manager, Impostor(forge(payload=claims(sub="mallory"), secret="wrong")), JWTDecodeError)


def test_the_token_as_bytes_is_refused(manager: TokenManager) -> None:
    refusal(manager, forge().encode("ascii"), JWTDecodeError)


@pytest.mark.parametrize("part", [0, 1, 2])
@pytest.mark.parametrize(
    "junk", ["=", "==", "+", "/", "!", " ", "\n", "\t", "\x00", "%2D", "\u00e9", "\uff21"]
)
def test_a_character_outside_base64url_is_refused(
    manager: TokenManager, crypto_calls: list[str], part: int, junk: str
) -> None:
    # python-jose's decoder drops junk and pads freely, so `sig + "="` or a newline inside a
    # segment still verifies there (see test_python_jose_baseline.py).
    parts = segments(forge())
    middle = len(parts[part]) // 2
    parts[part] = parts[part][:middle] + junk + parts[part][middle:]
    refused_before_crypto(manager, ".".join(parts), crypto_calls)


def _token_with_dash_or_underscore() -> str:
    for n in range(200):
        raw = forge(payload=claims(n=n))
        if "-" in raw or "_" in raw:
            return raw
    raise AssertionError("no token with - or _ found")


def test_the_standard_base64_alphabet_is_refused(
    manager: TokenManager, crypto_calls: list[str]
) -> None:
    raw = _token_with_dash_or_underscore()
    standard = raw.translate(str.maketrans("-_", "+/"))
    assert standard != raw
    refused_before_crypto(manager, standard, crypto_calls)


@pytest.mark.parametrize("part", [0, 1, 2])
def test_padding_is_refused(manager: TokenManager, crypto_calls: list[str], part: int) -> None:
    parts = segments(_token_with_partial_groups())
    parts[part] += "=" * (-len(parts[part]) % 4)
    assert "=" in parts[part]
    refused_before_crypto(manager, ".".join(parts), crypto_calls)


def _token_with_partial_groups() -> str:
    """A valid token whose three segments all end in a partial base64 group."""
    for n in range(100):
        header = {"alg": "HS256", "typ": "JWT", "x": "y" * (n % 4)}
        raw = forge(header, claims(pad="p" * n))
        if all(len(seg) % 4 in (2, 3) for seg in segments(raw)):
            return raw
    raise AssertionError("no such token found")


def test_a_non_canonical_signature_spelling_is_refused(
    manager: TokenManager, crypto_calls: list[str]
) -> None:
    raw = _token_with_partial_groups()
    manager.decode(raw)
    h, p, s = segments(raw)
    twin = non_canonical_twin(s)
    assert lenient_decode(twin) == lenient_decode(s)  # a naive decoder sees the same signature
    refused_before_crypto(manager, f"{h}.{p}.{twin}", crypto_calls)


@pytest.mark.parametrize("part", [0, 1])
def test_a_non_canonical_header_or_payload_is_refused_even_when_signed(
    manager: TokenManager, crypto_calls: list[str], part: int
) -> None:
    # The attacker signs over the odd spelling (we know the secret here), so only the parse
    # can stop it: one token must have one spelling.
    h, p, _ = segments(_token_with_partial_groups())
    pieces = [h, p]
    pieces[part] = non_canonical_twin(pieces[part])
    signing_input = ".".join(pieces)
    raw = f"{signing_input}.{hmac_sign(signing_input)}"
    refused_before_crypto(manager, raw, crypto_calls)


def test_a_segment_of_impossible_length_is_refused(
    manager: TokenManager, crypto_calls: list[str]
) -> None:
    h, p, s = segments(forge())
    while len(s) % 4 != 1:
        s += "A"
    refused_before_crypto(manager, f"{h}.{p}.{s}", crypto_calls)


def test_a_three_megabyte_token_is_refused_before_crypto(
    manager: TokenManager, crypto_calls: list[str]
) -> None:
    huge = forge(payload=claims(blob="A" * 3_000_000))
    assert len(huge) > 3_000_000
    exc = refused_before_crypto(manager, huge, crypto_calls)
    assert "8192" in str(exc)


def _token_of_length(length: int) -> str:
    """A valid token exactly `length` characters long (a free header member fine-tunes it)."""
    for extra in range(6):
        header = {"alg": "HS256", "typ": "JWT", "z": "z" * extra}
        base = len(forge(header, claims(pad="")))
        estimate = (length - base) * 3 // 4
        for pad in range(max(0, estimate - 4), estimate + 5):
            raw = forge(header, claims(pad="x" * pad))
            if len(raw) == length:
                return raw
    raise AssertionError(f"no token of length {length}")


def test_the_length_bound_is_exact(manager: TokenManager, crypto_calls: list[str]) -> None:
    assert manager.config.max_token_length == 8192
    at_bound = _token_of_length(8192)
    assert manager.decode(at_bound).sub == "alice"
    over = _token_of_length(8193)
    refused_before_crypto(manager, over, crypto_calls)


def test_the_length_bound_follows_the_configuration(make_manager: Any) -> None:
    small = make_manager(max_token_length=512)
    raw = forge(payload=claims(pad="x" * 600))
    assert make_manager().decode(raw).sub == "alice"
    refusal(small, raw, JWTDecodeError)


@pytest.mark.parametrize(
    "bad_bytes",
    [
        b"\xe9",  # latin-1 e-acute
        b"\xc0\xaf",  # overlong '/'
        b"\xed\xa0\x80",  # a UTF-16 surrogate encoded as UTF-8 (CESU-8)
        b"\xe2\x82",  # truncated sequence
        b"\xff\xfe",  # UTF-16 byte order mark
    ],
)
@pytest.mark.parametrize("where", ["header", "payload"])
def test_json_that_is_not_strict_utf8_is_refused(
    manager: TokenManager, crypto_calls: list[str], bad_bytes: bytes, where: str
) -> None:
    if where == "header":
        header = b'{"alg":"HS256","typ":"JWT","x":"' + bad_bytes + b'"}'
        raw = forge(header, claims())
    else:
        body = json.dumps(claims()).encode()
        raw = forge(None, body[:-1] + b',"x":"' + bad_bytes + b'"}')
        refused_after_the_signature(manager, raw, crypto_calls)
        return
    refused_before_crypto(manager, raw, crypto_calls)


def test_a_utf8_byte_order_mark_is_refused(manager: TokenManager, crypto_calls: list[str]) -> None:
    raw = forge(b'\xef\xbb\xbf{"alg":"HS256","typ":"JWT"}', claims())
    refused_before_crypto(manager, raw, crypto_calls)


@pytest.mark.parametrize(
    ("header", "payload"),
    [
        ("[]", None),
        ('"HS256"', None),
        ("null", None),
        ("1", None),
        ("", None),
        ('{"alg":"HS256"}x', None),
        ('{"alg":"HS256"}{}', None),
        (None, "[]"),
        (None, "true"),
        (None, '"alice"'),
        (None, ""),
        (None, "{"),
        (None, json.dumps(claims()) + "[]"),
    ],
)
def test_a_header_or_payload_that_is_not_one_json_object_is_refused(
    manager: TokenManager, crypto_calls: list[str], header: str | None, payload: str | None
) -> None:
    raw = forge(header, payload)
    if payload:  # an empty one is not a segment: refused with the form
        refused_after_the_signature(manager, raw, crypto_calls)
        return
    refused_before_crypto(manager, raw, crypto_calls)


@pytest.mark.parametrize(
    ("header", "payload"),
    [
        # duplicate "sub": python-jose takes the last ("admin")
        (None, json.dumps(claims())[:-1] + ',"sub":"admin"}'),
        # the same duplicate, hidden behind a JSON escape
        (None, json.dumps(claims())[:-1] + ',"s\\u0075b":"admin"}'),
        # duplicate "alg" in the header: a filter reading the first sees "none"
        ('{"alg":"none","alg":"HS256","typ":"JWT"}', None),
        ('{"alg":"HS256","typ":"JWT","kid":"a","kid":"b"}', None),
        # a duplicate nested inside a private claim
        (None, json.dumps(claims())[:-1] + ',"x":{"a":1,"a":2}}'),
    ],
)
def test_duplicate_member_names_are_refused(
    manager: TokenManager, crypto_calls: list[str], header: str | None, payload: str | None
) -> None:
    if payload is not None:
        refused_after_the_signature(manager, forge(header, payload), crypto_calls)
        return
    refused_before_crypto(manager, forge(header, payload), crypto_calls)


# The usual claim set is one compact object of scalars: `_jws.decode_payload` parses such a
# text without the duplicate-name hook when its commas prove no name repeats. These are the
# texts that look like it and must still be refused, or still be read in full.
COMPACT = json.dumps(claims(), separators=(",", ":"))


@pytest.mark.parametrize(
    "payload",
    [
        COMPACT[:-1] + ',"sub":"admin"}',
        '{"sub":"admin",' + COMPACT[1:],
        COMPACT[:-1] + ',"x":1,"x":1}',  # the same value twice
        COMPACT[:-1] + ',"s\\u0075b":"admin"}',  # the same name behind an escape
        COMPACT[:-1] + ' , "sub" : "admin" }',  # spaces around the separators
        COMPACT[:-1] + ',"x":"a,b","x":"c"}',  # a comma in a string beside the repeat
        COMPACT[:-1] + ',"x":",","y":",","x":0}',
        COMPACT[:-1] + ',"":1,"":2}',  # the empty name, twice
        COMPACT[:-1] + ',"x":"[","x":"{"}',  # brackets in strings: the strict parse reads it
    ],
)
def test_a_repeated_name_in_a_flat_claim_set_is_refused(
    manager: TokenManager, crypto_calls: list[str], payload: str
) -> None:
    exc = refused_after_the_signature(manager, forge(None, payload), crypto_calls)
    assert "repeats a member name" in str(exc)


@pytest.mark.parametrize(
    "extra",
    [
        ',"x":"a,b,c"',  # commas in a string: more commas than members less one
        ',"x,y":"z"',  # a comma in a name
        ',"x":"{[,]}"',  # brackets in a string
        ',"x":":,\\"{"',  # an escaped quote before a brace
        ',"x":"\\ud83d\\ude00","\\u00e9":1',  # escapes, a paired surrogate
        ',"x":null,"y":1e300,"z":-0.0,"w":""',
    ],
)
@pytest.mark.parametrize("spacing", [(",", ":"), (", ", ": ")])
def test_a_flat_claim_set_is_read_in_full_whatever_its_strings_hold(
    manager: TokenManager, extra: str, spacing: tuple[str, str]
) -> None:
    text = json.dumps(claims(), separators=spacing)[:-1] + extra + "}"
    token = manager.decode(forge(None, text))
    assert dict(token.raw_data) == json.loads(text)
    assert manager.decode(forge(None, text)).raw_data == token.raw_data  # and again, cached


@pytest.mark.parametrize("literal", ["NaN", "Infinity", "-Infinity"])
@pytest.mark.parametrize("member", ["exp", "x"])
def test_non_json_number_literals_are_refused(
    manager: TokenManager, crypto_calls: list[str], literal: str, member: str
) -> None:
    refused_after_the_signature(manager, forge(None, payload_with(member, literal)), crypto_calls)


def test_arrays_nested_ten_thousand_deep_are_refused(
    make_manager: Any, crypto_calls: list[str]
) -> None:
    # A larger bound than the default, so the nesting itself is what is refused (with the
    # default 8192 the length bound would stop it first).
    roomy = make_manager(max_token_length=100_000)
    deep = "[" * 10_000 + "]" * 10_000
    payload = payload_with("x", deep)
    refused_after_the_signature(roomy, forge(None, payload), crypto_calls)
    refused_before_crypto(roomy, forge('{"alg":"HS256","x":' + deep + "}", claims()), crypto_calls)
    objects = '{"a":' * 5_000 + "1" + "}" * 5_000
    refused_after_the_signature(roomy, forge(None, payload_with("x", objects)), crypto_calls)


def test_nesting_is_bounded_well_below_the_recursion_limit(
    manager: TokenManager, crypto_calls: list[str]
) -> None:
    shallow = payload_with("x", "[" * 8 + "]" * 8)
    assert manager.decode(forge(None, shallow)).private_claims["x"] == [[[[[[[[]]]]]]]]
    deep = payload_with("x", "[" * 100 + "]" * 100)
    refused_after_the_signature(manager, forge(None, deep), crypto_calls)


def test_a_valid_token_still_verifies_after_the_parse(
    manager: TokenManager, crypto_calls: list[str]
) -> None:
    # The counterpart of every "before crypto" assertion: the spy does see a real verification.
    raw = forge()
    crypto_calls.clear()
    manager.decode(raw)
    assert crypto_calls == ["hmac", "compare_digest"]


def test_json_escapes_in_the_header_do_not_smuggle_a_different_alg(
    manager: TokenManager,
) -> None:
    # "\u0048S256" is "HS256": allowed, it is the same string once parsed ...
    escaped = '{"alg":"\\u0048S256","typ":"JWT"}'
    assert manager.decode(forge(escaped, claims())).sub == "alice"
    # ... but "none" spelled with escapes is still none.
    none = '{"alg":"\\u006eone","typ":"JWT"}'
    refusal(manager, forge(none, claims()), JWTDecodeError)


def test_the_signature_covers_the_exact_header_and_payload_text(manager: TokenManager) -> None:
    # Same JSON meaning, different bytes: the old signature must not carry over.
    h, p, s = segments(forge())
    respaced = b64url(json.dumps(claims(), indent=1).encode())
    assert respaced != p
    refusal(manager, f"{h}.{respaced}.{s}", JWTDecodeError)
