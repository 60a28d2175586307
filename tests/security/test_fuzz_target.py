"""The fuzz target of fuzz/decode_fuzz.py runs, finds nothing on a fixed sample, and can fail.

This keeps the harness from rotting between fuzzing runs: it is imported here without the
fuzzer (so uninstrumented) and fed seeded random inputs through its own `one_input`.
"""

from __future__ import annotations

import importlib.util
import random
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

pytest.importorskip("atheris")

TARGET = Path(__file__).resolve().parents[2] / "fuzz" / "decode_fuzz.py"


@pytest.fixture(scope="module")
def harness() -> ModuleType:
    spec = importlib.util.spec_from_file_location("decode_fuzz", TARGET)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _inputs(count: int) -> list[bytes]:
    rng = random.Random(20250615)
    samples = [b"", b"\x00", b"\x03" * 64, b"\x00\x00" + b"eyJ.eyJ.AAAA"]
    for _ in range(count):
        samples.append(rng.randbytes(rng.randint(0, 300)))
    return samples


def test_the_harness_finds_nothing_on_a_fixed_sample(harness: ModuleType) -> None:
    for data in _inputs(3000):
        harness.one_input(data)


def test_the_harness_tokens_are_valid(harness: ModuleType) -> None:
    for raw in harness.VALID:
        accepted = 0
        for manager in harness.MANAGERS.values():
            try:
                manager.decode(raw)
                accepted += 1
            except harness.JWTExtendedException:
                pass
        assert accepted == 1


def test_a_foreign_exception_is_a_crash(
    harness: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(raw: str) -> Any:
        raise ValueError("not a library exception")

    for manager in harness.MANAGERS.values():
        monkeypatch.setattr(manager, "decode", broken)
    for data in _inputs(20):
        with pytest.raises(ValueError, match="not a library exception"):
            harness.one_input(data)


def test_a_token_for_an_unsigned_string_is_a_crash(harness: ModuleType) -> None:
    genuine = harness.MANAGERS["HS256"].decode(harness.VALID[0])
    harness._check(genuine, harness.VALID[0], False)  # one of its own: fine
    harness._check(genuine, "anything", True)  # signed by the harness itself: fine
    with pytest.raises(AssertionError, match="nobody signed"):
        harness._check(genuine, "not-a-token", False)
