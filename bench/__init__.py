"""Benchmarks that print figures (docs/benchmarks.md): a data generator and a page and sweep benchmark.

Not tests: nothing here asserts a speed. `make bench` runs both and prints the table.
"""
