"""Micro benchmark: encode and decode a typical access token, ours against PyJWT, python-jose
and the bare standard-library + `cryptography` floor, in one process, as ratios; and what
refusing each of a set of hostile tokens costs against a valid decode.

Run: `hatch run bench:micro` or `python benchmarks/micro.py [--quick] [--json out.json]`.
`--profile [ALG]` runs cProfile over our decode instead and prints where the time goes.
See benchmarks/README.md for what every row and column means.
"""

from __future__ import annotations

import argparse
import base64
import cProfile
import gc
import hmac
import importlib.metadata
import json
import os
import statistics
import sys
import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from itertools import repeat
from pathlib import Path
from typing import Any

import jose
import jose.jwk
import jose.jwt
import jwt as pyjwt
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.hazmat.primitives.asymmetric.utils import (
    decode_dss_signature,
    encode_dss_signature,
)
from harness.machine import REPO, version_of
from harness.machine import machine_info as base_machine_info
from harness.profile import print_stats
from harness.report import fmt, write_json

ALGORITHMS = ("HS256", "RS256", "ES256")
ISS = "https://issuer.example"
AUD = "api"
SECRET = "benchmark-secret-0123456789abcdef-0123456789abcdef"
ACCESS_SECONDS = 15 * 60

# Targets from issue 6, printed next to the ratios; read by a person, never asserted.
DECODE_FLOOR_TARGET = {"HS256": 1.5, "RS256": 1.2, "ES256": 1.1}
# Issue 12's targets for a never-seen token against the floor on the same fresh tokens.
FRESH_DECODE_FLOOR_TARGET = {"HS256": 1.2, "RS256": 1.1, "ES256": 1.1}
DECODE_PYJWT_TARGET = {"HS256": 0.5}
ENCODE_FLOOR_TARGET = 1.3

FLOOR = "floor"
FLOOR_CLAIMS = "floor + claims"
OURS = "ours"
OURS_FRESH = "ours (fresh token)"
FLOOR_FRESH = "floor (fresh tokens)"
PYJWT = "PyJWT prebuilt key"
JOSE_NAIVE = "jose naive"
JOSE_PREBUILT = "jose prebuilt key"

DecodeFn = Callable[[str], Any]
EncodeFn = Callable[[], str]


class Rejected(Exception):
    """A floor decoder refused a token; keeps the floor honest (it must be able to say no)."""


# --------------------------------------------------------------------------- keys and claims


@dataclass(frozen=True)
class KeyMaterial:
    """One algorithm's keys, both as PEM/str (what users configure) and as prebuilt objects."""

    alg: str
    sign_str: str  # secret or private-key PEM
    verify_str: str  # secret or public-key PEM
    sign_obj: Any  # bytes secret or cryptography private key
    verify_obj: Any  # bytes secret or cryptography public key


def make_keys() -> dict[str, KeyMaterial]:
    """Build the HS256 secret, an RSA-2048 and a P-256 key pair, once per run."""
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    ec_key = ec.generate_private_key(ec.SECP256R1())
    out = {"HS256": KeyMaterial("HS256", SECRET, SECRET, SECRET.encode(), SECRET.encode())}
    for alg, priv in (("RS256", rsa_key), ("ES256", ec_key)):
        priv_pem = priv.private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        ).decode()
        pub_pem = (
            priv.public_key()
            .public_bytes(
                serialization.Encoding.PEM,
                serialization.PublicFormat.SubjectPublicKeyInfo,
            )
            .decode()
        )
        out[alg] = KeyMaterial(alg, priv_pem, pub_pem, priv, priv.public_key())
    return out


def make_claims() -> dict[str, Any]:
    """The claims of a typical access token, fresh iat/jti each call like a real mint."""
    now = time.time()
    return {
        "sub": "alice",
        "iat": now,
        "nbf": now,
        "exp": int(now) + ACCESS_SECONDS,
        "jti": str(uuid.uuid4()),
        "type": "access",
        "fresh": True,
        "iss": ISS,
        "aud": AUD,
        "role": "ADMIN",
    }


# --------------------------------------------------------------------------- the floor


def b64encode(data: bytes) -> bytes:
    """base64url without padding (RFC 7515 section 2)."""
    return base64.urlsafe_b64encode(data).rstrip(b"=")


def b64decode(data: str) -> bytes:
    """base64url with the padding put back."""
    return base64.urlsafe_b64decode(data + "=" * (-len(data) % 4))


# json.dumps with keyword arguments builds a new encoder per call; the floor prebuilds it.
_dumps = json.JSONEncoder(separators=(",", ":")).encode
_PKCS1 = padding.PKCS1v15()
_SHA256 = hashes.SHA256()
_ECDSA = ec.ECDSA(hashes.SHA256())


