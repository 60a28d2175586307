"""The `jwt-core` command line: every command, its output, and its failure exits.

1 with the reason for a refused token, 2 for usage and configuration errors, never a traceback,
never a secret on the screen. Each command and each kind of failure runs as a real subprocess
with a controlled environment (`run`); the larger tables of bad input call `main()` in-process
(`cli`, same code path, same exit statuses) to keep the suite fast.
"""

from __future__ import annotations

import base64
import io
import json
import os
import stat
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, rsa
from joserfc.jwk import ECKey, RSAKey

from jwt_core import Config, TokenManager
from jwt_core.cli import main

SRC = Path(__file__).resolve().parents[2] / "packages" / "jwt-core" / "src"
SECRET = "cli-test-secret-0123456789-abcdefghijklmnopqrstuvwxyz-ABCDEFGHIJ"
OTHER_SECRET = "another-secret-9876543210-zyxwvutsrqponmlkjihgfedcba-JIHGFEDCBA"


@dataclass
class Result:
    code: int
    out: str
    err: str

    @property
    def both(self) -> str:
        return self.out + self.err


Run = Callable[..., Result]


def b64url_decode(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def header_of(raw: str) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(b64url_decode(raw.split(".")[0]))
    return result


def assert_clean_failure(result: Result, code: int, *fragments: str) -> None:
    """Exit `code`, nothing on stdout, and a last stderr line that says why, no traceback."""
    assert result.code == code, result
    assert result.out == ""
    assert "Traceback" not in result.err
    last = result.err.strip().splitlines()[-1]
    assert last.startswith("jwt-core: "), result.err
    for fragment in fragments:
        assert fragment in last, (fragment, last)


@pytest.fixture(scope="module")
def workdir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return tmp_path_factory.mktemp("cli")


@pytest.fixture(scope="module")
def keys(workdir: Path) -> dict[str, Path]:
    """Key files generated once: an RSA and an EC pair, and an HMAC secret file."""
    rs = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    es = ec.generate_private_key(ec.SECP256R1())
    files: dict[str, Path] = {}
    for name, key in (("rs", rs), ("es", es)):
        files[name] = workdir / f"{name}.pem"
        files[name].write_bytes(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
        files[f"{name}.pub"] = workdir / f"{name}.pub.pem"
        files[f"{name}.pub"].write_bytes(
            key.public_key().public_bytes(
                serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
            )
        )
    files["secret"] = workdir / "secret.txt"
    files["secret"].write_text(SECRET + "\n")
    files["other"] = workdir / "other.txt"
    files["other"].write_text(OTHER_SECRET)
    for name in ("rs", "es", "secret", "other"):  # private, as they should be: no warning
        files[name].chmod(0o600)
    return files


@pytest.fixture
def run(tmp_path: Path) -> Run:
    """Run `python -m jwt_core.cli ARGS` with only the environment the test gives."""

    def invoke(
        *args: str | Path,
        env: dict[str, str] | None = None,
        stdin: str | None = None,
        pythonpath: list[Path] | None = None,
    ) -> Result:
        environment = {
            "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
            "PYTHONPATH": os.pathsep.join(str(p) for p in [*(pythonpath or []), SRC]),
            "LANG": "C.UTF-8",
            "PYTHONDONTWRITEBYTECODE": "1",
            **(env or {}),
        }
        completed = subprocess.run(
            [sys.executable, "-m", "jwt_core.cli", *map(str, args)],
            input=stdin if stdin is not None else "",
            capture_output=True,
            text=True,
            env=environment,
            cwd=tmp_path,
            timeout=60,
            check=False,
        )
        return Result(completed.returncode, completed.stdout, completed.stderr)

    return invoke


@pytest.fixture
def cli(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]) -> Run:
    """Call `main(ARGS)` in this process, with only the JWT_* variables the test gives."""

    def invoke(*args: str | Path, env: dict[str, str] | None = None, stdin: str = "") -> Result:
        for name in list(os.environ):
            if name.startswith("JWT_"):
                monkeypatch.delenv(name)
        for name, value in (env or {}).items():
            monkeypatch.setenv(name, value)
        monkeypatch.setattr(sys, "stdin", io.StringIO(stdin))
        monkeypatch.chdir(tmp_path)
        capsys.readouterr()
        code = main([str(a) for a in args])
        captured = capsys.readouterr()
        return Result(code, captured.out, captured.err)

    return invoke


def hmac_manager(secret: str = SECRET, **options: Any) -> TokenManager:
    return TokenManager(Config(secret_key=secret, **options))


# -- help and usage ---------------------------------------------------------------------------
@pytest.mark.parametrize("command", ["", "keygen", "mint", "verify", "inspect", "jwks"])
def test_help_on_every_command(cli: Run, command: str) -> None:
    result = cli(*filter(None, [command]), "--help", env={"JWT_SECRET_KEY": SECRET})
    assert result.code == 0
    assert result.out.startswith(f"usage: jwt-core {command}".rstrip())
    assert SECRET not in result.both
    if command not in ("", "keygen", "inspect"):
        assert "JWT_SECRET_KEY" in result.out  # the environment variables are documented
        assert "--config" in result.out


def test_help_as_a_subprocess(run: Run) -> None:
    result = run("mint", "--help")
    assert result.code == 0
    assert "--identity" in result.out


def test_version(run: Run) -> None:
    result = run("--version")
    assert result.code == 0
    assert result.out.startswith("jwt-core ")


def test_no_command_is_a_usage_error(run: Run) -> None:
    assert_clean_failure(run(), 2, "error:", "choose a command")


def test_unknown_flag_is_a_usage_error(run: Run, keys: dict[str, Path]) -> None:
    result = run("mint", "--identity", "a", "--secret-key-file", keys["secret"], "--bogus")
    assert_clean_failure(result, 2, "error:", "unrecognized arguments: --bogus")


def test_missing_required_flag(cli: Run, keys: dict[str, Path]) -> None:
    result = cli("mint", "--secret-key-file", keys["secret"])
    assert_clean_failure(result, 2, "error:", "--identity")


# -- keygen -----------------------------------------------------------------------------------
def test_keygen_es256_prints_private_key_public_key_and_jwk(run: Run) -> None:
    result = run("keygen", "--alg", "ES256")
    assert result.code == 0, result
    private_text, rest = result.out.split("-----END PRIVATE KEY-----\n")
    public_text, jwk_text = rest.split("-----END PUBLIC KEY-----\n")
    private = serialization.load_pem_private_key(
        (private_text + "-----END PRIVATE KEY-----\n").encode(), password=None
    )
    public = serialization.load_pem_public_key(
        (public_text + "-----END PUBLIC KEY-----\n").encode()
    )
    assert isinstance(private, ec.EllipticCurvePrivateKey)
    assert isinstance(public, ec.EllipticCurvePublicKey)
    assert private.curve.name == "secp256r1"
    assert private.public_key().public_numbers() == public.public_numbers()
    jwk = json.loads(jwk_text)
    assert jwk["kty"] == "EC"
    assert jwk["crv"] == "P-256"
    assert jwk["alg"] == "ES256"
    assert jwk["use"] == "sig"
    assert "d" not in jwk
    assert jwk["kid"] == ECKey.import_key(jwk).thumbprint()


def test_keygen_rsa_to_files_then_mint_and_verify(run: Run, tmp_path: Path) -> None:
    result = run("keygen", "--alg", "RS256", "--kid", "2025-01", "--out", "rs.pem")
    assert result.code == 0, result
    private, public = tmp_path / "rs.pem", tmp_path / "rs.pub.pem"
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    assert "BEGIN PRIVATE KEY" in private.read_text()
    assert "BEGIN PUBLIC KEY" in public.read_text()
    assert "PRIVATE" not in result.both
    jwk = json.loads(result.out)
    assert jwk["kid"] == "2025-01"
    assert jwk["kty"] == "RSA"
    assert len(b64url_decode(jwk["n"])) == 256  # 2048 bits
    assert jwk["n"] == RSAKey.import_key(public.read_bytes()).as_dict()["n"]

    # the algorithm follows from the key; a single key's kid is its thumbprint
    minted = run("mint", "--private-key-file", private, "--identity", "alice")
    assert minted.code == 0, minted
    raw = minted.out.strip()
    assert header_of(raw)["alg"] == "RS256"
    assert header_of(raw)["kid"] == RSAKey.import_key(public.read_bytes()).thumbprint()
    verified = run("verify", "--public-key-file", public, raw)
    assert verified.code == 0, verified
    assert json.loads(verified.out)["sub"] == "alice"

    again = run("keygen", "--alg", "RS256", "--out", "rs.pem")
    assert_clean_failure(again, 2, "already exists", "--force")
    assert "BEGIN PRIVATE KEY" in private.read_text()
    assert run("keygen", "--alg", "ES256", "--out", "rs.pem", "--force").code == 0
    assert stat.S_IMODE(private.stat().st_mode) == 0o600
    key = serialization.load_pem_private_key(private.read_bytes(), password=None)
    assert isinstance(key, ec.EllipticCurvePrivateKey)


@pytest.mark.parametrize(
    ("key", "alg"),
    [
        (lambda: ec.generate_private_key(ec.SECP256R1()), "ES256"),
        (lambda: ec.generate_private_key(ec.SECP384R1()), "ES384"),
        (lambda: ec.generate_private_key(ec.SECP521R1()), "ES512"),
        (lambda: rsa.generate_private_key(public_exponent=65537, key_size=2048), "RS256"),
        (ed25519.Ed25519PrivateKey.generate, "EdDSA"),
        (ed448.Ed448PrivateKey.generate, None),
    ],
    ids=["P-256", "P-384", "P-521", "RSA", "Ed25519", "Ed448"],
)
def test_the_algorithm_follows_from_the_key(
    cli: Run, tmp_path: Path, key: Callable[[], Any], alg: str | None
) -> None:
    private = tmp_path / "key.pem"
    private.write_bytes(
        key().private_bytes(
            serialization.Encoding.PEM,
            serialization.PrivateFormat.PKCS8,
            serialization.NoEncryption(),
        )
    )
    private.chmod(0o600)
    minted = cli("mint", "--private-key-file", private, "--identity", "alice")
    if alg is None:
        assert_clean_failure(minted, 2, "cannot tell the algorithm", "--alg")
        return
    assert minted.code == 0, minted
    assert header_of(minted.out.strip())["alg"] == alg


@pytest.mark.parametrize(("alg", "size"), [("HS256", 32), ("HS384", 48), ("HS512", 64)])
def test_keygen_hmac_secret(cli: Run, alg: str, size: int) -> None:
    result = cli("keygen", "--alg", alg)
    assert result.code == 0, result
    secret = result.out.strip()
    assert "=" not in secret
    assert len(b64url_decode(secret)) == size
    assert secret != cli("keygen", "--alg", alg).out.strip()


def test_keygen_hmac_secret_file_works_for_mint_and_verify(run: Run, tmp_path: Path) -> None:
    result = run("keygen", "--alg", "HS512", "--out", "secret")
    assert result.code == 0, result
    assert result.out == ""
    path = tmp_path / "secret"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret = path.read_text().strip()
    assert secret not in result.err
    raw = run("mint", "--alg", "HS512", "--secret-key-file", path, "--identity", "a").out.strip()
    assert hmac_manager(secret, algorithm="HS512").decode(raw).identity == "a"
    assert run("verify", "--alg", "HS512", "--secret-key-file", path, raw).code == 0


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["--alg", "none"], "invalid choice"),
        ([], "--alg"),
        (["--alg", "RS256", "--bits", "1024"], "2048"),
        (["--alg", "ES256", "--bits", "4096"], "--bits"),
        (["--alg", "HS256", "--kid", "k"], "kid"),
        (["--alg", "ES256", "--kid", ""], "kid"),
    ],
)
def test_keygen_usage_errors(cli: Run, args: list[str], fragment: str) -> None:
    assert_clean_failure(cli("keygen", *args), 2, "error:", fragment)


