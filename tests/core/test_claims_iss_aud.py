"""iss and aud: defaults from the config, per-token overrides, aud as a string or a list."""

from __future__ import annotations

import pytest

from jwt_core import InvalidClaimsError
from tests.core.conftest import MakeManager
from tests.support.jose import payload_of


def test_no_defaults_means_no_iss_or_aud(make_manager: MakeManager) -> None:
    manager = make_manager()
    raw = manager.create_access_token("alice")
    payload = payload_of(raw)
    assert "iss" not in payload
    assert "aud" not in payload
    token = manager.decode(raw)
    assert (token.iss, token.aud) == (None, None)


@pytest.mark.parametrize("kind", ["access", "refresh"])
def test_defaults_go_into_every_token(make_manager: MakeManager, kind: str) -> None:
    manager = make_manager(default_iss="https://issuer.example", default_aud="api")
    create = manager.create_access_token if kind == "access" else manager.create_refresh_token
    raw = create("alice")
    assert payload_of(raw)["iss"] == "https://issuer.example"
    assert payload_of(raw)["aud"] == "api"
    token = manager.decode(raw)
    assert (token.iss, token.aud) == ("https://issuer.example", "api")


def test_default_aud_as_a_list(make_manager: MakeManager) -> None:
    manager = make_manager(default_aud=["api", "admin"])
    raw = manager.create_access_token("alice")
    assert payload_of(raw)["aud"] == ["api", "admin"]
    assert manager.decode(raw).aud == ["api", "admin"]


def test_iss_override(make_manager: MakeManager) -> None:
    maker = make_manager(default_iss="https://a.example")
    raw = maker.create_access_token("alice", iss="https://b.example")
    assert payload_of(raw)["iss"] == "https://b.example"
    reader = make_manager(decode_issuer="https://b.example")
    assert reader.decode(raw).iss == "https://b.example"


@pytest.mark.parametrize("aud", ["mobile", ["mobile", "web"]], ids=["str", "list"])
def test_aud_override(make_manager: MakeManager, aud: str | list[str]) -> None:
    maker = make_manager(default_aud="api")
    raw = maker.create_access_token("alice", aud=aud)
    assert payload_of(raw)["aud"] == aud
    reader = make_manager(decode_audience=["mobile", "web"])
    assert reader.decode(raw).aud == aud


def test_overrides_without_defaults(make_manager: MakeManager) -> None:
    maker = make_manager()
    raw = maker.create_refresh_token("alice", iss="me", aud=["x", "y"])
    payload = payload_of(raw)
    assert (payload["iss"], payload["aud"]) == ("me", ["x", "y"])


@pytest.mark.parametrize(
    ("option", "value"), [("iss", ""), ("aud", ""), ("aud", []), ("aud", ["ok", ""]), ("aud", [1])]
)
def test_empty_or_malformed_overrides_are_refused(
    make_manager: MakeManager, option: str, value: object
) -> None:
    with pytest.raises(InvalidClaimsError, match=option):
        make_manager().create_access_token("alice", **{option: value})  # type: ignore[arg-type]
