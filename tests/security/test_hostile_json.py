"""Hostile JSON in a token: deep nesting, lone surrogates and bulk never make `decode` raise
anything but the library's own errors, and never make it parse what is not signed.

Rule: no recursive walk of attacker-controlled data before its depth is bounded; depth and
surrogate checks come first. A foreign exception (RecursionError, KeyError, ...) would be a
500 over HTTP and exit status 70 from the CLI. RFC 8725 section 3.10 (received claims are
untrusted input), RFC 7515 section 5.2 (validate the signature before using the payload).
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from jwt_core import JWTDecodeError, JWTExtendedException, TokenManager
from jwt_core import _jws as jws
from tests.security.forge import SECRET, claims, forge
from tests.support.jose import b64url, join

SRC = Path(__file__).resolve().parents[2] / "packages" / "jwt-core" / "src"
HEADER = {"alg": "HS256", "typ": "JWT"}
CLAIMS = json.dumps(claims())[:-1]  # a valid claim set's JSON, open for one more member
SURROGATES = ('"\\ud800"', '"\\uDC00"', '{"\\udbff":0}', '"a\\ud83d"')


def nested(depth: int, inner: str, opener: str = "[") -> str:
    """`inner` inside `depth` arrays (or objects, each with one member "k")."""
    if opener == "[":
        return "[" * depth + inner + "]" * depth
    return '{"k":' * depth + inner + "}" * depth


def unsigned(payload: str, header: Any = None) -> str:
    """A token over `payload` whose signature is another token's: nobody signed it."""
    signature = forge().rpartition(".")[2]
    return f"{join(HEADER if header is None else header, payload)}.{signature}"


def _hostile_payloads() -> dict[str, str]:
    cases: dict[str, str] = {}
    for depth in (31, 32, 33, 200, 990, 999, 1500, 3000):
        for inner in (*SURROGATES, '"x"', "0"):
            for opener in "[{":
                value = nested(depth, inner, opener)
                cases[f"{opener}x{depth} {inner}"] = f'{CLAIMS},"a":{value}}}'
    # the surrogate before the deep part, after it, as a member name, at the top
    deep = nested(990, "0")
    cases["surrogate first"] = '{"\\ud800":1,"a":' + deep + "}"
    cases["surrogate last"] = '{"a":' + deep + ',"b":"\\udfff"}'
    cases["identity deep"] = json.dumps(claims())[:-1] + ',"identity":' + nested(990, "1") + "}"
    cases["sub deep"] = json.dumps(claims())[:-1].replace('"sub":"alice",', "") + (
        ',"sub":' + nested(990, '"\\ud800"') + "}"
    )
    return cases


HOSTILE = _hostile_payloads()
WITHIN_BOUND = {name for name in HOSTILE if name.endswith(('31 "x"', "31 0"))}  # fine if signed


def refused(manager: TokenManager, raw: str) -> JWTExtendedException:
    """decode(raw) raises the library's own exception (a foreign one fails the test)."""
    with pytest.raises(JWTExtendedException) as info:
        manager.decode(raw)
    return info.value


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_an_unsigned_hostile_payload_is_refused_as_unsigned(
    manager: TokenManager, name: str
) -> None:
    exc = refused(manager, unsigned(HOSTILE[name]))
    assert isinstance(exc, JWTDecodeError)
    assert "signature" in str(exc) or "longer than" in str(exc), exc


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_signed_hostile_payload_is_refused_by_its_form(manager: TokenManager, name: str) -> None:
    raw = forge(None, HOSTILE[name])
    if name in WITHIN_BOUND:  # 31 levels, no surrogate
        assert manager.decode(raw).sub == "alice"
        return
    exc = refused(manager, raw)
    assert isinstance(exc, JWTDecodeError), exc
    why = str(exc)
    assert "nests too deeply" in why or "surrogate" in why or "longer than" in why, exc


@pytest.mark.parametrize("inner", SURROGATES)
def test_depth_is_reported_before_a_surrogate(manager: TokenManager, inner: str) -> None:
    for depth in (32, 990):
        exc = refused(manager, forge(None, '{"a":' + nested(depth, inner) + "}"))
        assert "nests too deeply" in str(exc)
    exc = refused(manager, forge(None, json.dumps(claims())[:-1] + ',"a":' + inner + "}"))
    assert "surrogate" in str(exc)


@pytest.mark.parametrize("name", sorted(HOSTILE))
def test_a_hostile_header_is_refused(manager: TokenManager, name: str) -> None:
    header = '{"alg":"HS256",' + HOSTILE[name][1:]
    raw = forge(header, claims())
    if name in WITHIN_BOUND:  # a fine extra member
        assert manager.decode(raw).sub == "alice"
        return
    exc = refused(manager, raw)
    assert isinstance(exc, JWTDecodeError)


@pytest.mark.parametrize("name", sorted(HOSTILE))
async def test_verify_refuses_with_the_library_errors_only(
    manager: TokenManager, name: str
) -> None:
    signed = [] if name in WITHIN_BOUND else [forge(None, HOSTILE[name])]
    for raw in [unsigned(HOSTILE[name]), *signed]:
        with pytest.raises(JWTExtendedException):
            await manager.verify(raw)


