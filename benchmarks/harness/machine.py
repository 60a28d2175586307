"""What a benchmark ran on (CPU, cores, Python, library versions, commit), shared by the scripts
so runs on other machines are not compared blindly."""

from __future__ import annotations

import importlib.metadata
import os
import platform
import subprocess
from pathlib import Path
from typing import Any

__all__ = ["REPO", "cpu_model", "git_commit", "machine_info", "store_server_version", "version_of"]

REPO = Path(__file__).resolve().parents[2]


def cpu_model() -> str:
    """The CPU's model name from /proc/cpuinfo, or what `platform` knows."""
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def version_of(distribution: str) -> str:
    """The installed version of a distribution, or 'not installed'."""
    try:
        return importlib.metadata.version(distribution)
    except importlib.metadata.PackageNotFoundError:
        return "not installed"


def git_commit(watched: str) -> str:
    """This checkout's short commit, noting uncommitted changes under `watched` (a path)."""

    def git(*args: str) -> str:
        try:
            done = subprocess.run(
                ["git", "-C", str(REPO), *args], capture_output=True, text=True, check=False
            )
        except OSError:
            return ""
        return done.stdout.strip()

    commit = git("rev-parse", "--short", "HEAD")
    if commit and git("status", "--porcelain", "--", watched):
        commit += f" + uncommitted changes in {watched}"
    return commit


def machine_info(watched: str) -> dict[str, Any]:
    """CPU, cores, Python, platform and commit; each benchmark adds its own libraries."""
    return {
        "cpu": cpu_model(),
        "logical_cores": os.cpu_count(),
        "usable_cores": len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else None,
        "python": f"{platform.python_implementation()} {platform.python_version()}",
        "platform": platform.platform(),
        "git_commit": git_commit(watched),
    }


def store_server_version(url: str) -> str:
    """`valkey X.Y.Z` or `redis X.Y.Z`: what the Redis-protocol server at `url` says it is."""
    import redis

    client = redis.Redis.from_url(url)
    try:
        info = client.info("server")
        name = "valkey" if "valkey_version" in info else "redis"
        return f"{name} {info.get('valkey_version') or info.get('redis_version')}"
    finally:
        client.close()