# -- mint -------------------------------------------------------------------------------------
def test_mint_access_token_with_everything(run: Run, keys: dict[str, Path]) -> None:
    result = run(
        "mint",
        "--secret-key-file",
        keys["secret"],
        "--identity",
        "alice",
        "--role",
        "ADMIN",
        "--fresh",
        "--expires",
        "2h",
        "--claim",
        "tenant=7",
        "--claim",
        'tags=["a", "b"]',
        "--claim",
        "note=hello world",
        "--claim",
        "flag=true",
        "--claim",
        "weird=NaN",
        "--claim",
        "empty=",
    )
    assert result.code == 0, result
    assert result.err == ""
    token = hmac_manager(use_acl=True).decode(result.out.strip())
    assert token.identity == "alice"
    assert token.type == "access"
    assert token.role == "ADMIN"
    assert token.fresh is True
    assert token.exp is not None
    assert (token.exp - token.nbf).total_seconds() == 7200
    assert token.private_claims["tenant"] == 7
    assert token.private_claims["tags"] == ["a", "b"]
    assert token.private_claims["note"] == "hello world"
    assert token.private_claims["flag"] is True
    assert token.private_claims["weird"] == "NaN"
    assert token.private_claims["empty"] == ""
    assert "kid" not in header_of(result.out.strip())  # a single HMAC key


