"""Rule 4: every claim the core relies on is checked by exact JSON type and by range.

The tokens here are signed with the suite's own secret, so a signature never stops them: only
the claim checks do. RFC 7519 sections 2 (NumericDate), 4.1.1-4.1.7 and 7.2; RFC 8725 sections
3.8 (issuer and subject), 3.9 (audience), 3.10 (do not trust received claims) and 3.12 (token
kinds kept apart by the type claim).
"""

from __future__ import annotations

import pickle
import uuid
from collections.abc import Callable
from datetime import timedelta
from typing import Any

import pytest

from jwt_core import ExpiredSignatureError, InvalidTokenError, JWTDecodeError, TokenManager
from tests.security.forge import NOW, claims, forge, payload_with, refusal

Build = Callable[..., TokenManager]
BAD_NUMERIC_DATES = [
    '"9999999999"',  # a numeric string: python-jose's int() takes it
    '"1750000900"',
    "true",  # a bool: int(True) == 1 for python-jose
    "false",
    "null",
    "[]",
    "{}",
    '""',
    "[1750000900]",
    "1e400",  # parses as float infinity: python-jose lets OverflowError escape
    "-1e400",
    "1e300",  # finite, but no date
    "-1",
    "253402300800",  # one second after 9999-12-31T23:59:59Z
    "100000000000000000000",
]


@pytest.mark.parametrize("value", BAD_NUMERIC_DATES)
@pytest.mark.parametrize("member", ["exp", "nbf", "iat"])
def test_a_time_claim_that_is_not_a_sane_json_number_is_refused(
    manager: TokenManager, member: str, value: str
) -> None:
    refusal(manager, forge(None, payload_with(member, value)), InvalidTokenError)


@pytest.mark.parametrize("member", ["exp", "nbf", "iat"])
def test_a_time_claim_of_five_thousand_digits_is_refused(
    manager: TokenManager, member: str
) -> None:
    # Python refuses to parse an integer this long, so it ends as a decode error.
    refusal(manager, forge(None, payload_with(member, "1" + "0" * 5000)), JWTDecodeError)


@pytest.mark.parametrize("member", ["nbf", "iat"])
def test_nbf_and_iat_are_required(manager: TokenManager, member: str) -> None:
    refusal(manager, forge(None, claims(**{member: ...})), InvalidTokenError)


@pytest.mark.parametrize("value", [int(NOW) + 60, NOW + 60.5])
def test_a_token_without_exp_is_accepted_and_one_with_exp_is_checked(
    manager: TokenManager, value: float
) -> None:
    assert manager.decode(forge(None, claims(exp=...))).exp is None
    assert manager.decode(forge(None, claims(exp=value))).exp is not None


@pytest.mark.parametrize("exp", [NOW - 1, NOW - 0.001, 0, 0.0, -0.0])
def test_an_expired_token_is_refused(manager: TokenManager, exp: float) -> None:
    refusal(manager, forge(None, claims(exp=exp)), ExpiredSignatureError)


def test_iat_in_the_future_is_refused(manager: TokenManager) -> None:
    # python-jose only checks that iat converts to int.
    for iat in (NOW + 1, NOW + 0.5, NOW + 86_400, 253402300799):
        refusal(manager, forge(None, claims(iat=iat)), InvalidTokenError)


def test_iat_in_the_future_within_the_leeway_is_accepted(make_manager: Build) -> None:
    lenient = make_manager(leeway=timedelta(seconds=30))
    assert lenient.decode(forge(None, claims(iat=NOW + 20))).sub == "alice"
    refusal(lenient, forge(None, claims(iat=NOW + 40)), InvalidTokenError)


def test_nbf_in_the_future_is_refused_beyond_the_leeway(make_manager: Build) -> None:
    strict, lenient = make_manager(), make_manager(leeway=timedelta(seconds=30))
    token = forge(None, claims(nbf=NOW + 20))
    refusal(strict, token, InvalidTokenError)
    assert lenient.decode(token).sub == "alice"
    refusal(lenient, forge(None, claims(nbf=NOW + 40)), InvalidTokenError)


