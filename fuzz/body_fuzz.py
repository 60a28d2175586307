"""Coverage-guided fuzzing of the token lookup in a JSON body (the adapter's `find_token`).

The contract under test: whatever body and Content-Type a request brings, looking for the
token in it gives a token, nothing, or one of the library's own refusals
(`JWTExtendedException`), and its answer agrees with a plain reading of the same body:

- a body over `json_body_max_bytes` that is sent as JSON is refused (`BodyTooLargeError`);
- a token found in the body is the one string value of the one top-level member of that name;
- "send the token once" means the top-level object names that member more than once.

Bodies can be huge: an input may ask for a fragment repeated up to a million times, around a
token member or not, under a cap of 256 bytes, the 64 KiB default or 16 MiB. libFuzzer's
`-timeout` turns a body whose lookup does unbounded work into a reported crash.

CI (seconds):   python fuzz/body_fuzz.py -runs=3000 -timeout=10 -dict=fuzz/body.dict
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import sys
from pathlib import Path
from typing import Any

# A checkout without install: the packages' source trees (Sanic itself must be installed).
for module, folder in (("jwt_core", "jwt-core"), ("sanic_jwt_extended", "sanic-adapter")):
    if importlib.util.find_spec(module) is None:
        sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "packages" / folder / "src"))


def _instrumented() -> contextlib.AbstractContextManager[Any]:
    """Under the fuzzer, instrument the adapter's token lookup only (the rest is not ours)."""
    if __name__ != "__main__":
        return contextlib.nullcontext()
    import atheris  # type: ignore[import-untyped]

    context: contextlib.AbstractContextManager[Any] = atheris.instrument_imports(
        include=["sanic_jwt_extended"]
    )
    return context


from sanic import Request, Sanic  # noqa: E402
from sanic.compat import Header  # noqa: E402

with _instrumented():
    from jwt_core import BodyTooLargeError, InvalidHeaderError, JWTExtendedException
    from sanic_jwt_extended._locations import find_token
    from sanic_jwt_extended._places import TokenPlaces
    from sanic_jwt_extended.http_config import HttpConfig

KEY = "access_token"
CAPS = (256, 65536, 16 * 1024 * 1024)
CONTENT_TYPES = (
    "application/json",
    "application/json; charset=utf-8",
    "APPLICATION/JSON",
    "application/problem+json",
    "text/plain",
    "application/x-www-form-urlencoded",
    "",
)
FRAGMENTS = ("{},", "[],", "[{}],", '"\\u0061",', "0,", '{"a":[1,{}]},', '"access_token",')


def _places(cap: int) -> TokenPlaces:
    config = HttpConfig(secret_key="f" * 32, token_location=("json",), json_body_max_bytes=cap)
    config.validate()
    return TokenPlaces.build(config, "access")


PLACES = {cap: _places(cap) for cap in CAPS}
APP = Sanic("body-fuzz")


def _request(body: bytes, content_type: str) -> Request:
    headers = Header([("Content-Type", content_type)] if content_type else [])
    request = Request(b"/", headers, "1.1", "POST", None, APP)  # type: ignore[arg-type]
    request.body = body
    return request


def _body(fdp: Any) -> bytes:
    """Raw fuzzed bytes, or a fragment repeated up to a million times, with a token or not."""
    if fdp.ConsumeBool():
        return bytes(fdp.ConsumeBytes(fdp.remaining_bytes()))
    fragment = FRAGMENTS[fdp.ConsumeIntInRange(0, len(FRAGMENTS) - 1)]
    if fdp.ConsumeBool():
        fragment = fdp.ConsumeUnicode(16) or fragment
    times = fdp.ConsumeIntInRange(0, 1_000_000)
    members = fdp.ConsumeIntInRange(0, 2)  # how many token members
    spelled = ('"access_token"', '"access\\u005ftoken"')[fdp.ConsumeIntInRange(0, 1)]
    head = "".join(f'{spelled}:"a.b.c",' for _ in range(members))
    tail = fdp.ConsumeUnicode(fdp.remaining_bytes())
    text = "{" + head + '"x":[' + fragment * times + "0]" + tail + "}"
    return text.encode("utf-8", "surrogatepass")


def _top_level_values(body: bytes) -> list[Any] | None:
    """The values of every top-level member named KEY, read plainly; None: no JSON object."""
    try:
        pairs = json.loads(body.decode("utf-8"), object_pairs_hook=list)
    except (UnicodeDecodeError, ValueError, RecursionError):
        return None
    if not isinstance(pairs, list) or (pairs and not isinstance(pairs[0], tuple)):
        return None  # an array at the top, not an object (an object decodes as a list of pairs)
    if not body.lstrip(b" \t\r\n").startswith(b"{"):
        return None
    return [value for name, value in pairs if name == KEY]


def one_input(data: bytes) -> None:
    """One fuzz iteration: a body, a Content-Type and a cap; check the lookup's answer."""
    import atheris

    fdp = atheris.FuzzedDataProvider(data)
    cap = CAPS[fdp.ConsumeIntInRange(0, len(CAPS) - 1)]
    content_type = CONTENT_TYPES[fdp.ConsumeIntInRange(0, len(CONTENT_TYPES) - 1)]
    optional = fdp.ConsumeBool()
    body = _body(fdp)
    is_json = content_type and "json" in content_type.lower()
    try:
        found = find_token(_request(body, content_type), PLACES[cap], optional=optional)
    except BodyTooLargeError as exc:
        if not (is_json and len(body) > cap):
            raise AssertionError(f"413 for a {len(body)}-byte body under a {cap}-byte cap") from exc
        return
    except InvalidHeaderError as exc:
        if "once" in str(exc):
            values = _top_level_values(body)
            if values is None or len(values) < 2:
                raise AssertionError("'send the token once' for a body naming it once") from exc
        return
    except JWTExtendedException:
        return
    if is_json and len(body) > cap and body:
        raise AssertionError(f"a {len(body)}-byte body over a {cap}-byte cap was read")
    values = _top_level_values(body) if body else None
    if found is not None:
        if values != [found.raw]:
            raise AssertionError("the token found is not the body's one top-level member")
    elif is_json and values and len(values) == 1 and isinstance(values[0], str) and values[0]:
        raise AssertionError("the body's one top-level token member was not found")


def main() -> None:
    import atheris

    atheris.Setup(sys.argv, one_input)
    atheris.Fuzz()


if __name__ == "__main__":
    main()
