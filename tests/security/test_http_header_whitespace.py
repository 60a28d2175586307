"""Only SP separates the scheme from the token; any other whitespace makes the header malformed.

RFC 7235 section 2.1 (`credentials = auth-scheme [ 1*SP ... ]`) and RFC 6750 section 2.1
(`"Bearer" 1*SP b64token`). Python's str.split() also splits on tab, VT, FF, 0x1C-0x1F, NBSP,
NEL and every other Unicode space, and so may a proxy or gateway in front: reading such a
header as "Bearer <token>" would let the two disagree on what was sent. The whole class is
refused with 422 (`invalid_header`): every `str.isspace()` code point, between the scheme and
the token, inside or after the token, or before the scheme. SP and HTAB around the whole
value are optional whitespace that HTTP drops from every field value (RFC 9110 section 5.5),
so they are dropped here too, through ASGI as on the wire.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from sanic import Request, Sanic
from sanic.compat import Header

from jwt_core import InvalidHeaderError
from sanic_jwt_extended import HttpConfig
from sanic_jwt_extended._locations import find_token
from sanic_jwt_extended._places import TokenPlaces
from tests.security.http_app import assert_refused, build_app, manager_of
from tests.support.sanic_server import RunningServer

WHITESPACE = [chr(c) for c in range(sys.maxunicode + 1) if chr(c).isspace()]
NOT_SP = [c for c in WHITESPACE if c != " "]
OWS = " \t"


@pytest.fixture(scope="module")
def server() -> Iterator[RunningServer]:
    with RunningServer(build_app("headers")) as running:
        yield running


@pytest.fixture(scope="module")
def token(server: RunningServer) -> str:
    return manager_of(server.app).create_access_token("alice")


def test_the_class_is_what_str_split_splits_on() -> None:
    assert all(f"a{c}b".split() == ["a", "b"] for c in WHITESPACE)
    assert {"\t", "\x0b", "\x0c", "\x1c", "\x1f", "\xa0", "\x85", "\u2028", "\u3000"} < set(
        WHITESPACE
    )


# -- on the wire: a real server, raw bytes ---------------------------------------------------
# Bytes a client library would refuse or normalise; CR and LF would end the header line.
ON_THE_WIRE = [b"\t", b"\x0b", b"\x0c", b"\x1c", b"\x1d", b"\x1e", b"\x1f", b"\t "]
ON_THE_WIRE += [c.encode() for c in ("\xa0", "\x85", "\u1680", "\u2003", "\u2028", "\u3000")]


@pytest.mark.parametrize("space", ON_THE_WIRE, ids=repr)
@pytest.mark.parametrize(
    "form", [b"Bearer{s}{t}", b"Bearer {s}{t}", b"Bearer{s} {t}", b"Bearer {t}{s}x"]
)
def test_other_whitespace_after_bearer_is_refused_on_the_wire(
    server: RunningServer, token: str, space: bytes, form: bytes
) -> None:
    value = form.replace(b"{s}", space).replace(b"{t}", token.encode())
    for path in ("/access", "/optional"):
        response = server.request("GET", path, [(b"Authorization", value)])
        payload = assert_refused(response, 422, token)
        assert "malformed" in payload["msg"]


@pytest.mark.parametrize("space", [b"\x0b", b"\x0c", b"\x1c", b"\xc2\xa0", b"\xc2\x85"], ids=repr)
def test_other_whitespace_after_the_token_is_refused_on_the_wire(
    server: RunningServer, token: str, space: bytes
) -> None:
    value = b"Bearer " + token.encode() + space
    assert_refused(server.request("GET", "/access", [(b"Authorization", value)]), 422, token)


@pytest.mark.parametrize(
    "form", [b"Bearer {t}", b"Bearer   {t}", b" Bearer {t} ", b"\tBearer {t}\t", b"bearer {t} \t"]
)
def test_sp_between_and_ows_around_are_accepted_on_the_wire(
    server: RunningServer, token: str, form: bytes
) -> None:
    value = form.replace(b"{t}", token.encode())
    response = server.request("GET", "/access", [(b"Authorization", value)])
    assert response.status_code == 200, response.content
    assert json.loads(response.content) == {"identity": "alice"}


# -- every whitespace code point: the reader itself, on a real sanic Request -----------------
@pytest.fixture(scope="module")
def readers() -> dict[str, TokenPlaces]:
    """The access-token reader with the Bearer prefix, and with no prefix at all."""
    bearer = HttpConfig(secret_key="s" * 32)
    bare = HttpConfig(secret_key="s" * 32, jwt_header_prefix="")
    for config in (bearer, bare):
        config.validate()
    return {"Bearer": TokenPlaces.build(bearer, "access"), "": TokenPlaces.build(bare, "access")}


def request_with(value: str) -> Request:
    app = Sanic.get_app("whitespace-unit", force_create=True)
    return Request(b"/", Header([("Authorization", value)]), "1.1", "GET", None, app)  # type: ignore[arg-type]


def read(reader: TokenPlaces, value: str, *, optional: bool = False) -> Any:
    return find_token(request_with(value), reader, optional=optional)


@pytest.mark.parametrize("space", NOT_SP, ids=lambda c: f"U+{ord(c):04X}")
def test_every_whitespace_but_sp_between_scheme_and_token_is_malformed(
    readers: dict[str, TokenPlaces], space: str
) -> None:
    reader = readers["Bearer"]
    forms = [f"Bearer{space}a.b.c", f"Bearer {space}a.b.c", f"Bearer{space} a.b.c"]
    forms += [f"Bearer a.b{space}c", f"bearer a.b.c{space}x"]
    if space not in OWS:  # not dropped around the value: part of it
        forms += [f"Bearer a.b.c{space}", f"{space}Bearer a.b.c", f"Bearer{space}"]
    for value in forms:
        for optional in (False, True):
            with pytest.raises(InvalidHeaderError, match="malformed"):
                read(reader, value, optional=optional)


@pytest.mark.parametrize("space", NOT_SP, ids=lambda c: f"U+{ord(c):04X}")
def test_every_whitespace_inside_a_bare_token_is_malformed(
    readers: dict[str, TokenPlaces], space: str
) -> None:
    forms = [f"a.b{space}c", f" a.b.c {space}x"]
    if space not in OWS:
        forms += [f"a.b.c{space}", f"{space}a.b.c"]
    for value in forms:
        with pytest.raises(InvalidHeaderError, match="malformed"):
            read(readers[""], value)


@pytest.mark.parametrize("ows", ["", " ", "\t", " \t ", "\t\t"])
def test_ows_around_the_value_is_dropped(readers: dict[str, TokenPlaces], ows: str) -> None:
    assert read(readers["Bearer"], f"{ows}Bearer   a.b.c{ows}").raw == "a.b.c"
    assert read(readers[""], f"{ows}a.b.c{ows}").raw == "a.b.c"
    assert read(readers["Bearer"], ows, optional=True) is None  # blank: no credentials


@pytest.mark.parametrize(
    "value", ["Basic\tabc", "Digest a=1,\tb=2", "Basic\u3000x", "X\x0bBearer a"]
)
def test_another_scheme_stays_another_scheme(readers: dict[str, TokenPlaces], value: str) -> None:
    # on an optional route the request is anonymous, as for any other scheme
    assert read(readers["Bearer"], value, optional=True) is None
