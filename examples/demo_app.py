"""A small real app showing the whole sanic-jwt-extended API; see examples/README.md for curl.

Start it with `hatch run demo:run` (or `python examples/demo_app.py`): it listens on
127.0.0.1:8000 (env HOST, PORT; WORKERS for more than one worker).

Everything below runs at import time on purpose: Sanic starts each worker by importing this
module again, so configuration must not live under `if __name__ == "__main__"`.
"""

from __future__ import annotations

import contextlib
import hmac
import logging
import os
import secrets
import stat
import tempfile
from datetime import timedelta
from pathlib import Path
from typing import Any

from sanic import HTTPResponse, Request, Sanic
from sanic.response import json

from sanic_jwt_extended import (
    JWT,
    Token,
    TokenPair,
    jwt_optional,
    jwt_required,
    refresh_jwt_required,
    set_access_cookies,
    set_refresh_cookies,
    unset_jwt_cookies,
    verify_jwt_in_request,
)

logger = logging.getLogger("demo_app")

# RFC 6749 section 5.1: a response carrying tokens must not be stored by any cache.
NO_STORE = {"Cache-Control": "no-store"}

# The user table (demo only: a real app stores password hashes, e.g. with argon2 or scrypt).
USERS: dict[str, dict[str, str]] = {
    "alice": {"password": "wonderland", "role": "ADMIN"},
    "bob": {"password": "builder", "role": "USER"},
}


def _secret_key() -> str:
    """The signing secret from env JWT_SECRET_KEY, else one generated for this run.

    The generated one is put back into the environment so every worker Sanic spawns from this
    process signs and verifies with the same secret.
    """
    secret = os.environ.get("JWT_SECRET_KEY")
    if not secret:
        secret = secrets.token_urlsafe(48)
        os.environ["JWT_SECRET_KEY"] = secret
        logger.warning(
            "JWT_SECRET_KEY is not set: using a secret generated for this run; tokens stop "
            "working when the app restarts. Set JWT_SECRET_KEY to keep them."
        )
    return secret


def _data_folder() -> Path:
    """The demo's private data folder: DEMO_DATA_DIR, else one of this user's in the temp dir.

    It is created with mode 0700. One that exists already must be a directory of this user
    that nobody else may enter (no symlink, no group or other permission bits): in a shared
    temp dir another local user could have made it first, to read or swap the store.
    """
    uid = os.getuid() if hasattr(os, "getuid") else None
    name = "sanic-jwt-extended-demo" if uid is None else f"sanic-jwt-extended-demo-{uid}"
    folder = Path(os.environ.get("DEMO_DATA_DIR") or Path(tempfile.gettempdir()) / name)
    folder.parent.mkdir(parents=True, exist_ok=True)
    with contextlib.suppress(FileExistsError):  # checked below, whatever is there
        folder.mkdir(mode=0o700)
    if uid is None:
        return folder  # no POSIX owners and modes here (Windows: the temp dir is per user)
    info = folder.lstat()
    if not stat.S_ISDIR(info.st_mode):
        problem = "is not a directory (or is a symlink)"
    elif info.st_uid != uid:
        problem = f"belongs to uid {info.st_uid}, not to you (uid {uid})"
    elif info.st_mode & 0o077:
        problem = f"has mode {stat.S_IMODE(info.st_mode):04o}; group and others must have none"
    else:
        return folder
    raise SystemExit(
        f"demo_app: refusing to keep data in {folder}: it {problem}. Remove it, or "
        "`chmod 700` it if it is yours, or set DEMO_DATA_DIR to a private folder."
    )


def _revocation_store() -> tuple[type[Any], dict[str, Any]]:
    """SQLiteBlacklist in the private data folder when jwt_core has it (shared, kept)."""
    try:
        from jwt_core.blacklist import SQLiteBlacklist
    except ImportError:
        from jwt_core.blacklist import InMemoryBlacklist

        return InMemoryBlacklist, {}
    return SQLiteBlacklist, {"path": str(_data_folder() / "revoked.sqlite3")}