def test_mint_refresh_token_that_never_expires(cli: Run, keys: dict[str, Path]) -> None:
    args = ("mint", "--secret-key-file", keys["secret"], "--identity", "bob")
    result = cli(*args, "--refresh", "--expires", "never")
    assert result.code == 0, result
    token = hmac_manager().decode(result.out.strip())
    assert token.type == "refresh"
    assert token.exp is None
    assert token.fresh is None
    assert hmac_manager().decode(cli(*args, "--expires", "90").out.strip()).exp is not None


@pytest.mark.parametrize(
    ("extra", "fragment"),
    [
        (["--refresh", "--fresh"], "fresh"),
        (["--expires", "soon"], "invalid duration"),
        (["--claim", "novalue"], "name=value"),
        (["--claim", "sub=mallory"], "reserved"),
        (["--claim", "a=1", "--claim", "a=2"], "twice"),
        (["--identity", ""], "identity"),
    ],
)
def test_mint_usage_errors(
    cli: Run, keys: dict[str, Path], extra: list[str], fragment: str
) -> None:
    result = cli("mint", "--secret-key-file", keys["secret"], "--identity", "a", *extra)
    assert_clean_failure(result, 2, "error:", fragment)


def test_mint_on_a_verify_only_configuration_is_refused(run: Run, keys: dict[str, Path]) -> None:
    result = run("mint", "--public-key-file", keys["es.pub"], "--identity", "a")
    assert_clean_failure(result, 2, "error:", "only verify")


