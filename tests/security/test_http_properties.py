"""Over HTTP, property-based: whatever arrives, a protected route answers 200 only for an
untampered valid token and otherwise a 4xx with a JSON `{"msg": ...}` body; never a 5xx.

One app reads every token location (headers, cookies, query string, JSON body) so every
input reaches the library; it and its test client are reused across all examples of the
module, in one event loop. "Untampered" means the carrier delivers exactly the valid token
to the library: for the header after RFC 6750's `Bearer 1*SP` split, for the cookie after
Sanic's own cookie parsing (RFC 6265 allows a quoted value). Bodies of any size and shape,
also past `json_body_max_bytes` (413 unread), and of any content type (not JSON: not read).
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import pytest
import pytest_asyncio
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sanic.cookies.request import parse_cookie

from tests.security.forge import SECRET
from tests.security.http_app import LOCATIONS, Site, build_app, carry, manager_of, started

pytestmark = pytest.mark.asyncio(loop_scope="module")
examples = settings(
    max_examples=120,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def app() -> AsyncIterator[Site]:
    async with started(build_app(*LOCATIONS)) as (site,):
        yield site


@pytest.fixture(scope="module")
def valid(app: Site) -> tuple[str, str]:
    """A valid access token of the app and its CSRF value."""
    manager = manager_of(app)
    token = manager.create_access_token("alice")
    csrf = manager.decode(token).csrf
    assert csrf is not None
    return token, csrf


def assert_4xx(response: Any, *secrets: str) -> None:
    """A client error with a JSON `{"msg": str}` body that echoes none of `secrets`."""
    status = response.status_code
    assert 400 <= status < 500, (status, response.content[:300])
    body = json.loads(response.content)
    assert isinstance(body, dict), body
    assert isinstance(body.get("msg"), str), body
    if status == 401:
        assert response.headers.get("www-authenticate", "").startswith("Bearer")
    everything = response.content + repr(dict(response.headers)).encode()
    for secret in (SECRET, *secrets):
        assert secret.encode() not in everything


async def call(site: Site, method: str = "GET", path: str = "/access", **kwargs: Any) -> Any:
    return await site.request(method, path, **kwargs)


# Field values: any octets but CR, LF and NUL, which cannot appear in a field (RFC 9110 5.5).
field_values = st.binary(max_size=300).map(lambda b: bytes(c for c in b if c not in b"\r\n\x00"))
prefixes = st.sampled_from([b"", b"Bearer ", b"bearer ", b"Bearer  ", b"Basic ", b"Bearer\t"])


@examples
@given(
    prefix=prefixes, value=field_values, name=st.sampled_from(["Authorization", "X-Refresh-Token"])
)
async def test_any_token_header_value(app: Site, prefix: bytes, value: bytes, name: str) -> None:
    response = await call(app, headers=[(name.encode(), prefix + value)])
    assert_4xx(response)


_printable = st.characters(exclude_categories=("Cc", "Cs"))


@examples
@given(
    params=st.lists(
        st.tuples(
            # no control characters: httpx refuses to build such a URL before anything is sent
            st.sampled_from(["jwt", "JWT", "jwt[]", "x"]) | st.text(_printable, max_size=8),
            st.text(_printable, max_size=200),
        ),
        max_size=4,
    ),
    raw=st.text(
        st.characters(min_codepoint=0x20, max_codepoint=0x7E, exclude_characters="#"), max_size=200
    ),
)
async def test_any_query_string(app: Site, params: list[tuple[str, str]], raw: str) -> None:
    assert_4xx(await call(app, params=params))
    assert_4xx(await call(app, path=f"/access?{raw}"))


@examples
@given(value=field_values, whole=field_values, method=st.sampled_from(["GET", "POST"]))
async def test_any_cookie(app: Site, value: bytes, whole: bytes, method: str) -> None:
    headers = [(b"Cookie", b"access_token_cookie=" + value), (b"X-CSRF-Token", value)]
    assert_4xx(await call(app, method, headers=headers))
    assert_4xx(await call(app, method, headers=[(b"Cookie", whole)]))


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=50),
    lambda inner: (
        st.lists(inner, max_size=5) | st.dictionaries(st.text(max_size=15), inner, max_size=5)
    ),
    max_leaves=25,
)


@examples
@given(
    document=json_values,
    member=json_values,
    raw=st.binary(max_size=500),
)
async def test_any_json_body(app: Site, document: Any, member: Any, raw: bytes) -> None:
    headers = {"Content-Type": "application/json"}
    for body in (
        json.dumps(document).encode(),
        json.dumps({"access_token": member}).encode(),
        json.dumps({"refresh_token": member, "access_token": document}).encode(),
        raw,
    ):
        assert_4xx(await call(app, "POST", content=body, headers=headers))


@examples
@given(value=field_values)
async def test_any_csrf_header_with_a_valid_cookie(
    app: Site, valid: tuple[str, str], value: bytes
) -> None:
    token, csrf = valid
    headers = [(b"Cookie", f"access_token_cookie={token}".encode()), (b"X-CSRF-Token", value)]
    response = await call(app, "POST", headers=headers)
    if value == csrf.encode():
        assert response.status_code == 200
    else:
        assert_4xx(response, token, csrf)
        assert response.status_code == 401


# -- mutations of a valid token ----------------------------------------------------------------
MUTATION_CHARACTERS = st.sampled_from(
    list('ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.=+/ \t;,"%\\é\x7f')
)


@st.composite
def mutations(draw: st.DrawFn, token: str) -> str:
    """`token` changed by one to three edits: replace, insert, delete, cut, swap or repeat."""
    mutated = token
    for _ in range(draw(st.integers(1, 3))):
        kind = draw(st.sampled_from(["replace", "insert", "delete", "cut", "swap", "repeat"]))
        at = draw(st.integers(0, max(len(mutated) - 1, 0)))
        if kind == "replace" and mutated:
            mutated = mutated[:at] + draw(MUTATION_CHARACTERS) + mutated[at + 1 :]
        elif kind == "insert":
            mutated = mutated[:at] + draw(MUTATION_CHARACTERS) + mutated[at:]
        elif kind == "delete":
            mutated = mutated[:at] + mutated[at + 1 :]
        elif kind == "cut":
            mutated = mutated[:at]
        elif kind == "swap":
            parts = mutated.split(".")
            i, j = draw(st.integers(0, len(parts) - 1)), draw(st.integers(0, len(parts) - 1))
            parts[i], parts[j] = parts[j], parts[i]
            mutated = ".".join(parts)
        elif kind == "repeat":
            parts = mutated.split(".")
            parts.insert(at % (len(parts) + 1), draw(st.sampled_from(parts)))
            mutated = ".".join(parts)
    return mutated


def delivered(location: str, mutated: str) -> str | None:
    """The text the library receives when `mutated` is sent in `location` (None: no token)."""
    if location == "headers":
        parts = f"Bearer {mutated}".split()
        return parts[1] if len(parts) == 2 else None
    if location == "cookies":
        values = parse_cookie(f"access_token_cookie={mutated}").get("access_token_cookie")
        return values[0] if values else None
    return mutated


@settings(examples, max_examples=200)
@given(data=st.data(), location=st.sampled_from(LOCATIONS))
async def test_a_mutated_valid_token(
    app: Site, valid: tuple[str, str], data: st.DataObject, location: str
) -> None:
    token, csrf = valid
    mutated = data.draw(mutations(token), label="mutated")
    response = await call(app, "POST", **carry(location, mutated, csrf=csrf))
    if delivered(location, mutated) == token:
        assert response.status_code == 200, response.content
        assert json.loads(response.content) == {"identity": "alice"}
    else:
        assert_4xx(response, token, mutated if len(mutated) >= 12 else token)


# -- huge and odd JSON bodies ------------------------------------------------------------------
JSON_BODY_CAP = 65536  # json_body_max_bytes' default
JSON_TYPES = [b"application/json", b"application/json; charset=utf-8", b"application/x+json"]
OTHER_TYPES = [None, b"text/plain", b"application/x-www-form-urlencoded", b"application/jsonx"]
SHAPES = ["deep-arrays", "deep-objects", "many-objects", "long-string", "escapes", "members"]
DEEP = ("deep-arrays", "deep-objects")  # past some depth the decoder gives up: no token


def hostile_value(shape: str, n: int) -> bytes:
    """A valid JSON value of `shape` whose size grows with `n`."""
    if shape == "deep-arrays":
        return b"[" * n + b"0" + b"]" * n
    if shape == "deep-objects":
        return b'{"a":' * n + b"1" + b"}" * n
    if shape == "many-objects":
        return b"[" + b",".join([b"{}"] * n) + b"]"
    if shape == "long-string":
        return b'"' + b"x" * (3 * n) + b'"'
    if shape == "escapes":
        return b'"' + b"\\u0041" * n + b'"'
    return b"{" + b",".join(b'"k%d":0' % i for i in range(n)) + b"}"


REPEATS = [b'"access_token"', b'"access\\u005ftoken"', b'"\\u0061ccess_token"']


@settings(examples, max_examples=60)
@given(
    shape=st.sampled_from(SHAPES),
    n=st.integers(0, 30_000) | st.integers(0, 200),
    repeats=st.lists(st.sampled_from(REPEATS), max_size=2),
    token_first=st.booleans(),
    content_type=st.sampled_from(JSON_TYPES + OTHER_TYPES),
)
async def test_any_huge_or_odd_json_body(
    app: Site,
    valid: tuple[str, str],
    shape: str,
    n: int,
    repeats: list[bytes],
    token_first: bool,
    content_type: bytes | None,
) -> None:
    token = valid[0]
    members = [b'"access_token": "' + token.encode() + b'"', b'"x": ' + hostile_value(shape, n)]
    members += [name + b": null" for name in repeats]
    if not token_first:
        members.reverse()
    body = b"{" + b", ".join(members) + b"}"
    headers = [] if content_type is None else [(b"Content-Type", content_type)]
    required = await call(app, "POST", content=body, headers=headers)
    optional = await call(app, "POST", "/optional", content=body, headers=headers)
    if optional.status_code != 200:
        assert_4xx(optional, token)
    if content_type not in JSON_TYPES:  # not read at all, whatever its size
        assert required.status_code == 401, required.content[:200]
        assert json.loads(optional.content) == {"identity": None}
        return
    if len(body) > JSON_BODY_CAP:  # refused unread
        for response in (required, optional):
            assert response.status_code == 413, response.content[:200]
            assert_4xx(response, token)
        return
    expected = 422 if repeats else 200
    allowed = {expected, 401} if shape in DEEP and n > 200 else {expected}
    assert required.status_code in allowed, (required.status_code, required.content[:200])
    if required.status_code == 200:
        assert json.loads(required.content) == {"identity": "alice"}
        assert json.loads(optional.content) == {"identity": "alice"}
    else:
        assert_4xx(required, token)
