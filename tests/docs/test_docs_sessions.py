"""docs/sessions.md: login, rotation, reuse, logout, cookie sessions that slide, the grace."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from jwt_core import Config, TokenManager
from tests.docs.example_files import SECRET, expected_output, load_app, run_example
from tests.support.apps import bearer, set_cookies
from tests.support.redis_server import RedisServer

REVOKED = {"msg": "the token has been revoked"}
REUSED = {"msg": "the refresh token was used already: its session is revoked"}


def _refresh(app: Any, refresh_token: str) -> Any:
    _, response = app.test_client.post(
        "/refresh", headers={"X-Refresh-Token": f"Bearer {refresh_token}"}
    )
    return response


def test_a_reused_refresh_token_ends_the_session(tmp_path: Path) -> None:
    app = load_app("sessions_app.py", SESSIONS_DB=str(tmp_path / "sessions.sqlite3"))
    _, response = app.test_client.post("/login")
    assert response.headers["cache-control"] == "no-store"
    login = response.json
    first = _refresh(app, login["refresh_token"]).json
    second = _refresh(app, first["refresh_token"]).json
    # the first refresh token once more, its successor used already: a copy, so reuse
    response = _refresh(app, login["refresh_token"])
    assert (response.status, response.json) == (401, REUSED)
    for access in (login["access_token"], second["access_token"]):
        _, response = app.test_client.post("/logout", headers=bearer(access))
        assert (response.status, response.json) == (401, REVOKED)
    assert _refresh(app, second["refresh_token"]).json == REVOKED


def test_logout_ends_one_session_and_logout_everywhere_all(tmp_path: Path) -> None:
    app = load_app("sessions_app.py", SESSIONS_DB=str(tmp_path / "sessions.sqlite3"))
    phone, laptop, tablet = (app.test_client.post("/login")[1].json for _ in range(3))
    sent = {**bearer(phone["access_token"]), "X-Refresh-Token": f"Bearer {phone['refresh_token']}"}
    _, response = app.test_client.post("/logout", headers=sent)
    assert response.json == {"msg": "logged out"}
    assert _refresh(app, phone["refresh_token"]).json == REVOKED
    laptop = _refresh(app, laptop["refresh_token"]).json  # another session: it goes on
    _, response = app.test_client.post("/logout-everywhere", headers=bearer(laptop["access_token"]))
    assert response.status == 200
    assert _refresh(app, tablet["refresh_token"]).json == REVOKED


def _jar(cookies: dict[str, dict[str, str]]) -> str:
    return "; ".join(f"{name}={entry['value']}" for name, entry in cookies.items())


def test_cookie_sessions_rotate_with_csrf_and_slide_close_to_expiry() -> None:
    app = load_app("sessions_cookies.py")
    _, response = app.test_client.post("/auth/login")
    cookies = set_cookies(response)
    assert cookies["refresh_token_cookie"]["path"] == "/auth"
    _, response = app.test_client.post("/auth/refresh", headers={"Cookie": _jar(cookies)})
    assert (response.status, response.json) == (401, {"msg": "the CSRF value is missing"})
    csrf = {"X-CSRF-Refresh-Token": cookies["csrf_refresh_token"]["value"]}
    _, response = app.test_client.post("/auth/refresh", headers={"Cookie": _jar(cookies), **csrf})
    assert response.status == 200
    assert set(set_cookies(response)) == set(cookies)
    cookies = set_cookies(response)
    _, response = app.test_client.get("/me", headers={"Cookie": _jar(cookies)})
    assert "set-cookie" not in response.headers  # 15 minutes left: nothing to renew
    both = {
        "X-CSRF-Token": cookies["csrf_access_token"]["value"],
        "X-CSRF-Refresh-Token": cookies["csrf_refresh_token"]["value"],
    }
    _, response = app.test_client.post("/auth/logout", headers={"Cookie": _jar(cookies), **both})
    assert all(entry["max-age"] == "0" for entry in set_cookies(response).values())
    _, response = app.test_client.get("/me", headers={"Cookie": _jar(cookies)})
    assert response.json == REVOKED

    # A session token of this app minted 11 minutes ago: 4 minutes left, so /me renews it.
    earlier = TokenManager(
        Config(secret_key=SECRET, csrf_claim=True), clock=lambda: time.time() - 660
    )
    old = earlier.start_session("alice").access_token
    _, response = app.test_client.get("/me", headers={"Cookie": f"access_token_cookie={old}"})
    renewed = set_cookies(response)
    assert set(renewed) == {"access_token_cookie", "csrf_access_token"}
    assert renewed["access_token_cookie"]["value"] != old


def test_the_grace_window_steps_print_what_the_page_shows() -> None:
    _, printed = run_example("sessions_grace.py")
    assert printed == expected_output("sessions_grace.py")


def _session_through(app: Any) -> None:
    """Login, rotate, reuse ends the family; a second login, logged out with its refresh token."""
    first = app.test_client.post("/login")[1].json
    second = _refresh(app, first["refresh_token"]).json
    assert _refresh(app, second["refresh_token"]).status == 200
    response = _refresh(app, first["refresh_token"])
    assert (response.status, response.json) == (401, REUSED)
    _, response = app.test_client.get("/me", headers=bearer(second["access_token"]))
    assert response.json == REVOKED

    other = app.test_client.post("/login")[1].json
    sent = {**bearer(other["access_token"]), "X-Refresh-Token": f"Bearer {other['refresh_token']}"}
    _, response = app.test_client.post("/logout", headers=sent)
    assert response.json == {"msg": "logged out"}
    assert _refresh(app, other["refresh_token"]).json == REVOKED


def test_the_revocation_pages_apps_rotate_and_log_out_sessions(
    tmp_path: Path, valkey: RedisServer
) -> None:
    _session_through(load_app("revocation_app.py", REVOCATION_DB=str(tmp_path / "r.sqlite3")))
    _session_through(load_app("revocation_redis.py", REDIS_URL=valkey.url))