# -- verify -----------------------------------------------------------------------------------
def test_verify_prints_the_claims(run: Run, keys: dict[str, Path]) -> None:
    raw = hmac_manager().create_access_token("alice", private_claims={"tenant": 7})
    result = run("verify", "--secret-key-file", keys["secret"], raw)
    assert result.code == 0, result
    claims = json.loads(result.out)
    assert claims["sub"] == "alice"
    assert claims["tenant"] == 7
    assert claims["type"] == "access"


@pytest.mark.parametrize("token_argument", [["-"], []])
def test_verify_reads_the_token_from_stdin(
    run: Run, keys: dict[str, Path], token_argument: list[str]
) -> None:
    raw = hmac_manager().create_refresh_token("alice")
    result = run(
        "verify",
        "--secret-key-file",
        keys["secret"],
        "--type",
        "refresh",
        *token_argument,
        stdin=f"  {raw}\n",
    )
    assert result.code == 0, result
    assert json.loads(result.out)["type"] == "refresh"


def test_verify_empty_stdin_is_a_usage_error(cli: Run, keys: dict[str, Path]) -> None:
    result = cli("verify", "--secret-key-file", keys["secret"], stdin="")
    assert_clean_failure(result, 2, "no token given")


def expired_token() -> str:
    past = time.time() - 7200
    return TokenManager(Config(secret_key=SECRET), clock=lambda: past).create_access_token("a")


