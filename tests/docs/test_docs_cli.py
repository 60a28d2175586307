"""docs/cli.md: the shell session runs as shown, and the config files it shows work.

The page's shell steps are the sections of `examples/docs/cli_session.sh`, and the output it
shows beside them the sections of `cli_session.txt`. A test runs the whole script in one bash
process in an empty folder, with a `jwt-core` command that runs this checkout's `jwt_core.cli`,
and compares every step's output with its section: lines starting with `jwt-core: ` must be
what the step wrote on stderr, the others what it wrote on stdout. `<name>` placeholders stand
for what differs from run to run (keys, tokens, times); within one step, one name is one value.
"""

from __future__ import annotations

import json
import os
import re
import shlex
import stat
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.docs.example_files import DOCS, EXAMPLES, ROOT

# The CLI's --config reads TOML with tomllib; on Python 3.10 it refuses by design.
needs_tomllib = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="--config needs tomllib (Python 3.11+)"
)

CORE_SRC = ROOT / "packages" / "jwt-core" / "src"
SECTION = re.compile(r"--8<-- \[(start|end):([a-z][-_0-9a-z]*)\]")
PLACEHOLDER = re.compile(r"<([a-z][-a-z0-9]*)>")
STDERR_PREFIX = "jwt-core: "

_B64URL = r"[A-Za-z0-9_-]+"
_NUMERIC_DATE = r"\d+"
_UTC_DATE = r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00"
# What each placeholder of an output file may stand for.
PLACEHOLDERS = {
    "token": rf"{_B64URL}\.{_B64URL}\.{_B64URL}",
    "x": _B64URL,
    "y": _B64URL,
    "kid": _B64URL,
    "jti": r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}",
    "iat": r"\d+(?:\.\d+)?",
    "nbf": _NUMERIC_DATE,
    "exp": _NUMERIC_DATE,
    "iat-utc": _UTC_DATE,
    "nbf-utc": _UTC_DATE,
    "exp-utc": _UTC_DATE,
}


@dataclass(frozen=True)
class Step:
    """What one section of a shell script printed, and the status of its last command."""

    out: str
    err: str
    status: int


def sections(name: str) -> dict[str, list[str]]:
    """The lines of every `--8<-- [start:x]` ... `[end:x]` section of an example file."""
    found: dict[str, list[str]] = {}
    current: str | None = None
    for line in (EXAMPLES / name).read_text(encoding="utf-8").splitlines():
        marker = SECTION.search(line)
        if marker is None:
            if current is not None:
                found[current].append(line)
        elif marker.group(1) == "start":
            assert current is None, f"{name}: section {marker.group(2)} starts inside {current}"
            current = marker.group(2)
            found[current] = []
        else:
            assert current == marker.group(2), f"{name}: {marker.group(2)} ends but is not open"
            current = None
    assert current is None, f"{name}: section {current} never ends"
    return found


def jwt_core_environment(folder: Path) -> dict[str, str]:
    """A clean environment whose `jwt-core` command runs this checkout's jwt_core.cli."""
    bin_dir = folder / ".bin"
    bin_dir.mkdir(exist_ok=True)
    command = bin_dir / "jwt-core"
    command.write_text(
        f'#!/bin/sh\nexec {shlex.quote(sys.executable)} -m jwt_core.cli "$@"\n', encoding="utf-8"
    )
    command.chmod(0o755)
    return {
        "PATH": f"{bin_dir}{os.pathsep}{os.environ.get('PATH', '/usr/bin:/bin')}",
        "PYTHONPATH": str(CORE_SRC),
        "HOME": str(folder),
        "LC_ALL": "C.UTF-8",
    }


def _split(stream: str, *, with_status: bool) -> dict[str, tuple[str, int]]:
    """Cut one output stream at the markers `run_session` echoes around each section."""
    end = r"@@end (?P=name)(?: (?P<status>\d+))?\n"
    step = re.compile(rf"@@start (?P<name>[-_0-9a-z]+)\n(?P<text>.*?){end}", re.S)
    found = {m["name"]: (m["text"], int(m["status"] or 0)) for m in step.finditer(stream)}
    assert step.sub("", stream) == "", f"output outside the sections:\n{step.sub('', stream)}"
    assert all((m["status"] is not None) == with_status for m in step.finditer(stream))
    return found


