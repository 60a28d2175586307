"""The test suites of both packages (a package, so every import is absolute: `tests.support...`)."""
