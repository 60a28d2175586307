"""The script examples print exactly what the docs show beside them (their `.out` files)."""

from __future__ import annotations

import pytest

from tests.docs.example_files import expected_output, run_example

SCRIPTS = [
    "core_quickstart.py",
    "tokens_basics.py",
    "tokens_claims.py",
    "core_worker.py",
    "several_apps.py",
]


@pytest.mark.parametrize("name", SCRIPTS)
def test_script_prints_what_the_docs_show(name: str) -> None:
    _, printed = run_example(name)
    assert printed == expected_output(name)