def test_the_depth_limit_is_unchanged_at_its_boundary(manager: TokenManager) -> None:
    limit = jws.MAX_DEPTH
    fits = json.dumps(claims())[:-1] + ',"x":' + nested(limit - 1, '"\\u00e9"') + "}"
    assert manager.decode(forge(None, fits)).sub == "alice"
    too_deep = json.dumps(claims())[:-1] + ',"x":' + nested(limit, "0") + "}"
    assert "nests too deeply" in str(refused(manager, forge(None, too_deep)))
    empty_at_limit = json.dumps(claims())[:-1] + ',"x":' + nested(limit, "") + "}"
    assert manager.decode(forge(None, empty_at_limit)).sub == "alice"


def test_a_paired_surrogate_escape_is_accepted(manager: TokenManager) -> None:
    text = json.dumps(claims())[:-1] + ',"emoji":"\\ud83d\\ude00","\\ud83d\\ude01":1}'
    token = manager.decode(forge(None, text))
    assert token.raw_data["emoji"] == "\U0001f600"


# -- an unsigned payload is never parsed --------------------------------------------------------
def test_an_unsigned_payload_never_reaches_the_json_parser(
    manager: TokenManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    parsed: list[str] = []

    def spy_on(real: Any) -> Any:
        def spy(text: str, index: int) -> Any:
            parsed.append(text)
            return real(text, index)

        return spy

    for scanner in ("_scan", "_scan_plain"):  # the strict one, and the one for flat texts
        monkeypatch.setattr(jws, scanner, spy_on(getattr(jws, scanner)))
    bulk = '{"a":[' + "{}," * 2000 + "{}]}"
    refused(manager, unsigned(bulk, header={"alg": "HS256", "typ": "JWT", "x": 1}))
    assert parsed == ['{"alg":"HS256","typ":"JWT","x":1}']  # the header is read, to pick the key
    assert all('"a"' not in text for text in parsed), "an unsigned payload was parsed"
    manager.decode(forge())  # a signed one still is
    assert any('"sub"' in text for text in parsed)


def test_a_signed_payload_still_gets_every_form_check(manager: TokenManager) -> None:
    for text, why in (
        ("{sub: 1}", "not valid JSON"),
        (json.dumps(claims())[:-1] + ',"sub":"x"}', "repeats a member name"),
        ("[1]", "not a JSON object"),
        (b'{"sub":"\xff"}', "not valid JSON"),
    ):
        assert why in str(refused(manager, forge(None, text)))


# -- the header's budget --------------------------------------------------------------------
def test_a_header_longer_than_its_bound_is_refused_unread(
    manager: TokenManager, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[str] = []
    monkeypatch.setattr(jws, "b64url_decode", lambda s, what: calls.append(what) or b"{}")
    header = b64url(b'{"alg":"HS256","kid":"' + b"k" * 1000 + b'"}')
    assert len(header) > jws.MAX_HEADER_LENGTH
    raw = f"{header}.{join(HEADER, claims()).split('.')[1]}.AAAA"
    assert "header is longer than 1024" in str(refused(manager, raw))
    assert calls == []


def test_a_header_within_its_bound_is_accepted(make_manager: Any) -> None:
    manager = make_manager(key_id="k" * 600)
    raw = manager.create_access_token("alice")
    assert len(raw.split(".")[0]) <= jws.MAX_HEADER_LENGTH
    assert manager.decode(raw).kid == "k" * 600


@pytest.mark.parametrize(
    "extra",
    [
        ',"x":[' + ",".join(["0"] * 70) + "]",
        "".join(f',"m{i}":0' for i in range(70)),
        ',"x":' + "[" * 70 + "]" * 70,
        ',"x":[' + ",".join(["{}"] * 70) + "]",
    ],
)
def test_a_header_with_too_many_values_is_refused_before_parsing(
    manager: TokenManager, monkeypatch: pytest.MonkeyPatch, extra: str
) -> None:
    parsed: list[str] = []
    monkeypatch.setattr(jws, "_scan", lambda text, index: parsed.append(text) or ({}, 0))
    raw = forge('{"alg":"HS256"' + extra + "}", claims())
    assert "too many values" in str(refused(manager, raw))
    assert parsed == []


def test_an_unsigned_header_is_not_cached(manager: TokenManager) -> None:
    header = {"alg": "HS256", "typ": "JWT", "x": "unsigned"}
    segment = b64url(json.dumps(header, separators=(",", ":")).encode())
    refused(manager, unsigned(json.dumps(claims()), header=header))
    assert segment not in manager._verifier.header_keys
    manager.decode(forge(header, claims()))
    assert segment in manager._verifier.header_keys


# -- the command line ---------------------------------------------------------------------------
@pytest.mark.parametrize("signed", [False, True])
def test_cli_verify_refuses_a_hostile_token_with_its_usual_status(
    tmp_path: Path, signed: bool
) -> None:
    text = '{"a":' + nested(990, '"\\ud800"') + "}"
    raw = forge(None, text) if signed else unsigned(text)
    secret_file = tmp_path / "secret.txt"
    secret_file.write_text(SECRET + "\n")
    done = subprocess.run(
        [sys.executable, "-m", "jwt_core.cli", "verify", "--secret-key-file", secret_file, raw],
        capture_output=True,
        text=True,
        env={"PATH": "/usr/bin:/bin", "PYTHONPATH": str(SRC), "LANG": "C.UTF-8"},
        cwd=tmp_path,
        timeout=60,
        check=False,
    )
    assert done.returncode == 1, done
    assert "Traceback" not in done.stderr
    assert "token refused" in done.stderr
    assert done.stdout == ""
