"""The core is safe to call from several threads at once: decode, verify and create share a
manager (its verified-token and header caches) and raise only the documented errors, whose
messages hold no part of any token.

A tiny verified-token cache makes nearly every decode evict an entry. To make threads meet
inside the core's few-bytecode windows, each worker runs under a tracer that, at random
bytecodes of `jwt_core`'s own frames, gives up the GIL (`time.sleep(0)`), with a switch
interval of a microsecond besides; an eviction done as `del cache[next(iter(cache))]` raised
KeyError(<the raw token>) here.
"""

from __future__ import annotations

import asyncio
import random
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import FrameType
from typing import Any

import pytest

import jwt_core
from jwt_core import JWTExtendedException, TokenManager
from tests.security.forge import build_manager, claims, forge
from tests.security.test_error_messages import assert_clean

CORE = str(Path(jwt_core.__file__).parent)

THREADS = 8
ROUNDS = 150


@pytest.fixture
def switching() -> Iterator[None]:
    """Switch threads as often as the interpreter can."""
    old = sys.getswitchinterval()
    sys.setswitchinterval(1e-6)
    try:
        yield
    finally:
        sys.setswitchinterval(old)


def _set_trace(trace: Any) -> None:
    """`sys.settrace`, retried: CPython 3.10 refuses ("Cannot install a trace function while
    another trace function is being installed") when threads released together by the
    barrier install theirs at the same moment; that is the harness's race, not the core's."""
    for _ in range(10_000):
        try:
            sys.settrace(trace)
        except RuntimeError:
            time.sleep(0)
        else:
            return
    raise AssertionError("could not install the thread's trace function")


def hammer(work: Callable[[random.Random], None]) -> list[BaseException]:
    """Run `work` in THREADS threads started together; every exception any of them raised."""
    start = threading.Barrier(THREADS)
    errors: list[BaseException] = []

    def run(seed: int) -> None:
        rng = random.Random(seed)
        yield_here = random.Random(~seed).random

        def opcodes(frame: FrameType, event: str, arg: Any) -> Any:
            if event == "opcode" and yield_here() < 0.05:
                time.sleep(0)  # let another thread run right here
            return opcodes

        def calls(frame: FrameType, event: str, arg: Any) -> Any:
            if not frame.f_code.co_filename.startswith(CORE):
                return None
            frame.f_trace_opcodes = True
            return opcodes

        start.wait()
        try:
            _set_trace(calls)
            work(rng)
        except BaseException as exc:  # collected, so the test can look at it
            errors.append(exc)
        finally:
            _set_trace(None)

    threads = [threading.Thread(target=run, args=(seed,)) for seed in range(THREADS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a thread hangs"
    return errors


def _tokens(manager: TokenManager) -> tuple[list[str], list[str]]:
    valid = [manager.create_access_token(f"user-{i}") for i in range(48)]
    valid += [manager.create_refresh_token({"id": i}) for i in range(16)]
    forged = [forge(secret="not-the-secret-0123456789abcdef0123") for _ in range(4)]
    forged += [raw[:-2] + ("AA" if raw[-2:] != "AA" else "BA") for raw in valid[:8]]
    forged += [forge({"alg": "HS256", "typ": "JWT", "n": i}, claims(exp=0)) for i in range(8)]
    return valid, forged


def _assert_only_documented(errors: list[BaseException], every_token: list[str]) -> None:
    """No error at all escaped a worker; had one, its message must still be clean."""
    segments = {segment for raw in every_token for segment in raw.split(".")}
    for exc in errors:
        shown = f"{exc}\n{exc!r}"
        leaked = any(segment in shown for segment in segments)  # not shown by pytest either
        assert not leaked, f"a {type(exc).__name__} message holds a token segment"
    assert not errors, [type(exc).__name__ for exc in errors]


@pytest.mark.parametrize("cache_size", [1, 3])
def test_decode_and_create_from_many_threads(switching: None, cache_size: int) -> None:
    manager = build_manager(verified_token_cache_size=cache_size)
    valid, forged = _tokens(manager)
    minted: list[str] = []
    refusals: list[tuple[str, JWTExtendedException]] = []

    def work(rng: random.Random) -> None:
        for i in range(ROUNDS):
            raw = rng.choice(valid)
            token = manager.decode(raw)
            assert token.raw_jwt == raw
            assert token.sub.startswith("user-") or token.identity["id"] >= 0
            bad = rng.choice(forged)
            try:
                manager.decode(bad)
            except JWTExtendedException as exc:
                refusals.append((bad, exc))
            else:
                raise AssertionError("a forged token was accepted")
            if i % 10 == 0:
                made = manager.create_access_token(f"user-{rng.randrange(1000)}")
                minted.append(made)
                assert manager.decode(made).raw_jwt == made

    errors = hammer(work)
    _assert_only_documented(errors, valid + forged + minted)
    assert len(manager._verified) <= cache_size + THREADS
    assert len(refusals) == THREADS * ROUNDS
    assert len(set(minted)) == len(minted) == THREADS * ((ROUNDS + 9) // 10)
    for bad, exc in refusals:
        assert_clean(exc, bad)


def test_verify_from_many_threads(switching: None) -> None:
    manager = build_manager(verified_token_cache_size=1, use_acl=True)
    valid, forged = _tokens(manager)

    def work(rng: random.Random) -> None:
        async def many() -> None:
            for _ in range(ROUNDS // 2):
                raw = rng.choice(valid)
                kind: Any = manager.decode(raw).type
                assert (await manager.verify(raw, kind)).raw_jwt == raw
                bad = rng.choice(forged)
                with pytest.raises(JWTExtendedException) as info:
                    await manager.verify(bad)
                assert_clean(info.value, bad)

        asyncio.run(many())

    _assert_only_documented(hammer(work), valid + forged)


def test_the_header_cache_stays_bounded_under_threads(switching: None) -> None:
    manager = build_manager(use_acl=True)
    headers = [{"alg": "HS256", "typ": "JWT", "n": i} for i in range(200)]
    signed = [forge(header, claims()) for header in headers]

    def work(rng: random.Random) -> None:
        for _ in range(ROUNDS):
            raw = rng.choice(signed)
            assert manager.decode(raw).sub == "alice"

    _assert_only_documented(hammer(work), signed)
    assert 64 <= len(manager._verifier.header_keys) <= 64 + THREADS
