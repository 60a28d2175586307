"""The load of the HTTP benchmark: the tokens clients send (repeated, or each once from a
pool minted ahead) and the load generators (wrk with a Lua script, else a Python client)."""

from __future__ import annotations

import array
import asyncio
import io
import json
import math
import shutil
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import BinaryIO, Literal

from jwt_core import TokenManager

from .server import spawn

TOKEN_LIFETIME = timedelta(hours=6)  # outlives any run

TokenMode = Literal["repeat", "fresh"]


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