def floor_signer(km: KeyMaterial) -> Callable[[bytes], bytes]:
    """The bare signature over the signing input with a prebuilt key object."""
    if km.alg == "HS256":
        key = km.sign_obj
        return lambda data: hmac.digest(key, data, "sha256")
    if km.alg == "RS256":
        rsa_priv = km.sign_obj
        return lambda data: rsa_priv.sign(data, _PKCS1, _SHA256)
    ec_priv = km.sign_obj

    def sign_es256(data: bytes) -> bytes:
        r, s = decode_dss_signature(ec_priv.sign(data, _ECDSA))
        return r.to_bytes(32, "big") + s.to_bytes(32, "big")

    return sign_es256


def floor_verifier(km: KeyMaterial) -> Callable[[bytes, bytes], None]:
    """The bare signature check with a prebuilt key object; raises on a bad signature."""
    if km.alg == "HS256":
        key = km.verify_obj

        def verify_hs256(sig: bytes, data: bytes) -> None:
            if not hmac.compare_digest(hmac.digest(key, data, "sha256"), sig):
                raise Rejected("bad signature")

        return verify_hs256
    if km.alg == "RS256":
        rsa_pub = km.verify_obj
        return lambda sig, data: rsa_pub.verify(sig, data, _PKCS1, _SHA256)
    ec_pub = km.verify_obj

    def verify_es256(sig: bytes, data: bytes) -> None:
        if len(sig) != 64:
            raise Rejected("bad signature length")
        der = encode_dss_signature(int.from_bytes(sig[:32], "big"), int.from_bytes(sig[32:], "big"))
        ec_pub.verify(der, data, _ECDSA)

    return verify_es256


def floor_encoder(km: KeyMaterial) -> Callable[[dict[str, Any]], str]:
    """json.dumps header+payload, base64url, sign with a prebuilt key, join."""
    sign = floor_signer(km)
    alg = km.alg

    def encode(claims: dict[str, Any]) -> str:
        header = b64encode(_dumps({"alg": alg, "typ": "JWT"}).encode())
        payload = b64encode(_dumps(claims).encode())
        signing_input = header + b"." + payload
        return (signing_input + b"." + b64encode(sign(signing_input))).decode()

    return encode


def floor_decoder(km: KeyMaterial) -> DecodeFn:
    """Split, base64url-decode, check alg, check signature, json.loads, check exp/nbf/iss/aud."""
    verify = floor_verifier(km)
    alg = km.alg

    def decode(raw: str) -> dict[str, Any]:
        signing_input, _, sig = raw.rpartition(".")
        header_b64, _, payload_b64 = signing_input.partition(".")
        if json.loads(b64decode(header_b64)).get("alg") != alg:
            raise Rejected("wrong alg")
        verify(b64decode(sig), signing_input.encode())
        claims: dict[str, Any] = json.loads(b64decode(payload_b64))
        now = time.time()
        if claims["exp"] <= now:
            raise Rejected("expired")
        if claims["nbf"] > now:
            raise Rejected("not yet valid")
        if claims["iss"] != ISS:
            raise Rejected("wrong iss")
        aud = claims["aud"]
        if aud != AUD and not (isinstance(aud, list) and AUD in aud):
            raise Rejected("wrong aud")
        return claims

    return decode


# --------------------------------------------------------------------------- contenders


@dataclass
class Contender:
    """One timed callable; decode contenders take a raw token, encode ones take nothing."""

    name: str
    op: str  # "decode", "encode" or "refuse" (a hostile token the decoder must refuse)
    alg: str
    fn: Callable[..., object] | None
    unavailable: str | None = None
    fresh_pool: list[str] | None = None  # decode: distinct tokens, one per call
    same_token: str | None = None  # decode: the one token repeated
    n: int = 0
    per_round_ns: list[float] = field(default_factory=list)  # ns/op, one per round
    clock: Callable[[], int] = time.perf_counter_ns  # or time.process_time_ns (--cpu-time)

    def inputs(self, round_index: int) -> Sequence[str]:
        """The tokens one round decodes: the same one n times, or n never-seen ones."""
        if self.fresh_pool is not None:
            return self.fresh_pool[round_index * self.n : (round_index + 1) * self.n]
        assert self.same_token is not None
        return [self.same_token] * self.n

    def run(self, n: int, round_index: int | None) -> float:
        """Time n calls with gc off; return ns/op. round_index None = warm-up tokens."""
        assert self.fn is not None
        fn, clock = self.fn, self.clock
        if self.op in ("decode", "refuse"):
            if round_index is None:
                assert self.same_token is not None or self.fresh_pool is not None
                tokens: Sequence[str] = (
                    self.fresh_pool[-n:] if self.fresh_pool is not None else [self.same_token] * n  # type: ignore[list-item]
                )
            else:
                tokens = self.inputs(round_index)
            n = len(tokens)
            gc.disable()
            t0 = clock()
            for raw in tokens:
                fn(raw)
            t1 = clock()
        else:
            gc.disable()
            t0 = clock()
            for _ in repeat(None, n):
                fn()
            t1 = clock()
        gc.enable()
        return (t1 - t0) / n


