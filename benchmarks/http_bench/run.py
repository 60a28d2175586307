"""HTTP benchmark: one Sanic route, open and guarded by `jwt_required` (with each blacklist), and
a PyJWT-guarded one, under one load generator, in interleaved rounds, as ratios to the open route.

The options, and the whole run: servers started, measured, reported (or profiled).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from collections.abc import Sequence
from pathlib import Path
from typing import get_args

from harness.report import write_json

from .bench import REFERENCE, VARIANTS, Bench, measure
from .profile import profile
from .report import machine_info, report
from .server import ServerKind, serve


def main(argv: Sequence[str] | None = None) -> int:
    """Parse options; serve (child), profile, or run the whole benchmark and print it."""
    names = [v.name for v in VARIANTS]
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    ap.add_argument("--quick", action="store_true", help="2 rounds of 2 s: a smoke run")
    ap.add_argument("--rounds", type=int, help="rounds (default 5, --quick 2)")
    ap.add_argument("--seconds", type=int, help="whole seconds per variant per round (default 5)")
    ap.add_argument("--connections", type=int, default=32, help="concurrent connections (32)")
    ap.add_argument("--preload", type=int, default=1000, help="revocations each store holds")
    ap.add_argument("--only", action="append", choices=names, metavar="VARIANT",
                    help="run only this variant (repeatable; 'open' is always added)")  # fmt: skip
    ap.add_argument("--python-load", action="store_true", help="use the Python load generator")
    ap.add_argument("--no-pin", action="store_true", help="do not pin server and client to CPUs")
    ap.add_argument("--keep-servers", action="store_true", help="one server process per "
                    "variant for the whole run (default: new ones every round)")  # fmt: skip
    ap.add_argument("--nice", type=int, help="run servers and wrk at this niceness, e.g. -10 "
                    "on a machine busy with other work (negative needs root)")  # fmt: skip
    ap.add_argument("--json", metavar="PATH", help="also write the results as JSON")
    ap.add_argument("--profile", action="append", choices=names, metavar="VARIANT",
                    help="cProfile VARIANT's server under load instead (repeatable)")  # fmt: skip
    ap.add_argument("--profile-seconds", type=int, default=10)
    ap.add_argument("--profile-clock", choices=["cpu", "wall"], default="cpu",
                    help="cProfile timer: thread CPU time (default) or wall time")  # fmt: skip
    # the server process
    ap.add_argument("--serve", choices=list(get_args(ServerKind)), help=argparse.SUPPRESS)
    ap.add_argument("--port", type=int, help=argparse.SUPPRESS)
    ap.add_argument("--sqlite-path", default="blacklist.sqlite3", help=argparse.SUPPRESS)
    ap.add_argument("--redis-url", default="", help=argparse.SUPPRESS)
    ap.add_argument("--cprofile", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.serve:
        return serve(args)

    rounds = args.rounds or (2 if args.quick else 5)
    seconds = max(1, args.seconds or (2 if args.quick else 5))  # wrk takes whole seconds
    warm = 1 if args.quick else 2
    with tempfile.TemporaryDirectory(prefix="jwt-bench-http-") as tmp:
        work = Path(tmp)
        if args.profile:
            for name in args.profile:
                profile(args, work, name, 3 if args.quick else args.profile_seconds, 30)
            return 0
        wanted = set(args.only or names) | {REFERENCE}
        variants = [v for v in VARIANTS if v.name in wanted]
        load_start = os.getloadavg()
        bench = Bench(args, work, variants)
        try:
            bench.start()
            info = machine_info(bench)
            print("HTTP benchmark: GET one route through Sanic, one worker, HS256 tokens")
            print(f"  cpu      {info['cpu']} ({info['logical_cores']} logical cores)")
            print(f"  python   {info['python']} on {info['platform']}")
            print(
                f"  libs     sanic {info['sanic']} (sanic-routing {info['sanic_routing']}) | "
                f"jwt_core {info['jwt_core']} | sanic_jwt_extended {info['sanic_jwt_extended']} | "
                f"PyJWT {info['pyjwt']} | redis-py {info['redis_py']} | SQLite {info['sqlite']} "
                f"| store server {info['store_server']}"
            )
            print(f"  load     {info['load_generator']} ({info['wrk']}), {args.connections} "
                  f"keep-alive connections, 1 thread")  # fmt: skip
            print(f"  pinning  {info['pinning']}")
            print(f"  commit   {info['git_commit']}")
            print(
                f"  method   {rounds} rounds x {len(variants)} variants x {seconds:g}s, "
                f"interleaved (order rotated each round) after a {warm:g}s warm-up each"
                + ("" if args.keep_servers else ", on new server processes every round")
                + "; rps is the median over rounds, ratios the median of per-round ratios"
            )
            print(
                "  checks   each guarded route accepted a good token and refused a missing (401) "
                "and a forged (422) one; each blacklist refused a token revoked through the app"
            )
            rows = measure(bench, rounds, seconds, warm, restart=not args.keep_servers)
        finally:
            bench.stop()
        data = report(rows)
        load_end = os.getloadavg()
        print(
            f"\n  load average (1 min) {load_start[0]:.2f} before, {load_end[0]:.2f} after on "
            f"{os.cpu_count()} logical cores: above ~0.5 besides this run, other work shares "
            "the CPUs, expect noise"
        )
        if bench.pool.minted_at:
            print(f"  fresh tokens: {bench.pool.next:,} sent, each once; "
                  f"{len(bench.pool.starts) - 1:,} minted")  # fmt: skip
        if args.json:
            data.update(
                machine=info,
                load_average=[load_start, load_end],
                rounds=rounds,
                seconds=seconds,
                connections=args.connections,
                argv=list(argv if argv is not None else sys.argv[1:]),
            )
            write_json(args.json, data)
    return 0