def run_session(script: str, folder: Path) -> dict[str, Step]:
    """Run an example shell script in `folder`, in one bash process; what each section did."""
    lines = []
    for line in (EXAMPLES / script).read_text(encoding="utf-8").splitlines():
        marker = SECTION.search(line)
        if marker is None:
            lines.append(line)
        elif marker.group(1) == "start":
            lines.append(f"echo '@@start {marker.group(2)}'; echo '@@start {marker.group(2)}' >&2")
        else:
            name = marker.group(2)
            lines.append(f"status=$?; echo \"@@end {name} $status\"; echo '@@end {name}' >&2")
    instrumented = folder / ".session.sh"
    instrumented.write_text("\n".join(lines) + "\n", encoding="utf-8")
    completed = subprocess.run(
        ["bash", str(instrumented)],
        cwd=folder,
        env=jwt_core_environment(folder),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert "Traceback" not in completed.stderr, completed.stderr
    assert completed.returncode == 0, completed.stderr
    out = _split(completed.stdout, with_status=True)
    err = _split(completed.stderr, with_status=False)
    assert out.keys() == err.keys() == sections(script).keys()
    return {name: Step(out[name][0], err[name][0], out[name][1]) for name in out}


def _pattern(template: str) -> str:
    """A regular expression for `template`: literal text, and a group for each placeholder."""
    parts: list[str] = []
    seen: set[str] = set()
    position = 0
    for match in PLACEHOLDER.finditer(template):
        parts.append(re.escape(template[position : match.start()]))
        name = match.group(1)
        assert name in PLACEHOLDERS, f"unknown placeholder <{name}>"
        group = "p_" + name.replace("-", "_")
        parts.append(f"(?P={group})" if name in seen else f"(?P<{group}>{PLACEHOLDERS[name]})")
        seen.add(name)
        position = match.end()
    parts.append(re.escape(template[position:]))
    return "".join(parts)


def assert_prints(step: Step, expected: list[str]) -> dict[str, str]:
    """`step` printed the `expected` lines, each on its stream; return the placeholders' values."""
    err = "".join(f"{line}\n" for line in expected if line.startswith(STDERR_PREFIX))
    out = "".join(f"{line}\n" for line in expected if not line.startswith(STDERR_PREFIX))
    match = re.fullmatch(_pattern(f"{err}\x00{out}"), f"{step.err}\x00{step.out}")
    if match is None:  # let pytest show the difference
        assert f"stderr:\n{step.err}\nstdout:\n{step.out}" == f"stderr:\n{err}\nstdout:\n{out}"
    assert match is not None
    return {name[2:].replace("_", "-"): value for name, value in match.groupdict().items()}


def assert_page_shows(page: str, script: str, output: str) -> None:
    """Every section of the script, and of its output file, is included by `page`."""
    text = (DOCS / page).read_text(encoding="utf-8")
    for name in (script, output):
        for section in sections(name):
            assert f'--8<-- "examples/docs/{name}:{section}"' in text, f"{page}: {name}:{section}"


def jwt_core(folder: Path, *arguments: str, stdin: str = "") -> subprocess.CompletedProcess[str]:
    """Run `jwt-core` in `folder`, as the sessions do."""
    return subprocess.run(
        ["jwt-core", *arguments],
        cwd=folder,
        env=jwt_core_environment(folder),
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Step]]:
    folder = tmp_path_factory.mktemp("cli-session")
    return folder, run_session("cli_session.sh", folder)


def test_the_page_shows_every_step_and_its_output() -> None:
    assert_page_shows("cli.md", "cli_session.sh", "cli_session.txt")
    assert sections("cli_session.sh").keys() == sections("cli_session.txt").keys()


@pytest.mark.parametrize("name", list(sections("cli_session.txt")))
def test_each_step_prints_what_the_page_shows(
    session: tuple[Path, dict[str, Step]], name: str
) -> None:
    _, steps = session
    assert_prints(steps[name], sections("cli_session.txt")[name])
    assert steps[name].status == 0  # each step ends with a command that works, or `echo $?`