@dataclass
class Core:
    """Our core if it imports and works, else why not."""

    config_cls: Any = None
    manager_cls: Any = None
    error: str | None = None
    origin: str = ""
    version: str = "unavailable"


def load_core() -> Core:
    """Import jwt_core (installed, else from this source tree); never let a half-written core
    stop the baselines from running."""
    for attempt in (0, 1):
        try:
            from jwt_core import Config, TokenManager  # type: ignore[attr-defined,unused-ignore]
        except Exception as exc:
            if attempt == 0:
                src = str(REPO / "packages" / "jwt-core" / "src")
                if src not in sys.path:
                    sys.path.insert(0, src)
                for name in [
                    m for m in sys.modules if m == "jwt_core" or m.startswith("jwt_core.")
                ]:
                    del sys.modules[name]
                continue
            return Core(error=f"from jwt_core import TokenManager, Config failed: {exc!r}")
        import jwt_core

        try:
            version = importlib.metadata.version("jwt-core")
        except importlib.metadata.PackageNotFoundError:
            version = "source tree"
        return Core(Config, TokenManager, None, str(Path(jwt_core.__file__).parent), version)
    raise AssertionError("unreachable")


def make_manager(core: Core, km: KeyMaterial) -> Any:
    """Our TokenManager configured as issue 6 says."""
    common: dict[str, Any] = {
        "algorithm": km.alg,
        "default_iss": ISS,
        "default_aud": AUD,
        "use_acl": True,
    }
    if km.alg == "HS256":
        cfg = core.config_cls(secret_key=km.sign_str, **common)
    else:
        cfg = core.config_cls(private_key=km.sign_str, public_key=km.verify_str, **common)
    return core.manager_cls(cfg)


def expect_rejects(decode: DecodeFn, bad: dict[str, str]) -> list[str]:
    """Names of the bad tokens the decoder wrongly accepted."""
    accepted = []
    for why, raw in bad.items():
        try:
            decode(raw)
        except Exception:  # every library raises its own type; any refusal is fine here
            continue
        accepted.append(why)
    return accepted


def bad_tokens(km: KeyMaterial, good: str) -> dict[str, str]:
    """Tokens every decoder must refuse: tampered signature, expired, wrong aud, wrong iss."""
    enc = floor_encoder(km)
    head, payload, sig = good.split(".")
    flipped = ("A" if sig[0] != "A" else "B") + sig[1:]
    out = {"tampered signature": f"{head}.{payload}.{flipped}"}
    past = make_claims()
    past.update(iat=past["iat"] - 7200, nbf=past["nbf"] - 7200, exp=int(past["iat"]) - 3600)
    out["expired"] = enc(past)
    out["wrong aud"] = enc({**make_claims(), "aud": "other"})
    out["wrong iss"] = enc({**make_claims(), "iss": "https://evil.example"})
    return out


def claims_of(result: object) -> dict[str, Any]:
    """The claim set a decoder returned, whether a dict or our Token."""
    if isinstance(result, dict):
        return result
    return dict(result.raw_data)  # type: ignore[attr-defined]


def check_claims(claims: dict[str, Any]) -> list[str]:
    """What is wrong with a decoded typical access token's claims."""
    want = {"sub": "alice", "type": "access", "fresh": True, "iss": ISS, "role": "ADMIN"}
    problems = [f"{k}={claims.get(k)!r}" for k, v in want.items() if claims.get(k) != v]
    aud = claims.get("aud")
    if aud != AUD and not (isinstance(aud, list) and AUD in aud):
        problems.append(f"aud={aud!r}")
    for k in ("iat", "nbf", "exp", "jti"):
        if k not in claims:
            problems.append(f"{k} missing")
    return problems


