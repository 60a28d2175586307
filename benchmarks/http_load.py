"""HTTP benchmark: one Sanic route, open and guarded by `jwt_required` (with each blacklist), and
a PyJWT-guarded one, under one load generator, in interleaved rounds, as ratios to the open route.

Run: `hatch run bench:http` or `python benchmarks/http_load.py [--quick] [--json out.json]`.
`--profile VARIANT` runs cProfile inside the server instead and prints where its time goes.
See benchmarks/README.md (section HTTP) for what every row and column means.
"""

from __future__ import annotations

import argparse
import array
import asyncio
import contextlib
import cProfile
import http.client
import importlib.metadata
import io
import json
import math
import os
import platform
import pstats
import shutil
import signal
import socket
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO, Literal, get_args

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
for _src in ("packages/jwt-core/src", "packages/sanic-adapter/src", "tests/stores"):
    if str(REPO / _src) not in sys.path:
        sys.path.append(str(REPO / _src))

import jwt as pyjwt  # noqa: E402
from machine import cpu_model, version_of  # noqa: E402
from sanic import Request, Sanic  # noqa: E402
from sanic.response import HTTPResponse, text  # noqa: E402

from jwt_core import (  # noqa: E402
    Config,
    InMemoryBlacklist,
    RedisBlacklist,
    SQLiteBlacklist,
    Token,
    TokenManager,
)
from sanic_jwt_extended import JWT, jwt_required  # noqa: E402

SECRET = "benchmark-secret-0123456789abcdef-0123456789abcdef"
TOKEN_LIFETIME = timedelta(hours=6)  # outlives any run
REDIS_PREFIX = "jwt-bench-http:"

# Targets from issue 6 (protected rps / open rps), printed next to the ratios; never asserted.
TARGETS = {"jwt_required": 0.75, "jwt_required fresh": 0.55, "+ InMemoryBlacklist": 0.70}
PYJWT_HISTORIC = 0.31  # the baseline: PyJWT-guarded route / open route (wrk, 1 worker)

ServerKind = Literal["plain", "jwt", "memory", "sqlite", "redis", "redis-strict"]
TokenMode = Literal["repeat", "fresh"]


@dataclass(frozen=True)
class Variant:
    """One row: which server, which path, which tokens the clients send."""

    name: str
    server: ServerKind
    path: str
    tokens: TokenMode
    what: str


VARIANTS = (
    Variant("open", "plain", "/open", "repeat", "no check; plain Sanic app (the reference)"),
    Variant("open, JWT app", "jwt", "/open", "repeat", "no check; app ran JWT.initialize"),
    Variant("PyJWT", "plain", "/pyjwt", "repeat", "jwt.decode(HS256) in the view, no cache"),
    Variant("jwt_required", "jwt", "/protected", "repeat", "no blacklist, clients repeat"),
    Variant("jwt_required fresh", "jwt", "/protected", "fresh", "no blacklist, new token each"),
    Variant("+ InMemoryBlacklist", "memory", "/protected", "repeat", "clients repeat"),
    Variant("+ SQLiteBlacklist", "sqlite", "/protected", "repeat", "file in a temp dir"),
    Variant("+ RedisBlacklist", "redis", "/protected", "repeat", "our valkey, replica (default)"),
    Variant("+ Redis strict", "redis-strict", "/protected", "repeat", "replica=False: MGET/check"),
)
# Issue 12: the protected route with a store / the same route with none ("jwt_required").
STORE_TARGETS = {
    "+ InMemoryBlacklist": 0.95,
    "+ SQLiteBlacklist": 0.9,
    "+ RedisBlacklist": 0.9,
    "+ Redis strict": None,
}
STORE_REFERENCE = "jwt_required"
REFERENCE = "open"


# =========================================================================== the server side


def build_app(kind: ServerKind, sqlite_path: str, redis_url: str, preload: int) -> Any:
    """The Sanic app of one server process; every route answers the same `text("ok")`."""
    app: Sanic[Any, Any] = Sanic(f"bench_http_{kind}")
    app.config.ACCESS_LOG = False
    app.config.AUTO_EXTEND = False  # sanic-ext, when installed, would add its own per-request work

    if kind in ("plain", "jwt"):

        @app.get("/open")
        async def open_route(request: Request) -> HTTPResponse:
            return text("ok")

    if kind == "plain":
        key = SECRET.encode()

        @app.get("/pyjwt")
        async def pyjwt_route(request: Request) -> HTTPResponse:
            scheme, _, raw = request.headers.get("authorization", "").partition(" ")
            if scheme.lower() != "bearer" or not raw:
                return text("missing token", status=401)
            try:
                pyjwt.decode(raw, key, algorithms=["HS256"])
            except pyjwt.PyJWTError:
                return text("bad token", status=401)
            return text("ok")

        return app

    @app.get("/protected")
    @jwt_required
    async def protected(request: Request, token: Token) -> HTTPResponse:
        return text("ok")

    @app.post("/revoke")
    @jwt_required
    async def revoke(request: Request, token: Token) -> HTTPResponse:
        await token.revoke()
        return text("revoked")

    with JWT.initialize(app) as manager:
        manager.config.secret_key = SECRET
        if kind == "memory":
            manager.config.use_blacklist = True
            manager.config.blacklist_class = InMemoryBlacklist
        elif kind == "sqlite":
            manager.config.use_blacklist = True
            manager.config.blacklist_class = SQLiteBlacklist
            manager.config.blacklist_init_kwargs = {"path": sqlite_path}
        elif kind in ("redis", "redis-strict"):
            manager.config.use_blacklist = True
            manager.config.blacklist_class = RedisBlacklist
            manager.config.blacklist_init_kwargs = {
                "url": redis_url,
                "prefix": REDIS_PREFIX,
                "replica": kind == "redis",
            }

    async def revoke_some(app: Sanic[Any, Any]) -> None:
        """A store holding `preload` revocations, so checks do not run against an empty one."""
        tm: TokenManager = app.ctx.jwt.manager
        if tm.blacklist is None:
            return
        for i in range(preload):
            await tm.revoke(tm.decode(tm.create_access_token(f"revoked{i}")))
        # one check now: a store that opens its reading side lazily (SQLite's checking
        # thread) has it open before the profiler, if any, starts
        await tm.blacklist.is_blacklisted(tm.decode(tm.create_access_token("warm-up")))

    # Registered after JWT.initialize's own listener, so it runs once the store is open.
    app.register_listener(revoke_some, "before_server_start")
    return app


