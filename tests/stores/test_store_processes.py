"""The persistent stores across processes and restarts: what one process revokes, all refuse."""

from __future__ import annotations

import asyncio
import json
import os
import sys
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
import redis.asyncio

import jwt_core
from jwt_core.blacklist import BlacklistABC, RedisBlacklist, SQLiteBlacklist
from tests.stores.store_cases import check_in_forked_child, delete_keys
from tests.support.tokens import make_token

ROOT = Path(__file__).resolve().parents[2]  # the folder holding the `tests` package
CORE_SRC = Path(jwt_core.__file__).resolve().parent.parent

# Run in a fresh interpreter: open the store named by argv[1], revoke and check the tokens
# it lists (all of subject "alice", issued at `iat`), print the check results as JSON.
SNIPPET = """
import asyncio, json, sys
from tests.support.tokens import make_token
from jwt_core.blacklist import RedisBlacklist, SQLiteBlacklist

spec = json.loads(sys.argv[1])

def token(jti):
    return make_token("alice", iat=spec["iat"], exp=spec["iat"] + 900, jti=jti)

async def main():
    if spec["kind"] == "sqlite":
        store = SQLiteBlacklist(spec["path"])
    else:
        store = RedisBlacklist(spec["url"], prefix=spec["prefix"])
    await store.open()
    try:
        for jti in spec["revoke"]:
            await store.register(token(jti))
        print(json.dumps([await store.is_blacklisted(token(jti)) for jti in spec["check"]]))
    finally:
        await store.close()

asyncio.run(main())
"""


class Target:
    """Where a persistent store lives, so that several processes can open the same one."""

    def __init__(self, kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> None:
        self.kind = kind
        self.iat = time.time()
        self.spec: dict[str, Any] = {"kind": kind, "iat": self.iat}
        if kind == "sqlite":
            self.spec["path"] = str(tmp_path / "shared.sqlite3")
        else:
            self.spec["url"] = request.getfixturevalue("redis_url")
            self.spec["prefix"] = f"jwt-test-{uuid.uuid4().hex[:12]}:"

    def store(self) -> BlacklistABC:
        if self.kind == "sqlite":
            return SQLiteBlacklist(self.spec["path"])
        return RedisBlacklist(self.spec["url"], prefix=self.spec["prefix"])

    def token(self, jti: str) -> Any:
        return make_token("alice", iat=self.iat, exp=self.iat + 900, jti=jti)

    async def in_other_process(self, revoke: list[str], check: list[str]) -> list[bool]:
        """Run SNIPPET in a new interpreter; return its check results."""
        env = dict(os.environ, PYTHONPATH=os.pathsep.join([str(ROOT), str(CORE_SRC)]))
        spec = json.dumps({**self.spec, "revoke": revoke, "check": check})
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-c", SNIPPET, spec,
            env=env, stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        try:
            stdout, stderr = await asyncio.wait_for(process.communicate(), 60)
        finally:
            if process.returncode is None:  # timed out or cancelled: leave no child behind
                process.kill()
                await process.wait()
        assert process.returncode == 0, stderr.decode()
        result: list[bool] = json.loads(stdout)
        return result

    async def cleanup(self) -> None:
        if self.kind == "redis":
            client = redis.asyncio.from_url(self.spec["url"])
            await delete_keys(client, self.spec["prefix"])
            await client.aclose()


@pytest.fixture
async def target(persistent_kind: str, tmp_path: Path, request: pytest.FixtureRequest) -> Any:
    result = Target(persistent_kind, tmp_path, request)
    yield result
    await result.cleanup()


def jtis(n: int) -> list[str]:
    return [str(uuid.uuid4()) for _ in range(n)]


async def test_a_token_revoked_by_another_process_is_refused_here(target: Target) -> None:
    revoked, untouched = jtis(2)
    store = target.store()
    await store.open()  # opened before the other process writes
    try:
        assert await store.is_blacklisted(target.token(revoked)) is False
        assert await target.in_other_process(revoke=[revoked], check=[]) == []
        assert await store.is_blacklisted(target.token(revoked)) is True
        assert await store.is_blacklisted(target.token(untouched)) is False
    finally:
        await store.close()


async def test_a_token_revoked_here_is_refused_by_another_process(target: Target) -> None:
    revoked, untouched = jtis(2)
    store = target.store()
    await store.open()
    try:
        await store.register(target.token(revoked))
        seen = await target.in_other_process(revoke=[], check=[revoked, untouched])
        assert seen == [True, False]
    finally:
        await store.close()


async def test_processes_revoking_at_the_same_time_lose_nothing(target: Target) -> None:
    batches = [jtis(40) for _ in range(4)]
    results = await asyncio.gather(
        *(target.in_other_process(revoke=batch, check=batch) for batch in batches)
    )
    assert all(all(result) for result in results)
    store = target.store()
    await store.open()
    try:
        checks = [await store.is_blacklisted(target.token(j)) for b in batches for j in b]
        assert checks == [True] * 160
    finally:
        await store.close()


async def test_a_revocation_survives_closing_and_reopening(target: Target) -> None:
    revoked, untouched = jtis(2)
    first = target.store()
    await first.open()
    await first.register(target.token(revoked))
    await first.register_identity("bob", make_token("bob", iat=target.iat, exp=None).iat, None)
    await first.close()

    second = target.store()
    await second.open()
    try:
        assert await second.is_blacklisted(target.token(revoked)) is True
        assert await second.is_blacklisted(target.token(untouched)) is False
        bob = make_token("bob", iat=target.iat - 1, exp=None)
        assert await second.is_blacklisted(bob) is True
    finally:
        await second.close()

    await first.open()  # a closed store can be opened again
    try:
        assert await first.is_blacklisted(target.token(revoked)) is True
    finally:
        await first.close()


async def test_a_new_sqlite_store_shares_the_file_of_a_running_one(tmp_path: Path) -> None:
    path = tmp_path / "db.sqlite3"
    one, two = SQLiteBlacklist(path), SQLiteBlacklist(str(path))
    await one.open()
    await two.open()
    try:
        token = make_token(iat=time.time(), exp=time.time() + 60)
        await one.register(token)
        assert await two.is_blacklisted(token) is True
    finally:
        await one.close()
        await two.close()


async def test_a_child_forked_after_first_use_gets_its_own_connections(target: Target) -> None:
    """Pre-forking servers inherit a used store: it must not reuse the parent's threads/sockets."""
    store = target.store()
    await store.open()
    try:
        revoked = target.token(str(uuid.uuid4()))
        await store.register(revoked)
        assert await store.is_blacklisted(revoked) is True
        assert await check_in_forked_child(store, revoked) is True
        assert await store.is_blacklisted(revoked) is True  # the parent's store still works
    finally:
        await store.close()
