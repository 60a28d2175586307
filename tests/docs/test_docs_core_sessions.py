"""docs/core.md, sessions: the example prints what the page shows beside it."""

from __future__ import annotations

from tests.docs.example_files import expected_output, run_example


def test_the_sessions_example_prints_what_the_docs_show() -> None:
    _, printed = run_example("core_sessions.py")
    assert printed == expected_output("core_sessions.py")
