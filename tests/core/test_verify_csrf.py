"""With check_csrf, verify needs the token's own CSRF value: missing or wrong -> CSRFError."""

from __future__ import annotations

import pytest

from jwt_core import CSRFError, TokenManager
from tests.core.conftest import MakeManager


@pytest.fixture
def manager(make_manager: MakeManager) -> TokenManager:
    return make_manager(csrf_claim=True)


@pytest.mark.parametrize("kind", ["access", "refresh"])
async def test_right_csrf_value_passes(manager: TokenManager, kind: str) -> None:
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice")
    csrf = manager.decode(raw).csrf
    assert csrf
    token = await manager.verify(raw, kind, check_csrf=True, csrf=csrf)  # type: ignore[arg-type]
    assert token.identity == "alice"


@pytest.mark.parametrize("sent", [None, ""], ids=["none", "empty"])
async def test_missing_csrf_value_is_refused(manager: TokenManager, sent: str | None) -> None:
    with pytest.raises(CSRFError, match="missing"):
        await manager.verify(manager.create_access_token("alice"), check_csrf=True, csrf=sent)


async def test_wrong_csrf_value_is_refused(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice")
    real = manager.decode(raw).csrf
    assert real is not None
    for wrong in ("nope", real[:-1], real + "x", real.upper() if real.upper() != real else "X"):
        with pytest.raises(CSRFError, match="match"):
            await manager.verify(raw, check_csrf=True, csrf=wrong)


async def test_another_tokens_csrf_value_is_refused(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice")
    other = manager.decode(manager.create_access_token("alice")).csrf
    with pytest.raises(CSRFError):
        await manager.verify(raw, check_csrf=True, csrf=other)


async def test_non_ascii_csrf_value_is_refused_not_crashing(manager: TokenManager) -> None:
    with pytest.raises(CSRFError):
        await manager.verify(manager.create_access_token("a"), check_csrf=True, csrf="é\udc80")


async def test_token_without_csrf_claim_is_refused_when_checking(
    make_manager: MakeManager,
) -> None:
    manager = make_manager()
    with pytest.raises(CSRFError):
        await manager.verify(manager.create_access_token("alice"), check_csrf=True, csrf="x")


async def test_no_check_without_check_csrf(manager: TokenManager) -> None:
    raw = manager.create_access_token("alice")
    assert (await manager.verify(raw, csrf="wrong")).identity == "alice"
