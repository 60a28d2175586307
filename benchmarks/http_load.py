"""HTTP benchmark: one Sanic route, open and guarded by `jwt_required` (with each blacklist), and
a PyJWT-guarded one, under one load generator, in interleaved rounds, as ratios to the open route.

Run: `hatch run bench:http` or `python benchmarks/http_load.py [--quick] [--json out.json]`.
`--profile VARIANT` runs cProfile inside the server instead and prints where its time goes.
See benchmarks/README.md (section HTTP) for what every row and column means; the code is in
`http_bench/` (server, load, bench, report, profile, run).
"""

from __future__ import annotations

import sys

from http_bench.run import main

if __name__ == "__main__":
    sys.exit(main())