def serve(args: argparse.Namespace) -> int:
    """`--serve KIND`: run one app in this process (one worker), optionally under cProfile."""
    import logging

    logging.getLogger("sanic").setLevel(logging.WARNING)
    app = build_app(args.serve, args.sqlite_path, args.redis_url, args.preload)
    profile_path: str | None = args.cprofile
    if profile_path is not None:
        # Each thread's own CPU time, not wall time: on a busy machine, time the server spends
        # preempted by other processes would otherwise land on whatever function it was in.
        clock = time.thread_time if args.profile_clock == "cpu" else time.perf_counter
        loop_profile = cProfile.Profile(clock)
        thread_profile = cProfile.Profile(clock)

        def store_thread_executor(app: Sanic[Any, Any]) -> Any:
            """SQLiteBlacklist's checking thread (private; read only to profile it too)."""
            store = app.ctx.jwt.manager.blacklist
            reader = getattr(store, "_reader", None)
            return getattr(reader, "_executor", None)

        async def start_profile(app: Sanic[Any, Any]) -> None:
            executor = store_thread_executor(app)
            if executor is not None:
                await asyncio.get_running_loop().run_in_executor(executor, thread_profile.enable)
            loop_profile.enable()

        async def stop_profile(app: Sanic[Any, Any]) -> None:
            loop_profile.disable()
            loop_profile.dump_stats(profile_path)
            executor = store_thread_executor(app)
            if executor is not None:
                await asyncio.get_running_loop().run_in_executor(executor, thread_profile.disable)
                thread_profile.dump_stats(profile_path + ".thread")

        app.register_listener(start_profile, "after_server_start")
        app.register_listener(stop_profile, "before_server_stop")
    app.run(
        host="127.0.0.1",
        port=args.port,
        single_process=True,
        access_log=False,
        debug=False,
        auto_reload=False,
        motd=False,
    )
    return 0


# =========================================================================== servers, from outside


def cpu_times(pid: int) -> tuple[float, float, float]:
    """Seconds process `pid` ran on its event-loop thread and on other threads, and waited,
    runnable, for a CPU (all threads); from /proc/PID/task/*/schedstat (nanoseconds)."""
    main = others = waited = 0
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            ran, wait, _ = (int(x) for x in (task / "schedstat").read_text().split())
        except (OSError, ValueError):  # the thread ended meanwhile, or no schedstat
            continue
        waited += wait
        if int(task.name) == pid:
            main += ran
        else:
            others += ran
    return main / 1e9, others / 1e9, waited / 1e9


def spawn(command: list[str], nice: int | None, **options: Any) -> subprocess.Popen[Any]:
    """Start `command`; with `nice`, in a session (so a scheduler autogroup) of its own at
    that niceness: with autogroups on, a plain nice value only ranks processes of one session,
    so it would not lift the run above other sessions' work."""
    if nice is None:
        return subprocess.Popen(command, **options)
    process = subprocess.Popen(command, start_new_session=True, **options)
    # no autogroups, or not allowed: then the plain niceness (inherited) still applies
    with contextlib.suppress(OSError):
        Path(f"/proc/{process.pid}/autogroup").write_text(str(nice))
    return process


