"""The migration pages: their key tables match what the adapter reads, their examples run."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from jwt_core import ConfigurationConflictError
from sanic_jwt_extended import HttpConfig
from sanic_jwt_extended._app_config import ALIASES, APP_CONFIG_KEYS, options_from_app_config
from tests.docs.example_files import DOCS, load_app
from tests.docs.markdown_tables import code, rows_of
from tests.support.apps import bearer

TABLES = {
    "sanic-jwt-extended.md": ["0.4 key", "option", "`app.config` key now", "old key still read"],
    "flask-jwt-extended.md": ["flask-jwt-extended", "option", "`app.config` key", "still read"],
}


def sample(option: str) -> Any:
    """A value `app.config` could hold for `option`."""
    special = {"token_location": "headers", "csrf_request_methods": "POST"}
    if option in special:
        return special[option]
    default = HttpConfig.defaults()[option]
    if isinstance(default, bool):
        return "true"
    if isinstance(default, timedelta) or option.endswith("_expires"):
        return 60
    return "value"


def key_rows(page: str) -> list[tuple[str, str | None, str | None, bool]]:
    rows = rows_of(DOCS / "migration" / page, TABLES[page])
    assert rows, f"{page} has no key table"
    result = []
    for old, option, key, read in rows:
        assert read in ("yes", "no")
        result.append(
            (
                code(old),
                None if option == "none" else code(option),
                None if key == "none" else code(key),
                read == "yes",
            )
        )
    return result


def own_keys(option: str) -> list[str]:
    """This library's own names for `option`: JWT_<OPTION> and, for jwt_<x>, JWT_<X>."""
    return [key for key, name in APP_CONFIG_KEYS.items() if name == option and key not in ALIASES]


@pytest.mark.parametrize("page", sorted(TABLES))
def test_key_tables_say_what_the_adapter_reads(page: str) -> None:
    for old, option, key, still_read in key_rows(page):
        if option is None:
            assert key is None
            assert not still_read
            assert old not in APP_CONFIG_KEYS, f"{old} is read: say which option"
            continue
        assert option in HttpConfig.option_names(), f"{old}: {option} is not an option"
        # The key shown is this library's own, its shortest form.
        assert key == min(own_keys(option), key=len), f"{old}: show {own_keys(option)}"
        assert set(options_from_app_config({key: sample(option)})) == {option}
        read = options_from_app_config({old: sample(option)})
        assert (option in read) is still_read, f"{old}: 'still read' is wrong"
        if still_read:
            assert set(read) == {option}


@pytest.mark.parametrize("page", sorted(TABLES))
def test_an_old_key_and_the_new_one_must_agree(page: str) -> None:
    for old, option, key, still_read in key_rows(page):
        if option is None or old == key or not still_read:
            continue
        assert options_from_app_config({old: sample(option), key: sample(option)})
        with pytest.raises(
            ConfigurationConflictError, match=f"app.config.{min(old, key)} and app.config"
        ):
            options_from_app_config({old: sample(option), key: other_sample(option)})


def other_sample(option: str) -> Any:
    """A value for `option` that differs from `sample(option)`."""
    value = sample(option)
    if value == "true":
        return "false"
    if option in ("token_location", "csrf_request_methods"):
        return {"token_location": "cookies", "csrf_request_methods": "PUT"}[option]
    return 120 if isinstance(value, int) else "other"


def test_port_of_a_0_4_app() -> None:
    app = load_app("migrate_from_sanic_04.py")
    assert app.ctx.jwt.config.use_acl is True  # from the old RBAC_ENABLE
    _, response = app.test_client.post("/login")
    tokens = response.json
    _, response = app.test_client.get("/admin", headers=bearer(tokens["access_token"]))
    assert response.json == {"identity": "alice", "claims": {"plan": "pro"}, "type": "access"}
    _, response = app.test_client.post(
        "/refresh", headers={"X-Refresh-Token": f"Bearer {tokens['refresh_token']}"}
    )
    refreshed = response.json["access_token"]
    _, response = app.test_client.get("/admin", headers=bearer(refreshed))
    assert response.status == 200  # the role survived the refresh
    _, response = app.test_client.post("/settings", headers=bearer(refreshed))
    assert response.status == 401  # not fresh


def test_flask_settings_carried_over() -> None:
    app = load_app("migrate_from_flask.py")
    config = app.ctx.jwt.config
    assert config.access_token_expires == timedelta(minutes=10)
    assert config.token_location == ("headers", "cookies")
    assert config.cookie_secure is False
    # flask's own names for these: JWT_HEADER_TYPE, JWT_ACCESS_COOKIE_NAME, ...
    assert config.jwt_header_prefix == "JWT"
    assert config.jwt_cookie == "session_jwt"
    assert config.error_msg_key == "message"
    token = app.ctx.jwt.manager.create_access_token("alice")

    _, response = app.test_client.get("/protected", headers={"Authorization": f"JWT {token}"})
    assert response.json == {"logged_in_as": "alice"}
    _, response = app.test_client.get("/protected", cookies={"session_jwt": token})
    assert response.json == {"logged_in_as": "alice"}
    _, response = app.test_client.get("/maybe")
    assert response.json == {"user": None}
    _, response = app.test_client.get("/protected", headers=bearer(token))
    assert response.status == 422  # "Bearer" is not the configured scheme any more ...
    assert set(response.json) == {"message"}  # ... and errors use the renamed key


def test_every_option_that_moved_to_the_adapter_has_a_row() -> None:
    rows = rows_of(
        DOCS / "migration" / "sanic-jwt-extended.md",
        ["option", "before", "now", "why"],
        under="## Options that moved to the adapter",
    )
    names = [code(option) for option, _, _, _ in rows]
    assert sorted(names) == sorted(HttpConfig.http_option_names())
    for option, before, now, why in rows:
        assert f"Config({code(option)}=...)" in before
        assert f"jwt.config.{code(option)}" in now
        assert len(why) > 20
