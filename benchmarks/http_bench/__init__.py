"""The HTTP benchmark behind `benchmarks/http_load.py`, by concern: `server` (the Sanic app of
one server process, and that process seen from outside), `load` (tokens and the load
generators: wrk, or a Python fallback), `bench` (variants, servers and interleaved rounds),
`report` (ratios, the table, the machine), `profile` (cProfile in a server under load) and
`run` (the options).

Not named `http`: with benchmarks/ on sys.path, that would shadow the standard library's
`http` package.
"""
