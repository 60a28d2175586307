"""What the benchmark scripts share, and the test suites re-use (through tests/support/).

Scripts import it as `harness` (their own folder is on sys.path when Python runs them); the
tests as `benchmarks.harness` (pytest puts the repository root on sys.path). Modules here
import each other relatively, so both names work.
"""
