"""Over HTTP: the Authorization header is parsed by the library, strictly, never by Sanic.

Sanic's own `request.token` looks for "Bearer" or "Token" anywhere in the header (a substring
match) and strips the rest, so `XBearer <token>` or `Basic Bearer <token>` would carry a valid
token through; the library must not. RFC 6750 section 2.1 (`Bearer 1*SP b64token`), RFC 7235
section 2.1 (the scheme is case-insensitive), RFC 9110 section 5.3 (Authorization is a
singleton field). Statuses as API.md section 6: a malformed or foreign header is
`invalid_header` (422) on a required route; no header at all is `no_authorization` (401).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from sanic.headers import parse_credentials

from tests.security.forge import forge
from tests.security.http_app import Site, assert_refused, build_app, live_claims, started

pytestmark = pytest.mark.asyncio(loop_scope="module")


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app() -> AsyncIterator[Site]:
    async with started(build_app("headers")) as (site,):
        yield site


@pytest.fixture(scope="module")
def token() -> str:
    return forge(None, live_claims())


async def get(site: Site, path: str, headers: Any) -> Any:
    return await site.get(path, headers=headers)


def identity_of(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return json.loads(response.content)["identity"]


async def test_control_a_plain_bearer_header_is_accepted(app: Site, token: str) -> None:
    assert identity_of(await get(app, "/access", {"Authorization": f"Bearer {token}"})) == "alice"


@pytest.mark.parametrize("scheme", ["bearer", "BEARER", "bEaReR"])
async def test_the_scheme_is_case_insensitive(app: Site, token: str, scheme: str) -> None:
    assert identity_of(await get(app, "/access", {"Authorization": f"{scheme} {token}"})) == "alice"


@pytest.mark.parametrize("value", ["", " ", "\t"])
async def test_an_empty_header_is_no_authorization(app: Site, value: str) -> None:
    response = await get(app, "/access", [(b"Authorization", value.encode())])
    assert_refused(response, 401)
    # RFC 6750 section 3.1: no error code when the request carried no credentials
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize("value", ["Bearer", "Bearer ", "bearer   ", "Bearer\t"])
async def test_bearer_alone_is_an_invalid_header(app: Site, value: str) -> None:
    body = assert_refused(await get(app, "/access", [(b"Authorization", value.encode())]), 422)
    assert "Authorization: Bearer <token>" in body["msg"]
    # jwt_optional too: a Bearer header without a token is a bad request, not "no token"
    assert_refused(await get(app, "/optional", [(b"Authorization", value.encode())]), 422)


async def test_two_spaces_after_bearer_are_accepted(app: Site, token: str) -> None:
    # RFC 6750 section 2.1: credentials = "Bearer" 1*SP b64token
    response = await get(app, "/access", {"Authorization": f"Bearer  {token}"})
    assert identity_of(response) == "alice"


@pytest.mark.parametrize(
    "value", ["Bearer  two spaces", "Bearer {t} {t}", "Bearer {t} x", "Bearer x {t}"]
)
async def test_more_than_one_credential_after_bearer_is_an_invalid_header(
    app: Site, token: str, value: str
) -> None:
    value = value.format(t=token)
    for path in ("/access", "/optional"):
        assert_refused(await get(app, path, {"Authorization": value}), 422, token)


@pytest.mark.parametrize("value", ["Basic YWxpY2U6c2VjcmV0", "Basic xxx", "Digest username=x"])
async def test_another_scheme_is_refused_on_a_required_route_and_ignored_on_an_optional_one(
    app: Site, value: str
) -> None:
    body = assert_refused(await get(app, "/access", {"Authorization": value}), 422)
    assert "another scheme" in body["msg"]
    assert identity_of(await get(app, "/optional", {"Authorization": value})) is None


# Each carries a valid token where a substring search for the prefix would find it.
SUBSTRING_TRAPS = [
    "BearerX {t}",
    "Bearer{t}",
    "XBearer {t}",
    "NotBearer {t}",
    "Basic Bearer {t}",
    "Token {t}",
    "Bearer-{t}",
    "Bearer:{t}",
    "Bearer,{t}",
]


@pytest.mark.parametrize("trap", SUBSTRING_TRAPS)
async def test_the_prefix_is_matched_as_a_whole_word_not_a_substring(
    app: Site, token: str, trap: str
) -> None:
    value = trap.format(t=token)
    response = await get(app, "/access", {"Authorization": value})
    assert_refused(response, 422, token)
    # on an optional route it is another scheme: the view runs without a token
    assert identity_of(await get(app, "/optional", {"Authorization": value})) is None


async def test_the_traps_do_break_sanics_own_parser(token: str) -> None:
    """The hostile values are real: Sanic's request.token parser yields a usable token."""
    fooled = [
        trap
        for trap in SUBSTRING_TRAPS
        if parse_credentials(trap.format(t=token), ("Bearer", "Token"))[1] == token
    ]
    assert set(fooled) >= {"Bearer{t}", "XBearer {t}", "NotBearer {t}", "Basic Bearer {t}"}


@pytest.mark.parametrize(
    "values",
    [
        ["Bearer {t}", "Bearer x.y.z"],
        ["Bearer x.y.z", "Bearer {t}"],
        ["Bearer {t}", "Bearer {t}"],
        ["Basic xxx", "Bearer {t}"],
    ],
    ids=["valid-then-garbage", "garbage-then-valid", "same-twice", "basic-then-bearer"],
)
async def test_several_authorization_headers_are_refused(
    app: Site, token: str, values: list[str]
) -> None:
    headers = [(b"Authorization", value.format(t=token).encode()) for value in values]
    for path in ("/access", "/optional"):
        body = assert_refused(await get(app, path, headers), 422, token)
        assert "one Authorization header" in body["msg"]


async def test_authorization_values_joined_by_a_comma_are_refused(app: Site, token: str) -> None:
    # what a proxy makes of two Authorization fields (RFC 9110 section 5.3)
    value = f"Bearer {token}, Bearer {token}"
    assert_refused(await get(app, "/access", {"Authorization": value}), 422, token)


# -- size and encoding -----------------------------------------------------------------------
async def test_a_100_kb_header_is_refused_without_echo(app: Site, token: str) -> None:
    # Through ASGI no server limits header size, so the library's own limit answers.
    for value in (f"Bearer {token}{'A' * 100_000}", "Bearer " + "A" * 100_000, "B" * 100_000):
        response = await get(app, "/access", {"Authorization": value})
        body = assert_refused(response, 422, value[:60], value[-60:])
        assert len(response.content) < 1000, body
