"""What the test suites share: Sanic apps, hand-made JOSE, one manual clock, keys, a Redis server.

Suite-specific helpers stay in their folder (`tests/security/forge.py`'s hostile claim sets,
`tests/security/http_app.py`'s attacked app, `tests/stores/store_cases.py`, ...) and build on
these.
"""
