"""Decoding a provider's access token with cached keys (jwt_core.remote) against our own token.

Part of the micro benchmark (`benchmarks/micro.py` prints these rows after its own): the
provider's keys are served once by a loopback JWKS server and then cached, so what is timed
is the per-token work only: header and issuer checks, the key lookup in the cached set, the
signature and the issuer's claim rules, for never-seen tokens (no verified-token cache helps
either side). `python benchmarks/external_decode.py [--quick]` runs it alone.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import json
import statistics
import sys
import time
import uuid
from collections.abc import Sequence
from typing import Any

import jwt as pyjwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, rsa

ISSUER_AUDIENCE = "api"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode("ascii")


def _jwk(private: Any, alg: str, kid: str) -> dict[str, Any]:
    public = private.public_key()
    if isinstance(public, rsa.RSAPublicKey):
        n = public.public_numbers()
        jwk = {"kty": "RSA", "n": _b64(n.n.to_bytes(256, "big")), "e": _b64(n.e.to_bytes(3, "big"))}
    else:
        p = public.public_numbers()
        jwk = {"kty": "EC", "crv": "P-256", "x": _b64(p.x.to_bytes(32, "big"))}
        jwk["y"] = _b64(p.y.to_bytes(32, "big"))
    return {**jwk, "kid": kid, "alg": alg, "use": "sig"}


async def _serve_jwks(document: dict[str, Any]) -> tuple[asyncio.base_events.Server, str]:
    body = json.dumps(document).encode()

    async def answer(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(
            b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nConnection: close\r\n"
            b"Cache-Control: max-age=3600\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body)
        )
        await writer.drain()
        writer.close()

    server = await asyncio.start_server(answer, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    return server, f"http://127.0.0.1:{port}"


async def _run(alg: str, rounds: int, per_round: int) -> dict[str, float]:
    from jwt_core import Config, TokenManager
    from jwt_core.remote import Issuer, TrustedIssuers

    private: Any = (
        rsa.generate_private_key(public_exponent=65537, key_size=2048)
        if alg == "RS256"
        else ec.generate_private_key(ec.SECP256R1())
    )
    pem = private.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    ours = TokenManager(Config(algorithm=alg, private_key=pem, default_aud=ISSUER_AUDIENCE))
    server, url = await _serve_jwks({"keys": [_jwk(private, alg, "k1")]})
    issuers = TrustedIssuers(
        [Issuer(url, audiences=[ISSUER_AUDIENCE], jwks_uri=url + "/jwks", algorithms=[alg])]
    )
    try:
        await issuers.open(strict=True)  # the one fetch; from here on the keys are cached
        now = int(time.time())

        def provider_token() -> str:
            claims = {
                "iss": url,
                "sub": "user-1",
                "aud": ISSUER_AUDIENCE,
                "iat": now,
                "exp": now + 900,
                "jti": str(uuid.uuid4()),
                "client_id": "web",
                "scope": "orders:read",
            }
            return pyjwt.encode(
                claims, private, algorithm=alg, headers={"kid": "k1", "typ": "at+jwt"}
            )

        total = rounds * per_round
        external_pool = [provider_token() for _ in range(total + 50)]
        own_pool = [ours.create_access_token("user-1") for _ in range(total + 50)]
        for raw in external_pool[-50:]:  # warm-up, on tokens no round uses
            await issuers.verify(raw)
        for raw in own_pool[-50:]:
            ours.decode(raw)
        ratios, external_us, own_us = [], [], []
        for r in range(rounds):
            chunk = slice(r * per_round, (r + 1) * per_round)
            start = time.perf_counter_ns()
            for raw in own_pool[chunk]:
                ours.decode(raw)
            own = (time.perf_counter_ns() - start) / per_round
            start = time.perf_counter_ns()
            for raw in external_pool[chunk]:
                await issuers.verify(raw)
            external = (time.perf_counter_ns() - start) / per_round
            ratios.append(external / own)
            external_us.append(external / 1000)
            own_us.append(own / 1000)
        fetches = issuers.health()[url].fetches
    finally:
        await issuers.aclose()
        server.close()
    return {
        "own_us": statistics.median(own_us),
        "external_us": statistics.median(external_us),
        "ratio": statistics.median(ratios),
        "fetches": fetches,
    }


def report(
    algorithms: Sequence[str] = ("RS256", "ES256"), *, quick: bool = False
) -> dict[str, Any]:
    """Print the rows, return them for the JSON output."""
    rounds, per_round = (3, 100) if quick else (7, 400)
    print("\nexternal token (jwt_core.remote, keys cached) against our own, never-seen tokens")
    print(f"  {'alg':<8}{'ours us/op':>12}{'external us/op':>16}{'x ours':>9}{'fetches':>9}")
    rows: dict[str, Any] = {}
    for alg in algorithms:
        row = asyncio.run(_run(alg, rounds, per_round))
        rows[alg] = row
        print(
            f"  {alg:<8}{row['own_us']:>12.1f}{row['external_us']:>16.1f}"
            f"{row['ratio']:>9.2f}{int(row['fetches']):>9}"
        )
    return rows


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--quick", action="store_true")
    args = parser.parse_args(argv)
    report(quick=args.quick)
    return 0


if __name__ == "__main__":
    sys.exit(main())
