"""`--profile VARIANT`: cProfile one variant's server under load and print where its time goes."""

from __future__ import annotations

import argparse
from pathlib import Path

from harness.profile import print_stats

from .bench import VARIANTS, Bench


def profile(args: argparse.Namespace, work: Path, name: str, seconds: int, top: int) -> None:
    """Run one variant's server under cProfile for one load run and print its top functions."""
    variant = next(v for v in VARIANTS if v.name == name)
    bench = Bench(args, work, [variant])
    stats_path = work / f"profile-{variant.server}.prof"
    try:
        bench.start(profile=str(stats_path))
        if variant.tokens == "fresh":
            bench.pool.ensure(bench.fresh_budget(20_000, seconds + 2))
        bench.run_one(variant, 1)  # warm-up, also profiled: same code paths
        result = bench.run_one(variant, seconds)
    finally:
        bench.stop()
    print(
        f"\n=== cProfile in the server: {variant.name} ({variant.what}), {result.requests:,} "
        f"requests in {result.seconds:.1f}s = {result.rps:,.0f} rps under the profiler, "
        f"server CPU {result.server_cpu_main_s:.1f}s loop + {result.server_cpu_threads_s:.1f}s "
        f"other threads; cProfile timer: {args.profile_clock} time ==="
    )
    thread_path = Path(f"{stats_path}.thread")
    for path, label in ((stats_path, "event-loop thread"), (thread_path, "SQLite checking thread")):
        if path.exists():
            print_stats(path, f"--- {label}, by {{sort}} ---", top)