def tampered_token() -> str:
    raw = hmac_manager().create_access_token("alice")
    head, _, signature = raw.split(".")
    payload = hmac_manager().create_access_token("mallory").split(".")[1]
    return f"{head}.{payload}.{signature}"


@pytest.mark.parametrize(
    ("make", "reason"),
    [
        (tampered_token, "signature does not verify"),
        (expired_token, "expired"),
        (lambda: "not-a-token", "compact form"),
        (lambda: hmac_manager(OTHER_SECRET).create_access_token("a"), "signature"),
        (lambda: hmac_manager().create_refresh_token("a"), "only access tokens"),
    ],
)
def test_verify_refused_token_exits_1_with_the_reason(
    cli: Run, keys: dict[str, Path], make: Callable[[], str], reason: str
) -> None:
    result = cli(
        "verify",
        "--secret-key",
        SECRET,
        "--type",
        "access",
        make(),
    )
    assert_clean_failure(result, 1, "token refused", reason)
    assert SECRET not in result.both


def test_verify_refused_token_as_a_subprocess(run: Run, keys: dict[str, Path]) -> None:
    result = run("verify", "--secret-key-file", keys["secret"], tampered_token())
    assert_clean_failure(result, 1, "token refused", "signature does not verify")


def test_verify_with_audience(cli: Run, keys: dict[str, Path]) -> None:
    minted = cli(
        "mint", "--secret-key-file", keys["secret"], "--identity", "a", "--audience", "api"
    )
    raw = minted.out.strip()
    assert hmac_manager(default_aud="api").decode(raw).aud == "api"
    assert_clean_failure(cli("verify", "--secret-key-file", keys["secret"], raw), 1, "audience")
    accepted = cli(
        "verify", "--secret-key-file", keys["secret"], raw, env={"JWT_AUDIENCE": "web,api"}
    )
    assert accepted.code == 0, accepted


# -- inspect ----------------------------------------------------------------------------------
def test_inspect_labels_everything_unverified(run: Run, keys: dict[str, Path]) -> None:
    raw = tampered_token()  # a forged token is shown, and clearly not vouched for
    result = run("inspect", raw)
    assert result.code == 0, result
    assert result.out.splitlines()[0].startswith("UNVERIFIED")
    assert '"alg": "HS256"' in result.out
    assert '"sub": "mallory"' in result.out
    assert "exp:" in result.out


def test_inspect_json_from_stdin(run: Run) -> None:
    raw = hmac_manager().create_access_token("alice")
    result = run("inspect", "--json", stdin=f"Bearer {raw}\n")
    assert result.code == 0, result
    document = json.loads(result.out)
    assert document["verified"] is False
    assert document["header"] == {"alg": "HS256", "typ": "JWT"}
    assert document["claims"]["sub"] == "alice"
    assert document["signature_bytes"] == 32