def test_a_minted_token_verifies_and_a_tampered_one_is_refused(
    session: tuple[Path, dict[str, Step]],
) -> None:
    folder, steps = session
    claims = json.loads(steps["verify"].out)
    assert claims["sub"] == "alice"
    assert (claims["role"], claims["fresh"], claims["tenant"]) == ("ADMIN", True, 7)
    assert claims["scopes"] == ["read", "write"]
    assert claims["exp"] - claims["nbf"] == 15 * 60
    assert steps["tampered"].out == "1\n"
    assert steps["tampered"].err.startswith("jwt-core: token refused: ")
    assert steps["wrong-type"].out == "1\n"
    assert steps["no-key"].out == "2\n"
    assert steps["no-key"].err.startswith("jwt-core: error: no key configured")
    assert json.loads(steps["secret"].out)["type"] == "refresh"
    for private in ("es256.pem", "secret.txt"):
        assert stat.S_IMODE((folder / private).stat().st_mode) == 0o600


def test_the_steps_agree_with_each_other(session: tuple[Path, dict[str, Step]]) -> None:
    _, steps = session
    expected = sections("cli_session.txt")
    keygen = assert_prints(steps["keygen"], expected["keygen"])
    inspect = assert_prints(steps["inspect"], expected["inspect"])
    jwks = assert_prints(steps["jwks"], expected["jwks"])
    verify = assert_prints(steps["verify"], expected["verify"])
    assert keygen["kid"] == inspect["kid"] == jwks["kid"]  # the key's RFC 7638 thumbprint
    assert (keygen["x"], keygen["y"]) == (jwks["x"], jwks["y"])
    assert verify["jti"] == inspect["jti"]


@needs_tomllib
def test_the_config_file_example(tmp_path: Path) -> None:
    (tmp_path / "jwt.toml").write_text(
        (EXAMPLES / "cli_config.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "keys").mkdir()
    assert jwt_core(tmp_path, "keygen", "--alg", "ES256", "--out", "keys/es256.pem").returncode == 0

    for kind, lifetime in (("access", 10 * 60), ("refresh", 14 * 24 * 3600)):
        flags = ["--refresh"] if kind == "refresh" else []
        minted = jwt_core(tmp_path, "mint", "--config", "jwt.toml", "--identity", "alice", *flags)
        assert minted.returncode == 0, minted.stderr
        token = minted.stdout
        checked = jwt_core(tmp_path, "verify", "--config", "jwt.toml", "--type", kind, token)
        assert checked.returncode == 0, checked.stderr
        claims = json.loads(checked.stdout)
        assert claims["iss"] == "https://auth.example.com"
        assert claims["aud"] == ["api", "web"]
        assert claims["exp"] - claims["nbf"] == lifetime
        header = json.loads(jwt_core(tmp_path, "inspect", "--json", token).stdout)
        assert header["header"]["alg"] == "ES256"

    # the issuer and audience are required of verified tokens
    foreign = jwt_core(tmp_path, "mint", "--private-key-file", "keys/es256.pem", "--identity", "x")
    refused = jwt_core(tmp_path, "verify", "--config", "jwt.toml", foreign.stdout)
    assert refused.returncode == 1
    assert refused.stderr.startswith("jwt-core: token refused: ")


@needs_tomllib
def test_the_key_set_config_file_example(tmp_path: Path) -> None:
    (tmp_path / "jwt.toml").write_text(
        (EXAMPLES / "cli_keyset.toml").read_text(encoding="utf-8"), encoding="utf-8"
    )
    (tmp_path / "keys").mkdir()
    for kid in ("2025-06", "2024-11"):
        made = jwt_core(tmp_path, "keygen", "--alg", "ES256", "--out", f"keys/{kid}.pem")
        assert made.returncode == 0, made.stderr
    # a token of the old key, signed while it was the signing key, with its kid
    (tmp_path / "old.json").write_text(
        json.dumps([{"kid": "2024-11", "alg": "ES256", "private_key_file": "keys/2024-11.pem"}]),
        encoding="utf-8",
    )
    old = jwt_core(tmp_path, "mint", "--keys-file", "old.json", "--identity", "carol").stdout
    new = jwt_core(tmp_path, "mint", "--config", "jwt.toml", "--identity", "alice").stdout

    assert json.loads(jwt_core(tmp_path, "inspect", "--json", new).stdout)["header"]["kid"] == (
        "2025-06"
    )
    for token, identity in ((new, "alice"), (old, "carol")):
        checked = jwt_core(tmp_path, "verify", "--config", "jwt.toml", token)
        assert checked.returncode == 0, checked.stderr
        assert json.loads(checked.stdout)["sub"] == identity
    jwks = json.loads(jwt_core(tmp_path, "jwks", "--config", "jwt.toml").stdout)
    assert sorted(key["kid"] for key in jwks["keys"]) == ["2024-11", "2025-06"]
