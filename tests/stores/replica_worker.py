"""A worker process for the replica tests: opens one store and answers JSON commands on stdin.

Run as `python replica_worker.py SPEC` (SPEC: JSON with "kind", "path" or "url", "prefix",
"options"). Each line on stdin is a command, each answer one line on stdout:
  {"op": "revoke", "jti": J, "iat": T}     -> {"ok": true | false (store unavailable)}
  {"op": "check", "jtis": [J...], "iat": T} -> {"result": [true | false | "unavailable", ...]}
  {"op": "feed"}                            -> {"resyncs": N} (Redis: full loads so far)
Every token is of subject "alice", issued at T and living 900 s.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import Any

from jwt_core.blacklist import BlacklistABC, RedisBlacklist, SQLiteBlacklist
from jwt_core.errors import RevocationStoreUnavailableError
from tests.support.tokens import make_token


def build(spec: dict[str, Any]) -> BlacklistABC:
    options = spec.get("options", {})
    if spec["kind"] == "sqlite":
        return SQLiteBlacklist(spec["path"], **options)
    return RedisBlacklist(spec["url"], prefix=spec["prefix"], **options)


async def answer(store: BlacklistABC, command: dict[str, Any]) -> dict[str, Any]:
    if command["op"] == "revoke":
        iat = command["iat"]
        try:
            await store.register(make_token("alice", iat=iat, exp=iat + 900, jti=command["jti"]))
        except RevocationStoreUnavailableError:
            return {"ok": False}
        return {"ok": True}
    if command["op"] == "check":
        iat, result = command["iat"], []
        for jti in command["jtis"]:
            token = make_token("alice", iat=iat, exp=iat + 900, jti=jti)
            try:
                result.append(await store.is_blacklisted(token))
            except RevocationStoreUnavailableError:
                result.append("unavailable")
        return {"result": result}
    if command["op"] == "feed":
        assert isinstance(store, RedisBlacklist)
        assert store.feed is not None
        return {"resyncs": store.feed.resyncs}
    raise ValueError(f"unknown command {command['op']!r}")


async def main() -> None:
    store = build(json.loads(sys.argv[1]))
    await store.open()
    try:
        print(json.dumps({"ready": True}), flush=True)
        while line := await asyncio.to_thread(sys.stdin.readline):
            print(json.dumps(await answer(store, json.loads(line))), flush=True)
    finally:
        await store.close()


if __name__ == "__main__":
    asyncio.run(main())