def test_exp_within_the_leeway_is_accepted_and_beyond_it_refused(make_manager: Build) -> None:
    lenient = make_manager(leeway=timedelta(seconds=30))
    assert lenient.decode(forge(None, claims(exp=NOW - 20))).sub == "alice"
    refusal(lenient, forge(None, claims(exp=NOW - 40)), ExpiredSignatureError)


@pytest.mark.parametrize("sub", [..., "", None, 1, 0, True, [], ["alice"], {"id": "alice"}])
def test_sub_must_be_a_non_empty_string(manager: TokenManager, sub: Any) -> None:
    refusal(manager, forge(None, claims(sub=sub)), InvalidTokenError)


@pytest.mark.parametrize(
    "jti",
    [
        ...,
        "",
        None,
        1,
        True,
        ["2b1e2a0c-9b3e-4b8a-9a53-2a5e9f8f1c11"],
        "not-a-uuid",
        "2b1e2a0c9b3e4b8a9a532a5e9f8f1c11",
        "{2b1e2a0c-9b3e-4b8a-9a53-2a5e9f8f1c11}",
        "urn:uuid:2b1e2a0c-9b3e-4b8a-9a53-2a5e9f8f1c11",
        "2b1e2a0c-9b3e-4b8a-9a53-2a5e9f8f1c11\n",
        " 2b1e2a0c-9b3e-4b8a-9a53-2a5e9f8f1c11",
        "2b1e2a0c-9b3e-4b8a-9a53-2a5e9f8f1c1",
    ],
)
def test_jti_must_be_a_uuid_string(manager: TokenManager, jti: Any) -> None:
    refusal(manager, forge(None, claims(jti=jti)), InvalidTokenError)


@pytest.mark.parametrize(
    "token_type", [..., "", None, "ACCESS", "Access", "access ", "id", ["access"], 1, True]
)
def test_type_must_be_exactly_access_or_refresh(manager: TokenManager, token_type: Any) -> None:
    refusal(manager, forge(None, claims(type=token_type)), InvalidTokenError)


@pytest.mark.parametrize("fresh", [..., None, "true", "false", "1", [], {}, [True]])
def test_fresh_of_an_access_token_must_be_a_bool_or_a_number(
    manager: TokenManager, fresh: Any
) -> None:
    refusal(manager, forge(None, claims(fresh=fresh)), InvalidTokenError)


@pytest.mark.parametrize("fresh", [True, False, int(NOW) + 60, int(NOW) - 60])
def test_fresh_as_written_by_the_library_is_accepted(manager: TokenManager, fresh: Any) -> None:
    token = manager.decode(forge(None, claims(fresh=fresh)))
    assert token.fresh is (fresh is True or (fresh is not False and fresh > NOW))


@pytest.mark.parametrize("value", ["1e400", "1e300", "-1", "253402300800"])
def test_a_numeric_fresh_claim_must_be_a_sane_numeric_date(
    manager: TokenManager, value: str
) -> None:
    refusal(manager, forge(None, payload_with("fresh", value)), InvalidTokenError)


@pytest.mark.parametrize("role", [1, True, ["ADMIN"], {"name": "ADMIN"}, 1.5])
def test_role_must_be_a_string(manager: TokenManager, role: Any) -> None:
    refusal(manager, forge(None, claims(role=role)), InvalidTokenError)


@pytest.mark.parametrize("csrf", [1, True, ["x"], {"x": 1}])
def test_csrf_must_be_a_string(manager: TokenManager, csrf: Any) -> None:
    refusal(manager, forge(None, claims(csrf=csrf)), InvalidTokenError)


def test_identity_must_match_its_subject(manager: TokenManager) -> None:
    # sub is what the blacklist keys revoke_all on; identity may not say something else.
    ok = manager.decode(forge(None, claims(sub="7", identity=7)))
    assert ok.identity == 7
    refusal(manager, forge(None, claims(sub="alice", identity="admin")), InvalidTokenError)
    refusal(manager, forge(None, claims(sub="7", identity=8)), InvalidTokenError)
    refusal(manager, forge(None, payload_with("identity", "1e400")), InvalidTokenError)


