"""Benchmarks, run on demand as scripts (`python benchmarks/<name>.py`); see README.md."""
