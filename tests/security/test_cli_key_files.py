"""The command line's key files: never written through a link, and not read unnoticed by others.

`jwt-core keygen --out` refuses a symbolic link at the target (dangling or not, with or
without `--force`), and `--force` replaces a file by renaming a new one over it instead of
rewriting it in place. Every file the command line reads a secret or private key from is
checked for group/other read permission, with a warning that names the file and the fix.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec

from jwt_core.cli import main

SECRET = "cli-files-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGH"
VICTIM = b"a file the link points at, which keygen must not touch\n"

pytestmark = pytest.mark.skipif(os.name == "nt", reason="POSIX links and permission bits")


def jwt_core(capsys: pytest.CaptureFixture[str], *args: str | Path) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main([str(a) for a in args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


@pytest.fixture(autouse=True)
def _only_this_tests_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in [n for n in os.environ if n.startswith("JWT_")]:
        monkeypatch.delenv(name)
    monkeypatch.chdir(tmp_path)


# -- keygen never writes through a symbolic link -----------------------------------------------
@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize(
    ("alg", "linked"), [("ES256", "es.pem"), ("ES256", "es.pub.pem"), ("HS256", "es.pem")]
)
def test_keygen_refuses_a_symlink_at_the_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, force: bool, alg: str, linked: str
) -> None:
    victim = tmp_path / "elsewhere" / "authorized_keys"
    victim.parent.mkdir()
    victim.write_bytes(VICTIM)
    (tmp_path / linked).symlink_to(victim)
    code, out, err = jwt_core(
        capsys, "keygen", "--alg", alg, "--out", "es.pem", *["--force"] * force
    )
    assert code == 2
    assert out == ""
    assert "symbolic link" in err
    assert victim.read_bytes() == VICTIM
    assert sorted(p.name for p in tmp_path.iterdir()) == sorted(["elsewhere", linked])


@pytest.mark.parametrize("force", [False, True])
def test_keygen_refuses_a_dangling_symlink(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, force: bool
) -> None:
    # With O_CREAT alone, open() follows a dangling link and creates its target.
    target = tmp_path / "planted" / "key.pem"
    target.parent.mkdir()
    (tmp_path / "key.pem").symlink_to(target)
    code, _, err = jwt_core(
        capsys, "keygen", "--alg", "HS256", "--out", "key.pem", *["--force"] * force
    )
    assert code == 2
    assert "symbolic link" in err
    assert not target.exists()


def test_keygen_refuses_a_directory_at_the_target(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    (tmp_path / "key.pem").mkdir()
    code, _, err = jwt_core(capsys, "keygen", "--alg", "HS256", "--out", "key.pem", "--force")
    assert code == 2
    assert "not a regular file" in err


def test_keygen_force_replaces_the_file_instead_of_rewriting_it(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    # A file rewritten in place keeps its inode: a hard link to it, or whoever opened it while
    # it was 0644, would read the new private key.
    old = tmp_path / "es.pem"
    old.write_bytes(b"old key\n")
    old.chmod(0o644)
    (tmp_path / "hard-link.pem").hardlink_to(old)
    before = old.stat().st_ino
    code, _, err = jwt_core(capsys, "keygen", "--alg", "ES256", "--out", "es.pem", "--force")
    assert code == 0, err
    assert (tmp_path / "hard-link.pem").read_bytes() == b"old key\n"
    assert old.stat().st_ino != before
    assert old.stat().st_mode & 0o777 == 0o600
    assert b"BEGIN PRIVATE KEY" in old.read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["es.pem", "es.pub.pem", "hard-link.pem"]


# -- a secret readable by others is named ------------------------------------------------------
def _ec_private_pem() -> bytes:
    return ec.generate_private_key(ec.SECP256R1()).private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )


def _public_pem(private_pem: bytes) -> bytes:
    key = serialization.load_pem_private_key(private_pem, password=None)
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _configurations(tmp_path: Path) -> dict[str, tuple[list[str], Path, str]]:
    """For each way to name a secret file: the mint arguments, the file to expose, its name."""
    secret = tmp_path / "secret.txt"
    secret.write_text(SECRET + "\n")
    private = tmp_path / "es.pem"
    private.write_bytes(_ec_private_pem())
    specs = tmp_path / "keys.json"
    specs.write_text(json.dumps([{"kid": "a", "alg": "HS256", "secret_key": SECRET}]))
    by_file = tmp_path / "keys-by-file.json"
    by_file.write_text(json.dumps([{"kid": "a", "alg": "HS256", "secret_key_file": "secret.txt"}]))
    config = tmp_path / "jwt.toml"
    config.write_text(f'secret_key = "{SECRET}"\n')
    for path in (secret, private, specs, by_file, config):
        path.chmod(0o600)
    return {
        "--secret-key-file": (["--secret-key-file", str(secret)], secret, "secret key file"),
        "--private-key-file": (["--private-key-file", str(private)], private, "private key file"),
        "--keys-file, inline secret": (["--keys-file", str(specs)], specs, "keys file"),
        "--keys-file, secret_key_file": (["--keys-file", str(by_file)], secret, "secret key file"),
        "--config, inline secret": (["--config", str(config)], config, "config file"),
    }


CONFIGURATIONS = [
    "--secret-key-file",
    "--private-key-file",
    "--keys-file, inline secret",
    "--keys-file, secret_key_file",
    "--config, inline secret",
]


@pytest.mark.parametrize(
    ("mode", "readers"),
    [
        (0o644, "group and others"),
        (0o640, "group"),
        (0o604, "others"),
        (0o444, "group and others"),
        (0o600, None),
        (0o400, None),
    ],
    ids=["0644", "0640", "0604", "0444", "0600", "0400"],
)
@pytest.mark.parametrize("configuration", CONFIGURATIONS)
def test_a_secret_file_readable_by_others_is_used_with_a_warning(
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
    configuration: str,
    mode: int,
    readers: str | None,
) -> None:
    if configuration.startswith("--config"):
        pytest.importorskip("tomllib")
    arguments, exposed, what = _configurations(tmp_path)[configuration]
    exposed.chmod(mode)
    code, out, err = jwt_core(capsys, "mint", "--identity", "alice", *arguments)
    assert code == 0, err
    assert out.count(".") == 2
    if readers is None:  # a private file: not a word
        assert err == ""
        return
    assert err.splitlines() == [
        f"jwt-core: warning: {what} {exposed} is readable by {readers} "
        f"(mode {mode:04o}); make it private: chmod 600 {exposed}"
    ]
    assert SECRET not in err


def test_public_material_readable_by_all_gives_no_warning(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    public = tmp_path / "es.pub.pem"
    public.write_bytes(_public_pem(_ec_private_pem()))
    public.chmod(0o644)
    code, out, err = jwt_core(capsys, "jwks", "--public-key-file", public)
    assert code == 0, err
    assert err == ""
    jwks = tmp_path / "jwks.json"
    jwks.write_text(out)
    jwks.chmod(0o644)
    code, _, err = jwt_core(capsys, "jwks", "--keys-file", jwks)
    assert code == 0, err
    assert err == ""