# -- audience and issuer ---------------------------------------------------------------------------
@pytest.fixture
def audience_manager(make_manager: Build) -> TokenManager:
    return make_manager(decode_audience="api")


def test_a_token_without_aud_is_refused_when_an_audience_is_expected(
    audience_manager: TokenManager,
) -> None:
    # python-jose accepts it (its check is commented out).
    refusal(audience_manager, forge(None, claims()), InvalidTokenError)


@pytest.mark.parametrize("aud", ["other", ["other"], [], "", "API", ["api "]])
def test_a_token_for_another_audience_is_refused(audience_manager: TokenManager, aud: Any) -> None:
    refusal(audience_manager, forge(None, claims(aud=aud)), InvalidTokenError)


@pytest.mark.parametrize("aud", [1, True, None, {"api": True}, [1], ["api", 1], [["api"]]])
def test_a_malformed_aud_is_refused(audience_manager: TokenManager, aud: Any) -> None:
    refusal(audience_manager, forge(None, claims(aud=aud)), InvalidTokenError)


@pytest.mark.parametrize("aud", ["api", ["api"], ["other", "api"]])
def test_a_token_naming_the_audience_is_accepted(audience_manager: TokenManager, aud: Any) -> None:
    assert audience_manager.decode(forge(None, claims(aud=aud))).aud == aud


def test_a_token_with_aud_is_refused_when_no_audience_is_configured(manager: TokenManager) -> None:
    refusal(manager, forge(None, claims(aud="api")), InvalidTokenError)


@pytest.mark.parametrize(
    "iss", [..., None, "", "https://evil.example", "https://issuer.example/", 1, ["x"]]
)
def test_the_issuer_must_be_the_accepted_one(make_manager: Build, iss: Any) -> None:
    manager = make_manager(decode_issuer="https://issuer.example")
    assert manager.decode(forge(None, claims(iss="https://issuer.example"))).iss
    refusal(manager, forge(None, claims(iss=iss)), InvalidTokenError)


@pytest.mark.parametrize("iss", [1, True, ["https://issuer.example"], {"iss": 1}])
def test_a_malformed_issuer_is_refused_even_when_none_is_required(
    manager: TokenManager, iss: Any
) -> None:
    refusal(manager, forge(None, claims(iss=iss)), InvalidTokenError)


@pytest.mark.parametrize("member", ["sub", "role", "x"])
def test_a_lone_surrogate_escape_is_refused(manager: TokenManager, member: str) -> None:
    # RFC 8725 3.7 and RFC 7493 2.1: claims are Unicode text; "\ud800" alone is not.
    refusal(manager, forge(None, payload_with(member, '"\\ud800"')), JWTDecodeError)


@pytest.mark.parametrize(
    "jti",
    [
        "2b1e2a0c-9b3e-4b8a-9a53-2a5e9f8f1c11",
        "2B1E2A0C-9B3E-4B8A-9A53-2A5E9F8F1C11",  # upper case: the same UUID
        "00000000-0000-0000-0000-000000000000",
        "ffffffff-ffff-ffff-ffff-ffffffffffff",
        "2b1e2a0c-9b3e-1b8a-0a53-2a5e9f8f1c11",  # not version 4, not RFC 4122: still a UUID
    ],
)
def test_the_jti_read_is_the_uuid_the_text_spells(manager: TokenManager, jti: str) -> None:
    # decode builds the UUID without uuid.UUID(); it must be that UUID in every respect
    read = manager.decode(forge(None, claims(jti=jti))).jti
    want = uuid.UUID(jti)
    assert (read, hash(read), str(read), repr(read)) == (want, hash(want), str(want), repr(want))
    assert (read.int, read.version, read.variant, read.is_safe) == (
        want.int,
        want.version,
        want.variant,
        want.is_safe,
    )
    assert pickle.loads(pickle.dumps(read)) == want
    assert read.__class__ is uuid.UUID
    with pytest.raises(TypeError):
        read.int = 0  # type: ignore[misc]
