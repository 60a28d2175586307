"""docs/token-locations.md: tokens in headers, cookies (with CSRF), query strings, JSON bodies."""

from __future__ import annotations

from http.cookies import SimpleCookie
from typing import Any

import pytest

from tests.docs.example_files import DOCS, load_app
from tests.support.apps import bearer


@pytest.fixture
def app() -> Any:
    return load_app("token_locations.py")


def set_cookies(response: Any) -> dict[str, Any]:
    """The cookies a response sets, by name, with their attributes."""
    jar: SimpleCookie = SimpleCookie()
    for header in response.headers.get_list("set-cookie"):
        jar.load(header)
    return dict(jar.items())


def login(app: Any) -> dict[str, Any]:
    _, response = app.test_client.post("/login")
    assert response.status == 200
    return set_cookies(response)


def test_login_sets_httponly_token_cookies_and_readable_csrf_cookies(app: Any) -> None:
    cookies = login(app)
    assert set(cookies) == {
        "access_token_cookie",
        "csrf_access_token",
        "refresh_token_cookie",
        "csrf_refresh_token",
    }
    access, csrf = cookies["access_token_cookie"], cookies["csrf_access_token"]
    assert access["httponly"] is True
    assert access["secure"] is True
    assert access["samesite"] == "Lax"
    assert access["path"] == "/"
    assert not csrf["httponly"]
    assert cookies["refresh_token_cookie"]["path"] == "/refresh"
    token = app.ctx.jwt.manager.decode(access.value)
    assert token.csrf == csrf.value


def test_cookie_token_needs_the_csrf_header_on_state_changing_requests(app: Any) -> None:
    cookies = login(app)
    jar = {"access_token_cookie": cookies["access_token_cookie"].value}
    _, response = app.test_client.get("/whoami", cookies=jar)
    assert response.json == {"identity": "alice"}  # GET needs no CSRF header

    _, response = app.test_client.post("/whoami", cookies=jar)
    assert response.status == 401
    assert response.json == {"msg": "the CSRF value is missing"}

    _, response = app.test_client.post("/whoami", cookies=jar, headers={"X-CSRF-Token": "guessed"})
    assert response.status == 401

    csrf = {"X-CSRF-Token": cookies["csrf_access_token"].value}
    _, response = app.test_client.post("/whoami", cookies=jar, headers=csrf)
    assert response.json == {"identity": "alice"}


def test_refresh_cookie_gives_a_new_access_cookie(app: Any) -> None:
    cookies = login(app)
    _, response = app.test_client.post(
        "/refresh",
        cookies={"refresh_token_cookie": cookies["refresh_token_cookie"].value},
        headers={"X-CSRF-Token": cookies["csrf_refresh_token"].value},
    )
    assert response.status == 200
    renewed = set_cookies(response)
    assert app.ctx.jwt.manager.decode(renewed["access_token_cookie"].value).fresh is False


def test_logout_expires_every_cookie(app: Any) -> None:
    _, response = app.test_client.post("/logout")
    cookies = set_cookies(response)
    assert set(cookies) == {
        "access_token_cookie",
        "csrf_access_token",
        "refresh_token_cookie",
        "csrf_refresh_token",
    }
    assert all(cookie["max-age"] == "0" for cookie in cookies.values())


def test_query_string_and_json_body(app: Any) -> None:
    access = app.ctx.jwt.manager.create_access_token("alice")
    _, response = app.test_client.get(f"/whoami?jwt={access}")
    assert response.json == {"identity": "alice"}
    _, response = app.test_client.post("/whoami", json={"access_token": access})
    assert response.json == {"identity": "alice"}
    _, response = app.test_client.get("/whoami", headers=bearer(access))
    assert response.json == {"identity": "alice"}


def test_missing_token_message_is_the_one_the_page_shows(app: Any) -> None:
    _, response = app.test_client.get("/whoami")
    assert response.status == 401
    shown = [
        line
        for line in (DOCS / "token-locations.md").read_text().splitlines()
        if line.startswith("missing access token:")
    ]
    assert shown == [response.json["msg"]]


def test_another_scheme_is_not_a_token(app: Any) -> None:
    access = app.ctx.jwt.manager.create_access_token("alice")
    basic = {"Authorization": "Basic YWxpY2U6c2VjcmV0"}
    _, response = app.test_client.get(f"/whoami?jwt={access}", headers=basic)
    assert response.json == {"identity": "alice"}  # the next location held the token
    _, response = app.test_client.get("/whoami", headers=basic)
    assert response.status == 422
    assert response.json == {
        "msg": "the Authorization header uses another scheme; "
        "expected 'Authorization: Bearer <token>'"
    }
