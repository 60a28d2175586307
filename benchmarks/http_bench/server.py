"""One server process of the HTTP benchmark: its Sanic app (`--serve KIND`), and the process
seen from outside: started, pinned, asked, measured (/proc) and checked before any load."""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import cProfile
import http.client
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import Any, Literal

import jwt as pyjwt
from harness.redis_server import free_port
from sanic import Request, Sanic
from sanic.response import HTTPResponse, text

from jwt_core import InMemoryBlacklist, RedisBlacklist, SQLiteBlacklist, Token, TokenManager
from sanic_jwt_extended import JWT, jwt_required

ENTRY = Path(__file__).resolve().parents[1] / "http_load.py"  # what `--serve KIND` runs
SECRET = "benchmark-secret-0123456789abcdef-0123456789abcdef"
REDIS_PREFIX = "jwt-bench-http:"

ServerKind = Literal["plain", "jwt", "memory", "sqlite", "redis", "redis-strict"]


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
        command = [sys.executable, str(ENTRY), "--serve", kind]
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
