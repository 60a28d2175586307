"""Optional claims set to null are malformed, not absent (RFC 8725 section 3.10: validate all)."""

from __future__ import annotations

import pytest

from jwt_core import InvalidTokenError
from tests.security.forge import build_manager, claims, forge


@pytest.mark.parametrize("name", ["iss", "aud", "csrf", "identity", "role"])
def test_a_null_optional_claim_is_refused(name: str) -> None:
    manager = build_manager(use_acl=True)
    with pytest.raises(InvalidTokenError, match="null"):
        manager.decode(forge(payload=claims(**{name: None})))


def test_the_same_claims_absent_are_fine() -> None:
    manager = build_manager(use_acl=True)
    assert manager.decode(forge(payload=claims())).sub == "alice"
