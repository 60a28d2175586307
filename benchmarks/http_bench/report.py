"""What the HTTP benchmark prints and saves: ratios to the open route (by rps and by server CPU
per request), the table with the targets, and what the run ran on."""

from __future__ import annotations

import os
import sqlite3
import statistics
import subprocess
from typing import Any

import jwt as pyjwt
from harness.machine import machine_info as base_machine_info
from harness.machine import version_of
from harness.report import fmt

from .bench import REFERENCE, STORE_REFERENCE, STORE_TARGETS, Bench, Row

# Targets from issue 6 (protected rps / open rps), printed next to the ratios; never asserted.
TARGETS = {"jwt_required": 0.75, "jwt_required fresh": 0.55, "+ InMemoryBlacklist": 0.70}
PYJWT_HISTORIC = 0.31  # the baseline: PyJWT-guarded route / open route (wrk, 1 worker)


def ratio(row: Row, reference: Row) -> float:
    """Median over rounds of row rps / reference rps in the same round."""
    return statistics.median(
        a / b for a, b in zip(row.rps(), reference.rps(), strict=True) if b > 0
    )


def cpu_ratio(row: Row, reference: Row) -> float:
    """Median over rounds of reference CPU/request / row CPU/request in the same round: the rps
    ratio a CPU-bound server would reach with a core of its own."""
    return statistics.median(
        b.cpu_us_per_request / a.cpu_us_per_request
        for a, b in zip(row.results, reference.results, strict=True)
    )


