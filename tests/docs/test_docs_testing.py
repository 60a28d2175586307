"""docs/testing.md: the example test suite passes, beside another initialized app."""

from __future__ import annotations

from sanic import Sanic

from sanic_jwt_extended import JWT
from tests.docs.example_files import SECRET, run_example


def test_the_example_tests_pass_with_another_app_initialized() -> None:
    other = Sanic("testing-docs-other-app")
    with JWT.initialize(other) as jwt:
        jwt.config.secret_key = SECRET[::-1]
    namespace, _ = run_example("testing_app.py")
    tests = [value for name, value in namespace.items() if name.startswith("test_")]
    assert len(tests) == 4
    for test in tests:
        test()
