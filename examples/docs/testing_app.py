"""Testing your app: tokens, headers and cookies for the app under test, in your own tests."""

# --8<-- [start:app]
from sanic import Request, Sanic, json
from sanic.response import HTTPResponse

from sanic_jwt_extended import JWT, Token, jwt_required
from sanic_jwt_extended.testing import auth_cookies, auth_headers, token_for

app = Sanic("shop")  # the app under test; a test suite may import several apps

with JWT.initialize(app) as jwt:
    jwt.config.secret_key = "change-me-to-at-least-32-random-bytes-please"
    jwt.config.use_acl = True
    jwt.config.token_location = ("headers", "cookies")


@app.route("/admin", methods=["GET", "POST"])
@jwt_required(allow=["ADMIN"], fresh_required=True)
async def admin(request: Request, token: Token) -> HTTPResponse:
    return json({"hello": token.identity})


# --8<-- [end:app]


# --8<-- [start:tests]


def test_an_admin_gets_in() -> None:
    headers = auth_headers(app, "alice", role="ADMIN", fresh=True)
    _, response = app.test_client.get("/admin", headers=headers)
    assert response.json == {"hello": "alice"}


def test_a_stale_token_or_another_role_is_refused() -> None:
    _, response = app.test_client.get("/admin", headers=auth_headers(app, "alice", "ADMIN"))
    assert response.status == 401
    _, response = app.test_client.get(
        "/admin", headers=auth_headers(app, "bob", "USER", fresh=True)
    )
    assert response.status == 403


def test_a_browser_with_cookies_and_the_csrf_header() -> None:
    browser = auth_cookies(app, "alice", role="ADMIN", fresh=True)
    _, response = app.test_client.post("/admin", cookies=browser.cookies, headers=browser.headers)
    assert response.json == {"hello": "alice"}


def test_a_raw_token_for_anything_else() -> None:
    raw = token_for(app, "alice", "ADMIN", private_claims={"plan": "gold"})
    assert JWT.for_app(app).decode(raw).private_claims == {"plan": "gold"}


# --8<-- [end:tests]
