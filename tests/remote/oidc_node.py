"""node-oidc-provider (from npm) on a free loopback port: a real OpenID provider nobody here wrote.

The package is installed once, at a pinned version, into a cache folder
(`$OIDC_PROVIDER_CACHE`, default `~/.cache/sanic-jwt-extended`) with `npm install`, and
reused afterwards. Without node or npm the tests skip, except under CI=true, where they fail.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path
from typing import Any, NoReturn

import httpx
import pytest

from tests.remote.jwks_provider import SigningKey, b64url, free_port

VERSION = "9.13.3"
SCRIPT = Path(__file__).with_name("oidc_provider.mjs")
CLIENT_ID = "orders-worker"
CLIENT_SECRET = "a-client-secret-for-loopback-tests-only"
RESOURCE = "api://orders"


def unavailable(reason: str) -> NoReturn:
    if os.environ.get("CI", "").lower() == "true":
        pytest.fail(f"CI=true but node-oidc-provider cannot run: {reason}")
    pytest.skip(f"node-oidc-provider cannot run: {reason}")


def installed_module() -> Path:
    """The path of oidc-provider's entry module, installing the pinned version if needed."""
    node, npm = shutil.which("node"), shutil.which("npm")
    if node is None or npm is None:
        unavailable("node and npm are needed on PATH")
    base = Path(os.environ.get("OIDC_PROVIDER_CACHE", Path.home() / ".cache/sanic-jwt-extended"))
    folder = base / f"oidc-provider-{VERSION}"
    entry = folder / "node_modules" / "oidc-provider" / "lib" / "index.js"
    if entry.exists():
        return entry
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "package.json").write_text(
        json.dumps({"name": "oidc-fixture", "private": True, "type": "module"})
    )
    command = [npm, "install", "--no-audit", "--no-fund", "--no-save", f"oidc-provider@{VERSION}"]
    try:
        done = subprocess.run(
            command, cwd=folder, capture_output=True, text=True, timeout=300, check=False
        )
    except subprocess.TimeoutExpired:
        unavailable("npm install timed out")
    if done.returncode != 0 or not entry.exists():
        unavailable(f"npm install failed: {done.stderr.strip()[-500:]}")
    return entry


def private_jwk(key: SigningKey) -> dict[str, Any]:
    """The private JWK node-oidc-provider signs with."""
    jwk = {k: v for k, v in key.jwk.items() if k != "use"}
    numbers = key.private.private_numbers()
    if jwk["kty"] == "RSA":

        def part(value: int) -> str:
            return b64url(value.to_bytes((value.bit_length() + 7) // 8, "big"))

        jwk.update(
            d=part(numbers.d),
            p=part(numbers.p),
            q=part(numbers.q),
            dp=part(numbers.dmp1),
            dq=part(numbers.dmq1),
            qi=part(numbers.iqmp),
        )
    elif jwk["kty"] == "EC":
        size = (key.private.curve.key_size + 7) // 8
        jwk["d"] = b64url(numbers.private_value.to_bytes(size, "big"))
    return jwk


class OIDCProvider:
    """One node-oidc-provider process; `restart` with other keys rotates them on its side."""

    def __init__(self, module: Path, keys: list[SigningKey], folder: Path) -> None:
        self.module = module
        self.keys = keys
        self.folder = folder
        self.port = free_port()
        self.process: subprocess.Popen[str] | None = None

    @property
    def issuer(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def start(self) -> None:
        settings = self.folder / f"provider-{self.port}.json"
        settings.write_text(
            json.dumps(
                {
                    "keys": [self._private(k) for k in self.keys],
                    "resource": RESOURCE,
                    "clientId": CLIENT_ID,
                    "clientSecret": CLIENT_SECRET,
                }
            )
        )
        settings.chmod(0o600)
        self.process = subprocess.Popen(
            ["node", str(SCRIPT), str(self.module), str(self.port), str(settings)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
        )
        assert self.process.stdout is not None
        line = self.process.stdout.readline()  # blocks until it listens, or exits
        if not line.startswith("listening"):
            self.stop()
            unavailable("node-oidc-provider did not start")

    @staticmethod
    def _private(key: SigningKey) -> dict[str, Any]:
        if key.jwk["kty"] == "OKP":
            return {**key.jwk, "d": b64url(key.private.private_bytes_raw())}
        return private_jwk(key)

    def stop(self) -> None:
        process, self.process = self.process, None
        if process is not None:
            process.terminate()
            try:
                process.communicate(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()
                process.communicate()

    def restart(self, keys: list[SigningKey]) -> None:
        """Rotate: the same issuer and port, a new key set (its first key signs)."""
        self.stop()
        self.keys = keys
        self.start()

    async def access_token(self) -> str:
        """A client-credentials access token for the resource (a JWT, RFC 9068)."""
        async with httpx.AsyncClient(timeout=10) as client:
            response = await client.post(
                f"{self.issuer}/token",
                data={
                    "grant_type": "client_credentials",
                    "scope": "orders:read",
                    "resource": RESOURCE,
                },
                auth=(CLIENT_ID, CLIENT_SECRET),
            )
        assert response.status_code == 200, response.text
        token: str = response.json()["access_token"]
        return token
