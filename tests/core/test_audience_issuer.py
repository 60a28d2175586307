"""Tokens for another audience or from another issuer are refused with InvalidTokenError."""

from __future__ import annotations

import pytest

from jwt_core import InvalidTokenError
from tests.core.conftest import SECRET, MakeManager
from tests.support.jose import resign


def test_wrong_audience_is_refused(make_manager: MakeManager) -> None:
    raw = make_manager(default_aud="billing").create_access_token("alice")
    with pytest.raises(InvalidTokenError, match="aud"):
        make_manager(default_aud="api").decode(raw)


def test_audience_list_needs_one_accepted_name(make_manager: MakeManager) -> None:
    maker = make_manager()
    reader = make_manager(decode_audience=["api", "web"])
    assert reader.decode(maker.create_access_token("a", aud=["other", "web"])).aud == [
        "other",
        "web",
    ]
    with pytest.raises(InvalidTokenError, match="aud"):
        reader.decode(maker.create_access_token("a", aud=["other", "mobile"]))


def test_token_with_aud_is_refused_when_none_is_accepted(make_manager: MakeManager) -> None:
    raw = make_manager().create_access_token("alice", aud="api")
    with pytest.raises(InvalidTokenError, match="aud"):
        make_manager().decode(raw)


def test_token_without_aud_is_refused_when_one_is_required(make_manager: MakeManager) -> None:
    raw = make_manager().create_access_token("alice")
    with pytest.raises(InvalidTokenError, match="aud"):
        make_manager(decode_audience="api").decode(raw)


def test_decode_audience_overrides_default_aud(make_manager: MakeManager) -> None:
    manager = make_manager(default_aud="api", decode_audience="gateway")
    with pytest.raises(InvalidTokenError, match="aud"):
        manager.decode(manager.create_access_token("alice"))
    assert manager.decode(manager.create_access_token("alice", aud="gateway")).aud == "gateway"


@pytest.mark.parametrize("aud", [[], [1], {"a": 1}, 5, ""], ids=repr)
def test_malformed_signed_aud_is_refused(make_manager: MakeManager, aud: object) -> None:
    manager = make_manager(default_aud="api")
    forged = resign(manager.create_access_token("alice"), SECRET, aud=aud)
    with pytest.raises(InvalidTokenError, match="aud"):
        manager.decode(forged)


def test_wrong_issuer_is_refused(make_manager: MakeManager) -> None:
    raw = make_manager(default_iss="https://evil.example").create_access_token("alice")
    with pytest.raises(InvalidTokenError, match="iss"):
        make_manager(default_iss="https://good.example").decode(raw)


def test_missing_issuer_is_refused_when_one_is_required(make_manager: MakeManager) -> None:
    raw = make_manager().create_access_token("alice")
    with pytest.raises(InvalidTokenError, match="iss"):
        make_manager(decode_issuer="https://good.example").decode(raw)


def test_any_issuer_is_accepted_when_none_is_configured(make_manager: MakeManager) -> None:
    raw = make_manager(default_iss="https://a.example").create_access_token("alice")
    assert make_manager().decode(raw).iss == "https://a.example"


@pytest.mark.parametrize("iss", [1, ["x"], {"x": 1}], ids=repr)
def test_malformed_signed_issuer_is_refused(make_manager: MakeManager, iss: object) -> None:
    manager = make_manager()
    forged = resign(manager.create_access_token("alice"), SECRET, iss=iss)
    with pytest.raises(InvalidTokenError, match="iss"):
        manager.decode(forged)