class Server:
    """One server process (`--serve KIND`) on a free loopback port, pinned to the server CPU."""

    def __init__(
        self, kind: ServerKind, pin: list[str], work: Path, options: list[str], nice: int | None
    ) -> None:
        self.kind = kind
        self.port = free_port()
        self.log_path = work / f"server-{kind}.log"
        command = [sys.executable, str(Path(__file__).resolve()), "--serve", kind]
        command += ["--port", str(self.port), *options]
        with self.log_path.open("wb") as log:
            self.process = spawn(
                [*pin, *command], nice, stdout=log, stderr=subprocess.STDOUT, cwd=work
            )
        deadline = time.monotonic() + 60
        while not self.answers():
            if self.process.poll() is not None or time.monotonic() > deadline:
                self.stop()
                raise SystemExit(f"server {kind} did not start:\n{self.log()}")
            time.sleep(0.05)

    def answers(self) -> bool:
        """Whether the app answers HTTP (any status): its startup listeners have all run."""
        try:
            self.request("GET", "/", None)
        except OSError:
            return False
        return True

    def request(self, method: str, path: str, token: str | None) -> int:
        """One request on a new connection; the status code."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            headers = {"Authorization": f"Bearer {token}"} if token is not None else {}
            conn.request(method, path, headers=headers)
            response = conn.getresponse()
            response.read()
            return response.status
        finally:
            conn.close()

    def cpu(self) -> tuple[float, float, float]:
        return cpu_times(self.process.pid)

    def log(self) -> str:
        try:
            return self.log_path.read_text(errors="replace")[-3000:]
        except OSError:
            return ""

    def stop(self) -> None:
        """SIGINT (Sanic's graceful stop: after_server_stop runs), then kill if it hangs."""
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            try:
                self.process.wait(20)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(5)


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def tampered(raw: str) -> str:
    head, payload, sig = raw.split(".")
    return f"{head}.{payload}.{'A' if sig[0] != 'A' else 'B'}{sig[1:]}"


def preflight(servers: dict[ServerKind, Server], tm: TokenManager) -> None:
    """Every guarded route must accept a good token and refuse a missing or forged one, and
    every blacklist must be consulted (a token revoked through the app is refused after)."""
    good = tm.create_access_token("preflight")
    problems: list[str] = []

    def expect(server: Server, method: str, path: str, token: str | None, want: int) -> None:
        got = server.request(method, path, token)
        if got != want:
            problems.append(f"{server.kind} {method} {path} token={token is not None}: {got}")

    for server in servers.values():
        if server.kind in ("plain", "jwt"):
            expect(server, "GET", "/open", None, 200)
        if server.kind == "plain":
            expect(server, "GET", "/pyjwt", good, 200)
            expect(server, "GET", "/pyjwt", None, 401)
            expect(server, "GET", "/pyjwt", tampered(good), 401)
            continue
        expect(server, "GET", "/protected", good, 200)
        expect(server, "GET", "/protected", None, 401)
        expect(server, "GET", "/protected", tampered(good), 422)
        if server.kind != "jwt":
            doomed = tm.create_access_token(f"doomed-{server.kind}")
            expect(server, "GET", "/protected", doomed, 200)
            expect(server, "POST", "/revoke", doomed, 200)
            expect(server, "GET", "/protected", doomed, 401)
    if problems:
        raise SystemExit(
            "preflight failed (want 200/401/422 as documented):\n  " + "\n  ".join(problems)
        )


# =========================================================================== tokens


class FreshPool:
    """Distinct tokens in a file, one a line, each sent at most once in the whole run.

    Minted ahead of the rounds that use them; `take` hands out the byte offset of the first
    unused line and `consumed` moves past what a run actually sent.
    """

    def __init__(self, tm: TokenManager, path: Path) -> None:
        self.tm = tm
        self.path = path
        self.path.write_bytes(b"")
        self.starts = array.array("q", [0])  # byte offset of each line, and of the end
        self.next = 0  # index of the first unused line
        self.minted_at: list[float] = []

    @property
    def remaining(self) -> int:
        return len(self.starts) - 1 - self.next

    def ensure(self, count: int) -> None:
        """Mint until at least `count` unused tokens are in the file."""
        missing = count - self.remaining
        if missing <= 0:
            return
        start = time.perf_counter()
        base = len(self.starts) - 1
        create = self.tm.create_access_token
        with self.path.open("ab") as out:
            buffer = io.BytesIO()
            offset = self.starts[-1]
            for i in range(base, base + missing):
                line = create(f"user{i % 10_000}", expires_delta=TOKEN_LIFETIME).encode() + b"\n"
                buffer.write(line)
                offset += len(line)
                self.starts.append(offset)
                if buffer.tell() > 1 << 20:
                    out.write(buffer.getvalue())
                    buffer = io.BytesIO()
            out.write(buffer.getvalue())
        self.minted_at.append(time.perf_counter() - start)

    def take(self) -> int:
        return int(self.starts[self.next])

    def consumed(self, used: int) -> None:
        self.next += used


# =========================================================================== load generators


@dataclass
class LoadResult:
    """What one timed run measured (client side, plus the server's CPU while it ran)."""

    rps: float
    requests: int
    bad_status: int
    socket_errors: int
    used_tokens: int
    overrun: int  # fresh tokens asked for after the pool ran out (sent as bad tokens)
    p50_ms: float
    p99_ms: float
    seconds: float
    server_cpu_main_s: float = 0.0
    server_cpu_threads_s: float = 0.0
    server_wait_s: float = 0.0  # runnable but not running: the CPU was busy with other work

    @property
    def cpu_us_per_request(self) -> float:
        """Server CPU (all threads) per completed request, in microseconds."""
        spent = self.server_cpu_main_s + self.server_cpu_threads_s
        return spent / self.requests * 1e6 if self.requests else math.inf


WRK_SCRIPT = r"""
-- benchmarks/http_load.py: args = mode ("repeat" | "fresh"), token file, byte offset (fresh)
local mode, reqs, n, i, file, exhausted
used, overrun = 0, 0

function init(args)
  mode = args[1]
  if mode == "repeat" then
    reqs, n, i = {}, 0, 0
    for line in io.lines(args[2]) do
      n = n + 1
      reqs[n] = wrk.format("GET", wrk.path, {["Authorization"] = "Bearer " .. line})
    end
  else
    file = assert(io.open(args[2], "rb"))
    file:seek("set", tonumber(args[3]))
    exhausted = wrk.format("GET", wrk.path, {["Authorization"] = "Bearer pool.ran.out"})
  end
end

function request()
  used = used + 1
  if mode == "repeat" then
    i = i + 1
    if i > n then i = 1 end
    return reqs[i]
  end
  local line = file:read("*l")
  if line == nil then
    overrun = overrun + 1
    return exhausted
  end
  return wrk.format("GET", wrk.path, {["Authorization"] = "Bearer " .. line})
end

local threads = {}
function setup(thread) table.insert(threads, thread) end

function done(summary, latency, requests)
  local u, o = 0, 0
  for _, t in ipairs(threads) do
    u = u + t:get("used")
    o = o + t:get("overrun")
  end
  local e = summary.errors
  io.write(string.format(
    'WRKJSON {"requests": %d, "duration_us": %d, "connect": %d, "read": %d, "write": %d, ' ..
    '"status": %d, "timeout": %d, "used": %d, "overrun": %d, "p50_us": %d, "p99_us": %d}\n',
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    u, o, latency:percentile(50), latency:percentile(99)))
end
"""


@dataclass
class LoadGenerator:
    """Runs one timed load against a URL: wrk when installed, else a Python client."""

    connections: int
    pin: list[str]
    work: Path
    nice: int | None
    wrk: str | None = field(default_factory=lambda: shutil.which("wrk"))

    @property
    def name(self) -> str:
        return "wrk" if self.wrk else "python (asyncio, fallback)"

    def run(
        self, port: int, path: str, mode: TokenMode, token_file: Path, offset: int, seconds: int
    ) -> LoadResult:
        if self.wrk is None:
            if mode == "repeat":
                return asyncio.run(
                    python_load(
                        port, path, token_file.read_bytes().split(), None, self.connections, seconds
                    )
                )
            with token_file.open("rb") as handle:
                handle.seek(offset)
                return asyncio.run(python_load(port, path, None, handle, self.connections, seconds))
        script = self.work / "bench.lua"
        if not script.exists():
            script.write_text(WRK_SCRIPT)
        command = [
            *self.pin, self.wrk, "-t1", f"-c{self.connections}", f"-d{seconds}s",
            "--timeout", "10s", "-s", str(script), f"http://127.0.0.1:{port}{path}",
            "--", mode, str(token_file), str(offset),
        ]  # fmt: skip
        process = spawn(command, self.nice, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
        stdout, stderr = (b.decode(errors="replace") for b in process.communicate())
        line = next((ln for ln in stdout.splitlines() if ln.startswith("WRKJSON ")), None)
        if process.returncode != 0 or line is None:
            raise SystemExit(f"wrk failed ({process.returncode}):\n{stdout}\n{stderr}")
        data = json.loads(line[len("WRKJSON ") :])
        duration = data["duration_us"] / 1e6
        return LoadResult(
            rps=data["requests"] / duration,
            requests=data["requests"],
            bad_status=data["status"],
            socket_errors=data["connect"] + data["read"] + data["write"] + data["timeout"],
            used_tokens=data["used"],
            overrun=data["overrun"],
            p50_ms=data["p50_us"] / 1000,
            p99_ms=data["p99_us"] / 1000,
            seconds=duration,
        )


async def python_load(
    port: int,
    path: str,
    repeat: list[bytes] | None,
    fresh: BinaryIO | None,
    connections: int,
    seconds: float,
) -> LoadResult:
    """The fallback load generator: keep-alive HTTP/1.1 connections, one request in flight on
    each, cycling through `repeat` tokens or reading each from `fresh` once. Python tops out
    far below wrk, so the open route's rps (and every ratio) comes out lower."""
    loop = asyncio.get_running_loop()

    def make(token: bytes) -> bytes:
        return (
            f"GET {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nAuthorization: Bearer ".encode()
            + token
            + b"\r\n\r\n"
        )

    source: Iterator[bytes]
    counts = {"used": 0, "overrun": 0, "done": 0, "bad": 0, "errors": 0}
    if repeat is not None:
        fixed = [make(line) for line in repeat]

        def cycle() -> Iterator[bytes]:
            while True:
                yield from fixed

        source = cycle()
    else:
        assert fresh is not None
        exhausted = make(b"pool.ran.out")

        def lines() -> Iterator[bytes]:
            assert fresh is not None
            for line in fresh:
                yield make(line.rstrip(b"\n"))
            while True:
                counts["overrun"] += 1
                yield exhausted

        source = lines()

    latencies: list[float] = []
    deadline = loop.time() + seconds
    finished: asyncio.Future[None] = loop.create_future()
    open_clients = [connections]

    class Client(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            assert isinstance(transport, asyncio.Transport)
            self.transport = transport
            self.buffer = b""
            self.send()

        def send(self) -> None:
            counts["used"] += 1
            self.sent_at = loop.time()
            self.transport.write(next(source))

        def data_received(self, data: bytes) -> None:
            self.buffer += data
            while True:
                end = self.buffer.find(b"\r\n\r\n")
                if end < 0:
                    return
                head = self.buffer[:end].decode("latin-1")
                length = 0
                for header in head.split("\r\n")[1:]:
                    name, _, value = header.partition(":")
                    if name.strip().lower() == "content-length":
                        length = int(value)
                if len(self.buffer) < end + 4 + length:
                    return
                self.buffer = self.buffer[end + 4 + length :]
                now = loop.time()
                if now > deadline:
                    self.transport.close()
                    return
                counts["done"] += 1
                latencies.append(now - self.sent_at)
                if not head[9:12].startswith("2"):
                    counts["bad"] += 1
                self.send()

        def connection_lost(self, exc: Exception | None) -> None:
            if loop.time() <= deadline:
                counts["errors"] += 1
            open_clients[0] -= 1
            if open_clients[0] == 0 and not finished.done():
                finished.set_result(None)

    started = loop.time()
    for _ in range(connections):
        await loop.create_connection(Client, "127.0.0.1", port)
    await asyncio.wait_for(finished, seconds + 30)
    elapsed = min(loop.time(), deadline) - started
    latencies.sort()

    def pick(q: float) -> float:
        return (
            latencies[min(len(latencies) - 1, int(q * len(latencies)))] * 1000 if latencies else 0.0
        )

    return LoadResult(
        rps=counts["done"] / elapsed,
        requests=counts["done"],
        bad_status=counts["bad"],
        socket_errors=counts["errors"],
        used_tokens=counts["used"],
        overrun=counts["overrun"],
        p50_ms=pick(0.5),
        p99_ms=pick(0.99),
        seconds=elapsed,
    )


# =========================================================================== the run


@dataclass
class Row:
    """A variant and its results, one per round."""

    variant: Variant
    results: list[LoadResult] = field(default_factory=list)

    def rps(self) -> list[float]:
        return [r.rps for r in self.results]


class Bench:
    """Servers, tokens and the load generator of one run."""

    def __init__(self, args: argparse.Namespace, work: Path, variants: Sequence[Variant]) -> None:
        self.args = args
        self.work = work
        self.variants = list(variants)
        cores = sorted(os.sched_getaffinity(0))
        self.pinned = len(cores) >= 2 and not args.no_pin
        self.server_cpu: int | None = cores[0] if self.pinned else None
        self.client_cpu: int | None = cores[1] if self.pinned else None
        self.server_pin = self._pin(self.server_cpu)
        self.client_pin = self._pin(self.client_cpu)
        self.nice = os.getpriority(os.PRIO_PROCESS, 0)
        if args.nice is not None:
            try:  # inherited by every process started from here: servers, wrk, valkey
                os.setpriority(os.PRIO_PROCESS, 0, args.nice)
            except PermissionError:
                print(f"  note     cannot set nice {args.nice} (needs root); left at {self.nice}")
            self.nice = os.getpriority(os.PRIO_PROCESS, 0)
        if self.pinned:
            assert self.client_cpu is not None
            # This process (and so minting, valkey and the Python fallback) runs with the client.
            os.sched_setaffinity(0, {self.client_cpu})
        self.tm = TokenManager(Config(secret_key=SECRET))
        self.repeat_file = work / "repeat-tokens.txt"
        self.repeat_file.write_text(
            "".join(
                self.tm.create_access_token(f"client{i}", expires_delta=TOKEN_LIFETIME) + "\n"
                for i in range(args.connections)
            )
        )
        self.pool = FreshPool(self.tm, work / "fresh-tokens.txt")
        self.load = LoadGenerator(args.connections, self.client_pin, work, args.nice)
        if args.python_load:
            self.load.wrk = None
        self.redis: Any = None
        self.redis_version = "-"
        self.servers: dict[ServerKind, Server] = {}

    def _pin(self, cpu: int | None) -> list[str]:
        if cpu is None:
            return []
        taskset = shutil.which("taskset")
        return [taskset, "-c", str(cpu)] if taskset else []

    def start(self, profile: str | None = None) -> None:
        """Start valkey (when a Redis row runs) and one server process per kind needed."""
        kinds: list[ServerKind] = []
        for v in self.variants:
            if v.server not in kinds:
                kinds.append(v.server)
        options = ["--sqlite-path", str(self.work / "blacklist.sqlite3")]
        options += ["--preload", str(self.args.preload)]
        if "redis" in kinds or "redis-strict" in kinds:
            # tests/stores/redis_server.py (by module name: it is not typed for --strict)
            self.redis = importlib.import_module("redis_server").start_server()
            options += ["--redis-url", self.redis.url]
            self.redis_version = valkey_version(self.redis.url)
        if profile is not None:
            options += ["--cprofile", profile, "--profile-clock", self.args.profile_clock]
        for kind in kinds:
            self.servers[kind] = Server(kind, self.server_pin, self.work, options, self.args.nice)
        preflight(self.servers, self.tm)

    def stop(self) -> None:
        for server in self.servers.values():
            server.stop()
        if self.redis is not None:
            self.redis.cleanup()

    def run_one(self, variant: Variant, seconds: int) -> LoadResult:
        """One timed load of one variant, with the server's CPU time over it."""
        server = self.servers[variant.server]
        token_file, offset = self.repeat_file, 0
        if variant.tokens == "fresh":
            token_file, offset = self.pool.path, self.pool.take()
        before = server.cpu()
        result = self.load.run(
            server.port, variant.path, variant.tokens, token_file, offset, seconds
        )
        after = server.cpu()
        result.server_cpu_main_s = after[0] - before[0]
        result.server_cpu_threads_s = after[1] - before[1]
        result.server_wait_s = after[2] - before[2]
        if variant.tokens == "fresh":
            self.pool.consumed(result.used_tokens - result.overrun)
        return result

    def fresh_budget(self, rps_ceiling: float, seconds: float) -> int:
        """Tokens one fresh run can possibly use: its length at 1.5x the fastest rps seen."""
        return int(rps_ceiling * seconds * 1.5) + 10 * int(self.args.connections)


def valkey_version(url: str) -> str:
    import redis

    client = redis.Redis.from_url(url)
    try:
        info = client.info("server")
        name = "valkey" if "valkey_version" in info else "redis"
        return f"{name} {info.get('valkey_version') or info.get('redis_version')}"
    finally:
        client.close()


def measure(bench: Bench, rounds: int, seconds: int, warm: int) -> list[Row]:
    """Warm every variant up, then `rounds` interleaved rounds, order rotated every round."""
    rows = [Row(v) for v in bench.variants]
    ceiling = 0.0
    for row in rows:  # warm-up: also finds the fastest rps, which sizes the fresh pool
        if row.variant.tokens == "fresh":
            bench.pool.ensure(bench.fresh_budget(max(ceiling, 20_000.0), warm))
        ceiling = max(ceiling, bench.run_one(row.variant, warm).rps)
    if any(row.variant.tokens == "fresh" for row in rows):
        need = bench.fresh_budget(ceiling, seconds) * rounds
        print(f"  tokens   minting {need:,} fresh tokens ...", flush=True)
        bench.pool.ensure(need)
    for r in range(rounds):
        shift = r % len(rows)
        for row in rows[shift:] + rows[:shift]:
            if row.variant.tokens == "fresh":  # top up should a round outrun the estimate
                bench.pool.ensure(bench.fresh_budget(ceiling, seconds))
            result = bench.run_one(row.variant, seconds)
            ceiling = max(ceiling, result.rps)
            row.results.append(result)
        print(
            f"  round {r + 1}/{rounds}: "
            + ", ".join(f"{row.variant.name} {row.results[-1].rps:,.0f}" for row in rows),
            flush=True,
        )
    return rows


def ratio(row: Row, reference: Row) -> float:
    """Median over rounds of row rps / reference rps in the same round."""
    return statistics.median(
        a / b for a, b in zip(row.rps(), reference.rps(), strict=True) if b > 0
    )


def cpu_ratio(row: Row, reference: Row) -> float:
    """Median over rounds of reference CPU/request / row CPU/request in the same round: the rps
    ratio a CPU-bound server would reach with a core of its own."""
    return statistics.median(
        b.cpu_us_per_request / a.cpu_us_per_request
        for a, b in zip(row.results, reference.results, strict=True)
    )


def report(rows: list[Row]) -> dict[str, Any]:
    """Print the table, the targets and the per-request server CPU; return them as data."""
    by = {row.variant.name: row for row in rows}
    ref = by.get(REFERENCE)
    ref_jwt = by.get("open, JWT app")
    print(
        f"\n  {'variant':<21}{'rps':>7}{'min':>7}{'max':>7}{'x open':>7}{'x open':>8}{'x open':>7}"
        f"{'p50':>6}{'p99':>6}{'CPU':>5}{'CPU':>6}{'thread':>7}{'wait':>5}"
    )
    print(
        f"  {'':<21}{'':>7}{'':>7}{'':>7}{'':>7}{'JWT app':>8}{'by CPU':>7}{'ms':>6}{'ms':>6}"
        f"{'%':>5}{'us/rq':>6}{'us/rq':>7}{'%':>5}"
    )
    out: dict[str, Any] = {"rows": []}
    problems: list[str] = []
    for row in rows:
        rps = row.rps()
        res = row.results
        seconds = sum(r.seconds for r in res)
        cpu_main = sum(r.server_cpu_main_s for r in res)
        cpu_threads = sum(r.server_cpu_threads_s for r in res)
        requests = sum(r.requests for r in res)
        busy = (cpu_main + cpu_threads) / seconds * 100
        wait = sum(r.server_wait_s for r in res) / seconds * 100
        us_req = (cpu_main + cpu_threads) / requests * 1e6 if requests else 0.0
        thread_us = cpu_threads / requests * 1e6 if requests else 0.0
        x_open = ratio(row, ref) if ref is not None else None
        x_jwt = ratio(row, ref_jwt) if ref_jwt is not None else None
        x_cpu = cpu_ratio(row, ref) if ref is not None else None
        print(
            f"  {row.variant.name:<21}{statistics.median(rps):7.0f}{min(rps):7.0f}"
            f"{max(rps):7.0f}{fmt(x_open, 7)}{fmt(x_jwt, 8)}{fmt(x_cpu, 7)}"
            f"{statistics.median(r.p50_ms for r in res):6.1f}"
            f"{statistics.median(r.p99_ms for r in res):6.1f}{busy:5.0f}{us_req:6.0f}"
            f"{thread_us:7.0f}{wait:5.0f}"
        )
        bad = sum(r.bad_status for r in res)
        errors = sum(r.socket_errors for r in res)
        overrun = sum(r.overrun for r in res)
        if bad or errors or overrun:
            problems.append(
                f"{row.variant.name}: {bad} non-2xx responses, {errors} socket errors, "
                f"{overrun} requests after the fresh-token pool ran out"
            )
        out["rows"].append(
            {
                "variant": row.variant.name,
                "what": row.variant.what,
                "rps_rounds": rps,
                "rps_median": statistics.median(rps),
                "ratio_to_open": x_open,
                "ratio_to_open_jwt_app": x_jwt,
                "cpu_ratio_to_open": x_cpu,
                "p50_ms_rounds": [r.p50_ms for r in res],
                "p99_ms_rounds": [r.p99_ms for r in res],
                "requests_rounds": [r.requests for r in res],
                "server_cpu_us_per_request_rounds": [r.cpu_us_per_request for r in res],
                "server_cpu_percent": busy,
                "server_cpu_us_per_request": us_req,
                "server_thread_cpu_us_per_request": thread_us,
                "server_runqueue_wait_percent": wait,
                "non_2xx": bad,
                "socket_errors": errors,
                "fresh_pool_overrun": overrun,
            }
        )
    if ref is not None:
        print()
        for name, target in TARGETS.items():
            if name in by:
                x, xc = ratio(by[name], ref), cpu_ratio(by[name], ref)
                print(f"  {name:<21} {x:.3f} of open (by CPU/request {xc:.3f})   "
                      f"target >= {target}: {'meets' if x >= target else 'MISSES'}")  # fmt: skip
        if "PyJWT" in by:
            x, xc = ratio(by["PyJWT"], ref), cpu_ratio(by["PyJWT"], ref)
            print(f"  {'PyJWT':<21} {x:.3f} of open (by CPU/request {xc:.3f})   "
                  f"issue's baseline: {PYJWT_HISTORIC}")  # fmt: skip
    base = by.get(STORE_REFERENCE)
    if base is not None:
        print(f"\n  with a store / {STORE_REFERENCE} (the same route with none):")
        out["store_ratios"] = {}
        for name, target in STORE_TARGETS.items():
            if name in by:
                x, xc = ratio(by[name], base), cpu_ratio(by[name], base)
                out["store_ratios"][name] = x
                verdict = (
                    "reported"
                    if target is None
                    else (f"target >= {target}: {'meets' if x >= target else 'MISSES'}")
                )
                print(f"  {name:<21} {x:.3f} (by CPU/request {xc:.3f})   {verdict}")
    for problem in problems:
        print(f"\n  WARNING {problem}: those rounds do not measure what they claim")
    waits = [row["server_runqueue_wait_percent"] for row in out["rows"]]
    if waits and statistics.median(waits) > 10:
        print(
            f"\n  NOTE the servers waited {statistics.median(waits):.0f}% of the time (median) "
            "for a CPU busy with other work: rps and ratios are unreliable; rerun on an idle "
            "machine or with --nice -10"
        )
    out["problems"] = problems
    return out


def fmt(x: float | None, width: int) -> str:
    return f"{x:{width}.2f}" if x is not None else f"{'-':>{width}}"


# =========================================================================== machine


def machine_info(bench: Bench) -> dict[str, Any]:
    """CPU, cores, pinning, versions, commit: so runs on other machines are not compared blindly."""
    cpu = cpu_model()

    ver = version_of

    def run(*command: str) -> str:
        try:
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        except OSError:
            return ""
        return (done.stdout + done.stderr).strip()

    commit = run("git", "-C", str(REPO), "rev-parse", "--short", "HEAD")
    if commit and run("git", "-C", str(REPO), "status", "--porcelain", "--", "packages"):
        commit += " + uncommitted changes in packages/"
    wrk = run(bench.load.wrk, "-v").splitlines()[0] if bench.load.wrk else "not installed"
    import jwt_core
    import sanic_jwt_extended

    return {
        "cpu": cpu,
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if not bench.pinned else "pinned",
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "sanic": ver("sanic"),
        "sanic_routing": ver("sanic-routing"),
        "pyjwt": pyjwt.__version__,
        "jwt_core": jwt_core.__version__,
        "sanic_jwt_extended": sanic_jwt_extended.__version__,
        "redis_py": ver("redis"),
        "sqlite": sqlite3.sqlite_version,
        "store_server": bench.redis_version,
        "load_generator": bench.load.name,
        "wrk": wrk,
        "git_commit": commit,
        "pinning": (
            f"servers on CPU {bench.server_cpu}, load generator/valkey/this process on CPU "
            f"{bench.client_cpu} ({'taskset' if bench.server_pin else 'not pinned'})"
            if bench.pinned
            else "not pinned (fewer than 2 usable CPUs, or --no-pin)"
        )
        + f", nice {bench.nice}",
    }


# =========================================================================== profile


def profile(args: argparse.Namespace, work: Path, name: str, seconds: int, top: int) -> None:
    """Run one variant's server under cProfile for one load run and print its top functions."""
    variant = next(v for v in VARIANTS if v.name == name)
    bench = Bench(args, work, [variant])
    stats_path = work / f"profile-{variant.server}.prof"
    try:
        bench.start(profile=str(stats_path))
        if variant.tokens == "fresh":
            bench.pool.ensure(bench.fresh_budget(20_000, seconds + 2))
        bench.run_one(variant, 1)  # warm-up, also profiled: same code paths
        result = bench.run_one(variant, seconds)
    finally:
        bench.stop()
    print(
        f"\n=== cProfile in the server: {variant.name} ({variant.what}), {result.requests:,} "
        f"requests in {result.seconds:.1f}s = {result.rps:,.0f} rps under the profiler, "
        f"server CPU {result.server_cpu_main_s:.1f}s loop + {result.server_cpu_threads_s:.1f}s "
        f"other threads; cProfile timer: {args.profile_clock} time ==="
    )
    thread_path = Path(f"{stats_path}.thread")
    for path, label in ((stats_path, "event-loop thread"), (thread_path, "SQLite checking thread")):
        if not path.exists():
            continue
        for sort in ("tottime", "cumulative"):
            print(f"\n--- {label}, by {sort} ---")
            out = io.StringIO()
            pstats.Stats(str(path), stream=out).strip_dirs().sort_stats(sort).print_stats(top)
            print(trim_stats(out.getvalue()))


def trim_stats(text: str) -> str:
    """pstats output from the column header on (drops its file-name preamble)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "ncalls" in line:
            return "\n".join(lines[i - 2 : i] + lines[i:]).rstrip()
    return text.rstrip()


# =========================================================================== main


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options; serve (child), profile, or run the whole benchmark and print it."""
    names = [v.name for v in VARIANTS]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="2 rounds of 2 s: a smoke run")
    ap.add_argument("--rounds", type=int, help="rounds (default 5, --quick 2)")
    ap.add_argument("--seconds", type=int, help="whole seconds per variant per round (default 5)")
    ap.add_argument("--connections", type=int, default=32, help="concurrent connections (32)")
    ap.add_argument("--preload", type=int, default=1000, help="revocations each store holds")
    ap.add_argument("--only", action="append", choices=names, metavar="VARIANT",
                    help="run only this variant (repeatable; 'open' is always added)")  # fmt: skip
    ap.add_argument("--python-load", action="store_true", help="use the Python load generator")
    ap.add_argument("--no-pin", action="store_true", help="do not pin server and client to CPUs")
    ap.add_argument("--nice", type=int, help="run servers and wrk at this niceness, e.g. -10 "
                    "on a machine busy with other work (negative needs root)")  # fmt: skip
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--profile", action="append", choices=names, metavar="VARIANT",
                    help="cProfile VARIANT's server under load instead (repeatable)")  # fmt: skip
    ap.add_argument("--profile-seconds", type=int, default=10)
    ap.add_argument("--profile-clock", choices=["cpu", "wall"], default="cpu",
                    help="cProfile timer: thread CPU time (default) or wall time")  # fmt: skip
    # the server process
    ap.add_argument("--serve", choices=list(get_args(ServerKind)), help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--sqlite-path", default="blacklist.sqlite3", help=argparse.SUPPRESS)
    ap.add_argument("--redis-url", default="", help=argparse.SUPPRESS)
    ap.add_argument("--cprofile", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.serve:
        return serve(args)

    rounds = args.rounds or (2 if args.quick else 5)
    seconds = max(1, args.seconds or (2 if args.quick else 5))  # wrk takes whole seconds
    warm = 1 if args.quick else 2
    with tempfile.TemporaryDirectory(prefix="jwt-bench-http-") as tmp:
        work = Path(tmp)
        if args.profile:
            for name in args.profile:
                profile(args, work, name, 3 if args.quick else args.profile_seconds, 30)
            return 0
        wanted = set(args.only or names) | {REFERENCE}
        variants = [v for v in VARIANTS if v.name in wanted]
        load_start = os.getloadavg()
        bench = Bench(args, work, variants)
        try:
            bench.start()
            info = machine_info(bench)
            print("HTTP benchmark: GET one route through Sanic, one worker, HS256 tokens")
            print(f"  cpu      {info['cpu']} ({info['logical_cores']} logical cores)")
            print(f"  python   {info['python']} on {info['platform']}")
            print(
                f"  libs     sanic {info['sanic']} (sanic-routing {info['sanic_routing']}) | "
                f"jwt_core {info['jwt_core']} | sanic_jwt_extended {info['sanic_jwt_extended']} | "
                f"PyJWT {info['pyjwt']} | redis-py {info['redis_py']} | SQLite {info['sqlite']} "
                f"| store server {info['store_server']}"
            )
            print(f"  load     {info['load_generator']} ({info['wrk']}), {args.connections} "
                  f"keep-alive connections, 1 thread")  # fmt: skip
            print(f"  pinning  {info['pinning']}")
            print(f"  commit   {info['git_commit']}")
            print(
                f"  method   {rounds} rounds x {len(variants)} variants x {seconds:g}s, "
                f"interleaved (order rotated each round) after a {warm:g}s warm-up each; rps is "
                "the median over rounds, ratios the median of per-round ratios"
            )
            print(
                "  checks   each guarded route accepted a good token and refused a missing (401) "
                "and a forged (422) one; each blacklist refused a token revoked through the app"
            )
            rows = measure(bench, rounds, seconds, warm)
        finally:
            bench.stop()
        data = report(rows)
        load_end = os.getloadavg()
        print(
            f"\n  load average (1 min) {load_start[0]:.2f} before, {load_end[0]:.2f} after on "
            f"{os.cpu_count()} logical cores: above ~0.5 besides this run, other work shares "
            "the CPUs, expect noise"
        )
        if bench.pool.minted_at:
            print(f"  fresh tokens: {bench.pool.next:,} sent, each once; "
                  f"{len(bench.pool.starts) - 1:,} minted")  # fmt: skip
        if args.json:
            data.update(
                machine=info,
                load_average=[load_start, load_end],
                rounds=rounds,
                seconds=seconds,
                connections=args.connections,
                argv=list(argv if argv is not None else sys.argv[1:]),
            )
            Path(args.json).write_text(json.dumps(data, indent=2) + "\n")
            print(f"\n  wrote {args.json}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
