"""A real Sanic server with two worker processes: every worker is configured the same way.

Module-level `JWT.initialize` runs again in each spawned worker; tokens minted by one worker
are accepted by the other, and the in-memory blacklist's "not shared" warning is logged.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.support.apps import SECRET

REPO = Path(__file__).resolve().parents[2]
APP = textwrap.dedent(
    """
    import os
    from sanic import Sanic
    from sanic.response import json
    from sanic_jwt_extended import JWT, jwt_required

    app = Sanic("multiworker")
    with JWT.initialize(app) as manager:  # the secret comes from SANIC_JWT_SECRET_KEY
        manager.config.use_blacklist = True

    @app.post("/login")
    async def login(request):
        return json({"token": JWT.create_access_token("alice"), "pid": os.getpid()})

    @app.get("/whoami")
    @jwt_required
    async def whoami(request, token):
        return json({"identity": token.identity, "pid": os.getpid()})

    if __name__ == "__main__":
        app.run(host="127.0.0.1", port=int(os.environ["PORT"]), workers=2, access_log=False)
    """
)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@pytest.fixture
def server(tmp_path: Path) -> Iterator[tuple[str, Path]]:
    (tmp_path / "multiworker_app.py").write_text(APP)
    port = _free_port()
    log = tmp_path / "server.log"
    env = {
        **os.environ,
        "PORT": str(port),
        "SANIC_JWT_SECRET_KEY": SECRET,
        "PYTHONPATH": os.pathsep.join(
            [str(REPO / "packages/jwt-core/src"), str(REPO / "packages/sanic-adapter/src")]
        ),
    }
    with log.open("wb") as output:
        process = subprocess.Popen(
            [sys.executable, "multiworker_app.py"],
            cwd=tmp_path,
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: the workers go down with it
        )
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                httpx.get(f"{url}/whoami", timeout=2)
                break
            except httpx.TransportError:
                if process.poll() is not None or time.monotonic() > deadline:
                    raise RuntimeError(f"server did not start:\n{log.read_text()}") from None
                time.sleep(0.2)
        yield url, log
    finally:
        _stop_group(process)


def _stop_group(process: subprocess.Popen[bytes]) -> None:
    """SIGINT the main process (Sanic stops its workers), then SIGKILL whatever is left."""
    process.send_signal(signal.SIGINT)
    with contextlib.suppress(subprocess.TimeoutExpired):
        process.wait(timeout=20)
    # Workers left behind, or a main that hung; ProcessLookupError: all stopped by themselves.
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


def test_tokens_from_one_worker_work_in_the_other(server: tuple[str, Path]) -> None:
    url, log = server
    minted_by: dict[int, str] = {}  # worker pid -> a token it minted
    crossed: set[tuple[int, int]] = set()  # (minted by, verified by) with two different workers
    # a new connection per request, so the kernel spreads them over both workers
    with httpx.Client(limits=httpx.Limits(max_keepalive_connections=0), timeout=5) as client:
        for _ in range(300):
            login = client.post(f"{url}/login").json()
            minted_by.setdefault(login["pid"], login["token"])
            for minter, token in minted_by.items():
                response = client.get(f"{url}/whoami", headers={"Authorization": f"Bearer {token}"})
                assert response.status_code == 200, response.text
                assert response.json()["identity"] == "alice"
                if response.json()["pid"] != minter:
                    crossed.add((minter, response.json()["pid"]))
            if len(crossed) == 2:
                break
    assert len(minted_by) == 2, "every request reached the same worker"
    assert len(crossed) == 2, "each worker accepted the other's token"
    text = log.read_text()
    assert "runs 2 workers with InMemoryBlacklist" in text
    assert "revocations" in text
