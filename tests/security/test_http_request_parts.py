"""Over HTTP: hostile query strings, JSON bodies, cookies and CSRF headers.

Each app reads one token location. What is not a token there is `no_authorization` (401 with
a bare `Bearer` challenge); a token there that is wrong is 422, a CSRF failure 401 (API.md
section 6). A request that carries the token twice in one place is ambiguous, since the
library and whatever sits in front of it (a proxy, a WAF, a log scrubber) may each read a
different copy: it is refused (400, or 422 as for two Authorization headers), never served
with whichever copy one parser happens to pick. RFC 6265 sections 4.2 and 5.4 (cookies),
RFC 8259 section 4 (member names should be unique), OWASP HTTP parameter pollution.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio

from tests.security.forge import forge
from tests.security.http_app import CSRF, Site, assert_refused, build_app, live_claims, started

pytestmark = pytest.mark.asyncio(loop_scope="module")

AMBIGUOUS = (400, 422)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def apps() -> AsyncIterator[dict[str, Site]]:
    locations = ("query_string", "json", "cookies")
    async with started(*(build_app(location) for location in locations)) as sites:
        yield dict(zip(locations, sites, strict=True))


@pytest.fixture(scope="module")
def token() -> str:
    return forge(None, live_claims())


async def post(site: Site, path: str = "/access", **kwargs: Any) -> Any:
    return await site.post(path, **kwargs)


def identity_of(response: Any) -> Any:
    assert response.status_code == 200, response.text
    return json.loads(response.content)["identity"]


# -- query string --------------------------------------------------------------------------------
async def test_control_a_token_in_the_query_string_is_accepted(
    apps: dict[str, Site], token: str
) -> None:
    assert identity_of(await post(apps["query_string"], params={"jwt": token})) == "alice"


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(("{t}", "x.y.z"), id="valid-then-garbage"),
        pytest.param(("{t}", "{t}"), id="valid-twice"),
        pytest.param(("x.y.z", "{t}"), id="garbage-then-valid"),
    ],
)
async def test_a_repeated_jwt_query_parameter_is_refused(
    apps: dict[str, Site], token: str, order: tuple[str, ...]
) -> None:
    params = [("jwt", value.format(t=token)) for value in order]
    response = await post(apps["query_string"], params=params)
    assert response.status_code in AMBIGUOUS, response.text
    assert_refused(response, response.status_code, token)


@pytest.mark.parametrize(
    ("query", "status"),
    [
        ("jwt=", 401),
        ("jwt", 401),
        ("JWT={t}", 401),  # parameter names are case-sensitive
        ("jwt[]={t}", 401),
        ("jwt=%ff%fe", 422),
        ("jwt={t}%00", 422),
        ("jwt={t}%20x", 422),
        ("jwt=%7B%7D", 422),
        ("jwt={t};jwt=x", 422),  # `;` is no separator: one value, which is no token
        ("jwt=" + "A" * 50_000, 422),  # httpx refuses URLs over 64 KB
        ("&&&=&=&jwt&=", 401),
    ],
    ids=lambda v: str(v)[:30],
)
async def test_a_hostile_query_string_is_refused(
    apps: dict[str, Site], token: str, query: str, status: int
) -> None:
    response = await post(apps["query_string"], f"/access?{query.format(t=token)}")
    assert_refused(response, status, token)


# -- JSON body -----------------------------------------------------------------------------------
JSON = {"Content-Type": "application/json"}


async def test_control_a_token_in_the_json_body_is_accepted(
    apps: dict[str, Site], token: str
) -> None:
    assert identity_of(await post(apps["json"], json={"access_token": token})) == "alice"


NOT_AN_OBJECT = {
    "array": b"[]",
    "array-of-token": b'["{t}"]',
    "number": b"12345",
    "string": b'"{t}"',
    "null": b"null",
    "true": b"true",
    "empty": b"",
    "whitespace": b" \n\t ",
    "truncated": b'{"access_token": "{t}"',
    "trailing-garbage": b'{"access_token": "{t}"} x',
    "not-utf8": b'{"access_token": "\xff\xfe"}',
    "utf16": '{"access_token": "x"}'.encode("utf-16"),
    "bom": b'\xef\xbb\xbf{"access_token": "{t}"}',
    "single-quotes": b"{'access_token': '{t}'}",
    # hostile shapes under json_body_max_bytes (64 KiB): parsed, and found to hold no token
    "deep-arrays": b"[" * 60_000,
    "deep-objects": b'{"a":' * 10_000 + b"1" + b"}" * 10_000,
    "many-objects": b"[" + b"{}," * 20_000 + b"{}]",
    "long-padding": b'{"pad": "' + b"x" * 60_000 + b'"}',
}


@pytest.mark.parametrize("kind", list(NOT_AN_OBJECT))
async def test_a_json_body_that_is_not_an_object_carries_no_token(
    apps: dict[str, Site], token: str, kind: str
) -> None:
    body = NOT_AN_OBJECT[kind].replace(b"{t}", token.encode())
    response = await post(apps["json"], content=body, headers=JSON)
    assert_refused(response, 401, token)
    assert response.headers["www-authenticate"] == "Bearer"


@pytest.mark.parametrize(
    ("member", "status"),
    [
        (b"null", 401),
        (b'""', 401),
        (b"1", 422),
        (b"true", 422),
        (b"[]", 422),
        (b'["{t}"]', 422),
        (b'{"token": "{t}"}', 422),
        (b"NaN", 422),
        (b"1e999", 422),
        (b'"{t} "', 422),
        (b'"\\u0000"', 422),
        (b'"\\ud800"', 422),  # a lone surrogate
        (b'"' + b"A" * 60_000 + b'"', 422),  # longer than max_token_length
        (b"[" * 30_000 + b"]" * 30_000, 401),  # too deep to parse: no JSON, so no token
    ],
    ids=lambda v: repr(v)[:30],
)
async def test_an_access_token_member_that_is_not_a_token_is_refused(
    apps: dict[str, Site], token: str, member: bytes, status: int
) -> None:
    body = b'{"access_token": ' + member.replace(b"{t}", token.encode()) + b"}"
    assert_refused(await post(apps["json"], content=body, headers=JSON), status, token)


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(("{t}", "x.y.z"), id="valid-then-garbage"),
        pytest.param(("x.y.z", "{t}"), id="garbage-then-valid"),
        pytest.param(("{t}", "{t}"), id="valid-twice"),
    ],
)
async def test_a_repeated_access_token_member_is_refused(
    apps: dict[str, Site], token: str, order: tuple[str, ...]
) -> None:
    members = ", ".join(f'"access_token": "{value.format(t=token)}"' for value in order)
    response = await post(apps["json"], content=f"{{{members}}}".encode(), headers=JSON)
    assert response.status_code in AMBIGUOUS, response.text
    assert_refused(response, response.status_code, token)


# -- cookies -------------------------------------------------------------------------------------
def cookie(value: bytes, csrf: bytes | None = CSRF.encode()) -> dict[str, Any]:
    headers = [(b"Cookie", value)]
    if csrf is not None:
        headers.append((b"X-CSRF-Token", csrf))
    return {"headers": headers}


async def test_control_a_cookie_with_its_csrf_header_is_accepted(
    apps: dict[str, Site], token: str
) -> None:
    response = await post(apps["cookies"], **cookie(b"access_token_cookie=" + token.encode()))
    assert identity_of(response) == "alice"


@pytest.mark.parametrize(
    ("header", "status"),
    [
        (b"access_token_cookie=", 401),
        (b"access_token_cookie", 401),
        (b"=;=;=", 401),
        (b";;;;;;;;", 401),
        (b"other=1; access_token_cookie_x={t}", 401),
        (b"ACCESS_TOKEN_COOKIE={t}", 401),  # cookie names are case-sensitive
        (b"access_token_cookie=%%%", 422),
        (b'access_token_cookie="abc"', 422),
        (b"access_token_cookie=\xff\xfe\x80", 422),
        (b"access_token_cookie=a=b=c", 422),
        (b"access_token_cookie={t}x", 422),
        (b"access_token_cookie=" + b"A" * 100_000, 422),
        (b"access_token_cookie=\\x00\\x01", 422),
        (b"; ".join(b"c%d=%d" % (i, i) for i in range(2000)), 401),  # 2000 other cookies
    ],
    ids=lambda v: repr(v)[:30],
)
async def test_a_garbage_cookie_is_refused(
    apps: dict[str, Site], token: str, header: bytes, status: int
) -> None:
    value = header.replace(b"{t}", token.encode())
    assert_refused(await post(apps["cookies"], **cookie(value)), status, token)


@pytest.mark.parametrize(
    "order",
    [
        pytest.param(("{t}", "x.y.z"), id="valid-then-garbage"),
        pytest.param(("x.y.z", "{t}"), id="garbage-then-valid"),
        pytest.param(("{t}", "{t}"), id="valid-twice"),
    ],
)
async def test_a_repeated_token_cookie_is_refused(
    apps: dict[str, Site], token: str, order: tuple[str, ...]
) -> None:
    # What an attacker on a sibling subdomain can cause by setting a cookie of the same name
    # for the parent domain (cookie tossing): the browser then sends both.
    header = "; ".join(f"access_token_cookie={value.format(t=token)}" for value in order)
    response = await post(apps["cookies"], **cookie(header.encode()))
    assert response.status_code in AMBIGUOUS, response.text
    assert_refused(response, response.status_code, token)


# -- CSRF header ---------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "csrf",
    [
        None,
        b"",
        b"A" * 100_000,
        "é".encode() * 8,
        "\u0430".encode() * 36,  # Cyrillic a, as long as a UUID
        b"\xff\xfe",
        CSRF.encode() + b"\xff",
        CSRF.encode() + b"\x00",
        CSRF.upper().encode(),
        CSRF[:-1].encode(),
        CSRF.encode() * 2,
    ],
    ids=lambda v: repr(v)[:24],
)
async def test_a_hostile_csrf_header_is_a_csrf_error(
    apps: dict[str, Site], token: str, csrf: bytes | None
) -> None:
    response = await post(apps["cookies"], **cookie(b"access_token_cookie=" + token.encode(), csrf))
    body = assert_refused(response, 401, token, CSRF)
    assert "CSRF" in body["msg"]
