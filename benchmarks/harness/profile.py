"""Printing cProfile results, shared by the benchmark scripts' `--profile` modes."""

from __future__ import annotations

import cProfile
import io
import pstats
from pathlib import Path

__all__ = ["print_stats"]


def print_stats(source: cProfile.Profile | Path, title: str, top: int) -> None:
    """The `top` functions of a profile (or a dumped stats file) by own and by cumulative time."""
    for sort in ("tottime", "cumulative"):
        print(f"\n{title.format(sort=sort)}")
        out = io.StringIO()
        loaded = source if isinstance(source, cProfile.Profile) else str(source)
        stats = pstats.Stats(loaded, stream=out)
        stats.strip_dirs().sort_stats(sort).print_stats(top)
        print(trim_stats(out.getvalue()))


def trim_stats(text: str) -> str:
    """pstats output from the column header on (drops its file-name preamble)."""
    lines = text.splitlines()
    for i, line in enumerate(lines):
        if "ncalls" in line:
            return "\n".join(lines[i - 2 : i] + lines[i:]).rstrip()
    return text.rstrip()
