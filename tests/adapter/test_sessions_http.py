"""Sessions over HTTP: login, rotation, reuse detection, logout, a store fault (real server)."""

from __future__ import annotations

import sqlite3
from datetime import timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from sanic_jwt_extended import SQLiteBlacklist
from tests.adapter.session_app import (
    ACCESS_COOKIE,
    ACCESS_CSRF,
    REFRESH_COOKIE,
    REFRESH_CSRF,
    Browser,
    serving,
    session_app,
)
from tests.support.apps import bearer, manager_of
from tests.support.clock import ManualClock

REVOKED = {"msg": "the token has been revoked"}
REUSED = {"msg": "the refresh token was used already: its session is revoked"}
PAST_GRACE = 11  # seconds: past the default refresh_reuse_grace of 10 s


def _refused(response: httpx.Response, status: int, *tokens: str) -> dict[str, Any]:
    """A JSON refusal of `status` that carries none of `tokens`; its body."""
    assert response.status_code == status, response.text
    assert response.headers["content-type"].startswith("application/json")
    assert response.headers["cache-control"] == "no-store"
    if status == 401:
        assert response.headers["www-authenticate"].startswith("Bearer")
    for token in tokens:
        assert token not in response.text
        assert all(token not in value for value in response.headers.values())
    body: dict[str, Any] = response.json()
    return body


def _login(client: httpx.Client, identity: str) -> dict[str, str]:
    response = client.post(f"/login/{identity}")
    assert response.status_code == 200, response.text
    return dict(response.json())


def _refresh(client: httpx.Client, refresh_token: str) -> httpx.Response:
    return client.post("/refresh", headers={"X-Refresh-Token": f"Bearer {refresh_token}"})


def test_header_flow_rotates_and_a_reused_refresh_token_ends_the_family() -> None:
    clock = ManualClock.from_wall_time()
    app = session_app(clock)
    with serving(app) as client:
        alice, bob = _login(client, "alice"), _login(client, "bob")
        assert client.get("/me", headers=bearer(alice["access_token"])).status_code == 200

        rotated = _refresh(client, alice["refresh_token"])
        assert rotated.status_code == 200, rotated.text
        assert rotated.headers["cache-control"] == "no-store"
        second = rotated.json()
        assert set(second) == {"access_token", "refresh_token"}
        assert second["refresh_token"] != alice["refresh_token"]
        family = manager_of(app).decode(alice["refresh_token"]).family
        assert family is not None
        assert manager_of(app).decode(second["refresh_token"]).family == family
        me = client.get("/me", headers=bearer(second["access_token"]))
        assert me.json() == {"identity": "alice", "family": family}

        # The first refresh token again, after the grace window: reuse, the family is revoked.
        clock.advance(PAST_GRACE)
        reused = _refresh(client, alice["refresh_token"])
        assert _refused(reused, 401, alice["refresh_token"]) == REUSED
        for access in (alice["access_token"], second["access_token"]):
            assert _refused(client.get("/me", headers=bearer(access)), 401) == REVOKED
        assert _refused(_refresh(client, second["refresh_token"]), 401) == REVOKED
        # Another session is another family: untouched.
        assert client.get("/me", headers=bearer(bob["access_token"])).status_code == 200
        assert _refresh(client, bob["refresh_token"]).status_code == 200


def test_a_retry_inside_the_grace_window_gets_the_same_refresh_token() -> None:
    clock = ManualClock.from_wall_time()
    app = session_app(clock)
    with serving(app) as client:
        alice = _login(client, "alice")
        first = _refresh(client, alice["refresh_token"]).json()
        clock.advance(5)  # the answer was lost; the client tries again
        retry = _refresh(client, alice["refresh_token"])
        assert retry.status_code == 200, retry.text
        again, successor = (
            manager_of(app).decode(tokens["refresh_token"]) for tokens in (retry.json(), first)
        )
        assert (again.jti, again.iat, again.exp) == (successor.jti, successor.iat, successor.exp)
        # one chain: the successor still rotates, every access token still works
        assert _refresh(client, first["refresh_token"]).status_code == 200
        for access in (first["access_token"], retry.json()["access_token"]):
            assert client.get("/me", headers=bearer(access)).status_code == 200


def test_cookie_flow_rotates_through_the_refresh_cookie_with_its_csrf_header() -> None:
    clock = ManualClock.from_wall_time()
    with serving(session_app(clock)) as client:
        browser = Browser(client)
        assert browser.send("POST", "/cookie/login/carol").status_code == 200
        assert set(browser.jar) == {ACCESS_COOKIE, REFRESH_COOKIE, ACCESS_CSRF, REFRESH_CSRF}
        before = dict(browser.jar)

        # The refresh cookie alone, as a cross-site form would send it: refused, nothing set.
        refused = browser.send("POST", "/cookie/refresh")
        assert _refused(refused, 401) == {"msg": "the CSRF value is missing"}
        assert "set-cookie" not in refused.headers
        assert browser.jar == before

        rotated = browser.send("POST", "/cookie/refresh", headers=browser.csrf(refresh=True))
        assert rotated.status_code == 200, rotated.text
        assert rotated.headers["cache-control"] == "no-store"
        assert all(browser.jar[name] != before[name] for name in (ACCESS_COOKIE, REFRESH_COOKIE))
        assert browser.send("POST", "/me", headers=browser.csrf()).json()["identity"] == "carol"

        # The old refresh cookie (a copy the thief kept), after the grace: the family ends.
        clock.advance(PAST_GRACE)
        thief = Browser(client)
        thief.jar = {REFRESH_COOKIE: before[REFRESH_COOKIE], REFRESH_CSRF: before[REFRESH_CSRF]}
        headers = {"X-CSRF-Refresh-Token": before[REFRESH_CSRF]}
        reused = thief.send("POST", "/cookie/refresh", headers=headers)
        assert _refused(reused, 401, before[REFRESH_COOKIE]) == REUSED
        assert _refused(browser.send("POST", "/me", headers=browser.csrf()), 401) == REVOKED


