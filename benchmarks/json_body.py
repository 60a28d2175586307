"""Body-parse benchmark: what reading a JSON body for a token costs a guarded route.

With "json" in token_location a guarded route reads the body before anyone is
authenticated. This times, for a few hostile and ordinary bodies, (1) the token lookup alone
(`find_token` on a real Sanic request, in process) and (2) whole POST requests to a real
Sanic server (its own HTTP/1.1 protocol, on loopback) for an unguarded route and for
`jwt_required` / `jwt_optional` routes, as medians and as ratios to the unguarded route.

Run: `python benchmarks/json_body.py [--quick]`. Nothing here asserts a timing.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from typing import Any

from harness.machine import cpu_model, version_of
from harness.sanic_server import RunningServer
from sanic import Request, Sanic
from sanic.compat import Header
from sanic.response import HTTPResponse, text
from sanic.response import json as json_response

from jwt_core import JWTExtendedException, Token
from sanic_jwt_extended import JWT, jwt_optional, jwt_required
from sanic_jwt_extended._locations import find_token

SECRET = "benchmark-secret-0123456789abcdef-0123456789abcdef"
CAP = 65536  # json_body_max_bytes' default


def bodies(token: str) -> dict[str, bytes]:
    """The bodies timed: the issue's 20 MB one, hostile ones under the cap, a login-size one."""
    objects_under_cap = b"[" + b"{}," * ((CAP - 4) // 3) + b"{}]"
    # the worst case of the repeat check: the token member, many others, escapes everywhere
    member = b'"\\u0061":0,'
    members = b"{" + member * ((CAP - 300 - len(token)) // len(member))
    members += b'"access_token": "' + token.encode() + b'"}'
    # the most objects a body under the cap can hold, beside the token: parsed in full
    head = b'{"access_token": "' + token.encode() + b'", "a": ['

    def filled(tail: bytes) -> bytes:
        return head + b"{}," * ((CAP - len(head) - len(tail) - 2) // 3) + b"{}" + tail

    return {
        "20 MB [{},{},...]": b"[" + b"{}," * (20_000_000 // 3) + b"{}]",
        "64 KiB [{},{},...] (under the cap)": objects_under_cap,
        "64 KiB token + [{},{},...]": filled(b"]}"),
        "64 KiB token + [{},...] + escape": filled(b'], "\\u0062": 1}'),
        "64 KiB escaped members + token": members,
        "a token alone": json.dumps({"access_token": token}).encode(),
    }


def median_seconds(call: Callable[[], Any], repeat: int) -> float:
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        call()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def lookup(app: Any, reader: Any, body: bytes) -> Callable[[], Any]:
    """One token lookup on a real sanic Request carrying `body` as JSON."""

    def run() -> Any:
        headers = Header([("content-type", "application/json")])
        request = Request(b"/access", headers, "1.1", "POST", None, app)  # type: ignore[arg-type]
        request.body = body
        try:
            return find_token(request, reader, optional=True)
        except JWTExtendedException as exc:
            return exc

    return run


def post(server: RunningServer, path: str, body: bytes, statuses: dict[str, int]) -> Any:
    """One whole POST of `body` as JSON to `path`; its status is noted in `statuses`."""

    def run() -> None:
        response = server.request("POST", path, [(b"Content-Type", b"application/json")], body)
        statuses[path] = response.status_code

    return run


PATHS = ("/open", "/access", "/optional")  # unguarded, jwt_required, jwt_optional


def build_app() -> Sanic[Any, Any]:
    """Tokens read from the Authorization header and the JSON body; a route for each of PATHS."""
    app: Sanic[Any, Any] = Sanic("bench_json_body")
    app.config.TOUCHUP = False  # it costs 0.1 s a request
    app.config.AUTO_EXTEND = False  # sanic-ext, when installed, would double each request's cost
    with JWT.initialize(app) as jwt:
        jwt.config.secret_key = SECRET
        jwt.config.token_location = ("headers", "json")

    @app.post("/open")
    async def open_route(request: Request) -> HTTPResponse:
        return text("ok")

    @app.post("/access")
    @jwt_required
    async def access(request: Request, token: Token) -> HTTPResponse:
        return json_response({"identity": token.identity})

    @app.post("/optional")
    @jwt_optional
    async def optional(request: Request, token: Token | None) -> HTTPResponse:
        return json_response({"identity": None if token is None else token.identity})

    return app


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="fewer repetitions")
    args = parser.parse_args(argv)
    app = build_app()
    print(f"CPU: {cpu_model()}; Python {sys.version.split()[0]}; sanic {version_of('sanic')}")
    print(f"json_body_max_bytes = {getattr(app.ctx.jwt.config, 'json_body_max_bytes', 'n/a')}")
    with RunningServer(app) as server:
        token = app.ctx.jwt.manager.create_access_token("alice")
        reader = app.ctx.jwt.places["access"]
        print(
            f"{'body':<36} {'bytes':>10} {'lookup':>10} {'open':>10} {'required':>10} "
            f"{'optional':>10}  required/open optional/open  statuses"
        )
        for name, body in bodies(token).items():
            big = len(body) > 1_000_000
            repeat = (3 if args.quick else 7) if big else (20 if args.quick else 200)
            parse = median_seconds(lookup(app, reader, body), repeat)
            statuses: dict[str, int] = {}
            timed = {
                path: median_seconds(post(server, path, body, statuses), repeat) for path in PATHS
            }
            line = f"{name:<36} {len(body):>10} {parse * 1e3:>8.3f}ms"
            line += "".join(f" {timed[path] * 1e3:>8.2f}ms" for path in PATHS)
            required, optional = (timed[path] / timed["/open"] for path in PATHS[1:])
            print(f"{line}  {required:>12.2f}x {optional:>12.2f}x  {statuses}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
