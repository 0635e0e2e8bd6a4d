"""Benchmarks that print figures (python -m bench); not part of the test suite."""
