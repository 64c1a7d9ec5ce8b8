"""Benchmarks: this engine against micrograd 0.1.0 and hand-written numpy, in one run.

Run ``python -m benchmarks.run`` (or ``--quick`` for a smoke run). Not part of the tests:
nothing here asserts a time.
"""