# Before the app exists: a refused data folder stops the demo before anything starts.
STORE = _revocation_store()
app = Sanic("sanic-jwt-extended-demo")

with JWT.initialize(app) as jwt:
    jwt.config.secret_key = _secret_key()
    jwt.config.use_acl = True
    jwt.config.use_blacklist = True
    jwt.config.blacklist_class, jwt.config.blacklist_init_kwargs = STORE
    # json: /logout may take the refresh token as {"refresh_token": ...} in its body.
    jwt.config.token_location = ("headers", "cookies", "json")
    # Each cookie token has its own CSRF value: /cookie/refresh and /cookie/logout, which
    # read the refresh cookie, need the refresh token's in a header of its own.
    jwt.config.refresh_jwt_csrf_header = "X-CSRF-Refresh-Token"
    # Cookie sessions: an access cookie with less than 5 of its 15 minutes left is renewed
    # on the response (sliding); the session ends 30 days after login whatever happens.
    jwt.config.sliding_session_threshold = timedelta(minutes=5)
    # Plain http on localhost: browsers (and curl) drop Secure cookies sent over http.
    jwt.config.cookie_secure = os.environ.get("DEMO_COOKIE_SECURE", "") == "1"


def _credentials(request: Request) -> tuple[str, str] | None:
    """`{"username", "password"}` from the JSON body, or None when it is not that."""
    try:
        body = request.json
    except Exception:  # Sanic raises BadRequest for a body that is not JSON
        return None
    if not isinstance(body, dict):
        return None
    username, password = body.get("username"), body.get("password")
    if not isinstance(username, str) or not isinstance(password, str):
        return None
    return username, password


def _check_user(request: Request) -> tuple[str, str] | HTTPResponse:
    """The (username, role) of valid credentials, or the response refusing them."""
    credentials = _credentials(request)
    if credentials is None:
        return json({"msg": 'send JSON {"username": ..., "password": ...}'}, status=400)
    username, password = credentials
    user = USERS.get(username)
    expected = user["password"] if user else secrets.token_hex(16)
    if not hmac.compare_digest(password.encode(), expected.encode()) or user is None:
        return json({"msg": "bad username or password"}, status=401)
    return username, user["role"]


@app.get("/")
async def index(request: Request) -> HTTPResponse:
    """What this demo offers."""
    return json(
        {
            "POST /login": "JSON {username, password} -> access_token (fresh) + refresh_token",
            "POST /refresh": "refresh token in 'X-Refresh-Token: Bearer ...' -> a new pair "
            "(the old refresh token is used up: using it again ends the session)",
            "POST /logout": "access token (+ the refresh token, optional): ends the session",
            "GET /protected": "any valid access token",
            "GET /optional": "with or without a token",
            "GET /admin": "role ADMIN only",
            "GET /fresh": "fresh access tokens only (straight from /login)",
            "POST /cookie/login": "as /login, but the tokens are set as cookies",
            "POST /cookie/protected": "cookie token + X-CSRF-Token header",
            "POST /cookie/refresh": "refresh cookie + X-CSRF-Refresh-Token: both cookies anew",
            "POST /cookie/logout": "both CSRF headers: ends the session, clears the cookies",
            "users": {name: user["role"] for name, user in USERS.items()},
        }
    )


def _pair(tokens: TokenPair) -> HTTPResponse:
    """The JSON answer carrying an access token and a refresh token."""
    return json(tokens._asdict(), headers=NO_STORE)


def _with_cookies(response: HTTPResponse, tokens: TokenPair) -> HTTPResponse:
    """`response` setting both token cookies (and their CSRF cookies)."""
    set_access_cookies(response, tokens.access_token)
    set_refresh_cookies(response, tokens.refresh_token)
    return response


@app.post("/login")
async def login(request: Request) -> HTTPResponse:
    """Check the credentials and start a session: a fresh access token and a refresh token."""
    checked = _check_user(request)
    if isinstance(checked, HTTPResponse):
        return checked
    return _pair(JWT.start_session(*checked))