def _segment(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


@pytest.mark.parametrize(
    "raw",
    [
        "",
        ".",
        "..",
        "garbage",
        "!!!.???.***",
        "e30.e30",
        "a.b.c.d.e",
        _segment(b"\xff\xfe") + "." + _segment(b"\x00\x01") + ".x",
        _segment(b"[" * 50_000) + "." + _segment(b"{}") + ".sig",
        _segment(b'{"alg":"HS256"}')
        + "."
        + _segment(b'{"exp": 1e400, "iat": ' + b"9" * 5000 + b"}"),
        _segment(b'{"alg":"HS256"}') + "." + _segment(b'{"exp": 99999999999999999999}') + ".",
        "eyJhbGciOiJub25lIn0.eyJzdWIiOiJyb290In0.",
    ],
)
def test_inspect_never_shows_a_traceback(cli: Run, raw: str) -> None:
    result = cli("inspect", raw)
    assert result.code in (0, 1), result
    assert "Traceback" not in result.both
    if result.code == 0:
        assert result.out.startswith("UNVERIFIED")
    else:
        assert result.err.startswith("jwt-core: cannot inspect")


# -- jwks and key sets ------------------------------------------------------------------------
def test_jwks_of_a_key_set_and_verifying_with_it(
    run: Run, keys: dict[str, Path], tmp_path: Path
) -> None:
    key_set = [
        {"kid": "r1", "alg": "RS256", "private_key_file": str(keys["rs"])},
        {"kid": "e1", "alg": "ES256", "public_key_file": str(keys["es.pub"])},
        {"kid": "h1", "alg": "HS256", "secret_key_file": str(keys["secret"])},
    ]
    (tmp_path / "keys.json").write_text(json.dumps(key_set))
    result = run("jwks", "--keys-file", "keys.json", "--signing-kid", "r1")
    assert result.code == 0, result
    document = json.loads(result.out)
    assert [k["kid"] for k in document["keys"]] == ["r1", "e1"]
    assert SECRET not in result.both
    assert all("d" not in k for k in document["keys"])

    minted = run("mint", "--keys-file", "keys.json", "--signing-kid", "r1", "--identity", "a")
    raw = minted.out.strip()
    assert header_of(raw)["kid"] == "r1"
    (tmp_path / "jwks.json").write_text(result.out)
    verified = run("verify", "--keys-file", "jwks.json", raw)
    assert verified.code == 0, verified
    refused = run("mint", "--keys-file", "jwks.json", "--identity", "a")
    assert_clean_failure(refused, 2, "only verify")


def test_jwks_of_an_hmac_configuration_is_empty(run: Run, keys: dict[str, Path]) -> None:
    result = run("jwks", "--secret-key-file", keys["secret"])
    assert result.code == 0, result
    assert json.loads(result.out) == {"keys": []}
    assert "HMAC" in result.err
    assert SECRET not in result.both


def test_rotation_with_the_command_line(cli: Run, keys: dict[str, Path], tmp_path: Path) -> None:
    old = {"kid": "old", "alg": "ES256", "private_key_file": str(keys["es"])}
    old_public = {"kid": "old", "alg": "ES256", "public_key_file": str(keys["es.pub"])}
    new = {"kid": "new", "alg": "RS256", "private_key_file": str(keys["rs"])}
    phases = {"1": [old], "2": [new, old_public], "3": [new]}
    for name, key_set in phases.items():
        (tmp_path / f"phase{name}.json").write_text(json.dumps(key_set))
    before = cli("mint", "--keys-file", "phase1.json", "--identity", "a").out.strip()
    after = cli("mint", "--keys-file", "phase2.json", "--identity", "a").out.strip()
    assert header_of(after)["kid"] == "new"
    assert cli("verify", "--keys-file", "phase2.json", before).code == 0
    assert cli("verify", "--keys-file", "phase3.json", after).code == 0
    assert_clean_failure(cli("verify", "--keys-file", "phase3.json", before), 1, "kid")


# -- configuration sources and their precedence ----------------------------------------------
# --config reads TOML with tomllib; on Python 3.10 it refuses (test_config_file_needs_python_311).
needs_tomllib = pytest.mark.skipif(
    sys.version_info < (3, 11), reason="--config needs tomllib (Python 3.11+)"
)


def signer_of(raw: str, *secrets: str) -> str:
    """Which of `secrets` signed `raw`."""
    for secret in secrets:
        try:
            hmac_manager(secret).decode(raw)
        except Exception:
            continue
        return secret
    raise AssertionError("signed by none of the secrets")


@needs_tomllib
def test_precedence_flags_over_file_over_environment(
    run: Run, keys: dict[str, Path], tmp_path: Path
) -> None:
    env_secret = "environment-secret-0123456789-abcdefghijklmnopqrstuvwxyz"
    file_secret = SECRET
    flag_secret = OTHER_SECRET
    (tmp_path / "jwt.toml").write_text(
        f'secret_key_file = "{keys["secret"]}"\ndefault_iss = "file-iss"\n'
    )
    env = {"JWT_SECRET_KEY": env_secret, "JWT_ISSUER": "env-iss"}
    secrets = (env_secret, file_secret, flag_secret)

    only_env = run("mint", "--identity", "a", env=env).out.strip()
    assert signer_of(only_env, *secrets) == env_secret
    with_file = run("mint", "--identity", "a", "--config", "jwt.toml", env=env).out.strip()
    assert signer_of(with_file, *secrets) == file_secret
    with_flags = run(
        "mint",
        "--identity",
        "a",
        "--config",
        "jwt.toml",
        "--secret-key-file",
        keys["other"],
        "--issuer",
        "flag-iss",
        env=env,
    ).out.strip()
    assert signer_of(with_flags, *secrets) == flag_secret

    def issuer(raw: str) -> Any:
        return json.loads(b64url_decode(raw.split(".")[1])).get("iss")

    assert (issuer(only_env), issuer(with_file), issuer(with_flags)) == (
        "env-iss",
        "file-iss",
        "flag-iss",
    )


def test_key_material_comes_whole_from_one_source(cli: Run, keys: dict[str, Path]) -> None:
    # the environment's HMAC secret is not mixed with the flags' EC key
    result = cli(
        "mint",
        "--private-key-file",
        keys["es"],
        "--identity",
        "a",
        env={"JWT_SECRET_KEY": "environment-secret-0123456789-abcdefghijklmnop"},
    )
    assert result.code == 0, result
    assert header_of(result.out.strip())["alg"] == "ES256"


def test_environment_pem_keys(cli: Run, keys: dict[str, Path]) -> None:
    pem = keys["es"].read_text()
    escaped = pem.strip().replace("\n", "\\n")  # as PEM often lands in .env files
    raw = cli("mint", "--identity", "a", env={"JWT_PRIVATE_KEY": escaped}).out.strip()
    assert header_of(raw)["alg"] == "ES256"
    verified = cli("verify", raw, env={"JWT_PUBLIC_KEY_FILE": str(keys["es.pub"])})
    assert verified.code == 0, verified
    both = cli(
        "verify",
        raw,
        env={
            "JWT_PUBLIC_KEY": keys["es.pub"].read_text(),
            "JWT_PUBLIC_KEY_FILE": str(keys["es.pub"]),
        },
    )
    assert_clean_failure(both, 2, "not both")
    assert pem.strip() not in both.both


@needs_tomllib
def test_config_file_options_and_key_set(run: Run, keys: dict[str, Path], tmp_path: Path) -> None:
    (tmp_path / "jwt.toml").write_text(
        f"""
access_token_expires = "2h"
default_iss = "https://issuer.example"
signing_key_id = "r1"

[[keys]]
kid = "r1"
alg = "RS256"
private_key_file = "{keys["rs"]}"

[[keys]]
kid = "e1"
alg = "ES256"
public_key_file = "{keys["es.pub"]}"
"""
    )
    minted = run("mint", "--config", "jwt.toml", "--identity", "alice")
    assert minted.code == 0, minted
    raw = minted.out.strip()
    assert header_of(raw)["kid"] == "r1"
    claims = json.loads(run("verify", "--config", "jwt.toml", raw).out)
    assert claims["exp"] - claims["nbf"] == 7200
    assert claims["iss"] == "https://issuer.example"


@needs_tomllib
@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ('secret_kee = "x"\n', "did you mean 'secret_key'"),
        ("secret_key = \n", "not valid TOML"),
        ('access_token_expires = "soon"\n', "invalid duration"),
        ('algorithm = "none"\nsecret_key = "x"\n', "not supported"),
        ('secret_key_file = "absent.txt"\n', "cannot read secret key file"),
    ],
)
def test_config_file_errors(cli: Run, tmp_path: Path, text: str, fragment: str) -> None:
    (tmp_path / "bad.toml").write_text(
        f'secret_key = "{SECRET}"\n' * ("secret_key" not in text) + text
    )
    result = cli("mint", "--config", "bad.toml", "--identity", "a")
    assert_clean_failure(result, 2, "error:", fragment)
    assert SECRET not in result.both


