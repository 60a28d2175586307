"""One run of the HTTP benchmark: the variants (rows), their servers and load generator, and
the interleaved rounds that measure them."""

from __future__ import annotations

import argparse
import os
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from harness.machine import store_server_version
from harness.redis_server import start_server

from jwt_core import Config, TokenManager

from .load import TOKEN_LIFETIME, FreshPool, LoadGenerator, LoadResult, TokenMode
from .server import SECRET, Server, ServerKind, preflight


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
        self._options: list[str] = []

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
            self.redis = start_server()
            options += ["--redis-url", self.redis.url]
            self.redis_version = store_server_version(self.redis.url)
        if profile is not None:
            options += ["--cprofile", profile, "--profile-clock", self.args.profile_clock]
        self._options = options
        for kind in kinds:
            self.servers[kind] = Server(kind, self.server_pin, self.work, options, self.args.nice)
        preflight(self.servers, self.tm)

    def restart(self) -> None:
        """New server processes (same options, same store files), checked like the first.

        One process of the very same app ran up to a fifth faster or slower than another
        started a minute later on this machine, and kept that speed for its life: with one
        process per variant for the whole run, that luck of the start decided the ratios.
        Starting them anew every round spreads it over the rounds, where the medians take it.
        """
        for kind, server in self.servers.items():
            server.stop()
            self.servers[kind] = Server(
                kind, self.server_pin, self.work, self._options, self.args.nice
            )
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


def measure(
    bench: Bench, rounds: int, seconds: int, warm: int, *, restart: bool = True
) -> list[Row]:
    """Warm every variant up, then `rounds` interleaved rounds, order rotated every round;
    with `restart`, every round after the first runs on new server processes, warmed up."""
    rows = [Row(v) for v in bench.variants]
    ceiling = 0.0

    def warm_up() -> None:  # also finds the fastest rps, which sizes the fresh pool
        nonlocal ceiling
        for row in rows:
            if row.variant.tokens == "fresh":
                bench.pool.ensure(bench.fresh_budget(max(ceiling, 20_000.0), warm))
            ceiling = max(ceiling, bench.run_one(row.variant, warm).rps)

    warm_up()
    if any(row.variant.tokens == "fresh" for row in rows):
        need = bench.fresh_budget(ceiling, seconds) * rounds
        print(f"  tokens   minting {need:,} fresh tokens ...", flush=True)
        bench.pool.ensure(need)
    for r in range(rounds):
        if restart and r:
            bench.restart()
            warm_up()
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