@pytest.mark.parametrize("refresh_in", ["header", "json", "none"])
def test_logout_revokes_the_access_token_the_refresh_token_and_the_family(
    refresh_in: str,
) -> None:
    clock = ManualClock.from_wall_time()
    with serving(session_app(clock)) as client:
        alice, bob = _login(client, "alice"), _login(client, "alice")  # two devices
        current = _refresh(client, alice["refresh_token"]).json()
        headers = bearer(current["access_token"])
        body: dict[str, str] | None = None
        if refresh_in == "header":
            headers["X-Refresh-Token"] = f"Bearer {current['refresh_token']}"
        elif refresh_in == "json":
            body = {"refresh_token": current["refresh_token"]}
        response = client.post("/logout", headers=headers, json=body)
        assert response.json() == {"msg": "logged out", "with_refresh": refresh_in != "none"}

        # the access token sent, the refresh token (sent or not), and the family's older access
        for access in (current["access_token"], alice["access_token"]):
            assert _refused(client.get("/me", headers=bearer(access)), 401) == REVOKED
        assert _refused(_refresh(client, current["refresh_token"]), 401) == REVOKED
        # the same identity's other session stays
        assert client.get("/me", headers=bearer(bob["access_token"])).status_code == 200
        assert _refresh(client, bob["refresh_token"]).status_code == 200


def test_cookie_logout_ends_the_session_and_clears_the_cookies() -> None:
    clock = ManualClock.from_wall_time()
    with serving(session_app(clock)) as client:
        browser = Browser(client)
        browser.send("POST", "/cookie/login/dave")
        kept = dict(browser.jar)
        response = browser.send("POST", "/logout", headers=browser.csrf(refresh=True))
        assert response.json() == {"msg": "logged out", "with_refresh": True}
        assert browser.jar == {}
        again = Browser(client)
        again.jar = kept
        assert _refused(again.send("POST", "/me", headers=again.csrf()), 401) == REVOKED
        refreshed = again.send("POST", "/cookie/refresh", headers=again.csrf(refresh=True))
        assert _refused(refreshed, 401) == REVOKED


def test_a_store_that_cannot_consume_the_refresh_token_is_a_503(tmp_path: Path) -> None:
    path = tmp_path / "revoked.sqlite3"
    clock = ManualClock.from_wall_time()
    app = session_app(
        clock,
        blacklist_class=SQLiteBlacklist,
        blacklist_init_kwargs={"path": str(path), "busy_timeout": 0.05},
    )
    with serving(app) as client:
        alice = _login(client, "alice")
        # Another process holds the file's write lock past busy_timeout: checks (WAL reads)
        # still answer, consuming the refresh token cannot.
        holder = sqlite3.connect(path, isolation_level=None)
        try:
            holder.execute("BEGIN IMMEDIATE")
            assert client.get("/me", headers=bearer(alice["access_token"])).status_code == 200
            response = _refresh(client, alice["refresh_token"])
            body = _refused(response, 503, alice["refresh_token"], alice["access_token"])
            assert set(body) == {"msg"}
        finally:
            holder.execute("ROLLBACK")
            holder.close()
        # Fail closed and nothing consumed: the same refresh token rotates once the store is back.
        assert _refresh(client, alice["refresh_token"]).status_code == 200


def test_rotation_never_takes_a_session_past_its_maximum_age() -> None:
    clock = ManualClock.from_wall_time()
    app = session_app(clock, session_max_age=timedelta(hours=1))
    manager = manager_of(app)
    with serving(app) as client:
        login = _login(client, "alice")
        auth_time = manager.decode(login["refresh_token"]).auth_time
        assert auth_time is not None
        clock.advance(30 * 60)
        rotated = _refresh(client, login["refresh_token"]).json()
        # not 30 days from now: the session ends an hour after the login
        assert manager.decode(rotated["refresh_token"]).exp == auth_time + timedelta(hours=1)
        clock.advance(20 * 60)
        last = _refresh(client, rotated["refresh_token"]).json()
        # and the access token, 15 minutes from now, no later than that either
        assert manager.decode(last["access_token"]).exp == auth_time + timedelta(hours=1)
        rotated = last
        clock.advance(10 * 60)  # the hour is over: the session ends with its tokens
        expired = {"msg": "the token has expired"}
        assert _refused(_refresh(client, rotated["refresh_token"]), 401) == expired
        assert _refused(client.get("/me", headers=bearer(rotated["access_token"])), 401) == expired