def build_contenders(
    km: KeyMaterial, core: Core, notes: list[str]
) -> tuple[list[Contender], list[Contender], list[Contender]]:
    """The decode, encode and refusal contenders of one algorithm, each checked before it is
    timed (refusals only when our core works)."""
    alg = km.alg
    floor_enc = floor_encoder(km)
    floor_dec = floor_decoder(km)
    floor_token = floor_enc(make_claims())

    tm: Any = None
    ours_error = core.error
    ours_token: str | None = None
    if ours_error is None:
        try:
            tm = make_manager(core, km)
            ours_token = tm.create_access_token("alice", "ADMIN", True)
            problems = check_claims(claims_of(tm.decode(ours_token)))
            problems += check_claims(floor_dec(ours_token))  # the floor accepts our token
            if problems:
                ours_error = f"our token has unexpected claims: {problems}"
        except Exception as exc:
            ours_error = f"core failed: {exc!r}"
    if ours_error is not None:
        tm, ours_token = None, None

    jose_sign_key = jose.jwk.construct(km.sign_str, alg)
    jose_verify_key = jose.jwk.construct(km.verify_str, alg)

    decoders: dict[str, DecodeFn] = {
        FLOOR: floor_dec,
        PYJWT: lambda raw: pyjwt.decode(
            raw, km.verify_obj, algorithms=[alg], audience=AUD, issuer=ISS
        ),
        JOSE_NAIVE: lambda raw: jose.jwt.decode(
            raw, km.verify_str, algorithms=[alg], audience=AUD, issuer=ISS
        ),
        JOSE_PREBUILT: lambda raw: jose.jwt.decode(
            raw, jose_verify_key, algorithms=[alg], audience=AUD, issuer=ISS
        ),
    }
    # Baselines decode the very bytes ours decodes when every one of them accepts it.
    baseline_token = floor_token
    if ours_token is not None:
        try:
            for dec in decoders.values():
                dec(ours_token)
            baseline_token = ours_token
        except Exception as exc:
            notes.append(
                f"{alg}: a baseline refused our token ({exc!r}); baselines decode a "
                "floor-made token with the same claims instead"
            )

    bad = bad_tokens(km, baseline_token)
    decode_rows: list[Contender] = []
    for name, dec in decoders.items():
        problems = check_claims(claims_of(dec(baseline_token)))
        problems += [f"accepted {w}" for w in expect_rejects(dec, bad)]
        if problems:
            raise SystemExit(f"baseline {name} {alg} failed its sanity check: {problems}")
        decode_rows.append(Contender(name, "decode", alg, dec, same_token=baseline_token))

    if tm is not None and ours_token is not None:
        accepted = expect_rejects(tm.decode, bad_tokens(km, ours_token))
        if accepted:
            notes.append(f"{alg}: OURS ACCEPTED BAD TOKENS: {accepted} (timed anyway)")
        decode_rows.insert(1, Contender(OURS, "decode", alg, tm.decode, same_token=ours_token))
        fresh = Contender(OURS_FRESH, "decode", alg, tm.decode)
        fresh.fresh_pool = []  # filled after calibration, when n is known
        decode_rows.insert(2, fresh)
    else:
        reason = ours_error or "unavailable"
        decode_rows.insert(1, Contender(OURS, "decode", alg, None, unavailable=reason))
        decode_rows.insert(2, Contender(OURS_FRESH, "decode", alg, None, unavailable=reason))

    prebuilt_claims = make_claims()

    def floor_encode_prebuilt() -> str:
        """The floor as issue 6 defines it: the claims dict already exists."""
        return floor_enc(prebuilt_claims)

    encoders: dict[str, EncodeFn] = {
        FLOOR: floor_encode_prebuilt,
        FLOOR_CLAIMS: lambda: floor_enc(make_claims()),
        PYJWT: lambda: pyjwt.encode(make_claims(), km.sign_obj, algorithm=alg),
        JOSE_NAIVE: lambda: jose.jwt.encode(make_claims(), km.sign_str, algorithm=alg),
        JOSE_PREBUILT: lambda: jose.jwt.encode(make_claims(), jose_sign_key, algorithm=alg),
    }
    if tm is not None:
        encoders = {
            FLOOR: encoders[FLOOR],
            OURS: lambda: tm.create_access_token("alice", "ADMIN", True),
            **{k: v for k, v in encoders.items() if k != FLOOR},
        }
    encode_rows: list[Contender] = []
    for name, enc in encoders.items():
        made = enc()
        problems = check_claims(floor_dec(made)) + check_claims(
            pyjwt.decode(made, km.verify_obj, algorithms=[alg], audience=AUD, issuer=ISS)
        )
        if problems:
            raise SystemExit(f"encoder {name} {alg} made a bad token: {problems}")
        encode_rows.append(Contender(name, "encode", alg, enc))
    if tm is None:
        encode_rows.insert(
            1, Contender(OURS, "encode", alg, None, unavailable=ours_error or "unavailable")
        )
    refusals = build_refusals(km, tm, ours_token) if tm is not None and ours_token else []
    return decode_rows, encode_rows, refusals


# --------------------------------------------------------------------------- refusals