def report(rows: list[Row]) -> dict[str, Any]:
    """Print the table, the targets and the per-request server CPU; return them as data."""
    by = {row.variant.name: row for row in rows}
    ref = by.get(REFERENCE)
    ref_jwt = by.get("open, JWT app")
    print(
        f"\n  {'variant':<21}{'rps':>7}{'min':>7}{'max':>7}{'x open':>7}{'x open':>8}{'x open':>7}"
        f"{'p50':>6}{'p99':>6}{'CPU':>5}{'CPU':>6}{'thread':>7}{'wait':>5}"
    )
    print(
        f"  {'':<21}{'':>7}{'':>7}{'':>7}{'':>7}{'JWT app':>8}{'by CPU':>7}{'ms':>6}{'ms':>6}"
        f"{'%':>5}{'us/rq':>6}{'us/rq':>7}{'%':>5}"
    )
    out: dict[str, Any] = {"rows": []}
    problems: list[str] = []
    for row in rows:
        rps = row.rps()
        res = row.results
        seconds = sum(r.seconds for r in res)
        cpu_main = sum(r.server_cpu_main_s for r in res)
        cpu_threads = sum(r.server_cpu_threads_s for r in res)
        requests = sum(r.requests for r in res)
        busy = (cpu_main + cpu_threads) / seconds * 100
        wait = sum(r.server_wait_s for r in res) / seconds * 100
        us_req = (cpu_main + cpu_threads) / requests * 1e6 if requests else 0.0
        thread_us = cpu_threads / requests * 1e6 if requests else 0.0
        x_open = ratio(row, ref) if ref is not None else None
        x_jwt = ratio(row, ref_jwt) if ref_jwt is not None else None
        x_cpu = cpu_ratio(row, ref) if ref is not None else None
        print(
            f"  {row.variant.name:<21}{statistics.median(rps):7.0f}{min(rps):7.0f}"
            f"{max(rps):7.0f}{fmt(x_open, 7)}{fmt(x_jwt, 8)}{fmt(x_cpu, 7)}"
            f"{statistics.median(r.p50_ms for r in res):6.1f}"
            f"{statistics.median(r.p99_ms for r in res):6.1f}{busy:5.0f}{us_req:6.0f}"
            f"{thread_us:7.0f}{wait:5.0f}"
        )
        bad = sum(r.bad_status for r in res)
        errors = sum(r.socket_errors for r in res)
        overrun = sum(r.overrun for r in res)
        if bad or errors or overrun:
            problems.append(
                f"{row.variant.name}: {bad} non-2xx responses, {errors} socket errors, "
                f"{overrun} requests after the fresh-token pool ran out"
            )
        out["rows"].append(
            {
                "variant": row.variant.name,
                "what": row.variant.what,
                "rps_rounds": rps,
                "rps_median": statistics.median(rps),
                "ratio_to_open": x_open,
                "ratio_to_open_jwt_app": x_jwt,
                "cpu_ratio_to_open": x_cpu,
                "p50_ms_rounds": [r.p50_ms for r in res],
                "p99_ms_rounds": [r.p99_ms for r in res],
                "requests_rounds": [r.requests for r in res],
                "server_cpu_us_per_request_rounds": [r.cpu_us_per_request for r in res],
                "server_cpu_percent": busy,
                "server_cpu_us_per_request": us_req,
                "server_thread_cpu_us_per_request": thread_us,
                "server_runqueue_wait_percent": wait,
                "non_2xx": bad,
                "socket_errors": errors,
                "fresh_pool_overrun": overrun,
            }
        )
    if ref is not None:
        print()
        for name, target in TARGETS.items():
            if name in by:
                x, xc = ratio(by[name], ref), cpu_ratio(by[name], ref)
                print(f"  {name:<21} {x:.3f} of open (by CPU/request {xc:.3f})   "
                      f"target >= {target}: {'meets' if x >= target else 'MISSES'}")  # fmt: skip
        if "PyJWT" in by:
            x, xc = ratio(by["PyJWT"], ref), cpu_ratio(by["PyJWT"], ref)
            print(f"  {'PyJWT':<21} {x:.3f} of open (by CPU/request {xc:.3f})   "
                  f"issue's baseline: {PYJWT_HISTORIC}")  # fmt: skip
    base = by.get(STORE_REFERENCE)
    if base is not None:
        print(f"\n  with a store / {STORE_REFERENCE} (the same route with none):")
        out["store_ratios"] = {}
        for name, target in STORE_TARGETS.items():
            if name in by:
                x, xc = ratio(by[name], base), cpu_ratio(by[name], base)
                out["store_ratios"][name] = x
                verdict = (
                    "reported"
                    if target is None
                    else (f"target >= {target}: {'meets' if x >= target else 'MISSES'}")
                )
                print(f"  {name:<21} {x:.3f} (by CPU/request {xc:.3f})   {verdict}")
    for problem in problems:
        print(f"\n  WARNING {problem}: those rounds do not measure what they claim")
    waits = [row["server_runqueue_wait_percent"] for row in out["rows"]]
    if waits and statistics.median(waits) > 10:
        print(
            f"\n  NOTE the servers waited {statistics.median(waits):.0f}% of the time (median) "
            "for a CPU busy with other work: rps and ratios are unreliable; rerun on an idle "
            "machine or with --nice -10"
        )
    out["problems"] = problems
    return out


def machine_info(bench: Bench) -> dict[str, Any]:
    """CPU, cores, pinning, versions, commit: so runs on other machines are not compared blindly."""
    ver = version_of
    wrk = "not installed"
    if bench.load.wrk:
        command = [bench.load.wrk, "-v"]
        done = subprocess.run(command, capture_output=True, text=True, check=False)
        wrk = ((done.stdout + done.stderr).strip().splitlines() or [""])[0]
    import jwt_core
    import sanic_jwt_extended

    return {
        **base_machine_info("packages"),
        "usable_cores": len(os.sched_getaffinity(0)) if not bench.pinned else "pinned",
        "sanic": ver("sanic"),
        "sanic_routing": ver("sanic-routing"),
        "pyjwt": pyjwt.__version__,
        "jwt_core": jwt_core.__version__,
        "sanic_jwt_extended": sanic_jwt_extended.__version__,
        "redis_py": ver("redis"),
        "sqlite": sqlite3.sqlite_version,
        "store_server": bench.redis_version,
        "load_generator": bench.load.name,
        "wrk": wrk,
        "pinning": (
            f"servers on CPU {bench.server_cpu}, load generator/valkey/this process on CPU "
            f"{bench.client_cpu} ({'taskset' if bench.server_pin else 'not pinned'})"
            if bench.pinned
            else "not pinned (fewer than 2 usable CPUs, or --no-pin)"
        )
        + f", nice {bench.nice}",
    }