@app.post("/refresh")
@refresh_jwt_required(locations="headers")
async def refresh(request: Request, token: Token) -> HTTPResponse:
    """Rotate: a new, non-fresh access token and a new refresh token; this one is used up."""
    return _pair(await JWT.rotate(token))


async def _end_session(request: Request, access: Token, where: tuple[str, ...]) -> None:
    """Log out: the access token, the refresh token when the client sent it, their family.

    The family covers the refresh token the client did not send: it is refused too.
    """
    refresh = await verify_jwt_in_request(request, refresh=True, optional=True, locations=where)
    await JWT.logout(access, refresh)


@app.post("/logout")
@jwt_required
async def logout(request: Request, token: Token) -> HTTPResponse:
    """Log out; the refresh token may come in X-Refresh-Token or as JSON refresh_token."""
    await _end_session(request, token, ("headers", "json"))
    return json({"msg": "logged out: the session's tokens are revoked"})


@app.get("/protected")
@jwt_required
async def protected(request: Request, token: Token) -> HTTPResponse:
    """Any valid access token."""
    return json({"identity": token.identity, "role": token.role, "fresh": token.fresh})


@app.get("/optional")
@jwt_optional
async def optional(request: Request, token: Token | None) -> HTTPResponse:
    """Greets visitors with or without a token."""
    return json({"hello": token.identity if token else "anonymous visitor"})


@app.get("/admin")
@jwt_required(allow=["ADMIN"])
async def admin(request: Request, token: Token) -> HTTPResponse:
    """Only tokens with the ADMIN role."""
    return json({"msg": f"welcome, administrator {token.identity}", "users": sorted(USERS)})


@app.get("/fresh")
@jwt_required(fresh_required=True)
async def fresh(request: Request, token: Token) -> HTTPResponse:
    """Only fresh tokens (from /login, not from /refresh): for sensitive actions."""
    return json({"msg": f"fresh token accepted for {token.identity}"})


@app.post("/cookie/login")
async def cookie_login(request: Request) -> HTTPResponse:
    """As /login, but the tokens travel in HttpOnly cookies, with readable CSRF cookies."""
    checked = _check_user(request)
    if isinstance(checked, HTTPResponse):
        return checked
    response = json({"msg": f"logged in as {checked[0]}; cookies set"}, headers=NO_STORE)
    return _with_cookies(response, JWT.start_session(*checked))


@app.post("/cookie/protected")
@jwt_required
async def cookie_protected(request: Request, token: Token) -> HTTPResponse:
    """A state-changing route: a cookie token must come with the X-CSRF-Token header."""
    return json({"msg": f"hello {token.identity}, your CSRF header matched"})


@app.post("/cookie/refresh")
@refresh_jwt_required(locations="cookies")
async def cookie_refresh(request: Request, token: Token) -> HTTPResponse:
    """As /refresh, for the refresh cookie (and its CSRF header): both cookies are set anew."""
    response = json({"msg": "refreshed; cookies set"}, headers=NO_STORE)
    return _with_cookies(response, await JWT.rotate(token))


@app.post("/cookie/logout")
@jwt_required(locations="cookies")
async def cookie_logout(request: Request, token: Token) -> HTTPResponse:
    """End the cookie session (the refresh cookie's token too) and clear every JWT cookie."""
    await _end_session(request, token, ("cookies",))
    response = json({"msg": "logged out"})
    unset_jwt_cookies(response)
    return response


@app.main_process_ready
def _say_where_it_listens(app: Sanic) -> None:
    """Say once where the demo answers: the main process, whatever WORKERS is, socket bound."""
    print(f"demo: listening on {app.serve_location} (Ctrl+C to stop)", flush=True)


if __name__ == "__main__":
    app.run(
        host=os.environ.get("HOST", "127.0.0.1"),
        port=int(os.environ.get("PORT", "8000")),
        workers=int(os.environ.get("WORKERS", "1")),
        access_log=True,
    )