def test_config_file_needs_python_311(run: Run, tmp_path: Path) -> None:
    """On Python 3.10 there is no tomllib; simulate that with a module that fails to import."""
    shadow = tmp_path / "shadow"
    shadow.mkdir()
    (shadow / "tomllib.py").write_text("raise ModuleNotFoundError(\"No module named 'tomllib'\")\n")
    (tmp_path / "jwt.toml").write_text(f'secret_key = "{SECRET}"\n')
    result = run("mint", "--config", "jwt.toml", "--identity", "a", pythonpath=[shadow])
    assert_clean_failure(result, 2, "error:", "Python 3.11")


# -- errors never show secrets ----------------------------------------------------------------
def test_missing_key_is_a_clear_configuration_error(run: Run) -> None:
    assert_clean_failure(run("verify", "x.y.z"), 2, "error:", "no key configured")


def test_unreadable_key_file_names_the_file(cli: Run) -> None:
    result = cli("verify", "--private-key-file", "/nonexistent/key.pem", "x.y.z")
    assert_clean_failure(result, 2, "/nonexistent/key.pem", "No such file")


def test_secret_is_never_echoed(run: Run) -> None:
    refused = run("verify", "--secret-key", SECRET, "not-a-token")
    assert refused.code == 1
    assert "--secret-key" in refused.err  # the warning against secrets on the command line
    typo = run("mint", "--identity", "a", f"--secret-kye={SECRET}")
    assert_clean_failure(typo, 2, "--secret-kye")
    wrong_alg = run("mint", "--identity", "a", "--alg", "RS256", env={"JWT_SECRET_KEY": SECRET})
    assert_clean_failure(wrong_alg, 2, "RS256")
    looks_like_pem = "-----BEGIN PUBLIC KEY-----" + SECRET
    pem_secret = run("mint", "--identity", "a", "--secret-key", looks_like_pem)
    assert_clean_failure(pem_secret, 2, "asymmetric")
    for result in (refused, typo, wrong_alg, pem_secret):
        assert SECRET not in result.both
        assert "Traceback" not in result.both


def test_a_known_secret_is_hidden_wherever_it_would_be_echoed(cli: Run) -> None:
    # the secret pasted where a claim belongs: the error quotes the argument, not the secret
    result = cli("mint", "--identity", "a", "--claim", SECRET, env={"JWT_SECRET_KEY": SECRET})
    assert_clean_failure(result, 2, "name=value", "[hidden]")
    assert SECRET not in result.both


def test_mint_with_kid_labels_the_token_and_verify_needs_the_same(
    cli: Run, keys: dict[str, Path]
) -> None:
    minted = cli("mint", "--secret-key-file", keys["secret"], "--kid", "v7", "--identity", "a")
    assert minted.code == 0, minted
    raw = minted.out.strip()
    assert header_of(raw)["kid"] == "v7"
    same = cli("verify", "--secret-key-file", keys["secret"], "--kid", "v7", raw)
    assert same.code == 0, same
    other = cli("verify", "--secret-key-file", keys["secret"], "--kid", "v8", raw)
    assert_clean_failure(other, 1, "kid")
