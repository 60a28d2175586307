"""A small real HTTP server on loopback that publishes a JWK Set and counts what it is asked.

It runs in the test's own event loop (asyncio streams, HTTP/1.1, one request per connection)
and can be told to misbehave: answer with an error status, garbage, a huge body, or not at
all (slow), or be down (its socket closed, so connections are refused). Every request is
counted on the server side, per path.
"""

from __future__ import annotations

import asyncio
import base64
import json
import socket
import uuid
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

Mode = Literal["ok", "status", "garbage", "huge", "huge_unsized", "slow", "drip"]
JWKS_PATH = "/jwks"
DISCOVERY_PATH = "/.well-known/openid-configuration"


def b64url(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class SigningKey:
    """A provider's private key with its public JWK (as a provider would publish it)."""

    kid: str
    alg: str
    private: Any
    publish_alg: bool = True

    @property
    def pem(self) -> bytes:
        return bytes(
            self.private.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )

    @property
    def jwk(self) -> dict[str, Any]:
        public = self.private.public_key()
        if isinstance(public, rsa.RSAPublicKey):
            numbers = public.public_numbers()
            jwk: dict[str, Any] = {
                "kty": "RSA",
                "n": b64url(numbers.n.to_bytes((numbers.n.bit_length() + 7) // 8, "big")),
                "e": b64url(numbers.e.to_bytes(3, "big")),
            }
        elif isinstance(public, ec.EllipticCurvePublicKey):
            size = (public.curve.key_size + 7) // 8
            numbers_ec = public.public_numbers()
            crv = {"secp256r1": "P-256", "secp384r1": "P-384", "secp521r1": "P-521"}
            jwk = {
                "kty": "EC",
                "crv": crv[public.curve.name],
                "x": b64url(numbers_ec.x.to_bytes(size, "big")),
                "y": b64url(numbers_ec.y.to_bytes(size, "big")),
            }
        else:
            jwk = {"kty": "OKP", "crv": "Ed25519", "x": b64url(public.public_bytes_raw())}
        jwk.update({"kid": self.kid, "use": "sig"})
        if self.publish_alg:
            jwk["alg"] = self.alg
        return jwk


def new_key(alg: str, kid: str | None = None, *, publish_alg: bool = True) -> SigningKey:
    private: Any
    if alg[:2] in ("RS", "PS"):
        private = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    elif alg.startswith("ES"):
        curve = {"ES256": ec.SECP256R1(), "ES384": ec.SECP384R1(), "ES512": ec.SECP521R1()}
        private = ec.generate_private_key(curve[alg])
    else:
        private = ed25519.Ed25519PrivateKey.generate()
    return SigningKey(kid or f"{alg}-{uuid.uuid4().hex[:8]}", alg, private, publish_alg)


@dataclass
class JWKSProvider:
    """The server's state: what it publishes, how it behaves, what it was asked."""

    keys: list[SigningKey] = field(default_factory=list)
    mode: Mode = "ok"
    status: int = 500
    cache_control: str | None = "public, max-age=300"
    issuer: str | None = None  # the discovery document's issuer (default: the server's URL)
    requests: Counter[str] = field(default_factory=Counter)
    port: int = 0
    _server: asyncio.base_events.Server | None = None
    _released: asyncio.Event = field(default_factory=asyncio.Event)
    _handlers: set[asyncio.Task[None]] = field(default_factory=set)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def jwks_uri(self) -> str:
        return self.url + JWKS_PATH

    @property
    def fetches(self) -> int:
        return self.requests[JWKS_PATH]

    async def start(self) -> None:
        """Listen (again) on the same port; the first start picks a free one."""
        if not self.port:
            self.port = free_port()
        self._server = await asyncio.start_server(self._serve, "127.0.0.1", self.port)

    async def stop(self) -> None:
        """Close the socket: connections are refused until `start` again."""
        server, self._server = self._server, None
        if server is not None:
            server.close()
            await server.wait_closed()
        self.release()
        for task in list(self._handlers):
            task.cancel()

    def hold(self) -> None:
        """Answer nothing until `release` (a slow provider)."""
        self._released.clear()
        self.mode = "slow"

    def release(self) -> None:
        self._released.set()

    def document(self) -> dict[str, Any]:
        return {"keys": [k.jwk for k in self.keys]}

    async def _serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            head = await reader.readuntil(b"\r\n\r\n")
            path = head.split(b" ", 2)[1].decode("ascii")
            self.requests[path] += 1
            await self._answer(path, writer)
        except (asyncio.IncompleteReadError, ConnectionError, asyncio.CancelledError):
            pass
        finally:
            self._handlers.discard(task)
            writer.close()

    async def _answer(self, path: str, writer: asyncio.StreamWriter) -> None:
        mode = self.mode
        if mode == "slow":
            await self._released.wait()
            mode = "ok"
        headers = {"Content-Type": "application/json", "Connection": "close"}
        if self.cache_control is not None:
            headers["Cache-Control"] = self.cache_control
        status = 200
        if path == DISCOVERY_PATH:
            body = json.dumps(
                {"issuer": self.issuer or self.url, "jwks_uri": self.jwks_uri}
            ).encode()
        elif path != JWKS_PATH:
            status, body = 404, b"{}"
        elif mode == "status":
            status, body = self.status, b"oops"
        elif mode == "garbage":
            body = b"<html>this is not JSON</html>"
        elif mode == "huge":
            body = json.dumps({"keys": [{"kty": "oct", "k": "A" * 1_000_000}]}).encode()
        elif mode == "huge_unsized":  # no Content-Length: the body ends when the socket does
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n")
            writer.write(json.dumps({"keys": [{"kty": "oct", "k": "A" * 1_000_000}]}).encode())
            await writer.drain()
            return
        elif mode == "drip":  # no Content-Length, then a byte now and then, forever
            writer.write(b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{")
            while True:
                writer.write(b" ")
                await writer.drain()
                await asyncio.sleep(0.01)
        else:
            body = json.dumps(self.document()).encode()
        head = f"HTTP/1.1 {status} X\r\n" + "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        writer.write(f"{head}Content-Length: {len(body)}\r\n\r\n".encode() + body)
        await writer.drain()


def claims(
    issuer: str, now: float, audience: str | list[str] = "api://orders", **extra: Any
) -> dict[str, Any]:
    """The claims of a plain provider access token, valid at `now`."""
    now = int(now)
    return {
        "iss": issuer,
        "sub": "user-1",
        "aud": audience,
        "iat": now,
        "exp": now + 300,
        **extra,
    }


async def until(predicate: Callable[[], bool], seconds: float = 10.0) -> None:
    """Let the event loop run until `predicate()` holds (a background fetch has ended, say)."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + seconds
    while not predicate():
        if loop.time() > deadline:
            raise AssertionError("the expected state was never reached")
        await asyncio.sleep(0.001)
