"""Rule 5a: MACs and CSRF values are compared with `hmac.compare_digest`, never with `==`.

No timing is measured (the house rules forbid timing assertions and they would be flaky); the
tests prove instead that every comparison of a secret-derived value goes through the
standard library's constant-time primitive, with the presented value as one argument.
RFC 7515 section 10.9 (timing attacks), RFC 8725 section 3.3 (validate all cryptographic
operations).
"""

from __future__ import annotations

import hmac
from typing import Any

import pytest

from jwt_core import CSRFError, JWTDecodeError, TokenManager
from tests.security.forge import claims, forge, refusal, segments
from tests.support.jose import b64url
from tests.support.jose import unb64url as lenient_decode


@pytest.fixture
def comparisons(monkeypatch: pytest.MonkeyPatch) -> list[tuple[bytes, bytes, bool]]:
    """Every hmac.compare_digest call made while the test runs: (a, b, result)."""
    seen: list[tuple[bytes, bytes, bool]] = []
    real = hmac.compare_digest

    def spy(a: Any, b: Any) -> bool:
        result = real(a, b)
        seen.append((bytes(a), bytes(b), result))
        return result

    monkeypatch.setattr(hmac, "compare_digest", spy)
    return seen


def _flip(segment: str, index: int) -> str:
    """The signature segment with one byte of the signature changed (still canonical base64)."""
    raw = bytearray(lenient_decode(segment))
    raw[index] ^= 0x01
    return b64url(bytes(raw))


@pytest.mark.parametrize("index", [0, 15, 31])
def test_a_wrong_mac_is_found_by_compare_digest(
    manager: TokenManager, comparisons: list[tuple[bytes, bytes, bool]], index: int
) -> None:
    h, p, s = segments(forge())
    presented = _flip(s, index)
    comparisons.clear()
    refusal(manager, f"{h}.{p}.{presented}", JWTDecodeError)
    assert len(comparisons) == 1
    expected_mac, given, result = comparisons[0]
    assert given == lenient_decode(presented)
    assert expected_mac == lenient_decode(s)
    assert result is False


@pytest.mark.parametrize("length", [0, 1, 31, 33, 64])
def test_a_mac_of_the_wrong_length_is_still_compared_in_constant_time(
    manager: TokenManager, comparisons: list[tuple[bytes, bytes, bool]], length: int
) -> None:
    h, p, _ = segments(forge())
    signature = b64url(b"\x00" * length)
    raw = f"{h}.{p}.{signature}"
    comparisons.clear()
    refusal(manager, raw, JWTDecodeError)
    # an empty signature is a shape error (no third segment); any other length is compared
    assert len(comparisons) == (0 if length == 0 else 1)


def test_a_right_mac_is_accepted_through_compare_digest(
    manager: TokenManager, comparisons: list[tuple[bytes, bytes, bool]]
) -> None:
    raw = forge(None, claims(n=1))
    comparisons.clear()
    assert manager.decode(raw).sub == "alice"
    assert [result for _, _, result in comparisons] == [True]


# -- CSRF ----------------------------------------------------------------------------------------
CSRF = "k3Q9-double-submit-value_0123456789"


async def test_a_wrong_csrf_value_is_found_by_compare_digest(
    manager: TokenManager, comparisons: list[tuple[bytes, bytes, bool]]
) -> None:
    raw = forge(None, claims(csrf=CSRF))
    token = await manager.verify(raw, csrf=CSRF, check_csrf=True)
    assert token.csrf == CSRF
    for wrong in (CSRF[:-1] + "X", "X" + CSRF[1:], CSRF[:-1], CSRF + "0", "x"):
        comparisons.clear()
        with pytest.raises(CSRFError):
            await manager.verify(raw, csrf=wrong, check_csrf=True)
        assert (wrong.encode(), CSRF.encode(), False) in comparisons


@pytest.mark.parametrize("presented", [None, ""])
async def test_a_missing_csrf_value_is_refused(manager: TokenManager, presented: Any) -> None:
    raw = forge(None, claims(csrf=CSRF))
    with pytest.raises(CSRFError):
        await manager.verify(raw, csrf=presented, check_csrf=True)


async def test_a_token_without_csrf_claim_is_refused_when_csrf_is_checked(
    manager: TokenManager,
) -> None:
    with pytest.raises(CSRFError):
        await manager.verify(forge(), csrf=CSRF, check_csrf=True)


@pytest.mark.parametrize("presented", ["\u00e9" * 10, "\udc80\udcff", "\x00", CSRF + "\u2028"])
async def test_a_csrf_value_that_is_not_ascii_is_refused_cleanly(
    manager: TokenManager, presented: str
) -> None:
    # A header decoded with surrogateescape can carry lone surrogates: CSRFError, no crash.
    raw = forge(None, claims(csrf=CSRF))
    with pytest.raises(CSRFError):
        await manager.verify(raw, csrf=presented, check_csrf=True)