REFUSE = "refuse: "
REFUSAL_TARGET = 2.0  # issue 11: refusing a hostile token costs at most ~2x a fresh decode
MAX_LENGTH = 8192  # Config.max_token_length's default, which make_manager keeps
MAX_HEADER_LENGTH = 1024  # jwt_core._jws.MAX_HEADER_LENGTH: longer headers are refused unread


def _fill(head: str, unit: str, tail: str, budget: int) -> str:
    """`head + unit * n + tail`, with n as large as fits `budget` bytes of JSON."""
    return head + unit * max(0, (budget - len(head) - len(tail)) // len(unit)) + tail


def hostile_shapes(budget: int) -> dict[str, str]:
    """JSON texts of about `budget` bytes shaped to make a strict parser work hard."""
    near = 31  # MAX_DEPTH is 32: one level short of the limit, then far beyond it
    return {
        "deep nesting near the limit": '{"a":' + "[" * near + "0" + "]" * near + "}",
        "deep nesting + lone surrogate": '{"a":' + "[" * 990 + '"\\ud800"' + "]" * 990 + "}",
        "many small objects": _fill('{"a":[', "{},", "{}]}", budget),
        "many small arrays": _fill('{"a":[', "[],", "[]]}", budget),
        "many one-member objects": _fill('{"a":[', '{"b":0},', "{}]}", budget),
        "long string of escapes": _fill('{"a":"', "\\u0041", '"}', budget),
        "many lone surrogates": _fill('{"a":"', "\\udc00", '"}', budget),
        "many members": "{"
        + ",".join(f'"m{i}":0' for i in range(budget // 8))[: budget - 40].rpartition(",")[0]
        + "}",
        "duplicate name at the end": _fill('{"sub":"a","x":[', "0,", '0],"sub":"b"}', budget),
        "many numbers": _fill('{"a":[', "1e308,", "0]}", budget),
    }


def hostile_tokens(km: KeyMaterial, good: str) -> dict[str, str]:
    """Tokens to refuse, each as long as max_token_length allows: hostile JSON in the payload
    (unsigned: the signature is another token's), the same in the header, junk, and a big
    genuinely-shaped payload with a bad signature. Every one must be refused."""
    head, payload, sig = good.split(".")

    def room(*fixed: str, extra: int = 0) -> int:
        """JSON bytes whose base64url fills what `fixed` segments leave of MAX_LENGTH."""
        return (MAX_LENGTH - sum(map(len, fixed)) - 2) * 3 // 4 - extra

    out: dict[str, str] = {}
    for name, text in hostile_shapes(room(head, sig)).items():
        out[f"payload: {name}"] = f"{head}.{b64encode(text.encode()).decode()}.{sig}"
    prefix = '{"alg":"' + km.alg + '",'
    # the header is read before the signature: its shapes fill the header's own bound
    header_room = MAX_HEADER_LENGTH * 3 // 4 - len(prefix)
    for name, text in hostile_shapes(header_room).items():
        header = b64encode((prefix + text[1:]).encode()).decode()
        out[f"header: {name}"] = f"{header}.{payload}.{sig}"
    text = hostile_shapes(room(payload, sig, extra=len(prefix)))["many members"]
    header = b64encode((prefix + text[1:]).encode()).decode()
    out["header: many members, max token length"] = f"{header}.{payload}.{sig}"
    junk = "A" * (MAX_LENGTH - len(head) - len(sig) - 2)
    out["max-length junk payload"] = f"{head}.{junk}.{sig}"
    out["over max length"] = f"{head}.{junk}AAAA.{sig}"
    claims = make_claims()
    claims["blob"] = "x" * (room(head, sig) - 300)
    big = floor_encoder(km)(claims)
    out["big payload, bad signature"] = big.rpartition(".")[0] + "." + sig
    for name, raw in out.items():
        if (len(raw) > MAX_LENGTH) != (name == "over max length"):
            raise SystemExit(f"hostile token {name!r} is {len(raw)} characters, not as meant")
    return out


def build_refusals(km: KeyMaterial, tm: Any, good: str) -> list[Contender]:
    """One contender per hostile token; each call must end in the library's own refusal."""
    from jwt_core import JWTExtendedException

    rows = []
    for name, raw in hostile_tokens(km, good).items():

        def refuse(raw: str) -> None:
            try:
                tm.decode(raw)
            except JWTExtendedException:
                return
            raise SystemExit(f"ours accepted a hostile token ({raw[:40]}...)")

        try:
            refuse(raw)
        except Exception as exc:  # a foreign exception is a finding: say so, do not time it
            rows.append(Contender(REFUSE + name, "refuse", km.alg, None, unavailable=repr(exc)))
            continue
        rows.append(Contender(REFUSE + name, "refuse", km.alg, refuse, same_token=raw))
    return rows


# --------------------------------------------------------------------------- measuring


def calibrate(c: Contender, target_s: float, warm_s: float) -> None:
    """Warm up, then pick n so one round of this contender takes about target_s."""
    n = 1
    while True:
        ns = c.run(n, None)
        if ns * n >= warm_s * 1e9 or n >= 1 << 20:
            break
        n *= 4
    c.n = max(20, int(target_s * 1e9 / ns))


def fill_fresh_pool(
    c: Contender, same: Contender, tm_create: EncodeFn, rounds: int, budget_s: float
) -> None:
    """Mint rounds*n never-seen tokens (plus warm-up ones) so no verified-token cache helps."""
    t0 = time.perf_counter()
    sample = [tm_create() for _ in range(20)]
    per_token = (time.perf_counter() - t0) / 20
    n = max(20, min(same.n, int(budget_s / per_token / (rounds + 1))))
    warm = min(n, 200)
    c.n = n
    c.fresh_pool = sample + [tm_create() for _ in range(rounds * n + warm - len(sample))]
    if len(set(c.fresh_pool)) != len(c.fresh_pool):
        raise SystemExit("fresh token pool has duplicates; the core mints identical tokens")
    c.run(warm, None)  # warm-up on the tail, which no round uses


def measure(groups: list[list[Contender]], rounds: int) -> None:
    """Round-robin: each round times every contender of every group once, order rotated."""
    for r in range(rounds):
        for group in groups:
            live = [c for c in group if c.fn is not None]
            if not live:
                continue
            shift = r % len(live)
            for c in live[shift:] + live[:shift]:
                c.per_round_ns.append(c.run(c.n, r))
        gc.collect()


def median_ratio(a: Contender | None, b: Contender | None) -> float | None:
    """Median over rounds of a/b, paired within a round so drift between rounds cancels."""
    if a is None or b is None or not a.per_round_ns or not b.per_round_ns:
        return None
    return statistics.median(x / y for x, y in zip(a.per_round_ns, b.per_round_ns, strict=True))


# --------------------------------------------------------------------------- reporting


def machine_info(core: Core) -> dict[str, Any]:
    """What this run ran on, so numbers from different machines are not compared blindly."""
    from cryptography.hazmat.backends.openssl.backend import backend

    return {
        **base_machine_info("packages/jwt-core"),
        "jwt_core": core.version if core.error is None else "unavailable",
        "jwt_core_path": core.origin,
        "pyjwt": pyjwt.__version__,
        "python_jose": jose.__version__,
        "jose_backend": type(jose.jwk.construct(SECRET, "HS256")).__module__,
        "cryptography": version_of("cryptography"),
        "openssl": backend.openssl_version_text(),
    }


def verdict(ratio: float | None, target: float | None) -> str:
    """Ratio with its target, for a person to read."""
    if ratio is None:
        return "unavailable"
    if target is None:
        return f"{ratio:.2f}"
    return f"{ratio:.2f} (target <= {target}: {'meets' if ratio <= target else 'MISSES'})"


def report(groups: list[list[Contender]]) -> dict[str, Any]:
    """Print the table and the ratios; return the same as data for --json."""
    out: dict[str, Any] = {"groups": []}
    fresh_of = {c.alg: c for g in groups for c in g if c.name == OURS_FRESH}
    for group in groups:
        op, alg = group[0].op, group[0].alg
        if op == "refuse":
            out["groups"].append(report_refusals(group, fresh_of.get(alg)))
            continue
        by = {c.name: c for c in group}
        floor = by[FLOOR]
        print(f"\n{op} {alg}")
        print(
            f"  {'contender':<22}{'us/op':>9}{'min':>9}{'max':>9}{'n/round':>9}"
            f"{'x floor':>9}{'best x':>8}"
        )
        rows: list[dict[str, Any]] = []
        for c in group:
            if c.fn is None:
                print(f"  {c.name:<22}{'unavailable':>12}")
                rows.append({"contender": c.name, "unavailable": c.unavailable})
                continue
            us = [x / 1000 for x in c.per_round_ns]
            med = statistics.median(us)
            vs_floor = median_ratio(c, floor)
            best_vs_floor = min(c.per_round_ns) / min(floor.per_round_ns)
            print(
                f"  {c.name:<22}{fmt(med, 9)}{fmt(min(us), 9)}{fmt(max(us), 9)}"
                f"{c.n:>9}{fmt(vs_floor, 9)}{fmt(best_vs_floor, 8)}"
            )
            rows.append(
                {
                    "contender": c.name,
                    "us_per_op_median": med,
                    "us_per_op_rounds": us,
                    "n_per_round": c.n,
                    "ratio_to_floor": vs_floor,
                    "fastest_round_ratio_to_floor": best_vs_floor,
                }
            )
        ratios: dict[str, float | None] = {}
        ours_names = [OURS] + ([OURS_FRESH] if op == "decode" else [])
        for ours_name in ours_names:
            ours = by.get(ours_name)
            if ours is None or ours.fn is None:
                continue
            f_target = DECODE_FLOOR_TARGET[alg] if op == "decode" else ENCODE_FLOOR_TARGET
            if ours_name == OURS_FRESH:
                f_target = FRESH_DECODE_FLOOR_TARGET[alg]
            p_target = DECODE_PYJWT_TARGET.get(alg) if op == "decode" else None
            r_floor = median_ratio(
                ours, by.get(FLOOR_FRESH, floor) if ours_name == OURS_FRESH else floor
            )
            r_pyjwt = median_ratio(ours, by.get(PYJWT))
            r_jose = median_ratio(ours, by.get(JOSE_PREBUILT))
            parts = [
                f"/floor {verdict(r_floor, f_target)}",
                f"/PyJWT {verdict(r_pyjwt, p_target)}",
                f"/jose-prebuilt {verdict(r_jose, None)}",
            ]
            ratios[f"{ours_name}/floor"] = r_floor
            ratios[f"{ours_name}/PyJWT"] = r_pyjwt
            ratios[f"{ours_name}/jose-prebuilt"] = r_jose
            if op == "encode":
                r_fc = median_ratio(ours, by.get(FLOOR_CLAIMS))
                parts.insert(1, f"/floor+claims {verdict(r_fc, None)}")
                ratios[f"{ours_name}/floor+claims"] = r_fc
            print(f"  {ours_name:<19}" + "  ".join(parts))
        out["groups"].append({"op": op, "alg": alg, "rows": rows, "ratios": ratios})
    return out


def report_refusals(group: list[Contender], fresh: Contender | None) -> dict[str, Any]:
    """The cost of refusing each hostile token over a fresh valid decode, paired by round."""
    alg = group[0].alg
    print(f"\nrefuse {alg}: cost of a refusal / cost of decoding a never-seen valid token")
    print(f"  {'hostile token':<48}{'us/op':>9}{'min':>9}{'max':>9}{'x fresh':>9}")
    rows: list[dict[str, Any]] = []
    worst: float | None = None
    for c in group:
        name = c.name[len(REFUSE) :]
        if c.fn is None:
            print(f"  {name:<48} NOT REFUSED CLEANLY: {c.unavailable}")
            rows.append({"token": name, "error": c.unavailable})
            continue
        us = [x / 1000 for x in c.per_round_ns]
        ratio = median_ratio(c, fresh)
        worst = ratio if worst is None or (ratio is not None and ratio > worst) else worst
        mark = "" if ratio is None or ratio <= REFUSAL_TARGET else "  MISSES"
        print(
            f"  {name:<48}{fmt(statistics.median(us), 9)}{fmt(min(us), 9)}{fmt(max(us), 9)}"
            f"{fmt(ratio, 9)}{mark}"
        )
        rows.append({"token": name, "us_per_op_median": statistics.median(us), "x_fresh": ratio})
    print(f"  worst refusal/fresh decode {verdict(worst, REFUSAL_TARGET)}")
    return {"op": "refuse", "alg": alg, "rows": rows, "worst_x_fresh": worst}


# --------------------------------------------------------------------------- profiling


def profile_decode(core: Core, km: KeyMaterial, calls: int, top: int) -> None:
    """cProfile our decode (fresh tokens, then the same token) and print the top functions."""
    if core.error is not None:
        raise SystemExit(f"cannot profile: {core.error}")
    tm = make_manager(core, km)
    tokens = [tm.create_access_token("alice", "ADMIN", True) for _ in range(calls + 200)]
    warm, tokens = tokens[calls:], tokens[:calls]  # warm-up tokens are never profiled
    for label, inputs in (("fresh token each call", tokens), ("same token", [tokens[0]] * calls)):
        for raw in warm if label.startswith("fresh") else inputs[:200]:
            tm.decode(raw)
        prof = cProfile.Profile()
        prof.enable()
        for raw in inputs:
            tm.decode(raw)
        prof.disable()
        title = f"=== cProfile: tm.decode {km.alg}, {label}, {calls} calls, by {{sort}} ==="
        print_stats(prof, title, top)


# --------------------------------------------------------------------------- main


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options, build and check every contender, measure round-robin, print, save."""
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="3 short rounds (a smoke run)")
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--rounds", type=int, help="rounds (default 7, --quick 3)")
    ap.add_argument("--round-seconds", type=float, help="time per contender per round")
    ap.add_argument(
        "--cpu-time",
        action="store_true",
        help="time with process CPU time instead of wall time (steadier on a busy machine)",
    )
    ap.add_argument("--alg", action="append", choices=ALGORITHMS, help="only this algorithm")
    ap.add_argument(
        "--profile",
        nargs="?",
        const="HS256",
        choices=ALGORITHMS,
        help="cProfile our decode for ALG (default HS256) instead of benchmarking",
    )
    args = ap.parse_args(argv)

    rounds = args.rounds or (3 if args.quick else 7)
    target_s = args.round_seconds or (0.02 if args.quick else 0.15)
    warm_s = target_s / 3
    fresh_budget_s = 1.0 if args.quick else 6.0
    algs = tuple(args.alg or ALGORITHMS)

    core = load_core()
    keys = make_keys()
    if args.profile:
        profile_decode(core, keys[args.profile], 20000 if not args.quick else 3000, 25)
        return 0

    clock_name = "process CPU time" if args.cpu_time else "wall time (perf_counter_ns)"
    load_start = os.getloadavg()
    info = machine_info(core)
    print("Micro benchmark: typical access token (sub iat nbf exp jti type fresh iss aud role)")
    print(
        f"  cpu      {info['cpu']} ({info['logical_cores']} logical cores, "
        f"{info['usable_cores']} usable)"
    )
    print(f"  python   {info['python']} on {info['platform']}")
    print(
        f"  libs     jwt_core {info['jwt_core']} | PyJWT {info['pyjwt']} | python-jose "
        f"{info['python_jose']} ({info['jose_backend']}) | cryptography "
        f"{info['cryptography']} ({info['openssl']})"
    )
    print(f"  commit   {info['git_commit']}   jwt_core from {info['jwt_core_path'] or '-'}")
    print(
        f"  method   {rounds} rounds round-robin, ~{target_s}s per contender per round, "
        f"{clock_name}, gc off while timing; median over rounds; ratios are medians of "
        "per-round ratios"
    )
    if core.error:
        print(f"  ours     unavailable: {core.error}")

    notes: list[str] = []
    groups: list[list[Contender]] = []
    for alg in algs:
        dec, enc, refusals = build_contenders(keys[alg], core, notes)
        groups += [dec, enc] + ([refusals] if refusals else [])
    for c in (c for group in groups for c in group):
        c.clock = time.process_time_ns if args.cpu_time else time.perf_counter_ns
    print(
        "  checks   every contender decoded/minted a correct token; every decoder refused "
        "tampered, expired, wrong-aud and wrong-iss tokens"
    )

    for group in groups:
        for c in group:
            if c.fn is not None and c.fresh_pool is None:
                calibrate(c, target_s, warm_s)
        by = {c.name: c for c in group}
        fresh = by.get(OURS_FRESH)
        if fresh is not None and fresh.fn is not None:
            ours_enc = next(
                c
                for g in groups
                for c in g
                if c.op == "encode" and c.alg == fresh.alg and c.name == OURS
            )
            assert ours_enc.fn is not None
            fill_fresh_pool(fresh, by[OURS], ours_enc.fn, rounds, fresh_budget_s)  # type: ignore[arg-type]
            # The floor over the very same never-seen tokens: the like-for-like baseline for
            # the fresh row (a pool of distinct tokens also costs the floor cache misses).
            floor_fresh = Contender(FLOOR_FRESH, "decode", fresh.alg, by[FLOOR].fn)
            floor_fresh.fresh_pool, floor_fresh.n = fresh.fresh_pool, fresh.n
            floor_fresh.clock = fresh.clock
            group.insert(group.index(fresh) + 1, floor_fresh)

    measure(groups, rounds)
    data = report(groups)
    load_end = os.getloadavg()
    print(
        f"\nload average (1 min) {load_start[0]:.2f} before, {load_end[0]:.2f} after "
        f"on {info['usable_cores']} cores: above ~0.5 other work shares the CPU, expect noise"
    )
    for note in notes:
        print(f"\nnote: {note}")
    if core.error is None:  # provider tokens (jwt_core.remote) against ours: its own rows
        from external_decode import report as report_external

        data["external"] = report_external(quick=args.quick)
    if args.json:
        data.update(
            load_average=[load_start, load_end],
            machine=info,
            rounds=rounds,
            round_seconds=target_s,
            clock=clock_name,
            notes=notes,
            argv=list(argv if argv is not None else sys.argv[1:]),
        )
        write_json(args.json, data)
    return 0


if __name__ == "__main__":
    sys.exit(main())
