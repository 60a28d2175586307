"""The jwt_core test suite (a package, so its module names never clash with other suites)."""
