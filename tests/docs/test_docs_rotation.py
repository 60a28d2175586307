"""docs/key-rotation.md: the keys are made as shown, and the rotation story runs as told.

`rotation_session.sh` (checked like the command-line page's session, see test_docs_cli.py)
writes the keys into a folder; the page's Python examples then run in that folder.
"""

from __future__ import annotations

import base64
import json
import shutil
import stat
from pathlib import Path

import pytest

from jwt_core import Config, ConfigurationConflictError, JWTDecodeError, TokenManager
from tests.docs.example_files import EXAMPLES, expected_output, run_example
from tests.docs.test_docs_cli import Step, assert_page_shows, assert_prints, run_session, sections


def header(token: str) -> dict[str, object]:
    """The (unverified) JOSE header of a token."""
    segment = token.split(".")[0]
    return dict(json.loads(base64.urlsafe_b64decode(segment + "=" * (-len(segment) % 4))))


@pytest.fixture(scope="module")
def session(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, Step]]:
    folder = tmp_path_factory.mktemp("rotation")
    shutil.copy(EXAMPLES / "rotation_keys.json", folder / "keys.json")
    return folder, run_session("rotation_session.sh", folder)


@pytest.fixture
def keys_folder(session: tuple[Path, dict[str, Step]], monkeypatch: pytest.MonkeyPatch) -> Path:
    """Work in the folder the session wrote keys/ into, as the page's examples expect."""
    monkeypatch.chdir(session[0])
    return session[0]


def test_the_page_shows_every_step_and_its_output() -> None:
    assert_page_shows("key-rotation.md", "rotation_session.sh", "rotation_session.txt")
    assert sections("rotation_session.sh").keys() == sections("rotation_session.txt").keys()


@pytest.mark.parametrize("name", list(sections("rotation_session.txt")))
def test_each_shell_step_prints_what_the_page_shows(
    session: tuple[Path, dict[str, Step]], name: str
) -> None:
    _, steps = session
    assert_prints(steps[name], sections("rotation_session.txt")[name])
    assert steps[name].status == 0


def test_the_keys_are_written_as_the_examples_expect(
    session: tuple[Path, dict[str, Step]],
) -> None:
    folder, _ = session
    for kid in ("2024-11", "2025-06"):
        private = folder / "keys" / f"{kid}.pem"
        assert stat.S_IMODE(private.stat().st_mode) == 0o600
        assert private.read_text().startswith("-----BEGIN PRIVATE KEY-----")
        assert (folder / "keys" / f"{kid}.pub.pem").read_text().startswith("-----BEGIN PUBLIC")


def test_the_command_line_signs_with_the_new_key_and_publishes_both(
    session: tuple[Path, dict[str, Step]],
) -> None:
    folder, steps = session
    token = (folder / "token.txt").read_text().strip()
    assert header(token)["kid"] == "2025-06"
    published = json.loads((folder / "jwks.json").read_text())
    assert sorted(key["kid"] for key in published["keys"]) == ["2024-11", "2025-06"]
    assert not any("d" in key for key in published["keys"])  # public keys only
    assert json.loads(steps["cli"].out)["sub"] == "alice"


def test_a_key_set_of_specs_and_a_jwk(keys_folder: Path) -> None:
    namespace, _ = run_example("rotation_keyset.py")
    tm: TokenManager = namespace["tm"]
    assert tm.keys.signing.kid == "2025-06"
    token = tm.create_access_token("alice")
    assert header(token)["kid"] == "2025-06"
    assert tm.decode(token).identity == "alice"
    # the JWK's k is this secret, base64url-encoded: its tokens verify too
    legacy_secret = "legacy-secret-of-the-first-key-0123456789abcdef"
    legacy = TokenManager(
        Config(keys=[{"kid": "legacy", "alg": "HS256", "secret_key": legacy_secret}])
    )
    assert tm.decode(legacy.create_access_token("bob")).kid == "legacy"
    assert sorted(key["kid"] for key in tm.jwks()["keys"]) == ["2024-11", "2025-06"]


def test_the_rotation_keeps_old_tokens_until_the_old_key_is_dropped(keys_folder: Path) -> None:
    namespace, printed = run_example("rotation_steps.py")
    assert printed == expected_output("rotation_steps.py")
    before, after = namespace["before"], namespace["after"]
    step0, step1 = namespace["step0"], namespace["step1"]
    step2, step3 = namespace["step2"], namespace["step3"]

    assert header(before)["kid"] == "2024-11"
    assert header(after)["kid"] == "2025-06"
    # while the old key is configured, its tokens verify, at every step
    for manager in (step0, step1, step2):
        assert manager.decode(before).identity == "alice"
    # the new key's tokens verify wherever its public key is known
    for manager in (step1, step2, step3):
        assert manager.decode(after).identity == "alice"
    with pytest.raises(JWTDecodeError):
        step0.decode(after)
    # once it is dropped, they are refused
    with pytest.raises(JWTDecodeError, match="kid"):
        step3.decode(before)


def test_a_verifier_built_from_the_published_jwks_cannot_sign(keys_folder: Path) -> None:
    namespace, _ = run_example("rotation_steps.py")
    verifier: TokenManager = namespace["verifier"]
    assert not verifier.can_sign
    assert verifier.decode(namespace["before"]).kid == "2024-11"
    assert verifier.decode(namespace["after"]).kid == "2025-06"
    with pytest.raises(ConfigurationConflictError):
        verifier.create_refresh_token("alice")


def test_moving_from_a_single_hmac_secret() -> None:
    namespace, _ = run_example("rotation_from_hmac.py")
    legacy, one, rotated = namespace["legacy"], namespace["one"], namespace["rotated"]
    assert "kid" not in header(legacy)
    assert one.decode(legacy).identity == "alice"  # a set of one accepts kid-less tokens
    assert header(one.create_access_token("alice"))["kid"] == "legacy"
    assert header(rotated.create_access_token("alice"))["kid"] == "2025-06"
    with pytest.raises(JWTDecodeError):  # two keys: a token without kid is refused
        rotated.decode(legacy)


def test_moving_from_a_single_ec_key(keys_folder: Path) -> None:
    namespace, _ = run_example("rotation_from_single_key.py")
    single, rotating = namespace["single"], namespace["rotating"]
    thumbprint = namespace["thumbprint"]
    assert header(namespace["legacy"])["kid"] == thumbprint
    assert single.jwks()["keys"][0]["kid"] == thumbprint
    assert rotating.decode(namespace["legacy"]).kid == thumbprint
    assert header(rotating.create_access_token("alice"))["kid"] == "2025-06"
